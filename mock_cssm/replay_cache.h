// The message ids the licensing endpoint has accepted within the freshness window, so
// that a replayed request is refused. Ids are kept per sender (a product instance, or
// for a registration the token it presents) and only once the request has passed its
// signature check, so that nobody can fill the cache for someone else; each sender has
// its own bound.
// Thread-safety: not thread-safe; LicensingService calls it under its mutex.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "smartlicensing/time_source.h"

namespace sl::mock {

// How many message ids one sender may have remembered within the window. A device
// sends a handful of messages in a window; a sender over the bound is refused (its
// own problem) rather than forgotten early, which would open a replay window.
constexpr size_t kMaxRememberedPerSender = 256;

class ReplayCache {
 public:
  // Ids older than `window_seconds` are forgotten: a request that old is refused as
  // stale before it is looked up.
  explicit ReplayCache(int64_t window_seconds) : window_(window_seconds) {}

  enum class Outcome { kNew, kReplayed, kFull };
  // Records `message_id` from `sender` as seen at `now`, unless it was seen already
  // (kReplayed) or the sender has kMaxRememberedPerSender ids in the window (kFull).
  Outcome Remember(const std::string& sender, const std::string& message_id, UnixSeconds now);

  // Message ids remembered, over all senders.
  size_t size() const;

 private:
  struct Sender {
    std::unordered_set<std::string> ids;
    // The order the ids came in, so that old ones are forgotten from the front.
    std::deque<std::pair<UnixSeconds, std::string>> order;
  };
  void ForgetOld(Sender& sender, UnixSeconds now) const;

  const int64_t window_;
  std::unordered_map<std::string, Sender> senders_;
  // Calls since every sender was last swept, so that senders gone quiet (removed
  // instances, tokens no longer used) do not keep memory for ever.
  size_t calls_since_sweep_ = 0;
};

}  // namespace sl::mock
