// Usage set while another command holds the state directory's lock: `slagent usage
// set` must not wait behind a renewal that is waiting for the network (up to the
// transport timeout), so when the lock is busy the new count is queued in
// <state-dir>/usage.pending and applied by the next command or daemon pass that opens
// the agent (the daemon wakes for it within seconds).
//
// One JSON object per line, {"tag":...,"count":...}, appended with O_APPEND; applied
// in order, so the last count given for a tag wins. The file holds no secret: usage
// counts are what `usage set` takes from any operator anyway.
// Thread-safety: appends from any process; Apply only under the state directory's lock.
#pragma once

#include <string>

#include "smartlicensing/agent.h"
#include "smartlicensing/status.h"

namespace sl::cli {

class PendingUsage {
 public:
  explicit PendingUsage(const std::string& state_dir) : path_(state_dir + "/usage.pending") {}

  // Queues `count` for `tag`. REQUIRES: IsValidLicenseTag(tag).
  Status Queue(const std::string& tag, int64_t count) const;

  // Applies the queued counts to `agent`, saves them, and empties the queue. A line
  // that does not parse (cut short by a power loss) is skipped. REQUIRES: the state
  // directory's lock is held.
  Status ApplyTo(Agent& agent) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sl::cli
