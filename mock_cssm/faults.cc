#include "mock_cssm/faults.h"

#include "base/json.h"
#include "mock_cssm/http_util.h"
#include "smartlicensing/mock_cssm.h"

namespace sl::mock {

namespace {
constexpr struct {
  FaultKind kind;
  const char* name;
} kKinds[] = {{FaultKind::kDelay, "delay"},
              {FaultKind::kStatus, "status"},
              {FaultKind::kDrop, "drop"},
              {FaultKind::kMalformed, "malformed"},
              {FaultKind::kBadSignature, "bad_signature"}};
}  // namespace

const char* FaultKindName(FaultKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

Result<Fault> ParseFault(std::string_view json) {
  Result<rapidjson::Document> doc = ParseJson(json);
  if (!doc.ok()) return doc.status();
  JsonReader r(*doc, "fault");
  Fault f;
  std::string kind = r.String("kind", 32);
  bool known = false;
  for (const auto& k : kKinds) {
    if (kind == k.name) {
      f.kind = k.kind;
      known = true;
    }
  }
  if (r.ok() && !known) r.Fail("kind", "must be one of delay, status, drop, malformed, bad_signature");
  f.remaining = r.OptionalInt("count", 1, 1000000).value_or(1);
  f.path = r.OptionalString("path", 256).value_or("");
  if (r.ok() && !f.path.empty() && !IsLicensingPath(f.path)) {
    r.Fail("path", std::string("must be ") + kDirectPath + " or " + kOnPremPath);
  }
  if (f.kind == FaultKind::kStatus) {
    f.http_status = static_cast<int>(r.Int("status", 400, 599));
    f.retry_after_seconds = r.OptionalInt("retry_after", 0, 86400);
  }
  if (f.kind == FaultKind::kDelay) f.delay_ms = r.Int("delay_ms", 1, 120000);
  if (!r.ok()) return r.status();
  return f;
}

std::string FaultToJson(const Fault& f) {
  JsonWriter w;
  w.StartObject().Field("kind", FaultKindName(f.kind)).Field("remaining", f.remaining);
  if (!f.path.empty()) w.Field("path", f.path);
  if (f.kind == FaultKind::kStatus) {
    w.Field("status", f.http_status);
    if (f.retry_after_seconds) w.Field("retry_after", *f.retry_after_seconds);
  }
  if (f.kind == FaultKind::kDelay) w.Field("delay_ms", f.delay_ms);
  w.EndObject();
  return w.str();
}

void FaultPlan::Add(Fault fault) {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(std::move(fault));
}

void FaultPlan::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.clear();
}

std::optional<Fault> FaultPlan::Take(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!it->path.empty() && it->path != path) continue;
    Fault taken = *it;
    if (--it->remaining <= 0) faults_.erase(it);
    return taken;
  }
  return std::nullopt;
}

std::vector<Fault> FaultPlan::List() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return faults_;
}

}  // namespace sl::mock
