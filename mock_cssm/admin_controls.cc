// The admin API's controls of the mock itself, which the real CSSM does not have:
// faults queued for the licensing endpoints, and the offset of the server clock.
#include <httplib.h>

#include "base/iso8601.h"
#include "mock_cssm/admin_routes.h"
#include "mock_cssm/http_util.h"

namespace sl::mock {

namespace {

std::string FaultListJson(const std::vector<Fault>& faults) {
  JsonWriter w;
  w.StartObject().Key("faults").StartArray();
  for (const Fault& f : faults) w.Raw(FaultToJson(f));
  w.EndArray().EndObject();
  return w.str();
}

void AddFault(FaultPlan& faults, const httplib::Request& req, httplib::Response& res) {
  Result<Fault> fault = ParseFault(req.body);
  if (!fault.ok()) return SendAdminError(res, fault.status());
  faults.Add(*fault);
  SendJson(res, 201, FaultListJson(faults.List()));
}

std::string ClockJson(const OffsetTimeSource& clock) {
  JsonWriter w;
  w.StartObject().Field("offset_seconds", clock.offset()).Field("server_time", FormatIso8601(clock.Now())).EndObject();
  return w.str();
}

void SetClockOffset(OffsetTimeSource& clock, const httplib::Request& req, httplib::Response& res) {
  // Up to 20 years either way: enough to expire anything the protocol issues.
  std::optional<int64_t> offset = ReadAdminBody(req, res, "clock", [](JsonReader& r) {
    return r.Int("offset_seconds", -20 * 365 * kDay, 20 * 365 * kDay);
  });
  if (!offset) return;
  clock.SetOffset(*offset);
  SendJson(res, 200, ClockJson(clock));
}

}  // namespace

void InstallFaultRoutes(CappedRoutes& http, FaultPlan& faults) {
  const char* path = "/admin/v1/faults";
  http.Post(path, [&faults](const httplib::Request& req, httplib::Response& res) { AddFault(faults, req, res); });
  http.Get(path, [&faults](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, FaultListJson(faults.List()));
  });
  http.Delete(path, [&faults](const httplib::Request&, httplib::Response& res) {
    faults.Clear();
    res.status = 204;
  });
}

void InstallClockRoutes(CappedRoutes& http, OffsetTimeSource& clock) {
  const char* path = "/admin/v1/clock";
  http.Post(path, [&clock](const httplib::Request& req, httplib::Response& res) { SetClockOffset(clock, req, res); });
  http.Get(path, [&clock](const httplib::Request&, httplib::Response& res) { SendJson(res, 200, ClockJson(clock)); });
}

}  // namespace sl::mock
