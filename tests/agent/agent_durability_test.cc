// The agent's state on disk: detected tampering and truncation, crash safety, and
// failed writes. Uses the real FileStateStore (wrapped to inject failed writes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "agent/agent_state.h"
#include "smartlicensing/device_directory.h"
#include "smartlicensing/agent.h"
#include "testing/agent_harness.h"
#include "testing/fault_injection_state_store.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kStart;
using test::kToken;
using ::testing::_;
using ::testing::HasSubstr;
namespace st = terms;

std::string Slurp(const std::string& path) { return test::ReadFile(path); }
void Spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class AgentDurabilityTest : public ::testing::Test {
 protected:
  AgentDurabilityTest() : store_(state_dir_.File("state.json"), secret_dir_.File("state.witness")) {}

  // An agent 30 days into its evaluation, then "powered off".
  void UseThirtyDaysOfEvaluation() {
    AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
    Agent& agent = h.Open();
    ASSERT_TRUE(agent.Enable().ok());
    h.RunUntil(kStart + 30 * kDay);
    ASSERT_TRUE(agent.RunDue().ok());
  }

  Result<std::unique_ptr<Agent>> Reopen(AgentHarness& h) { return Agent::Open(h.Environment()); }

  test::TempDir state_dir_;
  test::TempDir secret_dir_;
  FileStateStore store_;
};

TEST_F(AgentDurabilityTest, StateSurvivesARestartAndPowerOffTimeCounts) {
  UseThirtyDaysOfEvaluation();
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
  h.clock.Set(kStart + 40 * kDay);  // ten days powered off
  Agent& agent = h.Open();
  EXPECT_EQ(agent.GetStatus().mode, LicensingMode::kSmart);
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 50 * kDay);
}

TEST_F(AgentDurabilityTest, AClockSetBackWhilePoweredOffGivesNothingBack) {
  UseThirtyDaysOfEvaluation();
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
  h.clock.Set(kStart + 31 * kDay);
  h.device_clock.SetOffset(-21 * kDay);  // the device boots with its clock at day 10
  Agent& agent = h.Open();
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 60 * kDay);
  EXPECT_TRUE(h.HasEvent(EventType::kClockMovedBackwards));
  // From here on the monotonic clock counts: 60 real days end the evaluation.
  h.RunUntil(kStart + 91 * kDay);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kEvaluationExpired);
}

TEST_F(AgentDurabilityTest, AnEditedStateFileIsDataLossNotAFreshEvaluation) {
  UseThirtyDaysOfEvaluation();
  std::string record = Slurp(store_.path());
  size_t at = record.find("evaluation_used\\\":2592000");
  ASSERT_NE(at, std::string::npos) << record;
  record.replace(at, std::string("evaluation_used\\\":2592000").size(), "evaluation_used\\\":0000000");
  Spit(store_.path(), record);

  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
  Result<std::unique_ptr<Agent>> agent = Reopen(h);
  ASSERT_FALSE(agent.ok());
  EXPECT_EQ(agent.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(agent.status().message(), HasSubstr("integrity"));
  EXPECT_EQ(Slurp(store_.path()), record) << "the evidence is left alone";
}

TEST_F(AgentDurabilityTest, ATruncatedStateFileIsDataLoss) {
  UseThirtyDaysOfEvaluation();
  std::string record = Slurp(store_.path());
  Spit(store_.path(), record.substr(0, record.size() / 2));
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
  Result<std::unique_ptr<Agent>> agent = Reopen(h);
  EXPECT_EQ(agent.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(agent.status().message(), HasSubstr("truncated or corrupted"));
}

TEST_F(AgentDurabilityTest, AStateFileReplacedByAnotherDevicesIsDataLoss) {
  UseThirtyDaysOfEvaluation();
  // Someone seals a factory-fresh state with a key of their own and puts it in place.
  AgentState fresh;
  fresh.udi = Udi{"EXPWY-VE-L", "SN0001"};
  fresh.mode = LicensingMode::kSmart;
  Spit(store_.path(), SealState(fresh, HmacDeviceSecret(std::string(32, 'x'))).value());
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
  EXPECT_EQ(Reopen(h).status().code(), StatusCode::kDataLoss);
}

TEST_F(AgentDurabilityTest, ADeletedStateFileIsDataLossNotAFactoryNewDevice) {
  UseThirtyDaysOfEvaluation();
  ASSERT_EQ(unlink(store_.path().c_str()), 0);
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
  Result<std::unique_ptr<Agent>> agent = Reopen(h);
  EXPECT_EQ(agent.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(agent.status().message(), HasSubstr("missing"));
}

TEST_F(AgentDurabilityTest, AFactoryResetOfTheStoreRecoversFromDataLoss) {
  UseThirtyDaysOfEvaluation();
  Spit(store_.path(), "garbage");
  ASSERT_TRUE(Agent::FactoryResetStore(store_).ok());
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store_);
  Agent& agent = h.Open();
  EXPECT_EQ(agent.GetStatus().mode, LicensingMode::kPak);
}

TEST(AgentCrashTest, OpeningForWritingRemovesTheCopiesOfTheDeviceSecretAKilledCreatorLeft) {
  test::TempDir state_dir;
  test::TempDir key_dir;
  Spit(key_dir.File("device.key.tmp.Ab12Cd"), std::string(64, 'a') + "\n");  // a secret, in clear
  Spit(key_dir.File("device.key.tmp.toolong"), "not ours");
  DeviceDirectoryOptions o;
  o.state_dir = state_dir.path();
  o.key_dir = key_dir.path();
  o.udi = Udi{"EXPWY-VE-L", "SN0001"};
  o.hostname = "h";
  o.read_only = true;
  ASSERT_TRUE(DeviceDirectory::Open(o).ok());
  EXPECT_EQ(test::DirectoryEntries(key_dir.path()).count("device.key.tmp.Ab12Cd"), 1u) << "a reader never cleans";
  o.read_only = false;
  ASSERT_TRUE(DeviceDirectory::Open(o).ok());
  EXPECT_EQ(test::DirectoryEntries(key_dir.path()),
            (std::set<std::string>{"device.key", "device.key.tmp.toolong"}));
}

TEST(AgentCrashTest, AFailedSaveReportsTheErrorAndLeavesTheOldState) {
  test::TempDir dir;
  FileStateStore disk(dir.File("state.json"));
  test::FaultInjectionStateStore store(&disk);
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store);
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  std::string saved = Slurp(disk.path());
  store.FailSaves(Internal("disk full (injected)"));
  h.clock.Advance(kDay);
  ASSERT_TRUE(agent.SetPrivacy(true).code() == StatusCode::kInternal);
  EXPECT_THAT(agent.SetPrivacy(true).message(), HasSubstr("could not be saved"));
  EXPECT_EQ(Slurp(disk.path()), saved);
  // Power lost now: the device comes back with the last saved state.
  AgentHarness restarted(Udi{"EXPWY-VE-L", "SN0001"}, &disk);
  Agent& again = restarted.Open();
  EXPECT_FALSE(again.GetStatus().privacy);
  EXPECT_EQ(again.GetStatus().mode, LicensingMode::kSmart);
}

TEST(AgentCrashTest, APowerLossDuringRegistrationLeavesARegistrationToRetry) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  std::string on_disk_when_sending;
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view) {
    on_disk_when_sending = h.memory_store.record;  // power is lost right here
    return test::TimeoutReply();
  });
  (void)agent.Register(kToken, false);

  AgentHarness restarted;  // same UDI and secret, CSSM reachable
  restarted.memory_store.record = on_disk_when_sending;
  restarted.memory_store.has_record = true;
  Agent& again = restarted.Open();
  EXPECT_EQ(again.GetStatus().registration_status, st::kRegistrationPending);
  restarted.RunUntil(kStart + kHour);
  EXPECT_EQ(again.GetStatus().registration_status, st::kRegistered);
}

TEST(AgentCrashTest, APowerLossAfterTheServerRegisteredUsStillConverges) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  std::string on_disk_when_sending;
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view e) {
    on_disk_when_sending = h.memory_store.record;
    h.cssm.Handle(e);             // the server registered the device...
    return test::TimeoutReply();  // ...but the answer never arrived
  });
  (void)agent.Register(kToken, false);
  h.GoOnline();
  h.RunUntil(kStart + kHour);
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
  EXPECT_EQ(h.cssm.instances().size(), 1u) << "the retry re-registered the same UDI, no duplicate";
}

TEST(AgentCrashTest, OpeningAStateWrittenForAnotherUdiKeepsSmartLicensingButNotTheRegistration) {
  AgentHarness h;
  h.OpenRegistered();
  AgentHarness clone(Udi{"EXPWY-VE-L", "SN0999"});  // same secret (a cloned VM), new serial
  clone.memory_store = h.memory_store;
  Agent& agent = clone.Open();
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kSmart);
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_TRUE(clone.HasEvent(EventType::kStateRestored));
}

}  // namespace
}  // namespace sl
