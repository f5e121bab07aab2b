// Handling secrets (tokens, passwords, keys): masking them in text, comparing them in
// constant time, and making random ones. Thread-safety: pure functions; RandomBytes
// uses OpenSSL's thread-safe CSPRNG.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sl {

// Replaces every occurrence of `secret` in `text` with `mask`. The search resumes
// after each replacement, so a mask that contains the secret cannot loop. Secrets of
// any length are masked (over-masking a short one is the safe failure).
std::string MaskSecret(std::string text, std::string_view secret, std::string_view mask = "<redacted>");

// Compares without an early exit, for secrets such as bearer tokens.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Overwrites the bytes of `secret` (a decrypted key or record) before its memory is
// freed, in a way the compiler does not remove.
void WipeSecret(std::string& secret);

// `n` bytes from the OpenSSL CSPRNG (nonces, salts). Aborts if the CSPRNG fails:
// carrying on with weak identifiers or repeated nonces is worse.
std::string RandomBytes(size_t n);
// The same, hex-encoded (2n characters).
std::string RandomHex(size_t n);

}  // namespace sl
