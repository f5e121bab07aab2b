// The Agent's operations one at a time: modes, registration, authorization, usage,
// deregistration, configuration, signatures, events and secrets.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "agent/licensing_timers.h"
#include "protocol/envelope.h"
#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kStart;
using test::kToken;
using test::kToken2;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Not;
namespace st = terms;

TEST(AgentModeTest, AFactoryNewDeviceUsesPakAndSchedulesNothing) {
  AgentHarness h;
  Agent& agent = h.Open();
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kPak);
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.authorization_status, st::kNotApplicable);
  EXPECT_FALSE(s.evaluation_remaining_seconds.has_value());
  EXPECT_FALSE(agent.NextDeadline().has_value());
  EXPECT_TRUE(agent.MayChangeClusterConfiguration());
  EXPECT_TRUE(agent.MayRegisterNewDevices());
}

TEST(AgentModeTest, EnablingSmartLicensingStartsANinetyDayEvaluation) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kSmart);
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode);
  EXPECT_EQ(s.evaluation_remaining_seconds, 90 * kDay);
  EXPECT_EQ(agent.NextDeadline(), kStart + 90 * kDay);
  EXPECT_FALSE(agent.MayChangeClusterConfiguration()) << "no cluster configuration during evaluation";
  EXPECT_TRUE(agent.MayRegisterNewDevices());
  EXPECT_TRUE(h.HasEvent(EventType::kModeChanged, "Smart Licensing"));
  EXPECT_TRUE(h.HasEvent(EventType::kAuthorizationStatusChanged, st::kEvaluationMode));
  EXPECT_TRUE(agent.Enable().ok()) << "enabling twice is harmless";
}

TEST(AgentModeTest, ReturningToPakIsRefusedUntilAFactoryReset) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  Status s = agent.SetLicensingMode(LicensingMode::kPak);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("factory reset"));
  EXPECT_EQ(agent.GetStatus().mode, LicensingMode::kSmart);

  ASSERT_TRUE(agent.FactoryReset().ok());
  EXPECT_EQ(agent.GetStatus().mode, LicensingMode::kPak);
  EXPECT_FALSE(h.memory_store.has_record);
}

TEST(AgentRegistrationTest, RegisteringNeedsSmartLicensing) {
  AgentHarness h;
  Agent& agent = h.Open();
  EXPECT_CALL(h.transport, Send(_)).Times(0);
  Status s = agent.Register(kToken, false);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("not enabled"));
}

TEST(AgentRegistrationTest, RegistrationSendsUdiHostnameTokenAndCsrThenAuthorizes) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  ASSERT_EQ(h.cssm.requests().size(), 2u);
  const Request& reg = h.cssm.requests()[0];
  EXPECT_EQ(reg.type, MessageType::kRegister);
  EXPECT_EQ(reg.udi, h.udi_);
  EXPECT_EQ(reg.hostname, "expressway-1.example.com");
  EXPECT_EQ(reg.token, kToken);
  EXPECT_THAT(reg.csr_pem, HasSubstr("CERTIFICATE REQUEST"));
  const Request& auth = h.cssm.requests()[1];
  EXPECT_EQ(auth.type, MessageType::kAuthorize);
  ASSERT_EQ(auth.usage.size(), 1u);
  EXPECT_EQ(auth.usage[0].tag, "rms");
  EXPECT_EQ(auth.usage[0].count, 5);
  EXPECT_FALSE(auth.instance_id.empty());
  EXPECT_FALSE(auth.cert_serial.empty());

  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(s.authorization_status, st::kAuthorized);
  EXPECT_EQ(s.smart_account, "Example Corp");
  EXPECT_EQ(s.virtual_account, "VA-One");
  EXPECT_EQ(s.export_controlled, st::kExportAllowed);
  EXPECT_EQ(s.initial_registration, kStart);
  EXPECT_EQ(s.registration_expires, kStart + 365 * kDay);
  EXPECT_EQ(s.authorization_expires, kStart + 90 * kDay);
  EXPECT_EQ(s.communication_deadline, kStart + 90 * kDay);
  ASSERT_TRUE(s.next_authorization_renewal && s.next_registration_renewal);
  EXPECT_GE(*s.next_authorization_renewal, kStart + 30 * kDay);
  EXPECT_LT(*s.next_authorization_renewal, kStart + 30 * kDay + kMaxJitter);
  EXPECT_GE(*s.next_registration_renewal, kStart + 180 * kDay);
  EXPECT_LT(*s.next_registration_renewal, kStart + 180 * kDay + kMaxJitter);
  EXPECT_TRUE(s.last_error.empty());
  ASSERT_EQ(s.licenses.size(), 1u);
  EXPECT_EQ(s.licenses[0].status, st::kAuthorized);
  // The next thing due is the 6-hour usage report.
  ASSERT_TRUE(agent.NextDeadline());
  EXPECT_GE(*agent.NextDeadline(), kStart + 6 * kHour);
  EXPECT_LT(*agent.NextDeadline(), kStart + 6 * kHour + kMaxJitter);
  EXPECT_TRUE(agent.MayChangeClusterConfiguration());
}

TEST(AgentRegistrationTest, RegisteringAgainWithoutReregisterIsRefusedWithAClearMessage) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  size_t before = h.cssm.requests().size();
  Status s = agent.Register(kToken2, /*reregister=*/false);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("already registered"));
  EXPECT_THAT(s.message(), HasSubstr("Reregister"));
  EXPECT_EQ(h.cssm.requests().size(), before) << "nothing was sent";
  EXPECT_EQ(agent.GetStatus().virtual_account, "VA-One");
}

TEST(AgentRegistrationTest, ReregisteringWithAnotherAccountsTokenMovesTheInstance) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  std::string instance = agent.GetStatus().instance_id;
  h.clock.Advance(kDay);
  ASSERT_TRUE(agent.Register(kToken2, /*reregister=*/true).ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(s.virtual_account, "VA-Two");
  EXPECT_EQ(s.export_controlled, st::kExportNotAllowed);
  EXPECT_EQ(s.instance_id, instance);
  EXPECT_EQ(s.initial_registration, kStart + kDay);
  EXPECT_EQ(s.authorization_status, st::kAuthorized);
  EXPECT_EQ(h.cssm.instances().at(instance).account.virtual_account, "VA-Two");
}

TEST(AgentRegistrationTest, ARefusedTokenFailsTheRegistrationWithoutRetrying) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  Status s = agent.Register("NOT-A-KNOWN-TOKEN", false);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("token is invalid"));
  EXPECT_THAT(s.message(), HasSubstr("token_invalid: refused: token_invalid")) << "the server's reason";
  EXPECT_THAT(s.message(), Not(HasSubstr("NOT-A-KNOWN-TOKEN")));
  AgentStatus st1 = agent.GetStatus();
  EXPECT_EQ(st1.registration_status, st::kRegistrationFailed);
  EXPECT_EQ(st1.authorization_status, st::kEvaluationMode);
  EXPECT_FALSE(st1.next_communication_attempt.has_value());
  EXPECT_EQ(agent.NextDeadline(), kStart + 90 * kDay) << "only the evaluation expiry remains";
}

TEST(AgentRegistrationTest, AMalformedTokenIsRejectedLocally) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  EXPECT_CALL(h.transport, Send(_)).Times(0);
  EXPECT_EQ(agent.Register("", false).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(agent.Register("has space", false).code(), StatusCode::kInvalidArgument);
}

TEST(AgentRegistrationTest, PrivacyKeepsTheHostnameOutOfRequests) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  ASSERT_TRUE(agent.SetPrivacy(true).ok());
  ASSERT_TRUE(agent.Register(kToken, false).ok());
  EXPECT_FALSE(h.cssm.requests()[0].hostname.has_value());
  EXPECT_TRUE(agent.GetStatus().privacy);
  ASSERT_TRUE(agent.RenewRegistration().ok());
  EXPECT_FALSE(h.cssm.requests().back().hostname.has_value());
}

TEST(AgentRegistrationTest, AHostnameChangeTriggersARegistrationRenewal) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.clock.Advance(kHour);
  h.hostname = "expressway-renamed.example.com";
  // The scheduler notices by itself: the renewal is due at once.
  EXPECT_EQ(agent.NextDeadline(), kStart + 6 * kHour + CommunicationJitter(h.udi_, 2)) << "not yet noticed";
  ASSERT_TRUE(agent.HostnameChanged().ok());
  EXPECT_EQ(agent.NextDeadline(), h.Now());
  ASSERT_TRUE(agent.RunDue().ok());
  const Request& last = h.cssm.requests().back();
  EXPECT_EQ(last.type, MessageType::kRenewId);
  EXPECT_EQ(last.hostname, "expressway-renamed.example.com");
  EXPECT_EQ(h.cssm.instances().begin()->second.hostname, "expressway-renamed.example.com");
  EXPECT_TRUE(h.HasEvent(EventType::kHostnameChanged));
  EXPECT_EQ(agent.GetStatus().last_registration_renewal, h.Now());
}

TEST(AgentRegistrationTest, RunDueNoticesAHostnameChangeWithoutBeingTold) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.hostname = "other-name";
  h.clock.Advance(kMinute);
  ASSERT_TRUE(agent.RunDue().ok());
  EXPECT_EQ(h.cssm.requests().back().type, MessageType::kRenewId);
  EXPECT_EQ(h.cssm.requests().back().hostname, "other-name");
}

TEST(AgentAuthorizationTest, PerLicenseStatusesAndTheOverallStatusFollowTheServer) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  ASSERT_TRUE(agent.SetUsage("rms", 500).ok());      // 100 entitled
  ASSERT_TRUE(agent.SetUsage("bogus-tag", 1).ok());  // not a license CSSM knows
  ASSERT_TRUE(agent.RenewAuthorization().ok());
  ASSERT_TRUE(agent.SetUsage("room", 2).ok());       // not reported yet
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_status, st::kOutOfCompliance);
  ASSERT_EQ(s.licenses.size(), 3u);
  EXPECT_EQ(s.licenses[0].tag, "bogus-tag");
  EXPECT_EQ(s.licenses[0].status, st::kLicenseInvalidTag);
  EXPECT_EQ(s.licenses[1].tag, "rms");
  EXPECT_EQ(s.licenses[1].status, st::kLicenseOutOfCompliance);
  EXPECT_EQ(s.licenses[2].tag, "room");
  EXPECT_EQ(s.licenses[2].status, st::kLicenseWaiting);
  EXPECT_TRUE(h.HasEvent(EventType::kAuthorizationStatusChanged, st::kOutOfCompliance));
}

TEST(AgentAuthorizationTest, NoUsageIsNoLicensesInUse) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  ASSERT_TRUE(agent.SetUsage("rms", 0).ok());
  ASSERT_TRUE(agent.UpdateUsage().ok());
  EXPECT_EQ(h.cssm.requests().back().type, MessageType::kReportUsage);
  EXPECT_TRUE(h.cssm.requests().back().usage.empty());
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kNoLicensesInUse);
  EXPECT_TRUE(agent.GetStatus().licenses.empty()) << "types not in use are not shown";
}

TEST(AgentAuthorizationTest, RenewingNeedsARegistration) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  EXPECT_EQ(agent.RenewAuthorization().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(agent.RenewRegistration().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(agent.UpdateUsage().ok()) << "local only while unregistered";
}

TEST(AgentUsageTest, UsageIsValidatedAndBounded) {
  AgentHarness h;
  Agent& agent = h.Open();
  EXPECT_EQ(agent.SetUsage("bad tag", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(agent.SetUsage("rms", -1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(agent.SetUsage("rms", kMaxLicenseCount + 1).code(), StatusCode::kInvalidArgument);
  for (size_t i = 0; i < kMaxLicenseLines; ++i) ASSERT_TRUE(agent.SetUsage("t" + std::to_string(i), 1).ok());
  // A local limit, not a communication problem (which ResourceExhausted would suggest).
  EXPECT_EQ(agent.SetUsage("one-too-many", 1).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(agent.SetUsage("t0", 7).ok()) << "changing a known type is fine";
  EXPECT_TRUE(agent.SetUsage("t0", 0).ok());
  EXPECT_TRUE(agent.SetUsage("now-fits", 1).ok());
}

TEST(AgentUsageTest, SettingUsageDoesNotWriteTheStore) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  int saves = h.memory_store.saves;
  for (int i = 1; i <= 100; ++i) ASSERT_TRUE(agent.SetUsage("rms", i).ok());
  EXPECT_EQ(h.memory_store.saves, saves);
}

TEST(AgentDeregistrationTest, DeregisteringReleasesOnTheServerAndReturnsToEvaluation) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.RunUntil(kStart + 10 * kDay);  // 10 days of evaluation used
  agent.SetUsage("rms", 5).ok();
  ASSERT_TRUE(agent.Register(kToken, false).ok());
  h.RunUntil(kStart + 40 * kDay);  // registered time does not use the evaluation
  Result<Deregistration> d = agent.Deregister();
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->released_on_server);
  EXPECT_TRUE(h.cssm.instances().empty());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode);
  EXPECT_EQ(s.evaluation_remaining_seconds, 80 * kDay);
  EXPECT_TRUE(s.virtual_account.empty());
  EXPECT_EQ(agent.NextDeadline(), h.Now() + 80 * kDay);
  EXPECT_EQ(agent.Deregister().status().code(), StatusCode::kFailedPrecondition);
}

TEST(AgentDeregistrationTest, DeregisteringWhileUnreachableRemovesTheLocalRegistrationAnyway) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  Result<Deregistration> d = agent.Deregister();
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->released_on_server);
  EXPECT_THAT(d->message, HasSubstr("manually from CSSM"));
  EXPECT_THAT(d->message, HasSubstr("Operation timed out"));
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode);
  EXPECT_THAT(s.last_error, HasSubstr("manually"));
  EXPECT_FALSE(s.next_communication_attempt.has_value()) << "nothing left to retry";
  EXPECT_EQ(h.cssm.instances().size(), 1u) << "the server still has it";
}

TEST(AgentDeregistrationTest, DeregisteringAfterTheEvaluationRanOutGivesEvaluationExpired) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.RunUntil(kStart + 100 * kDay);
  ASSERT_TRUE(agent.Register(kToken, false).ok());
  EXPECT_TRUE(agent.MayRegisterNewDevices());
  ASSERT_TRUE(agent.Deregister().ok());
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kEvaluationExpired);
  EXPECT_FALSE(agent.MayRegisterNewDevices());
}

TEST(AgentDeregistrationTest, DeregisteringAlsoCancelsAPendingReregistration) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  EXPECT_EQ(agent.Register(kToken2, /*reregister=*/true).code(), StatusCode::kUnavailable);
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered) << "the old registration still holds";
  ASSERT_TRUE(agent.Deregister().ok());
  h.GoOnline();
  h.RunUntil(h.Now() + kDay);
  EXPECT_EQ(agent.GetStatus().registration_status, st::kUnregistered) << "no late re-registration";
}

TEST(AgentRefusalTest, AnInstanceRemovedOnTheServerDropsTheLocalRegistration) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.cssm.RemoveInstance(agent.GetStatus().instance_id);
  Status s = agent.RenewAuthorization();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << "a signed refusal acted on at once";
  EXPECT_THAT(s.message(), HasSubstr("unknown_instance: refused: unknown_instance"));
  AgentStatus st1 = agent.GetStatus();
  EXPECT_EQ(st1.registration_status, st::kUnregistered);
  EXPECT_THAT(st1.last_error, HasSubstr("register the product again"));
  EXPECT_TRUE(h.HasEvent(EventType::kRegistrationStatusChanged, st::kUnregistered));
}

TEST(AgentRefusalTest, ASignedRegistrationExpiredRefusalIsActedOnAtOnce) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.cssm.refuse_next_with = error_code::kRegistrationExpired;
  Status s = agent.RenewRegistration();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("registration has expired"));
  EXPECT_THAT(s.message(), HasSubstr("refused: registration_expired"));
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistrationExpired);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kEvaluationMode);
}

// Every signed refusal is PermissionDenied when acted on at once and Unavailable when
// kept like a communication failure, whichever operation received it: slagent turns
// these into "refused by CSSM" (3) and "retry scheduled" (4).
TEST(AgentRefusalTest, EachRefusalHasTheStatusCodeOfWhatTheAgentDoesWithIt) {
  struct Case {
    const char* code;
    StatusCode expected;
    const char* registration_after;
  };
  const Case cases[] = {
      {error_code::kUnknownInstance, StatusCode::kPermissionDenied, st::kUnregistered},
      {error_code::kCertificateMismatch, StatusCode::kPermissionDenied, st::kUnregistered},
      {error_code::kRegistrationExpired, StatusCode::kPermissionDenied, st::kRegistrationExpired},
      {error_code::kStaleMessage, StatusCode::kUnavailable, st::kRegistered},
      {error_code::kReplayedMessage, StatusCode::kUnavailable, st::kRegistered},
      {error_code::kBadSignature, StatusCode::kUnavailable, st::kRegistered},
      {error_code::kInternalError, StatusCode::kUnavailable, st::kRegistered},
  };
  for (const Case& c : cases) {
    for (int op = 0; op < 3; ++op) {
      SCOPED_TRACE(std::string(c.code) + " op " + std::to_string(op));
      AgentHarness h;
      Agent& agent = h.OpenRegistered();
      h.cssm.refuse_next_with = c.code;
      Status s = op == 0 ? agent.RenewAuthorization() : op == 1 ? agent.RenewRegistration() : agent.UpdateUsage();
      EXPECT_EQ(s.code(), c.expected) << s.ToString();
      EXPECT_THAT(s.message(), HasSubstr(std::string("refused: ") + c.code)) << "the server's reason";
      EXPECT_EQ(agent.GetStatus().registration_status, c.registration_after);
    }
  }
  for (const char* code : {error_code::kTokenInvalid, error_code::kTokenExpired, error_code::kTokenUsedUp}) {
    SCOPED_TRACE(code);
    AgentHarness h;
    Agent& agent = h.Open();
    ASSERT_TRUE(agent.Enable().ok());
    h.cssm.refuse_next_with = code;
    Status s = agent.Register(kToken, false);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(s.message(), HasSubstr(std::string("refused: ") + code));
    EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistrationFailed);
  }
}

TEST(AgentRefusalTest, AStaleMessageRefusalKeepsTheGrantsAndRetries) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.cssm.refuse_next_with = error_code::kStaleMessage;
  Status s = agent.RenewAuthorization();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  AgentStatus st1 = agent.GetStatus();
  EXPECT_EQ(st1.authorization_status, st::kAuthorized);
  EXPECT_THAT(st1.last_error, HasSubstr("clock"));
  ASSERT_TRUE(st1.next_communication_attempt);
  EXPECT_GE(*st1.next_communication_attempt, h.Now() + kRetryInterval);
  EXPECT_LT(*st1.next_communication_attempt, h.Now() + kRetryInterval + kMaxJitter);
}

// Forged, unsigned and replayed responses: the agent treats them as a failed
// communication (retry), never as an answer.
class AgentSignatureTest : public ::testing::Test {
 protected:
  void ExpectRefusedAsOffline(const std::string& why) {
    Agent& agent = h_.agent ? *h_.agent : h_.Open();
    ASSERT_TRUE(agent.Enable().ok());
    Status s = agent.Register(kToken, false);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    AgentStatus st1 = agent.GetStatus();
    EXPECT_EQ(st1.registration_status, st::kRegistrationPending);
    EXPECT_THAT(st1.last_error, HasSubstr(why));
    EXPECT_TRUE(st1.next_communication_attempt.has_value());
  }
  AgentHarness h_;
};

TEST_F(AgentSignatureTest, AResponseSignedByAnotherKeyIsNotAnAnswer) {
  PrivateKey forger = PrivateKey::Generate().value();
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    TransportReply genuine = h_.cssm.Handle(e);
    SignedMessage m = OpenEnvelope(genuine.body).value();
    genuine.body = SealMessage(m.body, forger).value();
    return genuine;
  });
  ExpectRefusedAsOffline("signature does not verify");
}

TEST_F(AgentSignatureTest, AnUnsignedResponseIsNotAnAnswer) {
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    TransportReply genuine = h_.cssm.Handle(e);
    genuine.body = OpenEnvelope(genuine.body).value().body;
    return genuine;
  });
  ExpectRefusedAsOffline("not a signed");
}

TEST_F(AgentSignatureTest, AReplayedEarlierResponseIsNotAnAnswer) {
  std::optional<TransportReply> recorded;
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    TransportReply genuine = h_.cssm.Handle(e);
    if (!recorded) recorded = genuine;
    return *recorded;
  });
  Agent& agent = h_.Open();
  ASSERT_TRUE(agent.Enable().ok());
  ASSERT_TRUE(agent.Register(kToken, false).ok());  // the register answer is recorded
  // The authorization that followed got the replayed register answer instead.
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_status, st::kNotApplicable);
  EXPECT_THAT(s.last_error, HasSubstr("replayed"));
  ASSERT_EQ(s.licenses.size(), 0u);
}

TEST_F(AgentSignatureTest, AnIdCertificateForAnotherKeyIsRejected) {
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    SignedMessage m = OpenEnvelope(e).value();
    Request q = DecodeRequest(m.body).value();
    Response r;
    r.type = q.type;
    r.in_reply_to = q.message_id;
    r.server_time = h_.Now();
    r.ok = true;
    r.instance_id = "PI-X";
    PrivateKey other = PrivateKey::Generate().value();
    r.id_certificate_pem = IssueCertificate(h_.cssm.signing_key(), h_.cssm.signing_cert(), other.Public(),
                                            "x", h_.Now(), h_.Now() + 365 * kDay).value().ToPem();
    r.registration_expires = h_.Now() + 365 * kDay;
    return h_.cssm.Reply(r);
  });
  ExpectRefusedAsOffline("another key");
}

TEST(AgentTransportTest, DirectToOnPremIsRefusedWhileRegistered) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  TransportSettings onprem;
  onprem.mode = TransportMode::kOnPrem;
  onprem.url = "https://onprem.example.com/SmartTransport";
  Status s = agent.SetTransportSettings(onprem);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("deregister"));

  TransportSettings with_proxy;  // same mode, another proxy: fine
  with_proxy.proxy = ProxySettings{"proxy.example.com", 3128, "alice", "pw-123456"};
  EXPECT_TRUE(agent.SetTransportSettings(with_proxy).ok());

  ASSERT_TRUE(agent.Deregister().ok());
  EXPECT_TRUE(agent.SetTransportSettings(onprem).ok());
  EXPECT_EQ(agent.GetStatus().transport.mode, TransportMode::kOnPrem);
}

TEST(AgentTransportTest, InvalidSettingsAreRejectedWithTheExpectedForm) {
  AgentHarness h;
  Agent& agent = h.Open();
  TransportSettings bad;
  bad.mode = TransportMode::kOnPrem;
  bad.url = "http://onprem.example.com/";
  Status s = agent.SetTransportSettings(bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("https://<host>[:port]/SmartTransport"));
}

TEST(AgentTransportTest, TheFactoryIsAskedAgainAfterASettingsChange) {
  AgentHarness h;
  std::vector<TransportSettings> built;
  AgentEnvironment env = h.Environment();
  env.transport_factory = [&](const TransportSettings& s) -> std::unique_ptr<Transport> {
    built.push_back(s);
    return std::make_unique<test::ForwardingTransport>(&h.transport);
  };
  h.agent = Agent::Open(std::move(env)).value();
  ASSERT_TRUE(h.agent->Enable().ok());
  ASSERT_TRUE(h.agent->Register(kToken, false).ok());
  TransportSettings s;
  s.url = "https://cssm.example.com/licservice/license";
  ASSERT_TRUE(h.agent->SetTransportSettings(s).ok());
  ASSERT_TRUE(h.agent->RenewAuthorization().ok());
  ASSERT_EQ(built.size(), 2u);
  EXPECT_EQ(built[1].url, s.url);
}

TEST(AgentSecretsTest, TokensKeysAndProxyPasswordsNeverAppearInStatusErrorsOrEvents) {
  const std::string password = "proxy-Pa55word-xyz";
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  TransportSettings t;
  t.proxy = ProxySettings{"proxy.example.com", 3128, "alice", password};
  ASSERT_TRUE(agent.SetTransportSettings(t).ok());

  std::vector<std::string> texts;
  // A hostile or buggy server echoes the token and the password back.
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view e) {
    SignedMessage m = OpenEnvelope(e).value();
    Request q = DecodeRequest(m.body).value();
    Response r;
    r.type = q.type;
    r.in_reply_to = q.message_id;
    r.server_time = h.Now();
    r.error_code = error_code::kInternalError;
    r.error_message = "cannot use token " + q.token + " via " + password;
    return h.cssm.Reply(r, 500);
  });
  texts.push_back(agent.Register(kToken, false).message());
  h.GoOffline();
  h.RunUntil(h.Now() + kHour);
  h.GoOnline();
  texts.push_back(agent.Register(kToken, false).message());
  h.GoOffline();
  h.RunUntil(h.Now() + 100 * kDay);
  texts.push_back(agent.Deregister()->message);

  AgentStatus s = agent.GetStatus();
  EXPECT_TRUE(s.proxy_password_set);
  EXPECT_TRUE(s.transport.proxy->password.empty());
  texts.push_back(s.last_error);
  texts.push_back(s.registration_status);
  for (const LicenseStatus& l : s.licenses) texts.push_back(l.status);
  for (const Event& e : h.events) texts.push_back(e.message + e.from + e.to);
  ASSERT_GT(texts.size(), 10u);
  for (const std::string& text : texts) {
    EXPECT_THAT(text, Not(HasSubstr(kToken)));
    EXPECT_THAT(text, Not(HasSubstr(password)));
    EXPECT_THAT(text, Not(HasSubstr("PRIVATE KEY")));
  }
}

// Runs `operation` on another thread and fails the whole test binary if it does not
// return in time: a looping operation holds the agent's mutex and cannot be joined.
void ExpectReturnsWithin(std::chrono::seconds limit, const std::function<void()>& operation) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([operation, done] {
    operation();
    done->set_value();
  }).detach();
  if (finished.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "FATAL: the agent operation did not return within %lld s (redaction loop?)\n",
                 static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::_Exit(1);
  }
}

// What is left of `text` once every mask is taken out: a secret inside "<redacted>"
// (like "acted") must not appear anywhere else.
std::string WithoutMasks(std::string text) {
  for (size_t at = text.find("<redacted>"); at != std::string::npos; at = text.find("<redacted>")) {
    text.erase(at, std::string("<redacted>").size());
  }
  return text;
}

class AgentRedactionTest : public ::testing::TestWithParam<std::string> {};

// A proxy password that is part of the mask ("acted" in "<redacted>") must not make the
// redaction loop forever (it holds the agent's mutex); a short one is masked too.
TEST_P(AgentRedactionTest, AProxyPasswordIsMaskedWhateverItIs) {
  const std::string password = GetParam();
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  TransportSettings t;
  t.proxy = ProxySettings{"proxy.example.com", 3128, "alice", password};
  ASSERT_TRUE(agent.SetTransportSettings(t).ok());
  // A transport error that quotes the password (a proxy echoing the credentials).
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view) {
    TransportReply reply;
    reply.failure = TransportFailure::kProxyAuthentication;
    reply.error = "proxy rejected alice:" + password + " (" + password + ")";
    return reply;
  });
  std::vector<std::string> texts;
  ExpectReturnsWithin(std::chrono::seconds(20), [&] {
    Status renewed = agent.RenewAuthorization();
    EXPECT_EQ(renewed.code(), StatusCode::kUnavailable);
    texts.push_back(renewed.message());
    Status registered = agent.Register(kToken2, /*reregister=*/true);
    EXPECT_EQ(registered.code(), StatusCode::kUnavailable);
    texts.push_back(registered.message());
    texts.push_back(agent.GetStatus().last_error);
  });
  ASSERT_EQ(texts.size(), 3u);
  for (const std::string& text : texts) EXPECT_THAT(text, HasSubstr("proxy rejected alice:<redacted>"));
  for (const Event& e : h.events) texts.push_back(e.message);
  for (const std::string& text : texts) {
    EXPECT_THAT(WithoutMasks(text), Not(HasSubstr(password))) << text;
    EXPECT_THAT(text, Not(HasSubstr(kToken2)));
  }
}

INSTANTIATE_TEST_SUITE_P(Passwords, AgentRedactionTest, ::testing::Values("acted", "Zq", "<redacted>"));

TEST(AgentEventTest, EveryStateChangeAndCommunicationResultIsAnEvent) {
  AgentHarness h;
  h.OpenRegistered();
  std::vector<EventType> types;
  for (const Event& e : h.events) types.push_back(e.type);
  EXPECT_THAT(types, ::testing::ElementsAre(
                         EventType::kModeChanged, EventType::kAuthorizationStatusChanged,       // enable
                         EventType::kRegistrationStatusChanged,                                // pending
                         EventType::kCommunicationSucceeded, EventType::kRegistrationStatusChanged,
                         EventType::kAuthorizationStatusChanged,                               // registered
                         EventType::kCommunicationSucceeded, EventType::kAuthorizationStatusChanged));
  EXPECT_EQ(h.events.back().to, terms::kAuthorized);
  h.GoOffline();
  EXPECT_FALSE(h.agent->RenewAuthorization().ok());
  EXPECT_EQ(h.events.back().type, EventType::kCommunicationFailed);
  EXPECT_THAT(h.events.back().message, HasSubstr("Operation timed out"));
}

TEST(AgentEventTest, CallbacksMayCallBackIntoTheAgent) {
  AgentHarness h;
  AgentEnvironment env = h.Environment();
  std::vector<std::string> seen;
  env.on_event = [&](const Event&) { seen.push_back(h.agent->GetStatus().authorization_status); };
  h.agent = Agent::Open(std::move(env)).value();
  ASSERT_TRUE(h.agent->Enable().ok());
  ASSERT_TRUE(h.agent->Register(kToken, false).ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), st::kNoLicensesInUse);
}

TEST(AgentEventTest, StatusIsAnsweredWhileAnExchangeIsInFlight) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  std::string seen;
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view e) {
    // Called with the exchange in flight: status and policy must not wait for it.
    seen = agent.GetStatus().registration_status;
    (void)agent.MayRegisterNewDevices();
    (void)agent.NextDeadline();
    EXPECT_TRUE(agent.SetUsage("rms", 9).ok());
    return h.cssm.Handle(e);
  });
  ASSERT_TRUE(agent.RenewAuthorization().ok());
  EXPECT_EQ(seen, st::kRegistered);
}

}  // namespace
}  // namespace sl
