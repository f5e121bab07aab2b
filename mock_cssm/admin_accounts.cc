// The admin API's account side, as on the CSSM portal: smart accounts, their virtual
// accounts, each virtual account's license pool and its registration tokens.
#include <httplib.h>

#include "base/iso8601.h"
#include "mock_cssm/admin_forms.h"
#include "mock_cssm/admin_routes.h"
#include "mock_cssm/http_util.h"

namespace sl::mock {

namespace {

// POST of a smart account or a virtual account (`what` names the object in errors):
// reads AccountFields, calls `add` with the mutex held, and echoes the fields with 201.
template <typename Add>
void CreateAccount(SharedCssm d, const httplib::Request& req, httplib::Response& res, const char* what,
                   Add add) {
  std::optional<AccountFields> fields = ReadAdminBody(req, res, what, ReadAccountFields);
  if (!fields) return;
  std::lock_guard<std::mutex> lock(d.mutex);
  Status s = add(*fields);
  if (!s.ok()) return SendAdminError(res, s);
  JsonWriter w;
  w.StartObject();
  WriteAccountFields(w, fields->name, fields->export_controlled_allowed);
  w.EndObject();
  SendJson(res, 201, w.str());
}

void ListAccounts(SharedCssm d, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(d.mutex);
  JsonWriter w;
  w.StartObject().Key("accounts").StartArray();
  for (const auto& [name, account] : d.cssm.accounts()) {
    w.StartObject();
    WriteAccountFields(w, name, account.export_controlled_allowed);
    w.Key("virtual_accounts").StartArray();
    for (const auto& [va_name, va] : account.virtual_accounts) {
      w.StartObject();
      WriteAccountFields(w, va_name, va.export_controlled_allowed);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  SendJson(res, 200, w.str());
}

void SetLicenseCount(SharedCssm d, const httplib::Request& req, httplib::Response& res) {
  std::optional<int64_t> count =
      ReadAdminBody(req, res, "license", [](JsonReader& r) { return r.Int("count", 0, kMaxLicenseCount); });
  if (!count) return;
  std::lock_guard<std::mutex> lock(d.mutex);
  Status s = d.cssm.SetLicenseCount(req.matches[1], req.matches[2], req.matches[3], *count);
  if (!s.ok()) return SendAdminError(res, s);
  JsonWriter w;
  w.StartObject().Field("tag", std::string(req.matches[3])).Field("count", *count).EndObject();
  SendJson(res, 200, w.str());
}

void ListLicenses(SharedCssm d, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(d.mutex);
  Result<std::vector<PoolLine>> lines = d.cssm.Licenses(req.matches[1], req.matches[2]);
  if (!lines.ok()) return SendAdminError(res, lines.status());
  JsonWriter w;
  w.StartObject().Key("licenses").StartArray();
  for (const PoolLine& l : *lines) {
    w.StartObject().Field("tag", l.tag).Field("owned", l.owned).Field("in_use", l.in_use);
    w.Field("status", l.status).EndObject();
  }
  w.EndArray().EndObject();
  SendJson(res, 200, w.str());
}

// The token's value is shown here, once: it is never listed afterwards.
void CreateToken(SharedCssm d, const httplib::Request& req, httplib::Response& res) {
  std::optional<TokenSpec> spec = ReadAdminBody(req, res, "token", [](JsonReader& r) {
    TokenSpec terms;
    ReadTokenTerms(r, terms);
    return terms;
  });
  if (!spec) return;
  std::lock_guard<std::mutex> lock(d.mutex);
  Result<RegistrationToken> token = d.cssm.CreateToken(req.matches[1], req.matches[2], *spec);
  if (!token.ok()) return SendAdminError(res, token.status());
  JsonWriter w;
  w.StartObject().Field("token", token->value).Field("smart_account", token->account);
  w.Field("virtual_account", token->virtual_account).Field("export_controlled", token->export_controlled);
  w.Field("expires", FormatIso8601(token->expires)).Field("max_uses", token->max_uses).EndObject();
  SendJson(res, 201, w.str());
}

}  // namespace

void InstallAccountRoutes(CappedRoutes& http, SharedCssm d) {
  // The groups of the patterns are the smart account, the virtual account, the tag.
  const std::string accounts = "/admin/v1/accounts";
  const std::string virtual_account = accounts + "/([^/]+)/virtual-accounts/([^/]+)";
  http.Post(accounts, [d](const httplib::Request& req, httplib::Response& res) {
    CreateAccount(d, req, res, "account", [&](const AccountFields& f) {
      return d.cssm.AddAccount(f.name, f.export_controlled_allowed);
    });
  });
  http.Get(accounts, [d](const httplib::Request&, httplib::Response& res) { ListAccounts(d, res); });
  http.Post(accounts + "/([^/]+)/virtual-accounts", [d](const httplib::Request& req, httplib::Response& res) {
    CreateAccount(d, req, res, "virtual_account", [&](const AccountFields& f) {
      return d.cssm.AddVirtualAccount(req.matches[1], f.name, f.export_controlled_allowed);
    });
  });
  http.Put(virtual_account + "/licenses/([^/]+)",
           [d](const httplib::Request& req, httplib::Response& res) { SetLicenseCount(d, req, res); });
  http.Get(virtual_account + "/licenses",
           [d](const httplib::Request& req, httplib::Response& res) { ListLicenses(d, req, res); });
  http.Post(virtual_account + "/tokens",
            [d](const httplib::Request& req, httplib::Response& res) { CreateToken(d, req, res); });
}

}  // namespace sl::mock
