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

// Moves agent time (and `last_wall` with it) on by `delta`, consuming evaluation time
// where the product is in evaluation.
void Spend(AgentState& s, int64_t delta) {
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
  s.last_wall += delta;
}

// Whether moving agent time to `end` would run out something only CSSM can renew, for
// a device that can ask CSSM what time it is (a registered one). An unregistered
// device has no CSSM to ask: its evaluation follows the wall clock (docs/time.md).
bool MustConfirm(const AgentState& s, int64_t end) {
  if (s.mode != LicensingMode::kSmart || s.registration != RegistrationState::kRegistered) return false;
  auto crosses = [&](int64_t at) { return at > s.agent_time && at <= end; };
  return crosses(s.registration_expires_at) || crosses(s.authorization_expires_at);
}

}  // namespace

ClockObservation AdvanceTo(AgentState& s, UnixSeconds wall, std::optional<int64_t> monotonic_elapsed) {
  ClockObservation o;
  const int64_t measured = monotonic_elapsed ? std::max<int64_t>(0, *monotonic_elapsed) : 0;
  if (s.wall_reading != 0) o.stepped_back = std::max<int64_t>(0, s.wall_reading + measured - wall);
  s.wall_reading = wall;
  const bool was_held = JumpHeld(s);
  s.unconfirmed_wall = 0;
  const int64_t lead = wall - s.last_wall;  // the wall clock's lead over the agent's time
  int64_t delta = measured;
  if (lead > measured) {
    if (lead - measured >= kClockStepThreshold && MustConfirm(s, s.agent_time + lead)) {
      s.unconfirmed_wall = wall;
      o.held = lead - measured;
      o.newly_held = !was_held;
    } else {
      delta = lead;
    }
  }
  if (!JumpHeld(s) || o.newly_held) s.confirm_not_before_wall = 0;
  Spend(s, delta);
  return o;
}

int64_t TakeHeldJump(AgentState& s) {
  if (!JumpHeld(s)) return 0;
  s.unconfirmed_wall = 0;
  s.confirm_not_before_wall = 0;
  int64_t jump = std::max<int64_t>(0, s.wall_reading - s.last_wall);
  Spend(s, jump);
  return jump;
}

void PostponeConfirmation(AgentState& s, int64_t interval) {
  if (JumpHeld(s)) s.confirm_not_before_wall = s.wall_reading + interval;
}

int64_t ConfirmationDue(const AgentState& s) {
  return s.agent_time + std::max<int64_t>(0, s.confirm_not_before_wall - s.wall_reading);
}

JumpVerdict JudgeHeldJump(AgentState& s, UnixSeconds server_time) {
  if (!JumpHeld(s)) return JumpVerdict::kNoneHeld;
  if (server_time >= s.wall_reading - kServerTimeAgreement) {
    TakeHeldJump(s);
    return JumpVerdict::kConfirmed;
  }
  s.unconfirmed_wall = 0;
  s.confirm_not_before_wall = 0;
  Spend(s, std::max<int64_t>(0, server_time - s.last_wall));
  return JumpVerdict::kRefuted;
}

AgentClock::AgentClock(const TimeSource& time) : time_(time), boot_id_(UsableBootId(time)) {}

void AgentClock::Resume(const AgentState& loaded) {
  if (time_.MonotonicSeconds().has_value() && !boot_id_.empty() && loaded.boot_id == boot_id_) {
    last_monotonic_ = loaded.boot_monotonic;
  }
}

ClockObservation AgentClock::Observe(AgentState& state) {
  std::optional<int64_t> now_monotonic = time_.MonotonicSeconds();
  std::optional<int64_t> elapsed;
  if (now_monotonic && last_monotonic_ && PlausibleUptime(*now_monotonic) && PlausibleUptime(*last_monotonic_)) {
    elapsed = *now_monotonic - *last_monotonic_;
  }
  ClockObservation o = AdvanceTo(state, time_.Now(), elapsed);
  last_monotonic_ = now_monotonic;
  return o;
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
