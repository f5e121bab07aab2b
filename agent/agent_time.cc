#include "agent/agent_time.h"

#include <algorithm>

namespace sl {
namespace {

// A real boot clock reads less than this (twenty years of uptime). libfaketime, for
// one, makes the monotonic clocks read the faked wall-clock time (decades); such a
// reading cannot measure elapsed time and is ignored.
constexpr int64_t kMaxPlausibleUptime = 20 * 365 * kDay;
bool PlausibleUptime(int64_t seconds) { return seconds >= 0 && seconds <= kMaxPlausibleUptime; }

// The boot identity as the state keeps it; "" when unknown or unusable.
std::string UsableBootId(const TimeSource& time) {
  std::string id = time.BootId();
  return id.size() <= kMaxBootIdBytes ? id : "";
}

}  // namespace

int64_t AdvanceTo(AgentState& s, UnixSeconds wall, std::optional<int64_t> monotonic_elapsed) {
  int64_t wall_delta = wall - s.last_wall;
  int64_t delta = std::max<int64_t>(0, wall_delta);
  if (monotonic_elapsed && *monotonic_elapsed > delta) delta = *monotonic_elapsed;
  int64_t start = s.agent_time;
  int64_t end = start + delta;
  if (s.mode == LicensingMode::kSmart) {
    int64_t consumed = 0;
    if (s.registration != RegistrationState::kRegistered) {
      consumed = delta;
    } else if (s.registration_expires_at > 0 && s.registration_expires_at < end) {
      consumed = end - std::max(start, s.registration_expires_at);  // evaluation resumes at expiry
    }
    s.evaluation_used = std::min(terms::kEvaluationPeriod, s.evaluation_used + consumed);
  }
  s.agent_time = end;
  s.last_wall = wall;
  return std::max<int64_t>(0, delta - wall_delta);
}

AgentClock::AgentClock(const TimeSource& time) : time_(time), boot_id_(UsableBootId(time)) {}

void AgentClock::Resume(const AgentState& loaded) {
  if (time_.MonotonicSeconds().has_value() && !boot_id_.empty() && loaded.boot_id == boot_id_) {
    last_monotonic_ = loaded.boot_monotonic;
  }
}

int64_t AgentClock::Observe(AgentState& state) {
  std::optional<int64_t> now_monotonic = time_.MonotonicSeconds();
  std::optional<int64_t> elapsed;
  if (now_monotonic && last_monotonic_ && PlausibleUptime(*now_monotonic) && PlausibleUptime(*last_monotonic_)) {
    elapsed = *now_monotonic - *last_monotonic_;
  }
  int64_t back = AdvanceTo(state, time_.Now(), elapsed);
  last_monotonic_ = now_monotonic;
  return back;
}

AgentState AgentClock::View(const AgentState& state) const {
  AgentState v = state;
  std::optional<int64_t> elapsed;
  v.boot_id.clear();
  v.boot_monotonic = 0;
  std::optional<int64_t> reading = last_monotonic_ ? time_.MonotonicSeconds() : std::nullopt;
  if (reading) {
    if (PlausibleUptime(*reading) && PlausibleUptime(*last_monotonic_)) elapsed = *reading - *last_monotonic_;
    if (!boot_id_.empty() && PlausibleUptime(*reading)) {
      v.boot_id = boot_id_;
      v.boot_monotonic = *reading;
    }
  }
  AdvanceTo(v, time_.Now(), elapsed);
  return v;
}

void AgentClock::Anchor(AgentState& state) const {
  bool anchored = last_monotonic_ && !boot_id_.empty() && PlausibleUptime(*last_monotonic_);
  state.boot_id = anchored ? boot_id_ : std::string();
  state.boot_monotonic = anchored ? *last_monotonic_ : 0;
}

void AgentClock::Restart() { last_monotonic_ = time_.MonotonicSeconds(); }

}  // namespace sl
