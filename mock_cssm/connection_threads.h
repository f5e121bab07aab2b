// The task queue the mock's HTTPS server runs its connections on: one thread per
// connection, up to a bound, instead of httplib's default pool of 8 threads (on a
// small machine). With the pool, 8 idle or stalled connections (no TLS handshake, or
// headers that never end) held every thread for the read timeout and a legitimate
// request waited behind them; here each waits on its own thread and a legitimate
// request is served at once. Beyond the bound, connections wait for a thread.
//
// Thread-safety: enqueue() is called by the accept loop, shutdown() once at its end;
// both may run while connection threads finish.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace sl::mock {

// Connections served at the same time; each holds a thread and a file descriptor.
constexpr size_t kMaxConnectionThreads = 1000;

class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(size_t max_threads = kMaxConnectionThreads) : max_threads_(max_threads) {}
  ~ConnectionThreads() override { shutdown(); }

  // Runs `connection` on a thread of its own, or queues it when max_threads run.
  void enqueue(std::function<void()> connection) override;
  // Waits for every connection, queued or running, to finish.
  void shutdown() override;

 private:
  using Threads = std::list<std::thread>;
  // A connection thread: runs `connection`, then queued ones, then marks itself done.
  void Serve(std::function<void()> connection, Threads::iterator self);
  // Joins the threads that have finished. REQUIRES: mu_ not held.
  void JoinFinished();

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable idle_;  // signalled when running_ drops to 0
  std::deque<std::function<void()>> waiting_;
  Threads threads_;
  std::vector<Threads::iterator> finished_;
  size_t running_ = 0;
};

}  // namespace sl::mock
