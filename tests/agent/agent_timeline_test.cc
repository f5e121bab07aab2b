// Whole timelines on a simulated clock: months and years of an agent's life, each
// step asserting the statuses and the next deadline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "agent/licensing_timers.h"
#include "smartlicensing/agent.h"
#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kStart;
using test::kToken;
using ::testing::_;
using ::testing::HasSubstr;
namespace st = terms;

std::vector<UnixSeconds> SentTimes(const AgentHarness& h, MessageType type) {
  std::vector<UnixSeconds> times;
  for (const Request& r : h.cssm.requests()) {
    if (r.type == type) times.push_back(r.sent_at);
  }
  return times;
}

TEST(AgentTimelineTest, TheEvaluationRunsNinetyDaysThenExpires) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  ASSERT_TRUE(agent.SetUsage("rms", 3).ok());
  for (int day = 1; day < 90; day += 11) {
    h.RunUntil(kStart + day * kDay);
    AgentStatus s = agent.GetStatus();
    EXPECT_EQ(s.authorization_status, st::kEvaluationMode) << day;
    EXPECT_EQ(s.evaluation_remaining_seconds, (90 - day) * kDay) << day;
    EXPECT_EQ(agent.NextDeadline(), kStart + 90 * kDay) << day;
    EXPECT_EQ(s.licenses[0].status, st::kEvaluationMode);
  }
  h.RunUntil(kStart + 90 * kDay);
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_status, st::kEvaluationExpired);
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.evaluation_remaining_seconds, 0);
  EXPECT_EQ(s.licenses[0].status, st::kEvaluationExpired);
  EXPECT_FALSE(agent.NextDeadline().has_value());
  EXPECT_FALSE(agent.MayRegisterNewDevices());
  EXPECT_FALSE(agent.MayChangeClusterConfiguration());
  EXPECT_TRUE(h.HasEvent(EventType::kAuthorizationStatusChanged, st::kEvaluationExpired));
  EXPECT_EQ(h.sends, 0) << "the evaluation needs no network";
}

TEST(AgentTimelineTest, AuthorizationRenewsEveryThirtyDaysForTwoYears) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  for (int month = 1; month <= 24; ++month) {
    h.RunUntil(kStart + month * 30 * kDay + kDay);
    AgentStatus s = agent.GetStatus();
    ASSERT_EQ(s.registration_status, st::kRegistered) << month;
    ASSERT_EQ(s.authorization_status, st::kAuthorized) << month;
    ASSERT_TRUE(s.last_authorization && s.next_authorization_renewal) << month;
    EXPECT_GE(*s.next_authorization_renewal, *s.last_authorization + 30 * kDay);
    EXPECT_LT(*s.next_authorization_renewal, *s.last_authorization + 30 * kDay + kMaxJitter);
    EXPECT_EQ(s.authorization_expires, *s.last_authorization + 90 * kDay);
    EXPECT_TRUE(s.last_error.empty());
  }
  std::vector<UnixSeconds> auths = SentTimes(h, MessageType::kAuthorize);
  ASSERT_EQ(auths.size(), 25u);  // the first, then one every 30 days (+ jitter) for 721 days
  for (size_t i = 1; i < auths.size(); ++i) {
    EXPECT_GE(auths[i] - auths[i - 1], 30 * kDay);
    EXPECT_LT(auths[i] - auths[i - 1], 30 * kDay + kMaxJitter);
  }
  // Usage goes out at least every 6 hours (+ jitter), and never more than needed.
  std::vector<UnixSeconds> usage;
  for (const Request& r : h.cssm.requests()) {
    if (r.type == MessageType::kAuthorize || r.type == MessageType::kReportUsage) usage.push_back(r.sent_at);
  }
  for (size_t i = 1; i < usage.size(); ++i) {
    ASSERT_LE(usage[i] - usage[i - 1], 6 * kHour + kMaxJitter) << i;
  }
  EXPECT_LT(usage.size(), 721u * 4 + 30);
  EXPECT_EQ(h.failed_sends, 0);
}

TEST(AgentTimelineTest, TheRegistrationRenewsEverySixMonthsAndNeverExpires) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  for (int half = 1; half <= 4; ++half) {
    h.RunUntil(kStart + half * 180 * kDay + kDay);
    AgentStatus s = agent.GetStatus();
    ASSERT_EQ(s.registration_status, st::kRegistered);
    ASSERT_TRUE(s.last_registration_renewal && s.next_registration_renewal && s.registration_expires);
    EXPECT_GE(*s.last_registration_renewal, kStart + half * 180 * kDay);
    EXPECT_EQ(*s.registration_expires, *s.last_registration_renewal + 365 * kDay);
    EXPECT_GE(*s.next_registration_renewal, *s.last_registration_renewal + 180 * kDay);
    EXPECT_LT(*s.next_registration_renewal, *s.last_registration_renewal + 180 * kDay + kMaxJitter);
    EXPECT_EQ(s.initial_registration, kStart) << "renewals keep the initial registration time";
  }
  std::vector<UnixSeconds> renewals = SentTimes(h, MessageType::kRenewId);
  ASSERT_EQ(renewals.size(), 4u);
  EXPECT_GE(renewals[0], kStart + 180 * kDay);
  EXPECT_LT(renewals[0], kStart + 180 * kDay + kMaxJitter);
}

TEST(AgentTimelineTest, AnOutageLongerThanNinetyDaysExpiresTheAuthorization) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.RunUntil(kStart + kDay);
  h.GoOffline();
  h.RunUntil(kStart + 31 * kDay);  // the 30-day renewal failed and is being retried
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_status, st::kAuthorized) << "offline keeps the grant until its deadline";
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(s.last_error,
            "The last attempt to renew smart software licensing authorization is in progress because of the "
            "following reason: Operation timed out.");
  EXPECT_EQ(s.communication_deadline, kStart + 90 * kDay);
  ASSERT_TRUE(s.next_communication_attempt && s.last_communication_attempt);
  EXPECT_GE(*s.next_communication_attempt, *s.last_communication_attempt + kRetryInterval);
  EXPECT_LT(*s.next_communication_attempt, *s.last_communication_attempt + kRetryInterval + kMaxJitter);

  h.RunUntil(kStart + 90 * kDay - 1);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kAuthorized);
  h.RunUntil(kStart + 90 * kDay);
  s = agent.GetStatus();
  EXPECT_EQ(s.authorization_status, st::kAuthorizationExpired);
  EXPECT_EQ(s.licenses[0].status, st::kAuthorizationExpired);
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(s.communication_deadline, kStart + 365 * kDay) << "now the registration is what runs out";
  EXPECT_TRUE(h.HasEvent(EventType::kAuthorizationStatusChanged, st::kAuthorizationExpired));
  // 89 days of retries every 15 minutes and a bit: one message per attempt, no pile-up.
  EXPECT_GT(h.failed_sends, 89 * 96 * 15 / 17);
  EXPECT_LE(h.failed_sends, 89 * 96 + 1);
}

TEST(AgentTimelineTest, AnOutageLongerThanAYearExpiresTheRegistration) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  h.RunUntil(kStart + 365 * kDay - 1);
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kAuthorizationExpired);
  h.RunUntil(kStart + 365 * kDay);
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistrationExpired);
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode) << "the unused evaluation is still there";
  EXPECT_EQ(s.evaluation_remaining_seconds, 90 * kDay);
  EXPECT_THAT(s.last_error, HasSubstr("expired"));
  EXPECT_FALSE(s.next_communication_attempt.has_value()) << "retries stop: there is nothing to renew";
  EXPECT_EQ(agent.NextDeadline(), h.Now() + 90 * kDay);
  EXPECT_TRUE(h.HasEvent(EventType::kRegistrationStatusChanged, st::kRegistrationExpired));
  int sends = h.sends;
  h.GoOnline();
  h.RunUntil(h.Now() + 10 * kDay);
  EXPECT_EQ(h.sends, sends);
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 80 * kDay);
}

TEST(AgentTimelineTest, TheAgentRecoversAtTheFirstRetryAfterAnOutage) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  h.RunUntil(kStart + 40 * kDay);
  EXPECT_FALSE(agent.GetStatus().last_error.empty());
  UnixSeconds next = *agent.GetStatus().next_communication_attempt;
  h.GoOnline();
  h.RunUntil(next);
  AgentStatus s = agent.GetStatus();
  EXPECT_TRUE(s.last_error.empty());
  EXPECT_EQ(s.authorization_status, st::kAuthorized);
  EXPECT_EQ(s.last_authorization, next);
  EXPECT_EQ(s.authorization_expires, next + 90 * kDay);
  EXPECT_GE(*s.next_authorization_renewal, next + 30 * kDay);
  EXPECT_TRUE(h.HasEvent(EventType::kCommunicationSucceeded));
}

TEST(AgentTimelineTest, EachRetryDuringAnOutageWritesTheStateOnce) {
  // Appliances keep their state on flash: an outage of a year is 35,000 retries, and
  // each must not cost more than the one write that records it.
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  h.RunUntil(kStart + 31 * kDay);  // the renewal is due and fails
  for (int retry = 0; retry < 4; ++retry) {
    h.clock.Set(*agent.NextDeadline());
    const int saves = h.memory_store.saves;
    const int sends = h.sends;
    ASSERT_TRUE(agent.RunDue().ok());
    EXPECT_EQ(h.sends, sends + 1) << "one attempt";
    EXPECT_EQ(h.memory_store.saves, saves + 1) << "one write";
  }
}

TEST(AgentTimelineTest, TheAgentRecoversEvenAfterTheAuthorizationExpired) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  h.RunUntil(kStart + 100 * kDay);
  ASSERT_EQ(agent.GetStatus().authorization_status, st::kAuthorizationExpired);
  h.GoOnline();
  h.RunUntil(kStart + 100 * kDay + kRetryInterval + kMaxJitter);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kAuthorized);
  EXPECT_TRUE(h.HasEvent(EventType::kAuthorizationStatusChanged, st::kAuthorized));
}

std::vector<UnixSeconds> RetryTimesWhileOffline(const Udi& udi) {
  AgentHarness h(udi);
  h.OpenRegistered();
  h.GoOffline();
  std::vector<UnixSeconds> times;
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view) {
    times.push_back(h.Now());
    return test::TimeoutReply();
  });
  h.RunUntil(kStart + 31 * kDay);
  return times;
}

TEST(AgentTimelineTest, RetriesComeEveryFifteenMinutesPlusASmallPerDeviceJitter) {
  std::vector<UnixSeconds> a = RetryTimesWhileOffline(Udi{"EXPWY-VE-L", "SN0001"});
  ASSERT_GT(a.size(), 2000u);
  std::set<int64_t> gaps;
  for (size_t i = 1; i < a.size(); ++i) {
    int64_t gap = a[i] - a[i - 1];
    ASSERT_GE(gap, kRetryInterval) << i;
    ASSERT_LT(gap, kRetryInterval + kMaxJitter) << i;
    gaps.insert(gap);
  }
  EXPECT_GT(gaps.size(), 20u) << "the jitter changes on every cycle";

  // A clone with another serial number does not retry in lockstep.
  std::vector<UnixSeconds> b = RetryTimesWhileOffline(Udi{"EXPWY-VE-L", "SN0002"});
  ASSERT_GT(b.size(), 100u);
  int same = 0;
  for (size_t i = 0; i < 100; ++i) same += a[i] == b[i];
  EXPECT_LT(same, 10);
}

TEST(AgentTimelineTest, RetryAfterIsHonouredAndCapped) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  ON_CALL(h.transport, Send(_)).WillByDefault(::testing::Return(test::HttpErrorReply(503, 3 * kHour)));
  EXPECT_EQ(agent.RenewAuthorization().code(), StatusCode::kUnavailable);
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.next_communication_attempt, h.Now() + 3 * kHour);
  EXPECT_THAT(s.last_error, HasSubstr("HTTP Server Error 503"));

  ON_CALL(h.transport, Send(_)).WillByDefault(::testing::Return(test::HttpErrorReply(429, 30 * kDay)));
  EXPECT_FALSE(agent.RenewAuthorization().ok());
  EXPECT_EQ(agent.GetStatus().next_communication_attempt, h.Now() + kMaxRetryAfter);

  ON_CALL(h.transport, Send(_)).WillByDefault(::testing::Return(test::HttpErrorReply(503, 5)));
  EXPECT_FALSE(agent.RenewAuthorization().ok());
  EXPECT_GE(*agent.GetStatus().next_communication_attempt, h.Now() + kRetryInterval)
      << "a short Retry-After does not make the agent retry faster";
}

TEST(AgentTimelineTest, ARegistrationAttemptedOfflineIsPendingAndRetriedUntilItWorks) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.GoOffline();
  Status s = agent.Register(kToken, false);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(),
            "The last attempt to renew smart software licensing registration is in progress because of the "
            "following reason: Operation timed out.");
  AgentStatus st1 = agent.GetStatus();
  EXPECT_EQ(st1.registration_status, st::kRegistrationPending);
  EXPECT_EQ(st1.authorization_status, st::kEvaluationMode);
  ASSERT_TRUE(st1.next_communication_attempt);
  EXPECT_GE(*st1.next_communication_attempt, kStart + kRetryInterval);
  EXPECT_LT(*st1.next_communication_attempt, kStart + kRetryInterval + kMaxJitter);
  EXPECT_EQ(agent.NextDeadline(), st1.next_communication_attempt);

  h.RunUntil(kStart + 2 * kHour);
  EXPECT_EQ(h.failed_sends, 1 + 7) << "one attempt every 15 minutes (+ jitter)";
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 90 * kDay - 2 * kHour);
  h.GoOnline();
  h.RunUntil(kStart + 3 * kHour);
  st1 = agent.GetStatus();
  EXPECT_EQ(st1.registration_status, st::kRegistered);
  EXPECT_EQ(st1.authorization_status, st::kNoLicensesInUse);
  EXPECT_TRUE(st1.last_error.empty());
  EXPECT_EQ(h.cssm.requests()[0].token, kToken);
}

TEST(AgentTimelineTest, SettingTheClockBackDoesNotExtendTheEvaluation) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.RunUntil(kStart + 60 * kDay);
  h.device_clock.SetOffset(-50 * kDay);  // the operator sets the clock back 50 days
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.evaluation_remaining_seconds, 30 * kDay);
  ASSERT_TRUE(agent.RunDue().ok());
  EXPECT_TRUE(h.HasEvent(EventType::kClockMovedBackwards));
  // 30 more real days end the evaluation, although the device clock says day 40.
  h.RunUntil(kStart + 90 * kDay);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kEvaluationExpired);
  EXPECT_EQ(h.device_clock.Now(), kStart + 40 * kDay);
  // Putting the clock right again does not bring anything back either.
  h.device_clock.SetOffset(0);
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 0);
}

TEST(AgentTimelineTest, SettingTheClockBackDoesNotExtendTheAuthorization) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  h.RunUntil(kStart + 10 * kDay);
  h.device_clock.SetOffset(-60 * kDay);
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_expires, h.Now() + 80 * kDay)
      << "shown in the agent's time, which did not follow the clock back: still 80 real days away";
  EXPECT_THAT(s.clock_note, HasSubstr("behind the latest time already counted"));
  h.RunUntil(kStart + 90 * kDay);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kAuthorizationExpired);
}

TEST(AgentTimelineTest, UsageReportsNeverPileUpWhileOffline) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.GoOffline();
  h.RunUntil(kStart + 20 * kDay);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(agent.SetUsage("rms", i + 1).ok());
  h.GoOnline();
  int before = h.sends;
  h.RunUntil(h.Now() + kRetryInterval + kMaxJitter);
  EXPECT_EQ(h.sends - before, 1) << "one report of the current usage, not a backlog";
  EXPECT_EQ(h.cssm.requests().back().usage[0].count, 50);
}

}  // namespace
}  // namespace sl
