// KeyProvider: an OpenSSL 3 provider that holds private keys outside this process
// (e.g. "tpm2" from tpm2-openssl: the key is created inside the TPM and leaves it only
// wrapped under the TPM's storage key, usable by that TPM alone).
//
// Each provider is loaded once per process into a library context of its own, next to
// OpenSSL's "default" provider (for the digests and encoders it lacks), so that it never
// serves the rest of the process: TLS and verification keep using the default context.
// Loading the tpm2 provider opens its TCTI (TPM2OPENSSL_TCTI), so it is done on first
// use, not when the agent is configured.
//
// Thread-safety: Load() may be called from any thread; a KeyProvider is immutable and
// lives until the process exits.
#pragma once

#include <string>
#include <string_view>

#include "protocol/crypto.h"
#include "smartlicensing/status.h"

namespace sl {

class KeyProvider {
 public:
  // The provider named `name`, loaded on first call. NotFound, with OpenSSL's reason,
  // when it cannot be loaded (not installed, or its hardware is absent).
  static Result<const KeyProvider*> Load(const std::string& name);

  // A new EC P-256 key created inside the provider.
  Result<PrivateKey> Generate() const;
  // A key from the provider's own PEM form (what PrivateKey::ToPem writes for it).
  Result<PrivateKey> FromPem(std::string_view pem) const;
  // A key the provider already holds, named by a key URI (e.g. "handle:0x81000001"),
  // through OSSL_STORE.
  Result<PrivateKey> FromUri(const std::string& uri) const;

  const std::string& name() const { return name_; }

 private:
  KeyProvider(std::string name, OSSL_LIB_CTX* library) : name_(std::move(name)), library_(library) {}
  std::string name_;
  OSSL_LIB_CTX* library_;
};

}  // namespace sl
