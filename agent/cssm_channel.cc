#include "agent/cssm_channel.h"

#include "agent/operator_text.h"
#include "protocol/envelope.h"

namespace sl {
namespace {

CssmReply Offline(std::string reason, std::optional<int64_t> retry_after = std::nullopt,
                  CommunicationProblem problem = CommunicationProblem::kTransient) {
  CssmReply e;
  e.outcome = CssmReply::Outcome::kOffline;
  e.reason = std::move(reason);
  e.retry_after_seconds = retry_after;
  e.problem = problem;
  return e;
}

bool IsHttpSuccess(int status) { return status >= 200 && status < 300; }

// A reply that is no licensing message. 5xx, 408 and 429 often come from a proxy or load
// balancer in front of the server, unsigned: an outage. A redirect or another 4xx
// means the URL does not lead to a licensing service, and that lasts until it is fixed.
CssmReply NotALicensingMessage(const TransportReply& reply) {
  const int status = reply.http_status;
  if (IsHttpSuccess(status)) return Offline("the response is not a signed licensing message", reply.retry_after_seconds);
  if ((status >= 300 && status < 400) || (status >= 400 && status < 500 && status != 408 && status != 429)) {
    return Offline(text::NotALicensingService(status), reply.retry_after_seconds, CommunicationProblem::kConfiguration);
  }
  return Offline("HTTP Server Error " + std::to_string(status), reply.retry_after_seconds);
}

}  // namespace

CommunicationProblem ProblemOfTransportFailure(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::kBadConfiguration:
    case TransportFailure::kTls:
    case TransportFailure::kProxyAuthentication:
    case TransportFailure::kRedirected:
    // A licensing reply is a few KiB: a far larger one comes from something else.
    case TransportFailure::kResponseTooLarge:
      return CommunicationProblem::kConfiguration;
    case TransportFailure::kTlsUntrusted:
      return CommunicationProblem::kTrust;
    // May pass by itself: the network, the server or the proxy comes back, the clock
    // or the server's certificate is put right.
    case TransportFailure::kNone:
    case TransportFailure::kDns:
    case TransportFailure::kConnect:
    case TransportFailure::kTimeout:
    case TransportFailure::kProxy:
    case TransportFailure::kConnectionLost:
    case TransportFailure::kTlsCertificateDates:
      break;
  }
  return CommunicationProblem::kTransient;
}

Result<std::string> CssmChannel::Seal(const Request& request, const Signer& device_key) const {
  Result<std::string> body = EncodeRequest(request);
  if (!body.ok()) return body.status();
  return SealMessage(*body, device_key);
}

CssmReply CssmChannel::Send(Transport& transport, const Request& request,
                           const Signer& device_key) const {
  Result<std::string> envelope = Seal(request, device_key);
  if (!envelope.ok()) {
    // A request the protocol cannot carry (a hostname or UDI with a control character,
    // too long a hostname) fails the same way on every retry: the device's
    // configuration must change, not the network.
    bool unsendable = envelope.status().code() == StatusCode::kInvalidArgument;
    return Offline("the request could not be " + std::string(unsendable ? "encoded: " : "signed: ") +
                       envelope.status().message(),
                   std::nullopt, unsendable ? CommunicationProblem::kConfiguration : CommunicationProblem::kTransient);
  }
  return Verify(transport.Send(*envelope), request);
}

CssmReply CssmChannel::Verify(const TransportReply& reply, const Request& request) const {
  if (!reply.delivered()) {
    CssmReply lost = Offline(reply.error.empty() ? TransportFailureName(reply.failure) : reply.error,
                             reply.retry_after_seconds, ProblemOfTransportFailure(reply.failure));
    lost.failure = reply.failure;
    return lost;
  }
  Result<SignedMessage> message = OpenEnvelope(reply.body);
  if (!message.ok()) return NotALicensingMessage(reply);
  if (!VerifyMessage(*message, trust_anchor_.Key()).ok()) {
    // A well-formed envelope signed by another key: most often the wrong certificate was
    // configured as the anchor (the TLS CA), and no retry fixes that.
    return Offline(text::SignatureNotFromTrustAnchor(trust_anchor_.SubjectCommonName()), reply.retry_after_seconds,
                   CommunicationProblem::kTrust);
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
  e.problem = CommunicationProblem::kNone;
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
    return Offline("HTTP Server Error " + std::to_string(reply.http_status), reply.retry_after_seconds);
  }
  e.outcome = CssmReply::Outcome::kOk;
  e.response = std::move(response).value();
  return e;
}

Result<Certificate> CssmChannel::CheckIdCertificate(const std::string& certificate_pem,
                                                    const Signer& device_key) const {
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
