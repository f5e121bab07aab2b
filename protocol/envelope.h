// The signed envelope every licensing message travels in, both directions:
//
//   {"body": "<the message, as JSON text>", "signature": "<Base64 DER ECDSA-SHA256 of body>"}
//
// The signature covers the exact bytes of `body`, so neither side has to agree on a
// canonical JSON form. Requests are signed with the device key (for a registration,
// the key in its CSR); responses with the CSSM signing key.
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "protocol/crypto.h"
#include "smartlicensing/status.h"

namespace sl {

// Largest envelope either side accepts: a request with a CSR and 256 usage lines, or
// a response with a certificate chain, fits in a tenth of it.
constexpr size_t kMaxEnvelopeBytes = 64 * 1024;

struct SignedMessage {
  std::string body;
  std::string signature;  // raw DER bytes
};

// Signs `body` and wraps both in an envelope.
Result<std::string> SealMessage(std::string_view body, const Signer& key);
// Parses an envelope without checking the signature (the signer may not be known yet).
Result<SignedMessage> OpenEnvelope(std::string_view text, size_t max_bytes = kMaxEnvelopeBytes);
// OK when `message.signature` is `key`'s signature of `message.body`.
Status VerifyMessage(const SignedMessage& message, const PublicKey& key);

}  // namespace sl
