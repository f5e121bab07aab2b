#include "testing/bounded_wait.h"

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <utility>

namespace sl::test {

void Signal::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

bool Signal::WaitFor(std::chrono::milliseconds limit) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, limit, [this] { return notified_; });
}

bool Signal::notified() const {
  std::lock_guard<std::mutex> lock(mu_);
  return notified_;
}

BackgroundCall::BackgroundCall(std::string what, std::function<void()> operation)
    : what_(std::move(what)), done_(std::make_shared<Signal>()) {
  // Detached, so that a stuck operation cannot make the test wait in a join; the
  // Signal is shared so that it outlives this object whatever happens.
  std::thread([operation = std::move(operation), done = done_]() mutable {
    operation();
    operation = nullptr;  // drop what it captured before saying it is done
    done->Notify();
  }).detach();
}

BackgroundCall::~BackgroundCall() {
  if (!done_->WaitFor(kHangLimit)) {
    ExitBecauseAThreadIsStuck(what_ + " did not return within " + std::to_string(kHangLimit.count()) +
                              " s and cannot be left running");
  }
}

bool BackgroundCall::Wait(std::chrono::milliseconds limit) const { return done_->WaitFor(limit); }

void ExitBecauseAThreadIsStuck(const std::string& why) {
  std::fprintf(stderr, "FATAL: %s\n", why.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

}  // namespace sl::test
