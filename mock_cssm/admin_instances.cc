// The admin API's product instances: what has registered, with its UDI, account,
// certificate, timers and last reported usage; and the portal's manual removal.
#include <httplib.h>

#include "base/iso8601.h"
#include "mock_cssm/admin_routes.h"
#include "mock_cssm/http_util.h"

namespace sl::mock {

namespace {

void WriteInstance(JsonWriter& w, const ProductInstance& pi) {
  w.StartObject();
  w.Field("id", pi.id);
  w.Key("udi").StartObject().Field("pid", pi.udi.product_id).Field("sn", pi.udi.serial_number).EndObject();
  if (pi.hostname) w.Field("hostname", *pi.hostname);
  w.Field("smart_account", pi.account).Field("virtual_account", pi.virtual_account);
  w.Field("export_controlled", pi.export_controlled);
  w.Field("id_certificate_serial", pi.cert_serial);
  // Still accepted after a lost reply, until the device uses the current one.
  if (!pi.previous_cert_serial.empty()) w.Field("previous_id_certificate_serial", pi.previous_cert_serial);
  w.Field("registered_at", FormatIso8601(pi.registered_at));
  w.Field("registration_expires", FormatIso8601(pi.registration_expires));
  w.Field("last_contact", FormatIso8601(pi.last_contact));
  if (pi.authorization_expires != 0) w.Field("authorization_expires", FormatIso8601(pi.authorization_expires));
  w.Key("usage").StartArray();
  for (const auto& [tag, count] : pi.usage) w.StartObject().Field("tag", tag).Field("count", count).EndObject();
  w.EndArray();
  w.EndObject();
}

void ListInstances(SharedCssm d, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(d.mutex);
  JsonWriter w;
  w.StartObject().Key("product_instances").StartArray();
  for (const auto& [id, pi] : d.cssm.instances()) WriteInstance(w, pi);
  w.EndArray().EndObject();
  SendJson(res, 200, w.str());
}

void ShowInstance(SharedCssm d, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(d.mutex);
  const ProductInstance* pi = d.cssm.FindInstance(req.matches[1]);
  if (pi == nullptr) return SendAdminError(res, NotFound("no product instance '" + std::string(req.matches[1]) + "'"));
  JsonWriter w;
  WriteInstance(w, *pi);
  SendJson(res, 200, w.str());
}

void RemoveInstance(SharedCssm d, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(d.mutex);
  Status s = d.cssm.RemoveInstance(req.matches[1]);
  if (!s.ok()) return SendAdminError(res, s);
  res.status = 204;
}

}  // namespace

void InstallProductInstanceRoutes(CappedRoutes& http, SharedCssm d) {
  const std::string instances = "/admin/v1/product-instances";
  http.Get(instances, [d](const httplib::Request&, httplib::Response& res) { ListInstances(d, res); });
  http.Get(instances + "/([^/]+)",
           [d](const httplib::Request& req, httplib::Response& res) { ShowInstance(d, req, res); });
  http.Delete(instances + "/([^/]+)",
              [d](const httplib::Request& req, httplib::Response& res) { RemoveInstance(d, req, res); });
}

}  // namespace sl::mock
