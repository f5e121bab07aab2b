// The event log, <state-dir>/events.jsonl: the history of the agent's operations and
// results (registration, renewals, failures, mode changes) that `slagent events` shows.
// This file is its only reader and writer.
//
// One JSON object per line: {"time":ISO 8601,"type":...,["from":...,"to":...,]
// "message":...}; "type" is a stable identifier (EventTypeId: "communication_failed");
// logs written before 0.2 hold the human name there ("communication failed"). The
// messages are the agent's, which never hold a token, a password or a key. The log is bounded: past kMaxEventLogLines lines the older half is dropped
// (rewritten atomically), so an appliance that renews for years never fills its disk.
//
// Thread-safety: an EventLog is an immutable path. Appends come from commands that
// hold the state directory's lock (cli/state_dir.h), so one process appends at a time;
// a reader takes no lock and sees the log before or after a trim, never half of one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smartlicensing/agent.h"
#include "smartlicensing/status.h"

namespace sl::cli {

// Keeps the event log from growing without bound.
constexpr size_t kMaxEventLogLines = 1000;

class EventLog {
 public:
  // The event log of the state directory `state_dir`.
  static EventLog InStateDirectory(const std::string& state_dir);

  // Appends the event, then trims the log when it has grown past its bound. Best
  // effort: a full disk must not fail the licensing operation the event reports.
  void Append(const Event& event) const;

  // The last `limit` lines, oldest first; none when there is no log yet. DataLoss when
  // the log cannot be read.
  Result<std::vector<std::string>> LastLines(size_t limit) const;

  // Removes the log (a factory reset); no log is not an error.
  Status Erase() const;

  const std::string& path() const { return path_; }

 private:
  explicit EventLog(std::string path) : path_(std::move(path)) {}

  std::string path_;
};

// The stable identifier of an event type in the log and in --json answers.
std::string EventTypeId(EventType type);

// A line of the log for people: "<time>  <type>  <message>"; nullopt for a line that
// is not JSON (e.g. cut short by a power loss), which is skipped rather than shown.
std::optional<std::string> DescribeEventLine(const std::string& line);

}  // namespace sl::cli
