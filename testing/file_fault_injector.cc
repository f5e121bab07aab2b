#include "testing/file_fault_injector.h"

#include <utility>

namespace sl::test {

FileFaultInjector::FileFaultInjector() {
  SetFileStepHookForTesting([this](FileStep step, const std::string& path) { return Before(step, path); });
}

FileFaultInjector::~FileFaultInjector() { SetFileStepHookForTesting(nullptr); }

void FileFaultInjector::Arm(int index, Mode mode, std::function<void()> on_power_cut) {
  armed_ = index;
  mode_ = mode;
  on_power_cut_ = std::move(on_power_cut);
}

void FileFaultInjector::Reset() {
  armed_ = -1;
  power_cut_ = false;
  on_power_cut_ = nullptr;
  trace_.clear();
}

std::string FileFaultInjector::Describe(int index) const {
  return index >= 0 && index < steps() ? trace_[static_cast<size_t>(index)] : "";
}

Status FileFaultInjector::Before(FileStep step, const std::string& path) {
  const int index = steps();
  trace_.push_back(std::string(FileStepName(step)) + ": " + path);
  if (power_cut_) return Unavailable("the power is off (injected)");
  if (index != armed_) return Status::Ok();
  if (mode_ == kFail) return DataLoss("I/O error (injected) at " + std::string(FileStepName(step)));
  power_cut_ = true;
  if (on_power_cut_) on_power_cut_();
  return Unavailable("the power is off (injected)");
}

}  // namespace sl::test
