// The admin API of the mock CSSM: what a test engineer does on the CSSM portal
// (accounts, pools, tokens, product instances) plus fault injection and the clock.
#include <httplib.h>

#include "base/iso8601.h"
#include "base/json.h"
#include "mock_cssm/http_util.h"
#include "mock_cssm/server_impl.h"

namespace sl::mock {

namespace {

void Send(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_content(json, "application/json");
}

void SendError(httplib::Response& res, const Status& s) {
  Send(res, AdminHttpStatus(s), ErrorJson(StatusCodeSlug(s.code()), s.message()));
}

// Parses the request body as a JSON object; on failure answers 400 and returns nullopt.
std::optional<rapidjson::Document> Body(const httplib::Request& req, httplib::Response& res) {
  Result<rapidjson::Document> doc = ParseJson(req.body);
  if (!doc.ok()) {
    SendError(res, doc.status());
    return std::nullopt;
  }
  if (!doc->IsObject()) {
    SendError(res, InvalidArgument("request body must be a JSON object"));
    return std::nullopt;
  }
  return std::move(*doc);
}

void WriteInstance(JsonWriter& w, const ProductInstance& pi) {
  w.StartObject();
  w.Field("id", pi.id);
  w.Key("udi").StartObject().Field("pid", pi.udi.product_id).Field("sn", pi.udi.serial_number).EndObject();
  if (pi.hostname) w.Field("hostname", *pi.hostname);
  w.Field("smart_account", pi.account).Field("virtual_account", pi.virtual_account);
  w.Field("export_controlled", pi.export_controlled);
  w.Field("id_certificate_serial", pi.cert_serial);
  w.Field("registered_at", FormatIso8601(pi.registered_at));
  w.Field("registration_expires", FormatIso8601(pi.registration_expires));
  w.Field("last_contact", FormatIso8601(pi.last_contact));
  if (pi.authorization_expires != 0) w.Field("authorization_expires", FormatIso8601(pi.authorization_expires));
  w.Key("usage").StartArray();
  for (const auto& [tag, count] : pi.usage) w.StartObject().Field("tag", tag).Field("count", count).EndObject();
  w.EndArray();
  w.EndObject();
}

std::string FaultListJson(const std::vector<Fault>& faults) {
  JsonWriter w;
  w.StartObject().Key("faults").StartArray();
  for (const Fault& f : faults) w.Raw(FaultToJson(f));
  w.EndArray().EndObject();
  return w.str();
}

}  // namespace

void ServerImpl::InstallAdminRoutes() {
  // Every /admin/ request needs the bearer token; nothing else is looked at first.
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path.compare(0, 7, "/admin/") != 0 || AdminAuthorized(req)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("WWW-Authenticate", "Bearer");
    Send(res, 401, ErrorJson("unauthenticated", "the admin API needs 'Authorization: Bearer <admin token>'"));
    return httplib::Server::HandlerResponse::Handled;
  });

  http_->Post("/admin/v1/accounts", [this](const httplib::Request& req, httplib::Response& res) {
    auto doc = Body(req, res);
    if (!doc) return;
    JsonReader r(*doc, "account");
    std::string name = r.String("name", 128);
    bool ec = r.OptionalBool("export_controlled_allowed").value_or(true);
    if (!r.ok()) return SendError(res, r.status());
    std::lock_guard<std::mutex> lock(mutex_);
    Status s = cssm_.AddAccount(name, ec);
    if (!s.ok()) return SendError(res, s);
    JsonWriter w;
    w.StartObject().Field("name", name).Field("export_controlled_allowed", ec).EndObject();
    Send(res, 201, w.str());
  });

  http_->Get("/admin/v1/accounts", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    JsonWriter w;
    w.StartObject().Key("accounts").StartArray();
    for (const auto& [name, account] : cssm_.accounts()) {
      w.StartObject().Field("name", name).Field("export_controlled_allowed", account.export_controlled_allowed);
      w.Key("virtual_accounts").StartArray();
      for (const auto& [va_name, va] : account.virtual_accounts) {
        w.StartObject().Field("name", va_name).Field("export_controlled_allowed", va.export_controlled_allowed).EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
    Send(res, 200, w.str());
  });

  http_->Post(R"(/admin/v1/accounts/([^/]+)/virtual-accounts)",
              [this](const httplib::Request& req, httplib::Response& res) {
                auto doc = Body(req, res);
                if (!doc) return;
                JsonReader r(*doc, "virtual_account");
                std::string name = r.String("name", 128);
                bool ec = r.OptionalBool("export_controlled_allowed").value_or(true);
                if (!r.ok()) return SendError(res, r.status());
                std::lock_guard<std::mutex> lock(mutex_);
                Status s = cssm_.AddVirtualAccount(req.matches[1], name, ec);
                if (!s.ok()) return SendError(res, s);
                JsonWriter w;
                w.StartObject().Field("name", name).Field("export_controlled_allowed", ec).EndObject();
                Send(res, 201, w.str());
              });

  http_->Put(R"(/admin/v1/accounts/([^/]+)/virtual-accounts/([^/]+)/licenses/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               auto doc = Body(req, res);
               if (!doc) return;
               JsonReader r(*doc, "license");
               int64_t count = r.Int("count", 0, kMaxLicenseCount);
               if (!r.ok()) return SendError(res, r.status());
               std::lock_guard<std::mutex> lock(mutex_);
               Status s = cssm_.SetLicenseCount(req.matches[1], req.matches[2], req.matches[3], count);
               if (!s.ok()) return SendError(res, s);
               JsonWriter w;
               w.StartObject().Field("tag", std::string(req.matches[3])).Field("count", count).EndObject();
               Send(res, 200, w.str());
             });

  http_->Get(R"(/admin/v1/accounts/([^/]+)/virtual-accounts/([^/]+)/licenses)",
             [this](const httplib::Request& req, httplib::Response& res) {
               std::lock_guard<std::mutex> lock(mutex_);
               Result<std::vector<PoolLine>> lines = cssm_.Licenses(req.matches[1], req.matches[2]);
               if (!lines.ok()) return SendError(res, lines.status());
               JsonWriter w;
               w.StartObject().Key("licenses").StartArray();
               for (const PoolLine& l : *lines) {
                 w.StartObject().Field("tag", l.tag).Field("owned", l.owned).Field("in_use", l.in_use);
                 w.Field("status", l.status).EndObject();
               }
               w.EndArray().EndObject();
               Send(res, 200, w.str());
             });

  http_->Post(R"(/admin/v1/accounts/([^/]+)/virtual-accounts/([^/]+)/tokens)",
              [this](const httplib::Request& req, httplib::Response& res) {
                auto doc = Body(req, res);
                if (!doc) return;
                JsonReader r(*doc, "token");
                TokenSpec spec;
                spec.export_controlled = r.OptionalBool("export_controlled").value_or(false);
                spec.expires_in_days = r.OptionalInt("expires_in_days", 1, 365).value_or(30);
                spec.max_uses = r.OptionalInt("max_uses", 1, 1000000).value_or(1);
                if (!r.ok()) return SendError(res, r.status());
                std::lock_guard<std::mutex> lock(mutex_);
                Result<RegistrationToken> token = cssm_.CreateToken(req.matches[1], req.matches[2], spec);
                if (!token.ok()) return SendError(res, token.status());
                JsonWriter w;
                w.StartObject().Field("token", token->value).Field("smart_account", token->account);
                w.Field("virtual_account", token->virtual_account).Field("export_controlled", token->export_controlled);
                w.Field("expires", FormatIso8601(token->expires)).Field("max_uses", token->max_uses).EndObject();
                Send(res, 201, w.str());
              });

  http_->Get("/admin/v1/product-instances", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    JsonWriter w;
    w.StartObject().Key("product_instances").StartArray();
    for (const auto& [id, pi] : cssm_.instances()) WriteInstance(w, pi);
    w.EndArray().EndObject();
    Send(res, 200, w.str());
  });

  http_->Get(R"(/admin/v1/product-instances/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex_);
    const ProductInstance* pi = cssm_.FindInstance(req.matches[1]);
    if (pi == nullptr) return SendError(res, NotFound("no product instance '" + std::string(req.matches[1]) + "'"));
    JsonWriter w;
    WriteInstance(w, *pi);
    Send(res, 200, w.str());
  });

  http_->Delete(R"(/admin/v1/product-instances/([^/]+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mutex_);
                  Status s = cssm_.RemoveInstance(req.matches[1]);
                  if (!s.ok()) return SendError(res, s);
                  res.status = 204;
                });

  http_->Post("/admin/v1/faults", [this](const httplib::Request& req, httplib::Response& res) {
    Result<Fault> fault = ParseFault(req.body);
    if (!fault.ok()) return SendError(res, fault.status());
    faults_.Add(*fault);
    Send(res, 201, FaultListJson(faults_.List()));
  });
  http_->Get("/admin/v1/faults", [this](const httplib::Request&, httplib::Response& res) {
    Send(res, 200, FaultListJson(faults_.List()));
  });
  http_->Delete("/admin/v1/faults", [this](const httplib::Request&, httplib::Response& res) {
    faults_.Clear();
    res.status = 204;
  });

  auto clock_json = [this] {
    JsonWriter w;
    w.StartObject().Field("offset_seconds", clock_.offset()).Field("server_time", FormatIso8601(clock_.Now())).EndObject();
    return w.str();
  };
  http_->Post("/admin/v1/clock", [this, clock_json](const httplib::Request& req, httplib::Response& res) {
    auto doc = Body(req, res);
    if (!doc) return;
    JsonReader r(*doc, "clock");
    // Up to 20 years either way: enough to expire anything the protocol issues.
    int64_t offset = r.Int("offset_seconds", -20 * 365 * kDay, 20 * 365 * kDay);
    if (!r.ok()) return SendError(res, r.status());
    clock_.SetOffset(offset);
    Send(res, 200, clock_json());
  });
  http_->Get("/admin/v1/clock", [clock_json](const httplib::Request&, httplib::Response& res) {
    Send(res, 200, clock_json());
  });
}

}  // namespace sl::mock
