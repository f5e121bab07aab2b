#include "cli/event_log.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <utility>

#include "base/files.h"
#include "base/iso8601.h"
#include "base/json.h"
#include "base/private_files.h"

namespace sl::cli {

namespace {

// More than kMaxEventLogLines lines of agent messages ever need; a bigger file is not
// one this code wrote, and is not read whole into memory.
constexpr size_t kMaxEventLogBytes = 16 * 1024 * 1024;

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The stable identifier of each event type: what scripts match on (the names of
// EventTypeName are for people and may be reworded).
constexpr std::pair<EventType, const char*> kEventIds[] = {
    {EventType::kModeChanged, "mode_changed"},
    {EventType::kRegistrationStatusChanged, "registration_status_changed"},
    {EventType::kAuthorizationStatusChanged, "authorization_status_changed"},
    {EventType::kCommunicationSucceeded, "communication_succeeded"},
    {EventType::kCommunicationFailed, "communication_failed"},
    {EventType::kHostnameChanged, "hostname_changed"},
    {EventType::kClockMovedBackwards, "clock_moved_backwards"},
    {EventType::kClockJumpedForwards, "clock_jumped_forwards"},
    {EventType::kStateRestored, "state_restored"},
};

std::string EventLine(const Event& event) {
  JsonWriter w;
  w.StartObject().Field("time", FormatIso8601(event.time)).Field("type", EventTypeId(event.type));
  if (!event.from.empty()) w.Field("from", event.from);
  if (!event.to.empty()) w.Field("to", event.to);
  w.Field("message", event.message).EndObject();
  return w.str() + "\n";
}

}  // namespace

std::string EventTypeId(EventType type) {
  for (const auto& [t, id] : kEventIds) {
    if (t == type) return id;
  }
  // A type added to the agent but not here yet: still a stable, matchable word.
  std::string id = EventTypeName(type);
  for (char& c : id) c = c == ' ' ? '_' : c;
  return id;
}

EventLog EventLog::InStateDirectory(const std::string& state_dir) { return EventLog(state_dir + "/events.jsonl"); }

void EventLog::Append(const Event& event) const {
  // One write of a whole line, never interleaved with another's, never through a link
  // planted here (root would append to the file it points at), never half a line on a
  // full disk. Not synced: an event lost in a power cut costs less than a flash write
  // per event.
  if (!AppendToPrivateFile(path_, EventLine(event), /*sync=*/false).ok()) return;

  // Past the bound, keep the newer half: trimming then happens once every
  // kMaxEventLogLines / 2 events rather than on every append.
  Result<std::string> all = ReadPrivateFile(path_, kMaxEventLogBytes);
  if (!all.ok()) return;
  std::vector<std::string> lines = SplitLines(*all);
  if (lines.size() <= kMaxEventLogLines) return;
  std::string kept;
  for (size_t i = lines.size() - kMaxEventLogLines / 2; i < lines.size(); ++i) kept += lines[i] + "\n";
  (void)WriteFileAtomically(path_, kept);
}

Result<std::vector<std::string>> EventLog::LastLines(size_t limit) const {
  Result<std::string> log = ReadPrivateFile(path_, kMaxEventLogBytes);
  if (!log.ok() && log.status().code() != StatusCode::kNotFound) return DataLoss(log.status().message());
  std::vector<std::string> lines = SplitLines(log.ok() ? *log : "");
  if (lines.size() > limit) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(limit));
  return lines;
}

Status EventLog::Erase() const {
  if (unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return DataLoss("cannot remove '" + path_ + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

std::optional<std::string> DescribeEventLine(const std::string& line) {
  Result<rapidjson::Document> doc = ParseJson(line);
  if (!doc.ok()) return std::nullopt;
  JsonReader r(*doc, "event");
  std::string time = r.String("time", 32);
  std::string type = r.String("type", 64);
  std::string message = r.String("message", 4096);
  for (const auto& [t, id] : kEventIds) {
    if (type == id) type = EventTypeName(t);  // for people; older logs hold the name already
  }
  return time + "  " + type + "  " + message;
}

}  // namespace sl::cli
