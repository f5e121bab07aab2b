// The Agent's authorization, usage, deregistration and the signed refusals of CSSM,
// one operation at a time.
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
using ::testing::HasSubstr;
namespace st = terms;

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

// Issue 11, defect 7: the ID needed to clean up on CSSM is gone from the status once the
// device deregistered locally, so the message and the event name it, with its accounts.
TEST(AgentDeregistrationTest, DeregisteringWhileUnreachableNamesTheInstanceLeftOnCssm) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  const std::string instance = agent.GetStatus().instance_id;
  ASSERT_FALSE(instance.empty());
  h.GoOffline();
  Result<Deregistration> d = agent.Deregister();
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->released_on_server);
  EXPECT_EQ(d->instance_id, instance);
  EXPECT_EQ(d->smart_account, "Example Corp");
  EXPECT_EQ(d->virtual_account, "VA-One");
  const std::string names = "Remove product instance " + instance +
                            " (smart account \"Example Corp\", virtual account \"VA-One\") manually from CSSM";
  EXPECT_THAT(d->message, HasSubstr(names));
  EXPECT_TRUE(agent.GetStatus().instance_id.empty()) << "the local registration is gone";
  EXPECT_THAT(agent.GetStatus().last_error, HasSubstr(names));
  ASSERT_FALSE(h.events.empty());
  bool told = false;
  for (const Event& e : h.events) {
    told = told || (e.type == EventType::kCommunicationFailed && e.message.find(names) != std::string::npos);
  }
  EXPECT_TRUE(told) << "no kCommunicationFailed event names the instance";
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

}  // namespace
}  // namespace sl
