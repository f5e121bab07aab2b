#include "agent/cssm_channel.h"

#include "protocol/envelope.h"

namespace sl {
namespace {

CssmReply Offline(std::string reason, std::optional<int64_t> retry_after = std::nullopt) {
  CssmReply e;
  e.outcome = CssmReply::Outcome::kOffline;
  e.reason = std::move(reason);
  e.retry_after_seconds = retry_after;
  return e;
}

bool IsHttpSuccess(int status) { return status >= 200 && status < 300; }

}  // namespace

Result<std::string> CssmChannel::Seal(const Request& request, const PrivateKey& device_key) const {
  return SealMessage(EncodeRequest(request), device_key);
}

CssmReply CssmChannel::Send(Transport& transport, const Request& request,
                           const PrivateKey& device_key) const {
  Result<std::string> envelope = Seal(request, device_key);
  if (!envelope.ok()) return Offline("the request could not be signed: " + envelope.status().message());
  return Verify(transport.Send(*envelope), request);
}

CssmReply CssmChannel::Verify(const TransportReply& reply, const Request& request) const {
  if (!reply.delivered()) {
    CssmReply lost = Offline(reply.error.empty() ? TransportFailureName(reply.failure) : reply.error,
                             reply.retry_after_seconds);
    lost.failure = reply.failure;
    return lost;
  }
  const std::string http = "HTTP Server Error " + std::to_string(reply.http_status);
  Result<SignedMessage> message = OpenEnvelope(reply.body);
  if (!message.ok()) {
    // 5xx and 429 often come from a proxy or load balancer, unsigned: that is offline.
    return Offline(IsHttpSuccess(reply.http_status) ? "the response is not a signed licensing message"
                                                    : http,
                   reply.retry_after_seconds);
  }
  if (!VerifyMessage(*message, trust_anchor_.Key()).ok()) {
    return Offline("the response signature does not verify against the CSSM trust anchor",
                   reply.retry_after_seconds);
  }
  Result<Response> response = DecodeResponse(message->body);
  if (!response.ok()) {
    return Offline("the response is malformed: " + response.status().message(), reply.retry_after_seconds);
  }
  if (response->in_reply_to != request.message_id) {
    return Offline("the response does not answer this request (stale or replayed response)",
                   reply.retry_after_seconds);
  }
  CssmReply e;
  e.retry_after_seconds = reply.retry_after_seconds;
  if (!response->ok) {
    e.outcome = CssmReply::Outcome::kRefused;
    e.response = std::move(response).value();
    return e;
  }
  if (response->type != request.type) {
    return Offline(std::string("the response is of type '") + MessageTypeName(response->type) +
                       "', not '" + MessageTypeName(request.type) + "'",
                   reply.retry_after_seconds);
  }
  if (!IsHttpSuccess(reply.http_status)) {
    return Offline(http, reply.retry_after_seconds);
  }
  e.outcome = CssmReply::Outcome::kOk;
  e.response = std::move(response).value();
  return e;
}

Result<Certificate> CssmChannel::CheckIdCertificate(const std::string& certificate_pem,
                                                    const PrivateKey& device_key) const {
  Result<Certificate> cert = Certificate::FromPem(certificate_pem);
  if (!cert.ok()) return Unauthenticated("the ID certificate is unreadable: " + cert.status().message());
  if (!cert->VerifyIssuedBy(trust_anchor_).ok()) {
    return Unauthenticated("the ID certificate was not issued by the CSSM trust anchor");
  }
  if (!cert->Key().SameKeyAs(device_key.Public())) {
    return Unauthenticated("the ID certificate is for another key than this device's");
  }
  return cert;
}

}  // namespace sl
