#include "testing/fault_injection_state_store.h"

#include <gtest/gtest.h>

#include <utility>

namespace sl::test {

void FaultInjectionStateStore::Arm(Fault& fault, Status error, int count) {
  if (error.ok() || (count <= 0 && count != kEveryCall)) {
    ADD_FAILURE() << "FaultInjectionStateStore: inject an error status, " << count << " time(s)";
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  fault.error = std::move(error);
  fault.remaining = count;
}

void FaultInjectionStateStore::FailSaves(Status error, int count) { Arm(save_, std::move(error), count); }
void FaultInjectionStateStore::FailLoads(Status error, int count) { Arm(load_, std::move(error), count); }
void FaultInjectionStateStore::FailErases(Status error, int count) { Arm(erase_, std::move(error), count); }

void FaultInjectionStateStore::CutPower() {
  std::lock_guard<std::mutex> lock(mu_);
  power_cut_ = true;
}

bool FaultInjectionStateStore::power_cut() const {
  std::lock_guard<std::mutex> lock(mu_);
  return power_cut_;
}

std::vector<std::string> FaultInjectionStateStore::save_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return save_requests_;
}

void FaultInjectionStateStore::Heal() {
  std::lock_guard<std::mutex> lock(mu_);
  power_cut_ = false;
  for (Fault* f : {&load_, &save_, &erase_}) f->remaining = 0;
}

int FaultInjectionStateStore::loads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return load_.calls;
}
int FaultInjectionStateStore::saves() const {
  std::lock_guard<std::mutex> lock(mu_);
  return save_.calls;
}
int FaultInjectionStateStore::erases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return erase_.calls;
}
int FaultInjectionStateStore::injected_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

Status FaultInjectionStateStore::Next(Fault& fault) {
  std::lock_guard<std::mutex> lock(mu_);
  ++fault.calls;
  if (power_cut_) {
    ++injected_;
    return Unavailable("the power is off (injected)");
  }
  if (fault.remaining == 0) return Status::Ok();
  if (fault.remaining != kEveryCall) --fault.remaining;
  ++injected_;
  return fault.error;
}

Result<std::string> FaultInjectionStateStore::Load() {
  Status injected = Next(load_);
  if (!injected.ok()) return injected;
  return target_->Load();
}

Status FaultInjectionStateStore::Save(std::string_view bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    save_requests_.emplace_back(bytes);
  }
  Status injected = Next(save_);
  if (!injected.ok()) return injected;
  return target_->Save(bytes);
}

Status FaultInjectionStateStore::Erase() {
  Status injected = Next(erase_);
  if (!injected.ok()) return injected;
  return target_->Erase();
}

}  // namespace sl::test
