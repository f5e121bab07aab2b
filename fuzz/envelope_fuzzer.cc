// Fuzzes the signed envelope (protocol/envelope.h), the first thing either side
// reads of a peer's bytes. Property: an envelope OpenEnvelope accepts, written back
// with the same body and signature, opens to the same; verifying it never crashes.
#include "base/encoding.h"
#include "base/json.h"
#include "fuzz/fuzz_support.h"
#include "protocol/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sl::Result<sl::SignedMessage> m = sl::OpenEnvelope(sl::fuzz::AsText(data, size));
  if (!m.ok()) return 0;
  (void)sl::VerifyMessage(*m, sl::fuzz::CssmCertificate().Key());
  sl::JsonWriter w;
  w.StartObject().Field("body", m->body).Field("signature", sl::Base64Encode(m->signature)).EndObject();
  sl::fuzz::Check(w.status().ok(), "an opened envelope can be written", w.status().message());
  sl::Result<sl::SignedMessage> again = sl::OpenEnvelope(w.str());
  sl::fuzz::Check(again.ok(), "a written envelope opens", w.str());
  sl::fuzz::Check(again->body == m->body && again->signature == m->signature, "an envelope round-trips", w.str());
  return 0;
}
