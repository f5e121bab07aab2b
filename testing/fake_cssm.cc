#include "testing/fake_cssm.h"

#include <cstdlib>

#include "base/secrets.h"
#include "protocol/envelope.h"
#include "smartlicensing/licensing_terms.h"
#include "testing/test_util.h"

namespace sl::test {
namespace {

PrivateKey LoadKey() { return PrivateKey::FromPem(ReadPki("cssm-signing.key")).value(); }
Certificate LoadCert() { return Certificate::FromPem(ReadPki("cssm-signing.crt")).value(); }

}  // namespace

FakeCssm::FakeCssm(const TimeSource& clock) : clock_(clock), signing_key_(LoadKey()), signing_cert_(LoadCert()) {}

void FakeCssm::AddToken(const std::string& token, Account account) { tokens_[token] = std::move(account); }

TransportReply FakeCssm::Reply(const Response& response, int http_status, const PrivateKey* key) const {
  TransportReply reply;
  reply.http_status = http_status;
  reply.body = SealMessage(EncodeResponse(response).value(), key != nullptr ? *key : signing_key_).value();
  return reply;
}

TransportReply FakeCssm::Refuse(const Request& q, const std::string& code, int http_status) const {
  Response r = Accept(q, clock_.Now());
  r.ok = false;
  r.error_code = code;
  r.error_message = "refused: " + code;
  return Reply(r, http_status);
}

Response FakeCssm::Accept(const Request& q, UnixSeconds now) {
  Response r;
  r.type = q.type;
  r.in_reply_to = q.message_id;
  r.server_time = now;
  r.ok = true;
  return r;
}

void FakeCssm::DescribeRegistration(const Instance& inst, const Certificate& cert, Response& r) {
  r.instance_id = inst.id;
  r.id_certificate_pem = cert.ToPem();
  r.smart_account = inst.account.smart_account;
  r.virtual_account = inst.account.virtual_account;
  r.export_controlled = inst.account.export_controlled;
  r.registration_expires = inst.registration_expires;
}

TransportReply FakeCssm::Handle(std::string_view envelope) {
  Result<SignedMessage> message = OpenEnvelope(envelope);
  if (!message.ok()) return HttpErrorReply(400);
  Result<Request> decoded = DecodeRequest(message->body);
  if (!decoded.ok()) return HttpErrorReply(400);
  const Request& q = *decoded;
  requests_.push_back(q);
  const UnixSeconds now = clock_.Now();
  if (refuse_next_with) {
    std::string code = *refuse_next_with;
    refuse_next_with.reset();
    return Refuse(q, code, 403);
  }
  if (std::llabs(q.sent_at - now) > max_skew_seconds) return Refuse(q, error_code::kStaleMessage, 400);
  if (q.type == MessageType::kRegister) return HandleRegister(*message, q, now);

  auto found = instances_.find(q.instance_id);
  if (found == instances_.end()) return Refuse(q, error_code::kUnknownInstance, 404);
  Instance& inst = found->second;
  if (!VerifyMessage(*message, PublicKey::FromPem(inst.key_pem).value()).ok()) {
    return Refuse(q, error_code::kBadSignature, 401);
  }
  if (q.cert_serial == inst.cert_serial) {
    inst.previous_cert_serial.clear();  // the device has the current one: the previous is done
  } else if (inst.previous_cert_serial.empty() || q.cert_serial != inst.previous_cert_serial) {
    return Refuse(q, error_code::kCertificateMismatch, 409);
  }
  if (now >= inst.registration_expires) return Refuse(q, error_code::kRegistrationExpired, 403);
  switch (q.type) {
    case MessageType::kRenewId: return HandleRenewId(inst, q, now);
    case MessageType::kAuthorize:
    case MessageType::kReportUsage: return HandleAuthorize(q, now);
    case MessageType::kDeregister:
      instances_.erase(found);
      return Reply(Accept(q, now));
    default: return Refuse(q, error_code::kMalformedRequest, 400);
  }
}

TransportReply FakeCssm::HandleRegister(const SignedMessage& message, const Request& q, UnixSeconds now) {
  Result<CertificateRequest> csr = ParseCertificateRequest(q.csr_pem);
  if (!csr.ok() || !VerifyMessage(message, csr->key).ok()) return Refuse(q, error_code::kBadSignature, 401);
  auto token = tokens_.find(q.token);
  if (token == tokens_.end()) return Refuse(q, error_code::kTokenInvalid, 403);
  const Instance* existing = nullptr;
  for (const auto& [id, inst] : instances_) {
    if (inst.udi == q.udi) existing = &inst;
  }
  std::string id = existing != nullptr ? existing->id : "PI-" + RandomHex(8);
  Certificate cert =
      IssueCertificate(signing_key_, signing_cert_, csr->key, csr->common_name, now, now + 365 * kDay).value();
  Instance& inst = instances_[id];
  inst = Instance{id, q.udi, csr->key.ToPem(), cert.SerialHex(), "", token->second, now + 365 * kDay, q.hostname};
  Response r = Accept(q, now);
  DescribeRegistration(inst, cert, r);
  return Reply(r);
}

TransportReply FakeCssm::HandleRenewId(Instance& inst, const Request& q, UnixSeconds now) {
  PublicKey key = PublicKey::FromPem(inst.key_pem).value();
  Certificate cert = IssueCertificate(signing_key_, signing_cert_, key, "renewed", now, now + 365 * kDay).value();
  if (inst.previous_cert_serial.empty()) inst.previous_cert_serial = inst.cert_serial;
  inst.cert_serial = cert.SerialHex();
  inst.registration_expires = now + 365 * kDay;
  inst.hostname = q.hostname;
  Response r = Accept(q, now);
  DescribeRegistration(inst, cert, r);
  return Reply(r);
}

TransportReply FakeCssm::HandleAuthorize(const Request& q, UnixSeconds now) {
  Response r = Accept(q, now);
  bool compliant = true;
  for (const LicenseCount& u : q.usage) {
    auto e = entitlements_.find(u.tag);
    std::string status = e == entitlements_.end() ? "Invalid-tag"
                         : u.count > e->second    ? "Out of compliance"
                                                  : "Authorized";
    if (status != "Authorized") compliant = false;
    r.licenses.push_back(LicenseStatus{u.tag, u.count, status});
  }
  r.authorization_status = q.usage.empty() ? "No Licenses in Use" : compliant ? "Authorized" : "Out-of-compliance";
  if (q.type == MessageType::kAuthorize) r.authorization_expires = now + 90 * kDay;
  return Reply(r);
}

TransportReply TimeoutReply() {
  TransportReply reply;
  reply.failure = TransportFailure::kTimeout;
  reply.error = "Operation timed out";
  return reply;
}

TransportReply HttpErrorReply(int http_status, std::optional<int64_t> retry_after) {
  TransportReply reply;
  reply.http_status = http_status;
  reply.body = "<html>Service Unavailable</html>";
  reply.retry_after_seconds = retry_after;
  return reply;
}

}  // namespace sl::test
