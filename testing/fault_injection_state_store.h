// FaultInjectionStateStore: a StateStore that wraps another one (in tests, the real
// FileStateStore over a TempDir) and makes chosen calls fail, the way LevelDB's
// FaultInjectionTestEnv wraps its Env. A call it fails does not reach the wrapped store,
// so the record there is exactly what a store that failed before writing anything
// leaves behind (FileStateStore's Save is atomic: on failure the old record stays).
//
//   test::TempDir dir;
//   FileStateStore file(dir.File("state.json"));
//   test::FaultInjectionStateStore store(&file);
//   store.FailSaves(Internal("disk full (injected)"));   // every save, until Heal()
//   store.FailLoads(Unavailable("I/O error"), 1);        // the next load only
//   store.CutPower();  // from now on nothing reaches the disk (a power loss)
//
// It counts every call it receives, failed or not, and keeps every record it was asked
// to save: after a crash the record on disk must be the one from before or one of
// these, never anything else. The steps below a Save (temporary file, fsync, rename,
// directory fsync) are failed or cut by file_fault_injector.h. Thread-safety: safe to call from any
// thread (the agent calls a store from one thread at a time; a test may configure it
// or read the counts from another).
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "smartlicensing/state_store.h"
#include "smartlicensing/status.h"

namespace sl::test {

class FaultInjectionStateStore final : public StateStore {
 public:
  // For FailSaves/FailLoads/FailErases: fail every call until Heal().
  static constexpr int kEveryCall = -1;

  // REQUIRES: `target` outlives this store.
  explicit FaultInjectionStateStore(StateStore* target) : target_(target) {}

  // The next `count` saves (kEveryCall: all, until Heal) fail with `error`.
  // REQUIRES: !error.ok(), count > 0 or kEveryCall.
  void FailSaves(Status error, int count = kEveryCall);
  void FailLoads(Status error, int count = kEveryCall);
  void FailErases(Status error, int count = kEveryCall);
  // A power loss: this call and every later one fail (Unavailable) without reaching the
  // wrapped store, until Heal(). The test then throws the agent away and opens a new
  // one on the wrapped store, as a rebooted device would.
  void CutPower();
  bool power_cut() const;
  // No more injected failures, the power back on; the counts are kept.
  void Heal();

  // Calls received, failed or not.
  int loads() const;
  int saves() const;
  int erases() const;
  // Calls failed by injection (they never reached the wrapped store).
  int injected_failures() const;
  // The records Save() received, in order, whether or not they reached the store.
  std::vector<std::string> save_requests() const;

  Result<std::string> Load() override;
  Status Save(std::string_view bytes) override;
  Status Erase() override;

 private:
  struct Fault {
    Status error;
    int remaining = 0;  // kEveryCall: until Heal()
    int calls = 0;
  };
  // Counts a call on `fault` and returns the error to inject, or OK to pass it on.
  Status Next(Fault& fault);
  void Arm(Fault& fault, Status error, int count);

  StateStore* const target_;
  mutable std::mutex mu_;  // guards everything below
  Fault load_;
  Fault save_;
  Fault erase_;
  int injected_ = 0;
  bool power_cut_ = false;
  std::vector<std::string> save_requests_;
};

}  // namespace sl::test
