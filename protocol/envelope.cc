#include "protocol/envelope.h"

#include "base/encoding.h"
#include "base/json.h"

namespace sl {

Result<std::string> SealMessage(std::string_view body, const Signer& key) {
  Result<std::string> signature = key.Sign(body);
  if (!signature.ok()) return signature.status();
  JsonWriter w;
  w.StartObject().Field("body", body).Field("signature", Base64Encode(*signature)).EndObject();
  return w.str();
}

Result<SignedMessage> OpenEnvelope(std::string_view text, size_t max_bytes) {
  Result<rapidjson::Document> doc = ParseJson(text, max_bytes);
  if (!doc.ok()) return doc.status();
  JsonReader r(*doc, "envelope");
  SignedMessage m;
  m.body = r.String("body", max_bytes);
  std::string signature = r.String("signature", 256);
  if (!r.ok()) return r.status();
  Result<std::string> raw = Base64Decode(signature);
  if (!raw.ok()) return InvalidArgument("field 'envelope.signature' is " + raw.status().message());
  m.signature = std::move(*raw);
  return m;
}

Status VerifyMessage(const SignedMessage& message, const PublicKey& key) {
  return key.Verify(message.body, message.signature);
}

}  // namespace sl
