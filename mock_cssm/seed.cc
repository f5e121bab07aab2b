#include "mock_cssm/seed.h"

#include "base/json.h"

namespace sl::mock {

namespace {
Status Prefixed(const std::string& where, const Status& s) {
  return s.ok() ? s : Status(s.code(), where + ": " + s.message());
}
}  // namespace

Status ApplySeed(Cssm& cssm, std::string_view json) {
  Result<rapidjson::Document> doc = ParseJson(json, kMaxSeedBytes);
  if (!doc.ok()) return doc.status();
  JsonReader root(*doc, "seed");
  std::vector<JsonReader> accounts = root.Objects("accounts", 1000);
  if (!root.ok()) return root.status();
  for (JsonReader& account : accounts) {
    std::string name = account.String("name", 128);
    bool account_ec = account.OptionalBool("export_controlled_allowed").value_or(true);
    std::vector<JsonReader> vas;
    if (account.Has("virtual_accounts")) vas = account.Objects("virtual_accounts", 1000);
    if (!account.ok()) return account.status();
    SL_RETURN_IF_ERROR(Prefixed("seed account '" + name + "'", cssm.AddAccount(name, account_ec)));

    for (JsonReader& va : vas) {
      std::string va_name = va.String("name", 128);
      bool va_ec = va.OptionalBool("export_controlled_allowed").value_or(true);
      std::vector<std::pair<std::string, int64_t>> licenses;
      if (va.Has("licenses")) licenses = va.IntMembers("licenses", 0, kMaxLicenseCount, 1000);
      std::vector<JsonReader> tokens;
      if (va.Has("tokens")) tokens = va.Objects("tokens", 1000);
      if (!va.ok()) return va.status();
      std::string where = "seed virtual account '" + name + "/" + va_name + "'";
      SL_RETURN_IF_ERROR(Prefixed(where, cssm.AddVirtualAccount(name, va_name, va_ec)));
      for (const auto& [tag, count] : licenses) {
        SL_RETURN_IF_ERROR(Prefixed(where, cssm.SetLicenseCount(name, va_name, tag, count)));
      }
      for (JsonReader& token : tokens) {
        TokenSpec spec;
        spec.value = token.OptionalString("token", 512).value_or("");
        spec.export_controlled = token.OptionalBool("export_controlled").value_or(false);
        spec.expires_in_days = token.OptionalInt("expires_in_days", 1, 365).value_or(30);
        spec.max_uses = token.OptionalInt("max_uses", 1, 1000000).value_or(1);
        if (!token.ok()) return token.status();
        Result<RegistrationToken> made = cssm.CreateToken(name, va_name, spec);
        if (!made.ok()) return Prefixed(where, made.status());
      }
    }
  }
  return Status::Ok();
}

}  // namespace sl::mock
