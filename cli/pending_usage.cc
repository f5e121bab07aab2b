#include "cli/pending_usage.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "base/files.h"
#include "base/json.h"
#include "base/private_files.h"
#include "smartlicensing/licensing_terms.h"

namespace sl::cli {

namespace {

// Far more than any queue of usage counts; a bigger file is not one this code wrote.
constexpr size_t kMaxPendingBytes = 1024 * 1024;

}  // namespace

Status PendingUsage::Queue(const std::string& tag, int64_t count) const {
  JsonWriter w;
  w.StartObject().Field("tag", tag).Field("count", count).EndObject();
  // One write of a whole line: appends of other processes never interleave with it,
  // and a full disk leaves no half line that would spoil the next one.
  return AppendToPrivateFile(path_, w.str() + "\n", /*sync=*/true);
}

Status PendingUsage::ApplyTo(Agent& agent) const {
  Result<std::string> text = ReadPrivateFile(path_, kMaxPendingBytes);
  if (!text.ok()) return text.status().code() == StatusCode::kNotFound ? Status::Ok() : text.status();
  std::istringstream lines(*text);
  bool applied = false;
  for (std::string line; std::getline(lines, line);) {
    Result<rapidjson::Document> doc = ParseJson(line, 4096);
    if (!doc.ok()) continue;
    JsonReader r(*doc, "usage.pending");
    std::string tag = r.String("tag", 128);
    int64_t count = r.Int("count", 0, kMaxLicenseCount);
    if (!r.ok() || !IsValidLicenseTag(tag)) continue;
    SL_RETURN_IF_ERROR(agent.SetUsage(tag, count));
    applied = true;
  }
  if (applied) SL_RETURN_IF_ERROR(agent.SaveUsage());
  // Only once the counts are in the saved state: a crash before this applies them again.
  if (unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return DataLoss("cannot remove '" + path_ + "': " + FileErrorText(errno));
  }
  return Status::Ok();
}

}  // namespace sl::cli
