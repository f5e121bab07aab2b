#include "mock_cssm/seed.h"

#include "mock_cssm/admin_forms.h"
#include "mock_cssm/status_context.h"

namespace sl::mock {

namespace {

// One virtual account of smart account `account`: the virtual account itself, its
// license pool and its tokens.
Status ApplyVirtualAccount(Cssm& cssm, const std::string& account, JsonReader& va) {
  AccountFields fields = ReadAccountFields(va);
  std::vector<std::pair<std::string, int64_t>> licenses;
  if (va.Has("licenses")) licenses = va.IntMembers("licenses", 0, kMaxLicenseCount, 1000);
  std::vector<JsonReader> tokens;
  if (va.Has("tokens")) tokens = va.Objects("tokens", 1000);
  if (!va.ok()) return va.status();
  const std::string& name = fields.name;
  std::string where = "seed virtual account '" + account + "/" + name + "'";
  SL_RETURN_IF_ERROR(Prefixed(where, cssm.AddVirtualAccount(account, name, fields.export_controlled_allowed)));
  for (const auto& [tag, count] : licenses) {
    SL_RETURN_IF_ERROR(Prefixed(where, cssm.SetLicenseCount(account, name, tag, count)));
  }
  for (JsonReader& token : tokens) {
    TokenSpec spec;
    spec.value = token.OptionalString("token", 512).value_or("");
    ReadTokenTerms(token, spec);
    if (!token.ok()) return token.status();
    Result<RegistrationToken> made = cssm.CreateToken(account, name, spec);
    if (!made.ok()) return Prefixed(where, made.status());
  }
  return Status::Ok();
}

}  // namespace

Status ApplySeed(Cssm& cssm, std::string_view json) {
  Result<rapidjson::Document> doc = ParseJson(json, kMaxSeedBytes);
  if (!doc.ok()) return doc.status();
  JsonReader root(*doc, "seed");
  std::vector<JsonReader> accounts = root.Objects("accounts", 1000);
  if (!root.ok()) return root.status();
  for (JsonReader& account : accounts) {
    AccountFields fields = ReadAccountFields(account);
    std::vector<JsonReader> vas;
    if (account.Has("virtual_accounts")) vas = account.Objects("virtual_accounts", 1000);
    if (!account.ok()) return account.status();
    SL_RETURN_IF_ERROR(
        Prefixed("seed account '" + fields.name + "'", cssm.AddAccount(fields.name, fields.export_controlled_allowed)));
    for (JsonReader& va : vas) SL_RETURN_IF_ERROR(ApplyVirtualAccount(cssm, fields.name, va));
  }
  return Status::Ok();
}

}  // namespace sl::mock
