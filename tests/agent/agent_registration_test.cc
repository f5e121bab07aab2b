// The Agent's licensing mode and registration, one operation at a time: PAK and
// Smart Licensing, registering, re-registering, refused and malformed tokens, privacy
// and hostname changes.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "agent/licensing_timers.h"
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

}  // namespace
}  // namespace sl
