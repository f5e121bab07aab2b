// The agent's clock (agent_time.h, docs/time.md): every case of the table in
// docs/time.md, in process, with a simulated wall clock, boot clock and CSSM. slagent
// runs one process per command and its daemon re-opens the agent every cycle, so the
// wall clock can be moved while no agent runs: Process() opens the agent anew, Pass()
// lets real time go by with the wall clock moved, Reboot() starts a new boot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smartlicensing/agent.h"
#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kStart;
using ::testing::HasSubstr;
namespace st = terms;

constexpr UnixSeconds kYear2000 = 946684800;  // 2000-01-01T00:00:00Z: a flat RTC battery

class AgentBootClockTest : public ::testing::Test {
 protected:
  AgentBootClockTest() { h_.boot_clock_override = &boot_clock_; }

  // One command: a new process opens the agent.
  Agent& Process() {
    h_.agent.reset();
    return h_.Open();
  }
  // `seconds` of real time pass with no agent running, during which the operator moves
  // the wall clock by `wall_shift`.
  void Pass(int64_t seconds, int64_t wall_shift = 0) {
    h_.agent.reset();
    h_.clock.Advance(seconds);
    boot_clock_.Advance(seconds);
    h_.device_clock.SetOffset(h_.device_clock.offset() + wall_shift);
  }
  void Reboot(const std::string& boot_id) {
    boot_clock_.boot_id = boot_id;
    boot_clock_.seconds = 5;
  }
  // The wall clock is set to `wall` (no real time passes).
  void SetWall(UnixSeconds wall) { h_.device_clock.SetOffset(wall - h_.Now()); }
  int64_t AuthorizationLeft(const AgentStatus& s) { return s.authorization_expires.value_or(0) - h_.Now(); }
  bool HasEventSaying(EventType type, const std::string& words) const {
    for (const Event& e : h_.events) {
      if (e.type == type && e.message.find(words) != std::string::npos) return true;
    }
    return false;
  }

  test::FakeBootClock boot_clock_{"boot-1", 1000};
  AgentHarness h_;
};

TEST_F(AgentBootClockTest, AWallClockSetBackBetweenProcessesOfOneBootGivesNothingBack) {
  ASSERT_TRUE(Process().Enable().ok());
  Pass(kDay, -80 * kDay);  // one real day; the wall clock set back 80 days meanwhile
  Agent& agent = Process();
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 89 * kDay) << "only the real day is used";
  EXPECT_TRUE(h_.HasEvent(EventType::kClockMovedBackwards));
  ASSERT_TRUE(agent.SaveUsage().ok());
  // Letting the wall clock run forwards again does not credit the day back either.
  Pass(10 * kDay);
  EXPECT_EQ(Process().GetStatus().evaluation_remaining_seconds, 79 * kDay);
}

TEST_F(AgentBootClockTest, SettingTheClockBackBeforeEveryCommandDoesNotStopTheEvaluation) {
  ASSERT_TRUE(Process().Enable().ok());
  for (int day = 1; day <= 30; ++day) {
    Pass(kDay, -kDay);  // the wall clock shows the same day, day after day
    ASSERT_TRUE(Process().SaveUsage().ok());
  }
  EXPECT_EQ(Process().GetStatus().evaluation_remaining_seconds, 60 * kDay);
}

TEST_F(AgentBootClockTest, AWallClockJumpForwardCountsAsElapsedTime) {
  // Forward movement always counts (faketime, an NTP step forward): it can only cost
  // the operator licensing time, never gain it.
  ASSERT_TRUE(Process().Enable().ok());
  Pass(kDay, 29 * kDay);  // the wall clock says 30 days later; one day passed
  EXPECT_EQ(Process().GetStatus().evaluation_remaining_seconds, 60 * kDay);
}

TEST_F(AgentBootClockTest, AnImplausibleMonotonicReadingIsIgnored) {
  // libfaketime makes the boot clocks read the faked wall time (decades of "uptime"):
  // such readings measure nothing, so a faked run after a real one counts the faked
  // wall-clock movement only.
  ASSERT_TRUE(Process().Enable().ok());
  Pass(kDay, 30 * kDay);
  boot_clock_.seconds = h_.device_clock.Now();
  EXPECT_EQ(Process().GetStatus().evaluation_remaining_seconds, 59 * kDay);
}

TEST_F(AgentBootClockTest, ADaemonReopeningEveryCycleCannotBeKeptAuthorizedBySettingTheClockBack) {
  h_.OpenRegistered();
  h_.GoOffline();
  for (int day = 1; day <= 90; ++day) {
    Pass(kDay, -kDay);
    ASSERT_TRUE(Process().RunDue().ok());
  }
  EXPECT_EQ(h_.agent->GetStatus().authorization_status, st::kAuthorizationExpired);
}

TEST_F(AgentBootClockTest, AfterARebootTheWallClocksForwardMovementCountsAsBefore) {
  ASSERT_TRUE(Process().Enable().ok());
  Pass(10 * kDay);
  Reboot("boot-2");  // a new boot: the saved monotonic reading means nothing now
  Agent& agent = Process();
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 80 * kDay);
  ASSERT_TRUE(agent.SaveUsage().ok());
  // Within the new boot the monotonic clock counts again: a day passed, though the
  // wall clock was set back meanwhile.
  Pass(kDay, -5 * kDay);
  Agent& later = Process();
  EXPECT_EQ(later.GetStatus().evaluation_remaining_seconds, 79 * kDay);
  ASSERT_TRUE(later.SaveUsage().ok());
  // A wall clock set back across a reboot is not counted back.
  Pass(kDay, -20 * kDay);
  Reboot("boot-3");
  EXPECT_EQ(Process().GetStatus().evaluation_remaining_seconds, 79 * kDay);
}

TEST_F(AgentBootClockTest, WithoutABootIdOnlyTheWallClocksForwardMovementBridgesProcesses) {
  Reboot("");
  ASSERT_TRUE(Process().Enable().ok());
  Pass(kDay, 9 * kDay);
  EXPECT_EQ(Process().GetStatus().evaluation_remaining_seconds, 80 * kDay);
}


// --- A clock set back, then corrected, spends nothing twice ---------------------------

TEST_F(AgentBootClockTest, AClockSetBackThenCorrectedOnOneBootSpendsNothingTwice) {
  h_.OpenRegistered();
  Pass(kDay, -30 * kDay);  // a day later the clock is set back 30 days
  ASSERT_TRUE(Process().SaveUsage().ok());
  Pass(kDay, 30 * kDay);  // a day later it is put right
  AgentStatus s = Process().GetStatus();
  EXPECT_EQ(s.authorization_status, st::kAuthorized);
  EXPECT_EQ(AuthorizationLeft(s), 88 * kDay) << "two real days spent, not 32";
}

TEST_F(AgentBootClockTest, AClockSetBackThenCorrectedAcrossRebootsSpendsNothingTwice) {
  h_.OpenRegistered();
  Pass(kDay, -30 * kDay);
  Reboot("boot-2");
  ASSERT_TRUE(Process().SaveUsage().ok());
  EXPECT_TRUE(h_.HasEvent(EventType::kClockMovedBackwards));
  Pass(kDay, 30 * kDay);
  Reboot("boot-3");
  AgentStatus s = Process().GetStatus();
  EXPECT_EQ(AuthorizationLeft(s), 88 * kDay);
  EXPECT_EQ(s.clock_note, "");
}

TEST_F(AgentBootClockTest, AnEvaluationClockSetBackThenCorrectedAcrossRebootsSpendsNothingTwice) {
  ASSERT_TRUE(Process().Enable().ok());
  Pass(kDay, -30 * kDay);
  Reboot("boot-2");
  ASSERT_TRUE(Process().SaveUsage().ok());
  Pass(kDay, 30 * kDay);
  Reboot("boot-3");
  EXPECT_EQ(Process().GetStatus().evaluation_remaining_seconds, 88 * kDay);
}

// --- A flat RTC battery --------------------------------------------------------------

TEST_F(AgentBootClockTest, ABootIn2000ThenNtpKeepsTheRegistrationAndCountsOnlyRealTime) {
  h_.OpenRegistered();
  Pass(kHour);
  Reboot("boot-2");
  SetWall(kYear2000);
  Agent& dead_rtc = Process();
  ASSERT_TRUE(dead_rtc.RunDue().ok());
  AgentStatus s = dead_rtc.GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_THAT(s.clock_note, HasSubstr("behind the latest time already counted"));
  Pass(kHour);
  SetWall(h_.Now());  // NTP, an hour into the boot
  s = Process().GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(s.authorization_status, st::kAuthorized);
  EXPECT_EQ(AuthorizationLeft(s), 90 * kDay - 2 * kHour);
  EXPECT_EQ(s.clock_note, "");
}

TEST_F(AgentBootClockTest, ABootIn2000ThenAnotherBootWithTheRightTimeKeepsTheEvaluation) {
  ASSERT_TRUE(Process().Enable().ok());
  Pass(kDay);
  Reboot("boot-2");
  SetWall(kYear2000);
  ASSERT_TRUE(Process().SaveUsage().ok());
  Pass(kDay);
  Reboot("boot-3");
  SetWall(h_.Now());
  AgentStatus s = Process().GetStatus();
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode);
  EXPECT_EQ(s.evaluation_remaining_seconds, 88 * kDay) << "the days really passed count, 26 years do not";
}

// --- Forward jumps: power-off time counts; a jump that would expire waits for CSSM ----

TEST_F(AgentBootClockTest, TimePassedWhilePoweredOffCounts) {
  h_.OpenRegistered();
  Pass(10 * kDay);
  Reboot("boot-2");
  EXPECT_EQ(AuthorizationLeft(Process().GetStatus()), 80 * kDay);
}

TEST_F(AgentBootClockTest, ABogusFarFutureTimeIsRefutedByCssmAndCostsNothing) {
  h_.OpenRegistered();
  SetWall(h_.Now() + 20 * 365 * kDay);  // a bad NTP answer
  Agent& ahead = Process();
  AgentStatus held = ahead.GetStatus();
  EXPECT_EQ(held.registration_status, st::kRegistered);
  EXPECT_EQ(held.authorization_status, st::kAuthorized);
  EXPECT_THAT(held.clock_note, HasSubstr("wait for CSSM to confirm"));
  EXPECT_EQ(ahead.NextDeadline(), h_.device_clock.Now()) << "the confirmation is due at once";
  ASSERT_TRUE(ahead.RunDue().ok());  // CSSM refuses the request as stale, with its own time
  EXPECT_TRUE(HasEventSaying(EventType::kClockJumpedForwards, "is ahead of CSSM's time"));
  AgentStatus after = ahead.GetStatus();
  EXPECT_EQ(after.registration_status, st::kRegistered);
  EXPECT_EQ(AuthorizationLeft(after), 90 * kDay);
  SetWall(h_.Now());
  AgentStatus corrected = Process().GetStatus();
  EXPECT_EQ(corrected.registration_status, st::kRegistered);
  EXPECT_EQ(corrected.authorization_status, st::kAuthorized);
  EXPECT_EQ(AuthorizationLeft(corrected), 90 * kDay);
}

TEST_F(AgentBootClockTest, ABogusFarFutureTimeCorrectedBeforeAnyExchangeCostsNothing) {
  h_.OpenRegistered();
  SetWall(h_.Now() + 20 * 365 * kDay);
  ASSERT_TRUE(Process().SaveUsage().ok());  // a local command saves the held jump
  EXPECT_TRUE(h_.HasEvent(EventType::kClockJumpedForwards));
  SetWall(h_.Now());
  AgentStatus s = Process().GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(AuthorizationLeft(s), 90 * kDay);
  EXPECT_EQ(s.evaluation_remaining_seconds, 90 * kDay);
}

TEST_F(AgentBootClockTest, ALongPowerOffConfirmedByCssmCountsAndTheAgentRenews) {
  h_.OpenRegistered();
  Pass(100 * kDay);  // off for 100 days: the authorization ran out meanwhile
  Reboot("boot-2");
  Agent& agent = Process();
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kAuthorized) << "held until CSSM confirms";
  ASSERT_TRUE(agent.RunDue().ok());
  EXPECT_TRUE(HasEventSaying(EventType::kClockJumpedForwards, "CSSM confirmed"));
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_status, st::kAuthorized) << "renewed by the same exchange";
  EXPECT_EQ(AuthorizationLeft(s), 90 * kDay);
  EXPECT_EQ(s.registration_expires.value_or(0) - h_.Now(), 265 * kDay) << "100 days counted";
}

TEST_F(AgentBootClockTest, AJumpThatCssmCannotConfirmIsTakenAtFaceValue) {
  h_.OpenRegistered();
  h_.GoOffline();
  SetWall(h_.Now() + 2 * 365 * kDay);
  Agent& agent = Process();
  ASSERT_TRUE(agent.RunDue().ok());
  EXPECT_TRUE(HasEventSaying(EventType::kClockJumpedForwards, "could not be reached"));
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistrationExpired);
}

TEST_F(AgentBootClockTest, ATlsFailureDoesNotShowCssmUnreachableSoTheJumpStaysHeld) {
  h_.OpenRegistered();
  // On a clock years ahead, CSSM's TLS certificate has "expired": no reply, no verdict.
  int attempts = 0;
  ON_CALL(h_.transport, Send(::testing::_)).WillByDefault([&attempts](std::string_view) {
    ++attempts;
    TransportReply r;
    r.failure = TransportFailure::kTls;
    r.error = "SSL certificate problem: certificate has expired";
    return r;
  });
  SetWall(h_.Now() + 2 * 365 * kDay);
  Agent& agent = Process();
  ASSERT_TRUE(agent.RunDue().ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_THAT(s.clock_note, HasSubstr("wait for CSSM to confirm"));
  EXPECT_EQ(attempts, 1);
  ASSERT_TRUE(agent.RunDue().ok());
  EXPECT_EQ(attempts, 1) << "the held jump is retried on the retry schedule, not in a loop";
  // 15 minutes later by the device clock it is tried again, even after a reboot (agent
  // time, holding the jump, has not moved).
  Reboot("boot-2");
  SetWall(h_.device_clock.Now() + 16 * kMinute);
  ASSERT_TRUE(Process().RunDue().ok());
  EXPECT_EQ(attempts, 2);
}

TEST_F(AgentBootClockTest, NextDeadlineIsOnTheDeviceClockEvenWhenItIsBehind) {
  Agent& agent = h_.OpenRegistered();
  std::optional<UnixSeconds> before = agent.NextDeadline();
  ASSERT_TRUE(before.has_value());
  int64_t wait = *before - h_.device_clock.Now();
  SetWall(h_.Now() - 60 * kDay);
  std::optional<UnixSeconds> after = Process().NextDeadline();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after - h_.device_clock.Now(), wait) << "the same wait, whatever the clock shows";
}

}  // namespace
}  // namespace sl
