// AES-256-GCM on OpenSSL 3 EVP: the agent's encryption at rest, for the secret fields
// of the state record (state_secrets.h) and encrypted backups (backup_file.h). A
// 96-bit nonce, which the caller draws at random for every message, and a 128-bit tag.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

constexpr size_t kAesGcmKeyBytes = 32;
constexpr size_t kAesGcmNonceBytes = 12;
constexpr size_t kAesGcmTagBytes = 16;

// The ciphertext followed by the tag, which authenticates it and `associated_data`.
// REQUIRES: key.size() == kAesGcmKeyBytes, nonce.size() == kAesGcmNonceBytes, and a
// nonce never used before with this key. Internal only if OpenSSL fails.
Result<std::string> AesGcmSeal(std::string_view key, std::string_view nonce, std::string_view associated_data,
                               std::string_view plaintext);

// The plaintext of AesGcmSeal's output. DataLoss when the tag does not verify (another
// key, another nonce or associated data, or any byte changed or missing): GCM cannot
// tell a wrong key from damaged bytes. REQUIRES: as AesGcmSeal.
Result<std::string> AesGcmOpen(std::string_view key, std::string_view nonce, std::string_view associated_data,
                               std::string_view sealed);

}  // namespace sl
