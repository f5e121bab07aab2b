#include "mock_cssm/cssm.h"

#include "base/iso8601.h"
#include "base/secrets.h"

namespace sl::mock {

namespace {

constexpr const char* kAccountNameRule = "must be 1-128 characters without '/' or control characters";

Status NoAccount(const std::string& account) { return NotFound("no smart account '" + account + "'"); }

Status NoVirtualAccount(const std::string& account, const std::string& va) {
  return NotFound("no virtual account '" + va + "' in smart account '" + account + "'");
}

}  // namespace

bool IsValidAccountName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/') return false;
  }
  return true;
}

bool IsValidTokenValue(const std::string& value) {
  if (value.size() < 8 || value.size() > 512) return false;
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Cssm::Cssm(const TimeSource& clock, PrivateKey issuer_key, Certificate issuer)
    : clock_(clock), issuer_key_(std::move(issuer_key)), issuer_(std::move(issuer)) {}

// ---- Administration

SmartAccount* Cssm::FindAccount(const std::string& name) {
  auto it = accounts_.find(name);
  return it == accounts_.end() ? nullptr : &it->second;
}

VirtualAccount* Cssm::FindVirtualAccount(const std::string& account, const std::string& va) {
  SmartAccount* a = FindAccount(account);
  if (a == nullptr) return nullptr;
  auto it = a->virtual_accounts.find(va);
  return it == a->virtual_accounts.end() ? nullptr : &it->second;
}

Status Cssm::AddAccount(const std::string& name, bool export_controlled_allowed) {
  if (!IsValidAccountName(name)) {
    return InvalidArgument(std::string("account name ") + kAccountNameRule);
  }
  if (accounts_.count(name) != 0) return AlreadyExists("smart account '" + name + "' already exists");
  accounts_[name] = SmartAccount{name, export_controlled_allowed, {}};
  return Status::Ok();
}

Status Cssm::AddVirtualAccount(const std::string& account, const std::string& name,
                               bool export_controlled_allowed) {
  SmartAccount* a = FindAccount(account);
  if (a == nullptr) return NoAccount(account);
  if (!IsValidAccountName(name)) {
    return InvalidArgument(std::string("virtual account name ") + kAccountNameRule);
  }
  if (a->virtual_accounts.count(name) != 0) {
    return AlreadyExists("virtual account '" + name + "' already exists in '" + account + "'");
  }
  a->virtual_accounts[name] = VirtualAccount{name, export_controlled_allowed, {}};
  return Status::Ok();
}

Status Cssm::SetLicenseCount(const std::string& account, const std::string& va, const std::string& tag,
                             int64_t count) {
  VirtualAccount* v = FindVirtualAccount(account, va);
  if (v == nullptr) return NoVirtualAccount(account, va);
  if (!IsValidLicenseTag(tag)) return InvalidArgument("license tag must be 1-128 letters, digits or . _ - :");
  if (count < 0 || count > kMaxLicenseCount) {
    return InvalidArgument("license count must be between 0 and " + std::to_string(kMaxLicenseCount));
  }
  v->licenses[tag] = count;
  known_tags_.insert(tag);
  return Status::Ok();
}

Result<RegistrationToken> Cssm::CreateToken(const std::string& account, const std::string& va,
                                            const TokenSpec& spec) {
  SmartAccount* a = FindAccount(account);
  VirtualAccount* v = FindVirtualAccount(account, va);
  if (v == nullptr) return NoVirtualAccount(account, va);
  if (spec.export_controlled && !a->export_controlled_allowed) {
    return PermissionDenied("smart account '" + account + "' is not permitted to use export-controlled functionality");
  }
  if (spec.export_controlled && !v->export_controlled_allowed) {
    return PermissionDenied("virtual account '" + va + "' does not allow export-controlled functionality");
  }
  if (spec.expires_in_days < 1 || spec.expires_in_days > 365) {
    return InvalidArgument("expires_in_days must be between 1 and 365");
  }
  if (spec.max_uses < 1 || spec.max_uses > 1000000) {
    return InvalidArgument("max_uses must be between 1 and 1000000");
  }
  RegistrationToken t;
  t.value = spec.value.empty() ? RandomHex(32) : spec.value;
  if (!IsValidTokenValue(t.value)) {
    return InvalidArgument("token must be 8-512 letters, digits or - _ .");
  }
  if (tokens_.count(t.value) != 0) return AlreadyExists("that token value already exists");
  t.account = account;
  t.virtual_account = va;
  t.export_controlled = spec.export_controlled;
  t.created = clock_.Now();
  t.expires = t.created + spec.expires_in_days * kDay;
  t.max_uses = spec.max_uses;
  tokens_[t.value] = t;
  return t;
}

int64_t Cssm::InUse(const std::string& account, const std::string& va, const std::string& tag) const {
  int64_t total = 0;
  for (const auto& [id, pi] : instances_) {
    if (pi.account != account || pi.virtual_account != va) continue;
    auto it = pi.usage.find(tag);
    if (it != pi.usage.end()) total += it->second;
  }
  return total;
}

Result<std::vector<PoolLine>> Cssm::Licenses(const std::string& account, const std::string& va) const {
  auto a = accounts_.find(account);
  if (a == accounts_.end()) return NoAccount(account);
  auto v = a->second.virtual_accounts.find(va);
  if (v == a->second.virtual_accounts.end()) return NoVirtualAccount(account, va);
  std::vector<PoolLine> lines;
  for (const auto& [tag, owned] : v->second.licenses) {
    int64_t in_use = InUse(account, va, tag);
    lines.push_back({tag, owned, in_use, in_use > owned ? kTagOutOfCompliance : kTagAuthorized});
  }
  return lines;
}

const ProductInstance* Cssm::FindInstance(const std::string& id) const {
  auto it = instances_.find(id);
  return it == instances_.end() ? nullptr : &it->second;
}

Status Cssm::RemoveInstance(const std::string& id) {
  if (instances_.erase(id) == 0) return NotFound("no product instance '" + id + "'");
  return Status::Ok();
}

// ---- Licensing

Response Cssm::Reply(const Request& request) const {
  Response r;
  r.type = request.type;
  r.in_reply_to = request.message_id;
  r.server_time = clock_.Now();
  r.ok = true;
  return r;
}

Response Refused(Response response, const char* code, std::string message) {
  response.ok = false;
  response.error_code = code;
  response.error_message = std::move(message);
  return response;
}

Response Cssm::Refuse(const Request& request, const char* code, std::string message) const {
  return Refused(Reply(request), code, std::move(message));
}

Result<std::string> Cssm::IssueIdCertificate(ProductInstance& instance, const PublicKey& key) {
  UnixSeconds now = clock_.Now();
  Result<Certificate> cert =
      IssueCertificate(issuer_key_, issuer_, key, instance.id, now, now + terms::kIdCertificateValidity);
  if (!cert.ok()) return cert.status();
  if (instance.previous_cert_serial.empty() && !instance.cert_serial.empty()) {
    instance.previous_cert_serial = instance.cert_serial;
    instance.previous_public_key_pem = instance.public_key_pem;
  }
  instance.public_key_pem = key.ToPem();
  instance.cert_serial = cert->SerialHex();
  instance.registration_expires = cert->NotAfter();
  return cert->ToPem();
}

void Cssm::FillRegistration(const ProductInstance& instance, std::string cert_pem,
                            Response& response) const {
  response.instance_id = instance.id;
  response.id_certificate_pem = std::move(cert_pem);
  response.smart_account = instance.account;
  response.virtual_account = instance.virtual_account;
  response.export_controlled = instance.export_controlled;
  response.registration_expires = instance.registration_expires;
}

std::optional<Response> Cssm::RefuseToken(const Request& request, UnixSeconds now) const {
  auto t = tokens_.find(request.token);
  if (t == tokens_.end()) {
    return Refuse(request, error_code::kTokenInvalid, kUnknownTokenMessage);
  }
  const RegistrationToken& token = t->second;
  if (now >= token.expires) {
    return Refuse(request, error_code::kTokenExpired,
                  "the product instance registration token expired on " + FormatIso8601(token.expires));
  }
  if (token.uses >= token.max_uses) {
    return Refuse(request, error_code::kTokenUsedUp,
                  "the product instance registration token has been used its maximum of " +
                      std::to_string(token.max_uses) + " times");
  }
  return std::nullopt;
}

Response Cssm::Register(const Request& request, const PublicKey& device_key) {
  UnixSeconds now = clock_.Now();
  // A device registers once per UDI: registering again (possibly with another
  // virtual account's token) re-registers the same product instance and moves it.
  ProductInstance* instance = nullptr;
  for (auto& [id, pi] : instances_) {
    if (pi.udi == request.udi) instance = &pi;
  }
  if (instance != nullptr && instance->registration_token == request.token &&
      instance->registration_key_pem == device_key.ToPem()) {
    return RepeatRegistration(request, *instance, device_key);
  }
  if (std::optional<Response> refusal = RefuseToken(request, now)) return std::move(*refusal);
  RegistrationToken& token = tokens_.at(request.token);
  ProductInstance fresh;
  if (instance == nullptr) {
    fresh.id = "PI-" + RandomHex(8);
    fresh.udi = request.udi;
    fresh.registered_at = now;
    instance = &fresh;
  }
  instance->account = token.account;
  instance->virtual_account = token.virtual_account;
  instance->export_controlled = token.export_controlled;
  instance->hostname = request.hostname;
  instance->last_contact = now;
  Result<std::string> cert = IssueIdCertificate(*instance, device_key);
  if (!cert.ok()) {
    return Refuse(request, error_code::kInternalError,
                  "cannot issue the ID certificate: " + cert.status().message());
  }
  ++token.uses;
  instance->registration_token = request.token;
  instance->registration_key_pem = device_key.ToPem();
  if (instance == &fresh) instance = &(instances_[fresh.id] = std::move(fresh));
  Response r = Reply(request);
  FillRegistration(*instance, std::move(*cert), r);
  return r;
}

Response Cssm::RepeatRegistration(const Request& request, ProductInstance& instance, const PublicKey& key) {
  instance.hostname = request.hostname;
  instance.last_contact = clock_.Now();
  // A current certificate of this registration's key never reached the device (it
  // retried), so what the device holds, if anything, is still the previous one. One of
  // the old key came from a renewal of the previous certificate sent meanwhile, whose
  // answer the device may hold: it is replaced as any certificate is.
  bool lost = instance.public_key_pem == instance.registration_key_pem;
  std::string previous_serial = instance.previous_cert_serial;
  std::string previous_key = instance.previous_public_key_pem;
  Result<std::string> cert = IssueIdCertificate(instance, key);
  if (lost) {
    instance.previous_cert_serial = previous_serial;
    instance.previous_public_key_pem = previous_key;
  }
  if (!cert.ok()) {
    return Refuse(request, error_code::kInternalError, "cannot issue the ID certificate: " + cert.status().message());
  }
  Response r = Reply(request);
  FillRegistration(instance, std::move(*cert), r);
  return r;
}

void Cssm::CertificatePresented(const std::string& instance_id, const std::string& serial) {
  auto it = instances_.find(instance_id);
  if (it == instances_.end() || serial != it->second.cert_serial) return;
  it->second.previous_cert_serial.clear();
  it->second.previous_public_key_pem.clear();
}

Response Cssm::RenewIdCertificate(const Request& request, const std::string& instance_id) {
  ProductInstance& instance = instances_.at(instance_id);
  instance.hostname = request.hostname;  // absent: the device now asks for privacy
  instance.last_contact = clock_.Now();
  // Renewed for the key that signed the request: the previous certificate's when the
  // device still holds that one (the answer that replaced it was lost).
  bool holds_previous = !instance.previous_cert_serial.empty() && request.cert_serial == instance.previous_cert_serial;
  Result<PublicKey> key = PublicKey::FromPem(holds_previous ? instance.previous_public_key_pem : instance.public_key_pem);
  Result<std::string> cert = key.ok() ? IssueIdCertificate(instance, *key) : Result<std::string>(key.status());
  if (!cert.ok()) {
    return Refuse(request, error_code::kInternalError,
                  "cannot renew the ID certificate: " + cert.status().message());
  }
  Response r = Reply(request);
  FillRegistration(instance, std::move(*cert), r);
  return r;
}

void Cssm::FillLicenses(const ProductInstance& instance, Response& response) const {
  const VirtualAccount& va =
      accounts_.at(instance.account).virtual_accounts.at(instance.virtual_account);
  bool any_in_use = false;
  bool compliant = true;
  for (const auto& [tag, count] : instance.usage) {
    std::string status;
    if (known_tags_.count(tag) == 0) {
      status = kTagInvalid;
    } else {
      auto owned = va.licenses.find(tag);
      int64_t pool = owned == va.licenses.end() ? 0 : owned->second;
      status = InUse(instance.account, instance.virtual_account, tag) > pool ? kTagOutOfCompliance
                                                                              : kTagAuthorized;
    }
    if (count > 0) {
      any_in_use = true;
      if (status != kTagAuthorized) compliant = false;
    }
    response.licenses.push_back({tag, count, status});
  }
  response.authorization_status =
      !any_in_use ? kOverallNoLicensesInUse : compliant ? kOverallAuthorized : kOverallOutOfCompliance;
}

namespace {
std::map<std::string, int64_t> UsageMap(const Request& request) {
  std::map<std::string, int64_t> usage;
  for (const LicenseCount& u : request.usage) usage[u.tag] = u.count;
  return usage;
}
}  // namespace

Response Cssm::Authorize(const Request& request, const std::string& instance_id) {
  ProductInstance& instance = instances_.at(instance_id);
  UnixSeconds now = clock_.Now();
  instance.usage = UsageMap(request);
  instance.last_contact = now;
  instance.authorization_expires = now + terms::kAuthorizationValidity;
  Response r = Reply(request);
  FillLicenses(instance, r);
  r.authorization_expires = instance.authorization_expires;
  return r;
}

Response Cssm::ReportUsage(const Request& request, const std::string& instance_id) {
  ProductInstance& instance = instances_.at(instance_id);
  instance.usage = UsageMap(request);
  instance.last_contact = clock_.Now();
  Response r = Reply(request);
  FillLicenses(instance, r);
  return r;
}

Response Cssm::Deregister(const Request& request, const std::string& instance_id) {
  // Forgetting the instance releases its entitlements to the pool at once.
  instances_.erase(instance_id);
  return Reply(request);
}

}  // namespace sl::mock
