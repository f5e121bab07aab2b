// CssmChannel: one signed request/response exchange with CSSM (or On-Prem).
//
// It seals the request with the device key, hands it to the Transport, and accepts a
// reply only when it is an envelope signed by the CSSM trust anchor, decodes, has the
// request's type and answers this very request (in_reply_to == message_id). Anything
// else (no reply, HTTP 5xx/429, unsigned, forged, replayed or garbled) is "offline":
// the caller keeps its grants and retries. An offline reply says which kind of problem
// it is (CommunicationProblem): one that may pass by itself, or a configuration or
// trust problem an operator must fix (a reply not signed by the trust anchor, an
// unsigned HTTP 404, a redirect, the transport's own kinds). A signed refusal is
// returned as such, for the caller to act on at once. Internal to the agent library (its tests and
// benchmarks see it too). Thread-safety: const methods, safe from any thread; the
// Transport is not.
#pragma once

#include <optional>
#include <string>

#include "protocol/crypto.h"
#include "protocol/messages.h"
#include "smartlicensing/agent.h"
#include "smartlicensing/transport.h"

namespace sl {

struct CssmReply {
  enum class Outcome { kOk, kRefused, kOffline };
  Outcome outcome = Outcome::kOffline;
  Response response;  // kOk and kRefused
  // kOffline: why, in an operator's words ("Operation timed out", "HTTP Server Error 503"),
  // and the transport's failure when no reply arrived (kNone when one did).
  std::string reason;
  TransportFailure failure = TransportFailure::kNone;
  // kOffline: what kind of problem it is; kNone for kOk and kRefused.
  CommunicationProblem problem = CommunicationProblem::kTransient;
  std::optional<int64_t> retry_after_seconds;

  bool ok() const { return outcome == Outcome::kOk; }
};

// The kind of problem a transport failure is. REQUIRES: failure != kNone.
CommunicationProblem ProblemOfTransportFailure(TransportFailure failure);

class CssmChannel {
 public:
  explicit CssmChannel(Certificate trust_anchor) : trust_anchor_(std::move(trust_anchor)) {}

  // Seal + Send + Verify. REQUIRES: request.message_id is fresh.
  CssmReply Send(Transport& transport, const Request& request, const Signer& device_key) const;

  // The two halves, for benchmarks and tests.
  Result<std::string> Seal(const Request& request, const Signer& device_key) const;
  CssmReply Verify(const TransportReply& reply, const Request& request) const;

  // OK when `certificate_pem` is an ID certificate issued by the trust anchor for `device_key`.
  Result<Certificate> CheckIdCertificate(const std::string& certificate_pem,
                                         const Signer& device_key) const;

  const Certificate& trust_anchor() const { return trust_anchor_; }

 private:
  Certificate trust_anchor_;
};

}  // namespace sl
