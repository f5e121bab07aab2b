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
//
// It counts every call it receives, failed or not. Thread-safety: safe to call from any
// thread (the agent calls a store from one thread at a time; a test may configure it
// or read the counts from another).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

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
  // No more injected failures; the counts are kept.
  void Heal();

  // Calls received, failed or not.
  int loads() const;
  int saves() const;
  int erases() const;
  // Calls failed by injection (they never reached the wrapped store).
  int injected_failures() const;

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
};

}  // namespace sl::test
