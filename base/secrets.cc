#include "base/secrets.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "base/encoding.h"

namespace sl {

std::string MaskSecret(std::string text, std::string_view secret, std::string_view mask) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + mask.size())) {
    text.replace(at, secret.size(), mask);
  }
  return text;
}

std::string RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    // The CSPRNG failing is not something to carry on from with weak identifiers.
    std::abort();
  }
  return bytes;
}

std::string RandomHex(size_t n) { return HexEncode(RandomBytes(n)); }

void WipeSecret(std::string& secret) { OPENSSL_cleanse(secret.data(), secret.size()); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sl
