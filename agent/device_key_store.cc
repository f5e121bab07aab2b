// The device key stores of smartlicensing/device_key_store.h, over protocol/crypto.h and
// protocol/key_provider.h.
//
// References:
//   software:  the key's PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), as states before
//              the key store wrote it;
//   provider:  "provider: NAME\n" then the provider's PEM of the key, or "uri: URI\n".
// Every store loads every kind, so a key loads whatever store is configured now.
#include "smartlicensing/device_key_store.h"

#include "protocol/crypto.h"
#include "protocol/key_provider.h"

namespace sl {
namespace {

constexpr std::string_view kProviderLine = "provider: ";
constexpr std::string_view kUriLine = "uri: ";

class LoadedKey final : public DeviceKey {
 public:
  explicit LoadedKey(PrivateKey key) : key_(std::move(key)) {}
  std::string PublicKeyPem() const override { return key_.Public().ToPem(); }
  Result<std::string> Sign(std::string_view data) const override { return key_.Sign(data); }

 private:
  PrivateKey key_;
};

struct ProviderReference {
  std::string provider;
  std::string uri;  // or
  std::string pem;
};

// Empty provider: not a provider's reference (a software key).
ProviderReference Parse(std::string_view reference) {
  ProviderReference r;
  if (reference.substr(0, kProviderLine.size()) != kProviderLine) return r;
  size_t end = reference.find('\n');
  if (end == std::string_view::npos) return r;
  r.provider = std::string(reference.substr(kProviderLine.size(), end - kProviderLine.size()));
  std::string_view rest = reference.substr(end + 1);
  if (rest.substr(0, kUriLine.size()) == kUriLine) {
    rest.remove_prefix(kUriLine.size());
    r.uri = std::string(rest.substr(0, rest.find('\n')));
  } else {
    r.pem = std::string(rest);
  }
  return r;
}

std::string ProviderPlace(const std::string& provider) {
  if (provider == "tpm2") return "TPM (tpm2 provider)";
  return "OpenSSL provider '" + provider + "'";
}

// What an operator checks first when the provider's key cannot be used.
std::string Hint(const std::string& provider) {
  if (provider == "tpm2") {
    return " (is tpm2-openssl installed, the device's TPM present and TPM2OPENSSL_TCTI right?)";
  }
  return " (is the provider installed and its device present?)";
}

Result<std::unique_ptr<DeviceKey>> Load(const std::string& reference) {
  ProviderReference r = Parse(reference);
  if (r.provider.empty()) {
    Result<PrivateKey> key = PrivateKey::FromPem(reference);
    if (!key.ok()) return DataLoss("the device key is unreadable");
    return std::unique_ptr<DeviceKey>(new LoadedKey(std::move(key).value()));
  }
  Result<const KeyProvider*> provider = KeyProvider::Load(r.provider);
  if (!provider.ok()) {
    return NotFound("the device key is held by the " + ProviderPlace(r.provider) + ", which cannot be used here" +
                    Hint(r.provider) + ": " + provider.status().message());
  }
  Result<PrivateKey> key = r.uri.empty() ? (*provider)->FromPem(r.pem) : (*provider)->FromUri(r.uri);
  if (!key.ok()) {
    return NotFound("the device key is held by the " + ProviderPlace(r.provider) + " and cannot be loaded" +
                    Hint(r.provider) + ": " + key.status().message());
  }
  return std::unique_ptr<DeviceKey>(new LoadedKey(std::move(key).value()));
}

std::string Describe(const std::string& reference) {
  ProviderReference r = Parse(reference);
  if (r.provider.empty()) return "software (in the sealed state)";
  return ProviderPlace(r.provider) + (r.uri.empty() ? "" : ", key " + r.uri);
}

class SoftwareKeyStore final : public DeviceKeyStore {
 public:
  Result<std::string> CreateKey() override {
    Result<PrivateKey> key = PrivateKey::Generate();
    if (!key.ok()) return key.status();
    return key->ToPem();
  }
  Result<std::unique_ptr<DeviceKey>> LoadKey(const std::string& reference) const override { return Load(reference); }
  std::string DescribeKey(const std::string& reference) const override { return Describe(reference); }
};

class ProviderKeyStore final : public DeviceKeyStore {
 public:
  explicit ProviderKeyStore(ProviderKeyStoreOptions options) : options_(std::move(options)) {}

  Result<std::string> CreateKey() override {
    std::string head = std::string(kProviderLine) + options_.provider + "\n";
    if (!options_.key_uri.empty()) {
      std::string reference = head + std::string(kUriLine) + options_.key_uri + "\n";
      // Check now that it is there: a registration must not start with a key it cannot use.
      Result<std::unique_ptr<DeviceKey>> key = Load(reference);
      if (!key.ok()) return key.status();
      return reference;
    }
    Result<const KeyProvider*> provider = KeyProvider::Load(options_.provider);
    if (!provider.ok()) return NotFound("cannot create the device key: " + provider.status().message());
    Result<PrivateKey> key = (*provider)->Generate();
    if (!key.ok()) return key.status();
    return head + key->ToPem();
  }
  Result<std::unique_ptr<DeviceKey>> LoadKey(const std::string& reference) const override { return Load(reference); }
  std::string DescribeKey(const std::string& reference) const override { return Describe(reference); }

 private:
  const ProviderKeyStoreOptions options_;
};

}  // namespace

std::unique_ptr<DeviceKeyStore> NewSoftwareKeyStore() { return std::make_unique<SoftwareKeyStore>(); }

Result<std::unique_ptr<DeviceKeyStore>> NewProviderKeyStore(const ProviderKeyStoreOptions& options) {
  if (options.provider.empty()) return InvalidArgument("a key provider must be named (e.g. tpm2)");
  if (options.provider.find_first_of("\n\r") != std::string::npos ||
      options.key_uri.find_first_of("\n\r") != std::string::npos) {
    return InvalidArgument("the key provider and key URI must be one line each");
  }
  return std::unique_ptr<DeviceKeyStore>(new ProviderKeyStore(options));
}

}  // namespace sl
