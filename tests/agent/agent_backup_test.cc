// Backup and restore ("Before You Start" in the specification): on the same system
// the registration is restored; on a different system Smart Licensing stays enabled
// but the product must be registered again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/agent_state.h"
#include "smartlicensing/agent.h"
#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kStart;
using test::kToken;
using ::testing::HasSubstr;
namespace st = terms;

TEST(AgentBackupTest, RestoringOnTheSameDeviceKeepsTheRegistration) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  std::string instance = agent.GetStatus().instance_id;
  std::string backup = agent.Backup().value();
  h.clock.Advance(kDay);
  ASSERT_TRUE(agent.FactoryReset().ok());
  ASSERT_EQ(agent.GetStatus().mode, LicensingMode::kPak);

  ASSERT_TRUE(agent.Restore(backup).ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kSmart);
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(s.instance_id, instance);
  EXPECT_EQ(s.virtual_account, "VA-One");
  EXPECT_TRUE(h.HasEvent(EventType::kStateRestored));
  // The restored key and certificate still work with CSSM.
  EXPECT_TRUE(agent.RenewAuthorization().ok());
  EXPECT_TRUE(agent.RenewRegistration().ok());
}

TEST(AgentBackupTest, RestoringOnAnotherSystemKeepsSmartLicensingButNeedsRegistration) {
  AgentHarness source;
  Agent& a = source.Open();
  ASSERT_TRUE(a.Enable().ok());
  TransportSettings t;
  t.mode = TransportMode::kOnPrem;
  t.url = "https://onprem.example.com/SmartTransport";
  ASSERT_TRUE(a.SetTransportSettings(t).ok());
  ASSERT_TRUE(a.SetPrivacy(true).ok());
  ASSERT_TRUE(a.Register(kToken, false).ok());
  std::string backup = a.Backup().value();

  AgentHarness target(Udi{"EXPWY-VE-L", "SN0002"});
  target.secret = HmacDeviceSecret(std::string(32, 'z'));  // another device, another secret
  Agent& b = target.Open();
  ASSERT_TRUE(b.Restore(backup).ok());
  AgentStatus s = b.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kSmart);
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode);
  EXPECT_EQ(s.transport.mode, TransportMode::kOnPrem);
  EXPECT_TRUE(s.privacy);
  EXPECT_TRUE(s.virtual_account.empty());
  EXPECT_TRUE(b.Register(kToken, false).ok()) << "registers as itself";
  EXPECT_EQ(target.cssm.requests()[0].udi.serial_number, "SN0002");
}

// Another system's backup is not verified (it is sealed with that system's secret), so
// its transport settings are checked like an operator's before they are used.
TEST(AgentBackupTest, AnotherSystemsInvalidTransportSettingsAreNotRestored) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  TransportSettings mine;
  mine.mode = TransportMode::kOnPrem;
  mine.url = "https://onprem.example.com/SmartTransport";
  ASSERT_TRUE(agent.SetTransportSettings(mine).ok());

  AgentState other;
  other.mode = LicensingMode::kSmart;
  other.udi = Udi{"EXPWY-VE-L", "SN0002"};
  other.privacy = true;
  other.transport.mode = TransportMode::kOnPrem;
  other.transport.url = "https://evil.example.com/not-smart-transport";  // On-Prem needs /SmartTransport
  other.transport.connect_timeout_seconds = 0;                           // and 1-600 s
  std::string backup = SealPortableState(other, HmacDeviceSecret(std::string(32, 'z'))).value();
  ASSERT_FALSE(ValidateTransportSettings(other.transport).ok());

  ASSERT_TRUE(agent.Restore(backup).ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.transport.url, mine.url) << "the current settings are kept";
  EXPECT_EQ(s.transport.connect_timeout_seconds, mine.connect_timeout_seconds);
  EXPECT_TRUE(s.privacy) << "the rest of the settings are restored";
  bool said_so = false;
  for (const Event& e : h.events) {
    if (e.type == EventType::kStateRestored) {
      EXPECT_THAT(e.message, HasSubstr("transport settings are not valid"));
      EXPECT_THAT(e.message, HasSubstr("current transport settings were kept"));
      said_so = true;
    }
  }
  EXPECT_TRUE(said_so);
}

TEST(AgentBackupTest, ARestoreTakesTheClockAsObservedNowNotAsInTheBackup) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.device_clock.SetOffset(20 * 365 * kDay);  // the backup is taken while the clock is wrong
  std::string backup = agent.Backup().value();
  h.device_clock.SetOffset(0);
  ASSERT_TRUE(agent.Restore(backup).ok());
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
  AgentState saved = OpenState(h.memory_store.record, h.secret).value();
  EXPECT_EQ(saved.unconfirmed_wall, 0) << "the jump held when the backup was taken is not the clock's state now";
  EXPECT_EQ(saved.wall_reading, h.Now());
}

TEST(AgentBackupTest, RestoringNeverGivesBackEvaluationTime) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.RunUntil(kStart + 10 * kDay);
  std::string early = agent.Backup().value();
  h.RunUntil(kStart + 60 * kDay);
  ASSERT_TRUE(agent.Restore(early).ok());
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 30 * kDay);
}

TEST(AgentBackupTest, AnEditedBackupOfThisDeviceIsRefused) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.RunUntil(kStart + 10 * kDay);
  std::string backup = agent.Backup().value();
  size_t at = backup.find("evaluation_used\\\":864000");
  ASSERT_NE(at, std::string::npos);
  backup.replace(at, std::string("evaluation_used\\\":864000").size(), "evaluation_used\\\":000000");
  Status s = agent.Restore(backup);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(agent.Restore("not a backup").code(), StatusCode::kDataLoss);
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 80 * kDay);
}

TEST(AgentBackupTest, APakBackupDoesNotTurnSmartLicensingOff) {
  AgentHarness h;
  Agent& agent = h.Open();
  std::string pak = agent.Backup().value();
  ASSERT_TRUE(agent.Enable().ok());
  Status s = agent.Restore(pak);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("factory reset"));
  EXPECT_EQ(agent.GetStatus().mode, LicensingMode::kSmart);
}

TEST(AgentBackupTest, AnotherSystemsBackupIsRefusedWhileRegistered) {
  AgentHarness source(Udi{"EXPWY-VE-L", "SN0002"});
  source.Open();
  ASSERT_TRUE(source.agent->Enable().ok());
  std::string backup = source.agent->Backup().value();
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  Status s = agent.Restore(backup);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("deregister"));
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
}

}  // namespace
}  // namespace sl
