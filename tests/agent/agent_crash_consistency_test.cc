// Crash consistency in process (issue 12), the fast half of the crash test: every write
// step of every operation -- register, renew id, renew auth, usage report, deregister,
// restore, and enable (the first save, which also writes the witness) and factory
// reset (the erase) -- is, one at a time and in order (not at random), failed (an I/O
// error; the process goes on) and, separately, preceded by a power cut (that step and
// every later one never reach the disk, nothing more reaches CSSM, and the Agent object
// is thrown away). After each:
//   - the record on disk is the one from before the operation or one the operation
//     asked to save, never anything else, and a fresh agent opens it;
//   - the device and CSSM agree on its next runs: registered, with CSSM taking its key
//     and certificate (a `renew auth` succeeds) and holding exactly one instance of the
//     UDI, the instance the device names; or not registered and CSSM holding none (a
//     registration cut off before it was saved is run again, as an operator would).
// The write steps are those below the real FileStateStore: temporary file, write, fsync,
// rename, directory fsync, removals (testing/file_fault_injector.h over
// base/file_steps.h); the store above them is the fault-injecting wrapper, which keeps
// every record it was asked to save and is "powered off" at the cut. CSSM is the
// in-process fake; the slagent crash test kills the real binary against the real mock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "smartlicensing/agent.h"
#include "smartlicensing/state_store.h"
#include "testing/agent_harness.h"
#include "testing/fault_injection_state_store.h"
#include "testing/file_fault_injector.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::FileFaultInjector;
namespace st = terms;

enum class Operation { kEnable, kRegister, kRenewId, kRenewAuth, kUsageReport, kDeregister, kRestore, kFactoryReset };

struct OperationName {
  Operation op;
  const char* name;
};
const OperationName kOperations[] = {
    {Operation::kEnable, "enable"},          {Operation::kRegister, "register"},
    {Operation::kRenewId, "renew id"},       {Operation::kRenewAuth, "renew auth"},
    {Operation::kUsageReport, "usage report"}, {Operation::kDeregister, "deregister"},
    {Operation::kRestore, "restore"},        {Operation::kFactoryReset, "factory reset"},
};

const Udi kUdi{"EXPWY-VE-L", "SN0001"};

// One device on real files (state and key directories), the fault-injecting store over
// its FileStateStore, and the harness with the fake CSSM. The network goes down with
// the power.
class Device {
 public:
  Device() : disk_(state_dir_.File("state"), key_dir_.File("state.witness")), store_(&disk_), h_(kUdi, &store_) {
    ON_CALL(h_.transport, Send(::testing::_)).WillByDefault([this](std::string_view envelope) {
      if (store_.power_cut()) return test::TimeoutReply();  // the machine is off: nothing leaves it
      return h_.cssm.Handle(envelope);
    });
  }

  // Brings the device to where `op` starts.
  void SetUp(Operation op) {
    if (op == Operation::kEnable) {
      h_.Open();
    } else if (op == Operation::kRegister) {
      ASSERT_TRUE(h_.Open().Enable().ok());
      ASSERT_TRUE(h_.agent->SetUsage("rms", 5).ok());
      ASSERT_TRUE(h_.agent->SaveUsage().ok());  // SetUsage alone is kept in memory only
    } else {
      h_.OpenRegistered();
      if (op == Operation::kRestore) {
        backup_ = h_.agent->PlaintextBackup().value();
        ASSERT_TRUE(h_.agent->SetPrivacy(true).ok());  // so that the restore changes the record
      }
      if (op == Operation::kUsageReport) {
        ASSERT_TRUE(h_.agent->SetUsage("rms", 9).ok());
      }
    }
    h_.clock.Advance(kHour);
    Result<std::string> on_disk = disk_.Load();
    before_ = on_disk.ok() ? *on_disk : "";
    saves_before_ = store_.save_requests().size();
  }

  Status Run(Operation op) {
    Agent& a = *h_.agent;
    switch (op) {
      case Operation::kEnable: return a.Enable();
      case Operation::kRegister: return a.Register(test::kToken, false);
      case Operation::kRenewId: return a.RenewRegistration();
      case Operation::kRenewAuth: return a.RenewAuthorization();
      case Operation::kUsageReport: return a.UpdateUsage();
      case Operation::kDeregister: return a.Deregister().status();
      case Operation::kRestore: return a.Restore(backup_, "");
      case Operation::kFactoryReset: return a.FactoryReset();
    }
    return Internal("unknown operation");
  }

  // The record on disk must be the one from before `op` or one `op` asked to save (no
  // record: only before the first save, or after a factory reset). "" when it is.
  std::string CheckRecord(Operation op) {
    Result<std::string> on_disk = disk_.Load();
    if (!on_disk.ok()) {
      bool none_is_fine = on_disk.status().code() == StatusCode::kNotFound &&
                          (before_.empty() || op == Operation::kFactoryReset);
      return none_is_fine ? "" : "the store cannot be loaded: " + on_disk.status().ToString();
    }
    if (*on_disk == before_) return "";
    std::vector<std::string> asked = store_.save_requests();
    if (std::find(asked.begin() + static_cast<std::ptrdiff_t>(saves_before_), asked.end(), *on_disk) != asked.end()) {
      return "";
    }
    return "the record on disk is neither the one from before nor one the operation saved";
  }

  // After a power cut: the process's memory is gone; the device boots on what is on disk.
  std::string Reboot() {
    h_.agent.reset();
    store_.Heal();
    Result<std::unique_ptr<Agent>> opened = Agent::Open(h_.Environment());
    if (!opened.ok()) return "a fresh agent cannot open the store: " + opened.status().ToString();
    h_.agent = std::move(opened).value();
    return "";
  }

  // After an injected I/O error the process goes on; a fresh agent must still open what
  // is on disk (it is thrown away: the running one goes on).
  std::string OpenAlongside() {
    Result<std::unique_ptr<Agent>> opened = Agent::Open(h_.Environment());
    return opened.ok() ? "" : "a fresh agent cannot open the store: " + opened.status().ToString();
  }

  std::string Converge(Operation op);

  FileStateStore& disk() { return disk_; }

 private:
  // The instances CSSM holds for this device's UDI.
  std::vector<std::string> CssmInstances() const {
    std::vector<std::string> ids;
    for (const auto& [id, inst] : h_.cssm.instances()) {
      if (inst.udi.product_id == kUdi.product_id && inst.udi.serial_number == kUdi.serial_number) ids.push_back(id);
    }
    return ids;
  }

  test::TempDir state_dir_;
  test::TempDir key_dir_;
  FileStateStore disk_;
  test::FaultInjectionStateStore store_;
  AgentHarness h_;
  std::string backup_;
  std::string before_;
  size_t saves_before_ = 0;
};

// The device's next runs: two days of its scheduler, then (as an operator would) the
// command again when it did not get through; then the device and CSSM must agree.
std::string Device::Converge(Operation op) {
  h_.RunUntil(h_.Now() + 2 * kDay);
  Agent& a = *h_.agent;
  AgentStatus s = a.GetStatus();
  if (op == Operation::kEnable || op == Operation::kFactoryReset) {
    // Neither talks to CSSM: the command once more must work, and the device still open.
    Status again = Run(op);
    return again.ok() ? "" : std::string("the command again failed: ") + again.ToString();
  }
  if (op == Operation::kRegister && s.registration_status != st::kRegistered) {
    Status again = a.Register(test::kToken, false);
    if (!again.ok()) return "registering again failed: " + again.ToString();
    s = a.GetStatus();
  }
  const std::vector<std::string> held = CssmInstances();
  if (s.registration_status != st::kRegistered) {
    if (op != Operation::kDeregister) return "the device is \"" + s.registration_status + "\"";
    return held.empty() ? "" : "the device is not registered but CSSM holds instance " + held[0];
  }
  if (held.size() != 1 || held[0] != s.instance_id) {
    return "the device names instance " + s.instance_id + " but CSSM holds " + std::to_string(held.size()) +
           " instance(s) of its UDI";
  }
  Status renewed = a.RenewAuthorization();
  if (!renewed.ok()) return "CSSM does not take the device's certificate: " + renewed.ToString();
  s = a.GetStatus();
  return s.authorization_status == st::kAuthorized ? "" : "authorization is \"" + s.authorization_status + "\"";
}

// How many write steps `op` has undisturbed, with their names.
std::vector<std::string> WriteSteps(Operation op) {
  FileFaultInjector files;
  Device device;
  device.SetUp(op);
  files.Reset();
  EXPECT_TRUE(device.Run(op).ok());
  return files.trace();
}

// Runs `op` with step `k` failed or cut; "" when all is well, else what went wrong.
std::string FaultAt(Operation op, int k, FileFaultInjector::Mode mode) {
  FileFaultInjector files;
  Device device;
  device.SetUp(op);
  if (::testing::Test::HasFatalFailure()) return "the set-up failed";
  files.Reset();
  files.Arm(k, mode);
  (void)device.Run(op);  // may fail: that is the point
  if (mode == FileFaultInjector::kPowerCut && !files.power_cut()) return "the cut was never reached";
  std::string wrong = device.CheckRecord(op);
  if (!wrong.empty()) return wrong;
  files.Reset();  // the power is back, no more faults
  wrong = mode == FileFaultInjector::kPowerCut ? device.Reboot() : device.OpenAlongside();
  if (!wrong.empty()) return wrong;
  return device.Converge(op);
}

TEST(AgentCrashConsistencyTest, EveryWriteStepOfEveryOperationFailedOrCutLeavesOldOrNewAndConverges) {
  int cases = 0;
  for (const OperationName& o : kOperations) {
    const int failures_before = ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
    const std::vector<std::string> steps = WriteSteps(o.op);
    ASSERT_EQ(::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count(), failures_before)
        << o.name << " must succeed undisturbed";
    EXPECT_FALSE(steps.empty()) << o.name << " writes nothing?";
    std::printf("[crash-steps] %-14s %2zu write steps\n", o.name, steps.size());
    for (int k = 0; k < static_cast<int>(steps.size()); ++k) {
      for (FileFaultInjector::Mode mode : {FileFaultInjector::kFail, FileFaultInjector::kPowerCut}) {
        ++cases;
        const std::string wrong = FaultAt(o.op, k, mode);
        EXPECT_EQ(wrong, "") << o.name << ": " << (mode == FileFaultInjector::kFail ? "I/O error at" : "power cut before")
                             << " step " << k << " (" << steps[static_cast<size_t>(k)] << ")";
      }
    }
  }
  std::printf("[crash-steps] %d cases (each write step failed, and cut)\n", cases);
}

}  // namespace
}  // namespace sl
