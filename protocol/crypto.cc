#include "protocol/crypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <ctime>

namespace sl {
namespace {

// The most recent OpenSSL error as text, clearing the queue.
std::string OpenSslError(const char* what) {
  unsigned long code = ERR_peek_last_error();
  std::string msg = what;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  return msg;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())), &BIO_free);
}
BioPtr EmptyBio() { return BioPtr(BIO_new(BIO_s_mem()), &BIO_free); }
std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::shared_ptr<EVP_PKEY> OwnKey(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, &EVP_PKEY_free); }
std::shared_ptr<X509> OwnCert(X509* c) { return std::shared_ptr<X509>(c, &X509_free); }

constexpr size_t kMaxPemBytes = 16 * 1024;

UnixSeconds AsnTimeToUnix(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

}  // namespace

// ---- PublicKey

PublicKey PublicKey::Adopt(EVP_PKEY* key) { return PublicKey(OwnKey(key)); }

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) return InvalidArgument("public key PEM is too large");
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return InvalidArgument(OpenSslError("not a PEM public key"));
  return PublicKey(OwnKey(key));
}

std::string PublicKey::ToPem() const {
  BioPtr bio = EmptyBio();
  PEM_write_bio_PUBKEY(bio.get(), key_.get());
  return BioContents(bio.get());
}

Status PublicKey::Verify(std::string_view data, std::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    return Internal(OpenSslError("cannot start signature verification"));
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
  ERR_clear_error();
  if (rc != 1) return Unauthenticated("signature does not verify");
  return Status::Ok();
}

bool PublicKey::SameKeyAs(const PublicKey& other) const {
  return EVP_PKEY_eq(key_.get(), other.key_.get()) == 1;
}

// ---- PrivateKey

Result<PrivateKey> PrivateKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) return Internal(OpenSslError("cannot generate an EC P-256 key"));
  return PrivateKey(OwnKey(key), nullptr);
}

PrivateKey PrivateKey::Adopt(EVP_PKEY* key, OSSL_LIB_CTX* library) { return PrivateKey(OwnKey(key), library); }

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) return InvalidArgument("private key PEM is too large");
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  // Deliberately no OpenSSL detail: it could quote key material.
  ERR_clear_error();
  if (key == nullptr) return InvalidArgument("not a PEM private key");
  return PrivateKey(OwnKey(key), nullptr);
}

std::string PrivateKey::ToPem() const {
  BioPtr bio = EmptyBio();
  PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioContents(bio.get());
}

PublicKey PrivateKey::Public() const {
  if (library_ == nullptr) {
    // The EVP_PKEY holds both halves; sharing it is enough to verify with, and
    // PublicKey::ToPem writes only the public half.
    EVP_PKEY_up_ref(key_.get());
    return PublicKey::Adopt(key_.get());
  }
  // A provider's key is copied out as a plain public key: comparing and verifying
  // then need neither the provider nor its hardware.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_.get(), &der);
  const unsigned char* in = der;
  EVP_PKEY* copy = len > 0 ? d2i_PUBKEY(nullptr, &in, len) : nullptr;
  OPENSSL_free(der);
  ERR_clear_error();
  return PublicKey::Adopt(copy);
}

Result<std::string> PrivateKey::Sign(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  // In the key's own library context: a provider's key signs only inside its provider.
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", library_, nullptr, key_.get(), nullptr) != 1) {
    return Internal(OpenSslError("cannot start signing"));
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return Internal(OpenSslError("cannot size the signature"));
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1) {
    return Internal(OpenSslError("cannot sign"));
  }
  sig.resize(len);
  return sig;
}

// ---- Certificate

Certificate Certificate::Adopt(X509* cert) { return Certificate(OwnCert(cert)); }

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) return InvalidArgument("certificate PEM is too large");
  BioPtr bio = MemoryBio(pem);
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) return InvalidArgument(OpenSslError("not a PEM certificate"));
  return Certificate(OwnCert(cert));
}

std::string Certificate::ToPem() const {
  BioPtr bio = EmptyBio();
  PEM_write_bio_X509(bio.get(), cert_.get());
  return BioContents(bio.get());
}

std::string Certificate::SerialHex() const {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr);
  if (bn == nullptr) return {};
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

UnixSeconds Certificate::NotBefore() const { return AsnTimeToUnix(X509_get0_notBefore(cert_.get())); }
UnixSeconds Certificate::NotAfter() const { return AsnTimeToUnix(X509_get0_notAfter(cert_.get())); }

std::string Certificate::SubjectCommonName() const {
  char buf[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert_.get()), NID_commonName, buf,
                                sizeof buf) < 0) {
    return {};
  }
  return buf;
}

PublicKey Certificate::Key() const { return PublicKey::Adopt(X509_get_pubkey(cert_.get())); }

Status Certificate::VerifyIssuedBy(const Certificate& issuer) const {
  if (X509_NAME_cmp(X509_get_issuer_name(cert_.get()), X509_get_subject_name(issuer.get())) != 0) {
    return Unauthenticated("certificate was not issued by '" + issuer.SubjectCommonName() + "'");
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  int rc = key != nullptr ? X509_verify(cert_.get(), key) : 0;
  ERR_clear_error();
  if (rc != 1) return Unauthenticated("certificate signature does not verify against its issuer");
  return Status::Ok();
}

// ---- Certificate requests

Result<std::string> MakeCertificateRequest(const Signer& signer, const std::string& common_name) {
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new(), &X509_REQ_free);
  if (!req) return Internal("out of memory");
  PublicKey key = signer.Public();
  if (key.get() == nullptr) return Internal("the signer has no public key");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  if (X509_REQ_set_version(req.get(), 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
    return Internal(OpenSslError("cannot make a certificate request"));
  }
  // Sign the encoded CertificationRequestInfo ourselves (RFC 2986 section 4.2).
  unsigned char* tbs = nullptr;
  int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs);
  if (tbs_len <= 0) return Internal(OpenSslError("cannot encode a certificate request"));
  Result<std::string> signature = signer.Sign(std::string_view(reinterpret_cast<char*>(tbs), tbs_len));
  OPENSSL_free(tbs);
  if (!signature.ok()) return signature.status();
  X509_ALGOR* algorithm = X509_ALGOR_new();
  ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
  bool ok = algorithm != nullptr && bits != nullptr &&
            X509_ALGOR_set0(algorithm, OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_UNDEF, nullptr) == 1 &&
            ASN1_BIT_STRING_set(bits, reinterpret_cast<unsigned char*>(signature->data()),
                                static_cast<int>(signature->size())) == 1;
  if (ok) {
    // A whole number of bytes: no unused bits (as X509_REQ_sign writes it).
    bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    ok = X509_REQ_set1_signature_algo(req.get(), algorithm) == 1;
  }
  X509_ALGOR_free(algorithm);
  if (!ok) {
    ASN1_BIT_STRING_free(bits);
    return Internal(OpenSslError("cannot sign a certificate request"));
  }
  X509_REQ_set0_signature(req.get(), bits);
  BioPtr bio = EmptyBio();
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  return BioContents(bio.get());
}

Result<CertificateRequest> ParseCertificateRequest(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) return InvalidArgument("certificate request is too large");
  BioPtr bio = MemoryBio(pem);
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(
      PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr), &X509_REQ_free);
  if (!req) return InvalidArgument(OpenSslError("not a PEM certificate request"));
  EVP_PKEY* key = X509_REQ_get_pubkey(req.get());
  if (key == nullptr) return InvalidArgument(OpenSslError("certificate request has no public key"));
  PublicKey public_key = PublicKey::Adopt(key);
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
    return InvalidArgument("certificate request key must be an EC P-256 key");
  }
  if (X509_REQ_verify(req.get(), key) != 1) {
    ERR_clear_error();
    return Unauthenticated("certificate request is not signed by its own key");
  }
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req.get()), NID_commonName, cn, sizeof cn);
  return CertificateRequest{public_key, cn};
}

Result<Certificate> IssueCertificate(const PrivateKey& issuer_key, const Certificate& issuer,
                                     const PublicKey& subject_key, const std::string& common_name,
                                     UnixSeconds not_before, UnixSeconds not_after) {
  std::shared_ptr<X509> cert = OwnCert(X509_new());
  if (!cert) return Internal("out of memory");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Internal(OpenSslError("no randomness"));
  serial[0] &= 0x7f;  // positive
  serial[0] |= 0x01;  // and never shorter than 16 bytes
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(serial, sizeof serial, nullptr), &BN_free);
  X509_NAME* name = X509_get_subject_name(cert.get());
  bool ok = bn && X509_set_version(cert.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr &&
            ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(not_before)) != nullptr &&
            ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(not_after)) != nullptr &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                       -1, -1, 0) == 1 &&
            X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer.get())) == 1 &&
            X509_set_pubkey(cert.get(), subject_key.get()) == 1;
  if (ok) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer.get(), cert.get(), nullptr, nullptr, 0);
    for (const char* ext : {"basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature"}) {
      std::string conf(ext);
      auto eq = conf.find('=');
      X509_EXTENSION* e = X509V3_EXT_conf(nullptr, &ctx, conf.substr(0, eq).c_str(),
                                          conf.substr(eq + 1).c_str());
      ok = ok && e != nullptr && X509_add_ext(cert.get(), e, -1) == 1;
      X509_EXTENSION_free(e);
    }
  }
  // X509_sign returns the signature length, 0 on failure.
  if (!ok || X509_sign(cert.get(), issuer_key.get(), EVP_sha256()) <= 0) {
    return Internal(OpenSslError("cannot issue a certificate"));
  }
  X509_up_ref(cert.get());
  return Certificate::Adopt(cert.get());
}

std::string Sha256(std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

}  // namespace sl
