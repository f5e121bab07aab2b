#include "agent/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace sl {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// A context keyed for encryption or decryption with `associated_data` already fed.
CipherContext Start(bool encrypt, std::string_view key, std::string_view nonce, std::string_view associated_data) {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (ctx == nullptr || key.size() != kAesGcmKeyBytes || nonce.size() != kAesGcmNonceBytes ||
      EVP_CipherInit_ex2(ctx.get(), EVP_aes_256_gcm(), Bytes(key), Bytes(nonce), encrypt ? 1 : 0, nullptr) != 1 ||
      (!associated_data.empty() &&
       EVP_CipherUpdate(ctx.get(), nullptr, &len, Bytes(associated_data), static_cast<int>(associated_data.size())) !=
           1)) {
    return CipherContext(nullptr, &EVP_CIPHER_CTX_free);
  }
  return ctx;
}

}  // namespace

Result<std::string> AesGcmSeal(std::string_view key, std::string_view nonce, std::string_view associated_data,
                               std::string_view plaintext) {
  CipherContext ctx = Start(true, key, nonce, associated_data);
  std::string out(plaintext.size() + kAesGcmTagBytes, '\0');
  int len = 0;
  int final_len = 0;
  if (ctx == nullptr ||
      EVP_CipherUpdate(ctx.get(), Bytes(out), &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), Bytes(out) + len, &final_len) != 1 ||
      static_cast<size_t>(len + final_len) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAesGcmTagBytes),
                          Bytes(out) + plaintext.size()) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return Internal("AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::string> AesGcmOpen(std::string_view key, std::string_view nonce, std::string_view associated_data,
                               std::string_view sealed) {
  if (sealed.size() < kAesGcmTagBytes) return DataLoss("the encrypted data is truncated");
  const size_t text_size = sealed.size() - kAesGcmTagBytes;
  CipherContext ctx = Start(false, key, nonce, associated_data);
  if (ctx == nullptr) return Internal("AES-256-GCM decryption could not start");
  std::string out(text_size, '\0');
  std::string tag(sealed.substr(text_size));
  int len = 0;
  int final_len = 0;
  if (EVP_CipherUpdate(ctx.get(), Bytes(out), &len, Bytes(sealed), static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAesGcmTagBytes), tag.data()) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), Bytes(out) + len, &final_len) != 1) {
    // Nothing of an unauthenticated plaintext leaves this function.
    OPENSSL_cleanse(out.data(), out.size());
    return DataLoss("the encrypted data does not authenticate");
  }
  return out;
}

}  // namespace sl
