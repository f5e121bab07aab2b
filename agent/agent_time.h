// Agent time: the agent's own clock, which only moves forwards.
//
// Each observation advances it by the larger of the wall clock's forward movement and
// the time the boot clock measured since the previous observation. Forward movement
// of the wall clock always counts, so `faketime` or an NTP step forward moves the
// licensing timers as the specification's users expect; the boot clock, when both
// readings come from this boot (this process, or an earlier one whose reading was
// saved with the state), adds the time a wall clock set back would hide, so setting
// the clock back never gives licensing time back. The "Time:" paragraph of
// smartlicensing/agent.h says the same for embedders.
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

// A backwards step of the wall clock smaller than this is NTP slewing, not news.
constexpr int64_t kClockBackwardsReportThreshold = kMinute;

// Advances `s` to `wall`: by the wall clock's forward movement, or by
// `monotonic_elapsed` when that is larger, consuming evaluation time where the
// product is in evaluation. Returns how far the wall clock went back relative to the
// elapsed time (0 when it did not).
int64_t AdvanceTo(AgentState& s, UnixSeconds wall, std::optional<int64_t> monotonic_elapsed);

// The wall-clock time of agent time `at`.
inline UnixSeconds ToWall(const AgentState& s, int64_t at) { return s.last_wall + (at - s.agent_time); }

// The agent's view of its TimeSource: which boot-clock reading its agent time
// corresponds to, so that elapsed time is measured across observations and processes.
class AgentClock {
 public:
  explicit AgentClock(const TimeSource& time);

  // A state saved earlier in this boot carries the boot-clock reading of its agent
  // time: from now on the time since then is measured on the boot clock, whatever the
  // wall clock did in between (set back while no agent ran, or jumped forwards).
  void Resume(const AgentState& loaded);
  // Advances `state` to now. Returns how far the wall clock went back (AdvanceTo).
  int64_t Observe(AgentState& state);
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
