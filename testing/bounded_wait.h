// Waiting in tests without the risk of a hang: a test that waits for another thread
// waits with a bound and fails with a message when the bound passes, instead of
// sitting until ctest's timeout (120 s) kills the whole binary without a word.
//
//   test::Signal in_flight;
//   test::BackgroundCall call("RenewAuthorization()", [&] { renewed = agent.RenewAuthorization(); });
//   ASSERT_TRUE(in_flight.WaitFor(test::kHangLimit)) << "the exchange never reached the transport";
//   ...
//   ASSERT_TRUE(call.Wait(test::kHangLimit)) << "RenewAuthorization() did not return";
//
// Thread-safety: Signal may be used from any thread; a BackgroundCall is owned by
// one test thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace sl::test {

// How long a test waits for something that should happen at once before calling it a
// hang: generous for a loaded machine or the sanitizers, far below ctest's timeout.
constexpr std::chrono::seconds kHangLimit{20};

// A one-shot event between threads.
class Signal {
 public:
  void Notify();
  // True when notified, at once or within `limit`.
  bool WaitFor(std::chrono::milliseconds limit) const;
  bool notified() const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool notified_ = false;
};

// Runs `operation` on a thread of its own. The test waits for it with a bound
// (Wait). It is never left behind: the destructor waits kHangLimit for an operation
// still running (a test that failed should first release whatever blocks it), and if
// it still has not returned, the operation uses objects that are about to be
// destroyed, so the test binary stops at once with `what` on stderr.
class BackgroundCall {
 public:
  BackgroundCall(std::string what, std::function<void()> operation);
  ~BackgroundCall();
  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;

  // True when the operation returned, at once or within `limit`.
  bool Wait(std::chrono::milliseconds limit) const;

 private:
  std::string what_;
  std::shared_ptr<Signal> done_;
};

// Stops the test binary now with `why` on stderr: for a thread that cannot be joined.
[[noreturn]] void ExitBecauseAThreadIsStuck(const std::string& why);

}  // namespace sl::test
