#include "mock_cssm/connection_threads.h"

namespace sl::mock {

void ConnectionThreads::enqueue(std::function<void()> connection) {
  JoinFinished();
  std::lock_guard<std::mutex> lock(mu_);
  if (running_ >= max_threads_) {
    waiting_.push_back(std::move(connection));
    return;
  }
  ++running_;
  threads_.emplace_back();
  auto self = std::prev(threads_.end());
  *self = std::thread(&ConnectionThreads::Serve, this, std::move(connection), self);
}

void ConnectionThreads::Serve(std::function<void()> connection, Threads::iterator self) {
  for (;;) {
    connection();
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.empty()) {
      finished_.push_back(self);
      if (--running_ == 0) idle_.notify_all();
      return;
    }
    connection = std::move(waiting_.front());
    waiting_.pop_front();
  }
}

void ConnectionThreads::JoinFinished() {
  std::vector<std::thread> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Threads::iterator it : finished_) {
      done.push_back(std::move(*it));
      threads_.erase(it);
    }
    finished_.clear();
  }
  for (std::thread& t : done) t.join();
}

void ConnectionThreads::shutdown() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return running_ == 0; });
  }
  JoinFinished();
}

}  // namespace sl::mock
