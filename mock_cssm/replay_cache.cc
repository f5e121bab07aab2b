#include "mock_cssm/replay_cache.h"

namespace sl::mock {

namespace {
constexpr size_t kSweepEvery = 4096;
}  // namespace

void ReplayCache::ForgetOld(Sender& sender, UnixSeconds now) const {
  // If the server clock is moved back, entries wait until it passes them again: safe,
  // merely kept longer.
  while (!sender.order.empty() && now - sender.order.front().first > window_) {
    sender.ids.erase(sender.order.front().second);
    sender.order.pop_front();
  }
}

ReplayCache::Outcome ReplayCache::Remember(const std::string& sender, const std::string& message_id,
                                           UnixSeconds now) {
  if (++calls_since_sweep_ >= kSweepEvery) {
    calls_since_sweep_ = 0;
    for (auto it = senders_.begin(); it != senders_.end();) {
      ForgetOld(it->second, now);
      it = it->second.ids.empty() ? senders_.erase(it) : std::next(it);
    }
  }
  Sender& s = senders_[sender];
  ForgetOld(s, now);
  if (s.ids.count(message_id) != 0) return Outcome::kReplayed;
  if (s.ids.size() >= kMaxRememberedPerSender) return Outcome::kFull;
  s.ids.insert(message_id);
  s.order.emplace_back(now, message_id);
  return Outcome::kNew;
}

size_t ReplayCache::size() const {
  size_t n = 0;
  for (const auto& [name, sender] : senders_) n += sender.ids.size();
  return n;
}

}  // namespace sl::mock
