#include "testing/test_device.h"

#include "base/secrets.h"
#include "protocol/envelope.h"
#include "testing/test_util.h"

namespace sl::test {

TestDevice::TestDevice(Poster post, Udi udi, std::function<UnixSeconds()> now)
    : post_(std::move(post)),
      udi_(std::move(udi)),
      now_(now ? std::move(now) : [] { return SystemTimeSource().Now(); }),
      key_(PrivateKey::Generate().value()),
      cssm_(Certificate::FromPem(ReadPki("cssm-signing.crt")).value()) {}

Request TestDevice::NewRequest(MessageType type) const {
  Request q;
  q.type = type;
  q.message_id = RandomHex(16);
  q.sent_at = now_();
  q.udi = udi_;
  q.instance_id = instance_id_;
  q.cert_serial = cert_serial_;
  return q;
}

Exchange TestDevice::SendRaw(const std::string& envelope) {
  Exchange e;
  auto [status, body] = post_(envelope);
  e.http_status = status;
  e.raw = body;
  Result<SignedMessage> m = OpenEnvelope(body);
  if (!m.ok()) {
    e.verified = m.status();
    return e;
  }
  e.verified = VerifyMessage(*m, cssm_.Key());
  if (!e.verified.ok()) return e;
  Result<Response> r = DecodeResponse(m->body);
  if (!r.ok()) {
    e.verified = r.status();
    return e;
  }
  e.response = *r;
  return e;
}

Exchange TestDevice::SendSignedBy(const Request& request, const PrivateKey& key) {
  Exchange e = SendRaw(SealMessage(EncodeRequest(request).value(), key).value());
  if (e.verified.ok() && e.response.ok && !e.response.id_certificate_pem.empty()) {
    Result<Certificate> cert = Certificate::FromPem(e.response.id_certificate_pem);
    if (cert.ok()) {
      instance_id_ = e.response.instance_id;
      cert_serial_ = cert->SerialHex();
    }
  }
  return e;
}

Exchange TestDevice::Send(const Request& request) { return SendSignedBy(request, key_); }

Exchange TestDevice::Register(const std::string& token, std::optional<std::string> hostname) {
  Request q = NewRequest(MessageType::kRegister);
  q.token = token;
  q.csr_pem = MakeCertificateRequest(key_, udi_.product_id + ":" + udi_.serial_number).value();
  q.hostname = std::move(hostname);
  return Send(q);
}

Exchange TestDevice::Authorize(std::vector<LicenseCount> usage) {
  Request q = NewRequest(MessageType::kAuthorize);
  q.usage = std::move(usage);
  return Send(q);
}

Exchange TestDevice::RenewId() { return Send(NewRequest(MessageType::kRenewId)); }
Exchange TestDevice::Deregister() { return Send(NewRequest(MessageType::kDeregister)); }

}  // namespace sl::test
