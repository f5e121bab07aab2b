// DeviceKeyStore: where the device's private key lives and signs (public API).
//
// Each registration creates a new EC P-256 key: its public half goes to CSSM in the
// certificate request, and every request to CSSM is signed with it (ECDSA, SHA-256).
// The agent's state keeps only a *reference* to the key, which the store that made it
// turns back into a key:
//   - the software store (NewSoftwareKeyStore, the default): the reference is the key
//     itself (PKCS#8 PEM), kept in the sealed state record. Whoever copies the state
//     and the device secret can sign as the device.
//   - an OpenSSL 3 provider (NewProviderKeyStore), e.g. "tpm2" from Debian's
//     tpm2-openssl: the key is created inside the TPM, and the reference is the TPM's
//     wrapped form of it ("TSS2 PRIVATE KEY"), which only that TPM can use. A copied
//     disk is then not a cloned device. With a key URI (e.g. "handle:0x81000001", a
//     persistent TPM key made by the operator with tpm2_evictcontrol) every
//     registration uses that one key, loaded through OSSL_STORE, and the reference
//     names the URI.
// A key already created loads from its reference whatever store is configured now:
// changing the option takes effect at the next registration. A reference that cannot
// be loaded (the provider is not installed, the TPM is absent or is another TPM) is
// NotFound, a local configuration problem, and the agent reports it as such.
//
// slagent takes the provider from --key-provider or SLAGENT_KEY_PROVIDER and the URI
// from --key-uri or SLAGENT_KEY_URI; the tpm2 provider finds the TPM through
// TPM2OPENSSL_TCTI (e.g. "device:/dev/tpmrm0"; docs/install.md has a systemd drop-in).
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

// A loaded device key. Its private half may never be in this process.
class DeviceKey {
 public:
  virtual ~DeviceKey() = default;
  // The public key, PEM ("BEGIN PUBLIC KEY", SubjectPublicKeyInfo).
  virtual std::string PublicKeyPem() const = 0;
  // DER-encoded ECDSA signature over SHA-256(data).
  virtual Result<std::string> Sign(std::string_view data) const = 0;
};

class DeviceKeyStore {
 public:
  virtual ~DeviceKeyStore() = default;
  // Creates the key of a new registration and returns its reference, which the agent
  // keeps in its sealed state. A secret when it is the key itself: never log it.
  virtual Result<std::string> CreateKey() = 0;
  // The key `reference` names. NotFound when it cannot be loaded here.
  virtual Result<std::unique_ptr<DeviceKey>> LoadKey(const std::string& reference) const = 0;
  // Where the key `reference` names lives, for an operator: "software (in the sealed
  // state)", "TPM (tpm2 provider)", "OpenSSL provider 'name'".
  virtual std::string DescribeKey(const std::string& reference) const = 0;
};

// Today's behaviour: keys generated in the process, kept in the sealed state.
std::unique_ptr<DeviceKeyStore> NewSoftwareKeyStore();

struct ProviderKeyStoreOptions {
  std::string provider;  // the OpenSSL provider's name, e.g. "tpm2"
  // Optional: the one key every registration uses, e.g. "handle:0x81000001". Empty:
  // each registration creates a key inside the provider.
  std::string key_uri;
};
// The provider is loaded on first use, so a store made for an absent TPM still opens
// the agent (its status shows, its software key still signs). InvalidArgument when
// the provider is not named.
Result<std::unique_ptr<DeviceKeyStore>> NewProviderKeyStore(const ProviderKeyStoreOptions& options);

}  // namespace sl
