// What the libFuzzer harnesses of fuzz/ share: the check that aborts when a property
// breaks (libFuzzer then keeps the input as a crash), the test keys, and the
// placeholders by which a seed input names values known only at run time (a CSR or
// certificate of a key made at start-up, a fresh message id). docs/fuzzing.md.
// Thread-safety: none; a harness runs one input at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/crypto.h"
#include "smartlicensing/time_source.h"

namespace sl::fuzz {

// The time every harness runs at; seed inputs carry it as sent_at / server_time.
constexpr UnixSeconds kNow = 1795851683;

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Aborts, printing `what` and `detail`, when `holds` is false.
void Check(bool holds, const char* what, std::string_view detail = {});

// The CSSM signing key and certificate of the test PKI made at build time.
const PrivateKey& CssmKey();
const Certificate& CssmCertificate();

// `text` with each "$NAME$" of `values` replaced by its value.
std::string Expand(std::string text, const std::vector<std::pair<std::string, std::string>>& values);
// `text` as the inside of a JSON string (for a PEM in a placeholder).
std::string JsonEscaped(std::string_view text);

}  // namespace sl::fuzz
