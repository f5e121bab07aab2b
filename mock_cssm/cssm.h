// The mock CSSM's domain model: smart accounts, virtual accounts, license pools,
// product instance registration tokens and product instances, and the licensing
// operations on them (register, renew ID certificate, authorize, report usage,
// deregister) as the specification describes them.
//
// This layer knows nothing of HTTP or envelopes: LicensingService checks signatures,
// freshness and replays before calling it, and signs what it returns. Times come from
// the injected TimeSource (the server's clock, which tests may move).
// Thread-safety: not thread-safe; the server serialises every call with one mutex.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/crypto.h"
#include "protocol/messages.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl::mock {

// The per-tag and overall strings the server computes, in the specification's words.
inline constexpr const char* kTagAuthorized = terms::kAuthorized;
inline constexpr const char* kTagOutOfCompliance = terms::kLicenseOutOfCompliance;
inline constexpr const char* kTagInvalid = terms::kLicenseInvalidTag;
inline constexpr const char* kOverallAuthorized = terms::kAuthorized;
inline constexpr const char* kOverallOutOfCompliance = terms::kOutOfCompliance;
inline constexpr const char* kOverallNoLicensesInUse = terms::kNoLicensesInUse;

struct VirtualAccount {
  std::string name;
  bool export_controlled_allowed = true;
  std::map<std::string, int64_t> licenses;  // tag -> owned count
};

struct SmartAccount {
  std::string name;
  bool export_controlled_allowed = true;  // false: the account is barred from export control
  std::map<std::string, VirtualAccount> virtual_accounts;
};

struct RegistrationToken {
  std::string value;  // a secret: shown once when created, never listed
  std::string account;
  std::string virtual_account;
  bool export_controlled = false;
  UnixSeconds created = 0;
  UnixSeconds expires = 0;
  int64_t max_uses = 1;
  int64_t uses = 0;
};

struct TokenSpec {
  bool export_controlled = false;
  int64_t expires_in_days = 30;  // 1-365, as CSSM offers
  int64_t max_uses = 1;
  std::string value;  // empty: a random token is made; seeds may fix one for demos
};

struct ProductInstance {
  std::string id;
  Udi udi;
  std::optional<std::string> hostname;  // absent when the device asked for privacy
  std::string account;
  std::string virtual_account;
  bool export_controlled = false;
  std::string public_key_pem;
  std::string cert_serial;
  // The certificate (and its key) the device was last known to hold while it has not yet
  // used the newer one: after a lost reply to a renewal or re-registration the device
  // still signs with it, and is accepted until it presents the current one. Empty when
  // the device is known to hold the current certificate.
  std::string previous_cert_serial;
  std::string previous_public_key_pem;
  // The token of the registration and the key of its CSR: a registration retried after
  // a lost reply (same token, same UDI, same key) is answered again without another
  // use. The key is kept apart from the current one because a renewal of the previous
  // certificate, between the lost answer and the retry, puts the old key back.
  std::string registration_token;
  std::string registration_key_pem;
  UnixSeconds registered_at = 0;
  UnixSeconds registration_expires = 0;  // the ID certificate's notAfter
  UnixSeconds last_contact = 0;
  UnixSeconds authorization_expires = 0;  // 0: never authorized
  std::map<std::string, int64_t> usage;   // tag -> count last reported
};

// One line of a virtual account's license view.
struct PoolLine {
  std::string tag;
  int64_t owned = 0;
  int64_t in_use = 0;  // reported by every product instance of the virtual account
  std::string status;  // kTagAuthorized or kTagOutOfCompliance
};

class Cssm {
 public:
  // `issuer_key`/`issuer` sign the ID certificates (the CSSM signing key).
  Cssm(const TimeSource& clock, PrivateKey issuer_key, Certificate issuer);

  // ---- Administration (the CSSM web portal's actions)
  Status AddAccount(const std::string& name, bool export_controlled_allowed);
  Status AddVirtualAccount(const std::string& account, const std::string& name,
                           bool export_controlled_allowed);
  Status SetLicenseCount(const std::string& account, const std::string& va, const std::string& tag,
                         int64_t count);
  Result<RegistrationToken> CreateToken(const std::string& account, const std::string& va,
                                        const TokenSpec& spec);
  // True when this CSSM issued the token `value` (whether or not it may still be used).
  bool IssuedToken(const std::string& value) const { return tokens_.count(value) != 0; }
  Result<std::vector<PoolLine>> Licenses(const std::string& account, const std::string& va) const;
  const std::map<std::string, SmartAccount>& accounts() const { return accounts_; }
  const std::map<std::string, ProductInstance>& instances() const { return instances_; }
  const ProductInstance* FindInstance(const std::string& id) const;
  // Manual removal of a product instance on the portal; releases its licenses.
  Status RemoveInstance(const std::string& id);

  // ---- Licensing operations. The caller has checked the request's signature and,
  // for all but Register, that it comes from `instance` with its current certificate
  // or the previous one (which the device holds if the answer that replaced it was lost).
  Response Register(const Request& request, const PublicKey& device_key);
  // The device presented `serial`: when it is the current certificate, the previous
  // one is no longer accepted.
  void CertificatePresented(const std::string& instance_id, const std::string& serial);
  Response RenewIdCertificate(const Request& request, const std::string& instance_id);
  Response Authorize(const Request& request, const std::string& instance_id);
  Response ReportUsage(const Request& request, const std::string& instance_id);
  Response Deregister(const Request& request, const std::string& instance_id);

  const TimeSource& clock() const { return clock_; }

 private:
  SmartAccount* FindAccount(const std::string& name);
  VirtualAccount* FindVirtualAccount(const std::string& account, const std::string& va);
  Response Reply(const Request& request) const;
  Response Refuse(const Request& request, const char* code, std::string message) const;
  // The refusal of a registration whose token is unknown, expired or used up;
  // nullopt when the token may be used at `now`.
  std::optional<Response> RefuseToken(const Request& request, UnixSeconds now) const;
  // Issues a fresh 1-year ID certificate for `instance` and `key`, by the server's
  // clock; PEM. The certificate it replaces becomes the previous one unless one is
  // still waiting for the device to move on (it may hold that one).
  Result<std::string> IssueIdCertificate(ProductInstance& instance, const PublicKey& key);
  // A registration retried after a lost reply: answered again with a fresh
  // certificate, no token use.
  Response RepeatRegistration(const Request& request, ProductInstance& instance, const PublicKey& key);
  void FillRegistration(const ProductInstance& instance, std::string cert_pem, Response& response) const;
  // Per-tag statuses of `instance`'s usage against its virtual account's pool.
  void FillLicenses(const ProductInstance& instance, Response& response) const;
  int64_t InUse(const std::string& account, const std::string& va, const std::string& tag) const;

  const TimeSource& clock_;
  PrivateKey issuer_key_;
  Certificate issuer_;
  std::map<std::string, SmartAccount> accounts_;
  std::map<std::string, RegistrationToken> tokens_;       // by value
  std::map<std::string, ProductInstance> instances_;       // by id
  std::set<std::string> known_tags_;  // every tag any pool has named: the rest are Invalid-tag
};

// Why a registration with a token this CSSM never issued is refused.
inline constexpr const char* kUnknownTokenMessage =
    "the product instance registration token is not valid: this CSSM did not issue it";

// `response` made a refusal: not ok, with a stable error code and an operator's sentence.
Response Refused(Response response, const char* code, std::string message);

// Names of accounts and virtual accounts: 1-128 characters, no '/' or control characters.
bool IsValidAccountName(const std::string& name);
// Token values: 8-512 characters of letters, digits and - _ .
bool IsValidTokenValue(const std::string& value);

}  // namespace sl::mock
