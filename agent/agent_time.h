// Agent time: the agent's own clock, which only moves forwards and spends licensing
// time once, however the device's wall clock fails. docs/time.md has the rules as a
// table of cases; the "Time:" paragraph of smartlicensing/agent.h says the same for
// embedders.
//
// The state keeps `last_wall`, the wall-clock time that agent time corresponds to: the
// latest time the agent believes it has reached. Each observation of the clocks
//   - counts the time the boot clock measured since the previous observation (same
//     process, or same boot via the saved anchor), whatever the wall clock did;
//   - counts the wall clock's lead over `last_wall` beyond that, so that time passed
//     while powered off counts — except a lead that would run out a grant or the
//     registration: that one is held until CSSM's signed time confirms it
//     (JudgeHeldJump), or taken at face value when CSSM cannot be asked (TakeHeldJump);
//   - never follows the wall clock backwards: a clock behind `last_wall` (set back, a
//     dead RTC at 2000-01-01) spends nothing beyond the boot clock's measure until it
//     passes `last_wall` again, so time is never spent twice.
//
// Fields of AgentState ending in `_at` are agent times; ToWall() turns one into the
// wall-clock time an operator reads.
// Thread-safety: AgentClock is not thread-safe; the agent guards it with its state lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/agent_state.h"
#include "smartlicensing/time_source.h"

namespace sl {

// A wall-clock step smaller than this is NTP slewing or rounding, not news.
constexpr int64_t kClockStepThreshold = kMinute;
// CSSM's signed time confirms a held jump when it is at most this far behind the
// device's clock (clocks on the two sides need not agree to the second).
constexpr int64_t kServerTimeAgreement = kHour;

// What one observation found, for the agent to tell the operator.
struct ClockObservation {
  int64_t stepped_back = 0;  // how far the wall clock went back since its previous reading
  int64_t held = 0;          // the forward jump now held for confirmation (0: none)
  bool newly_held = false;   // no jump was held before this observation
};

// Advances `s` to the wall-clock reading `wall`, `monotonic_elapsed` (when measurable)
// after the previous observation, by the rules above; consumes evaluation time where
// the product is in evaluation.
ClockObservation AdvanceTo(AgentState& s, UnixSeconds wall, std::optional<int64_t> monotonic_elapsed);

// Whether a forward jump is held for CSSM to confirm.
inline bool JumpHeld(const AgentState& s) { return s.unconfirmed_wall != 0; }
// CSSM could not be asked: the held jump is taken at face value. Returns its size.
int64_t TakeHeldJump(AgentState& s);
// The confirmation could not be tried (a TLS failure proves nothing about the clock):
// the next try waits `interval` on the device clock, which moves while agent time,
// holding the jump, may not.
void PostponeConfirmation(AgentState& s, int64_t interval);
// The agent time at which the held jump's confirmation is due. REQUIRES: JumpHeld(s).
int64_t ConfirmationDue(const AgentState& s);
enum class JumpVerdict { kNoneHeld, kConfirmed, kRefuted };
// CSSM's signed time `server_time` confirms the held jump (it is taken) or refutes it
// (dropped; agent time moves to `server_time` if that is later than `last_wall`).
JumpVerdict JudgeHeldJump(AgentState& s, UnixSeconds server_time);

// The wall-clock time of agent time `at`, in the agent's own frame (what the operator
// should read; the device clock may be wrong).
inline UnixSeconds ToWall(const AgentState& s, int64_t at) { return s.last_wall + (at - s.agent_time); }
// The device clock's reading when agent time `at` comes, for timers that sleep on it.
inline UnixSeconds ToDeviceClock(const AgentState& s, int64_t at) {
  return (s.wall_reading != 0 ? s.wall_reading : s.last_wall) + (at - s.agent_time);
}

// The agent's view of its TimeSource: which boot-clock reading its agent time
// corresponds to, so that elapsed time is measured across observations and processes.
class AgentClock {
 public:
  explicit AgentClock(const TimeSource& time);

  // A state saved earlier in this boot carries the boot-clock reading of its agent
  // time: from now on the time since then is measured on the boot clock, whatever the
  // wall clock did in between (set back while no agent ran, or jumped forwards).
  void Resume(const AgentState& loaded);
  // Advances `state` to now (AdvanceTo).
  ClockObservation Observe(AgentState& state);
  // A copy of `state` advanced to now, with the time anchor a save would write (for
  // read-only views and backups; the agent's own state does not move).
  AgentState View(const AgentState& state) const;
  // Writes into `state` the boot id and boot-clock reading its agent time corresponds
  // to, so that a later process of this boot can measure the time since.
  void Anchor(AgentState& state) const;
  // The state was replaced by a fresh one whose agent time is the wall clock now.
  void Restart();

 private:
  const TimeSource& time_;
  const std::string boot_id_;  // the TimeSource's BootId(), read once; "" when unknown
  // The boot-clock reading that the state's agent_time/last_wall correspond to.
  std::optional<int64_t> last_monotonic_;
};

}  // namespace sl
