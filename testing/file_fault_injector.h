// FileFaultInjector: fails, or cuts the power before, one chosen step of the file
// writes (base/file_steps.h: create the temporary file, write, fsync, rename, fsync the
// directory, remove), so that a test can walk every write step of an operation in turn,
// as LevelDB's FaultInjectionTestEnv does below its DB.
//
//   test::FileFaultInjector files;             // counts steps while it lives
//   ... run the operation once; files.steps() is how many write steps it has
//   files.Arm(k, test::FileFaultInjector::kPowerCut);
//   ... run it again from the same start: step k and every later one never happen
//
// kFail fails the one step (as an EIO would) and lets the later ones run: the process
// goes on. kPowerCut fails the step and every step after it, so that nothing more
// reaches the disk, as when the machine stops there; the test then throws the
// process's memory away (the Agent object) and opens a new one on what is on disk.
// A rename that happened but whose directory fsync did not is on disk here; on a real
// power loss it may also be undone, which leaves the state of a cut before the rename.
// Thread-safety: one at a time per process (it owns the global hook); the hook runs on
// the writing thread, the test reads the counts when no write runs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/file_steps.h"
#include "smartlicensing/status.h"

namespace sl::test {

class FileFaultInjector {
 public:
  enum Mode { kFail, kPowerCut };

  FileFaultInjector();  // installs the hook
  ~FileFaultInjector();  // removes it
  FileFaultInjector(const FileFaultInjector&) = delete;
  FileFaultInjector& operator=(const FileFaultInjector&) = delete;

  // Step `index` (0-based, counted from the last Reset or construction) fails (kFail) or
  // the power is cut before it (kPowerCut). `on_power_cut` runs at the cut (e.g. to
  // take the network away too).
  void Arm(int index, Mode mode, std::function<void()> on_power_cut = nullptr);
  // Counts from zero again, nothing armed, the power back on.
  void Reset();

  int steps() const { return static_cast<int>(trace_.size()); }
  bool power_cut() const { return power_cut_; }
  // "step: path" for every step seen, failed or not.
  const std::vector<std::string>& trace() const { return trace_; }
  // The step `index` of the trace, or "" when there were not so many.
  std::string Describe(int index) const;

 private:
  Status Before(FileStep step, const std::string& path);

  int armed_ = -1;
  Mode mode_ = kFail;
  bool power_cut_ = false;
  std::function<void()> on_power_cut_;
  std::vector<std::string> trace_;
};

}  // namespace sl::test
