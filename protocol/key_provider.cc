#include "protocol/key_provider.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>

#include <map>
#include <memory>
#include <mutex>

namespace sl {
namespace {

// OpenSSL's reason for the last failure, clearing the queue. Only for operations on
// public data or handles: it must never quote key material.
std::string Reason() {
  unsigned long code = ERR_peek_last_error();
  std::string text;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    text = std::string(": ") + buf;
  }
  ERR_clear_error();
  return text;
}

// Where a provider's keys are searched first.
std::string Preferring(const std::string& name) { return "?provider=" + name; }

}  // namespace

Result<const KeyProvider*> KeyProvider::Load(const std::string& name) {
  static std::mutex mu;
  // Never freed: the keys handed out point into these contexts until the process ends.
  static auto* loaded = new std::map<std::string, KeyProvider*>;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = loaded->find(name); it != loaded->end()) return it->second;
  OSSL_LIB_CTX* library = OSSL_LIB_CTX_new();
  if (library == nullptr) return Internal("out of memory");
  if (OSSL_PROVIDER_load(library, name.c_str()) == nullptr) {
    std::string reason = Reason();
    OSSL_LIB_CTX_free(library);
    return NotFound("the OpenSSL provider '" + name + "' cannot be loaded" + reason);
  }
  if (OSSL_PROVIDER_load(library, "default") == nullptr) {
    std::string reason = Reason();
    OSSL_LIB_CTX_free(library);
    return Internal("OpenSSL's default provider cannot be loaded" + reason);
  }
  auto* provider = new KeyProvider(name, library);
  (*loaded)[name] = provider;
  return provider;
}

Result<PrivateKey> KeyProvider::Generate() const {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(library_, Preferring(name_).c_str(), "EC", "P-256");
  if (key == nullptr) return NotFound("the provider '" + name_ + "' cannot create an EC P-256 key" + Reason());
  return PrivateKey::Adopt(key, library_);
}

Result<PrivateKey> KeyProvider::FromPem(std::string_view pem) const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, nullptr, nullptr, library_,
                                             Preferring(name_).c_str());
  // A wrapped key is useless without its TPM, but say nothing about its bytes anyway.
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (key == nullptr) {
    std::string reason;
    if (code != 0) {
      char buf[256];
      ERR_error_string_n(code, buf, sizeof buf);
      reason = std::string(" (") + buf + ")";
    }
    return NotFound("the provider '" + name_ + "' cannot load the device key" + reason);
  }
  return PrivateKey::Adopt(key, library_);
}

Result<PrivateKey> KeyProvider::FromUri(const std::string& uri) const {
  std::unique_ptr<OSSL_STORE_CTX, decltype(&OSSL_STORE_close)> store(
      OSSL_STORE_open_ex(uri.c_str(), library_, Preferring(name_).c_str(), nullptr, nullptr, nullptr, nullptr,
                         nullptr),
      &OSSL_STORE_close);
  if (!store) return NotFound("the provider '" + name_ + "' cannot open the key '" + uri + "'" + Reason());
  OSSL_STORE_expect(store.get(), OSSL_STORE_INFO_PKEY);
  while (!OSSL_STORE_eof(store.get())) {
    std::unique_ptr<OSSL_STORE_INFO, decltype(&OSSL_STORE_INFO_free)> info(OSSL_STORE_load(store.get()),
                                                                           &OSSL_STORE_INFO_free);
    if (!info) break;
    if (OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY) {
      EVP_PKEY* key = OSSL_STORE_INFO_get1_PKEY(info.get());
      ERR_clear_error();
      if (key != nullptr) return PrivateKey::Adopt(key, library_);
    }
  }
  return NotFound("the provider '" + name_ + "' holds no private key at '" + uri + "'" + Reason());
}

}  // namespace sl
