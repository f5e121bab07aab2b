// The cryptography of the licensing protocol, on OpenSSL 3: EC P-256 keys, ECDSA
// with SHA-256 signatures, certificate signing requests, X.509 certificates and
// SHA-256. (Base64 and hex are base/encoding.h; random values base/secrets.h.)
//
// Device and CSSM keys are both P-256: small, fast and accepted everywhere TLS is.
// Key material is held in reference-counted OpenSSL objects, so the wrappers copy
// cheaply. Thread-safety: a const object may be used from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;
typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;

namespace sl {

class PublicKey {
 public:
  static Result<PublicKey> FromPem(std::string_view pem);
  std::string ToPem() const;
  // OK when `signature` (DER ECDSA) is this key's signature of `data`.
  Status Verify(std::string_view data, std::string_view signature) const;
  bool SameKeyAs(const PublicKey& other) const;
  EVP_PKEY* get() const { return key_.get(); }
  // Takes ownership of one reference to `key`.
  static PublicKey Adopt(EVP_PKEY* key);

 private:
  explicit PublicKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// What signs for a device or a server: a key in this process (PrivateKey) or one held
// elsewhere (a TPM, an HSM) behind the agent's DeviceKeyStore. The protocol signs
// envelopes and certificate requests only through this.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual PublicKey Public() const = 0;
  // DER-encoded ECDSA signature over SHA-256(data). Its length varies.
  virtual Result<std::string> Sign(std::string_view data) const = 0;
};

class PrivateKey final : public Signer {
 public:
  static Result<PrivateKey> Generate();  // EC P-256
  static Result<PrivateKey> FromPem(std::string_view pem);
  // Takes ownership of one reference to `key`, which belongs to `library` (a library
  // context with the provider that holds the key; nullptr: OpenSSL's default one).
  // The library context must outlive the key (KeyProvider's live as long as the process).
  static PrivateKey Adopt(EVP_PKEY* key, OSSL_LIB_CTX* library);
  // Unencrypted PKCS#8 PEM. A secret: store it with owner-only permissions, never log it.
  // A key held by a provider writes the provider's own form (e.g. a TPM's wrapped key).
  std::string ToPem() const;
  PublicKey Public() const override;
  Result<std::string> Sign(std::string_view data) const override;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, OSSL_LIB_CTX* library) : key_(std::move(key)), library_(library) {}
  std::shared_ptr<EVP_PKEY> key_;
  OSSL_LIB_CTX* library_ = nullptr;
};

class Certificate {
 public:
  static Result<Certificate> FromPem(std::string_view pem);
  std::string ToPem() const;
  std::string SerialHex() const;  // upper-case hex, no separators
  UnixSeconds NotBefore() const;
  UnixSeconds NotAfter() const;
  std::string SubjectCommonName() const;
  PublicKey Key() const;
  // OK when `issuer` signed this certificate and is named as its issuer.
  Status VerifyIssuedBy(const Certificate& issuer) const;
  X509* get() const { return cert_.get(); }
  // Takes ownership of one reference to `cert`.
  static Certificate Adopt(X509* cert);

 private:
  explicit Certificate(std::shared_ptr<X509> cert) : cert_(std::move(cert)) {}
  std::shared_ptr<X509> cert_;
};

// A PKCS#10 request whose self-signature has been checked.
struct CertificateRequest {
  PublicKey key;
  std::string common_name;
};

// A CSR for `signer`'s key with subject CN=`common_name`, in PEM. The request is built
// from its to-be-signed part and `signer`, so a key OpenSSL cannot use directly signs it too.
Result<std::string> MakeCertificateRequest(const Signer& signer, const std::string& common_name);
// Parses a CSR and checks that it is signed by the key it carries (proof of possession).
Result<CertificateRequest> ParseCertificateRequest(std::string_view pem);

// Issues a certificate for `subject_key`, signed by `issuer_key` as `issuer`, with a
// random 128-bit serial number. Not a CA certificate; digital signature use only.
Result<Certificate> IssueCertificate(const PrivateKey& issuer_key, const Certificate& issuer,
                                     const PublicKey& subject_key, const std::string& common_name,
                                     UnixSeconds not_before, UnixSeconds not_after);

std::string Sha256(std::string_view data);  // 32 raw bytes

}  // namespace sl
