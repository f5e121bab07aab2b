// The transport seam: how the agent reaches CSSM or an On-Prem server (public API).
//
// The agent hands a sealed request envelope to Send() and gets back either the HTTP
// reply (any status but a redirect; the agent verifies and interprets the body) or a
// classified failure saying why no usable reply arrived. TransportSettings is the operator's
// configuration ("Transport settings" in the specification); the agent stores it and
// a concrete transport (curl_transport.h) is built from it by a TransportFactory.
// The functions declared here live in the seam's own library (sl_seam), so that a
// transport depends on this header and base only, never on the agent.
// Thread-safety: a Transport is used by one thread at a time; the free functions are
// pure.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

enum class TransportMode {
  kDirect,  // straight to CSSM over the internet (optionally via a proxy)
  kOnPrem,  // to Smart Software Manager On-Prem: https://<host>[:port]/SmartTransport
};

struct ProxySettings {
  std::string host;  // IPv4 address or FQDN
  int port = 0;      // 1-65535
  std::string username;  // empty: no proxy authentication
  std::string password;  // a secret: never printed, logged or returned by status
};

struct TransportSettings {
  TransportMode mode = TransportMode::kDirect;
  // Direct: the CSSM URL (empty means kDefaultCssmUrl). On-Prem: the exact Smart
  // Transport URL.
  std::string url;
  std::optional<ProxySettings> proxy;
  // PEM bundle of CAs trusted for the server's TLS certificate; empty means the
  // system's default bundle.
  std::string ca_bundle_path;
  int64_t connect_timeout_seconds = 10;
  int64_t total_timeout_seconds = 60;
};

// Cisco's public CSSM endpoint for Direct mode.
inline constexpr const char* kDefaultCssmUrl = "https://smartreceiver.cisco.com/licservice/license";

// OK when the settings are usable; otherwise an InvalidArgument whose message shows
// the expected form, e.g. for On-Prem "https://<host>[:port]/SmartTransport".
Status ValidateTransportSettings(const TransportSettings& settings);

// The URL requests go to: settings.url, or the default CSSM URL in Direct mode.
std::string EffectiveUrl(const TransportSettings& settings);

// Why no usable HTTP reply arrived. The kinds tell a failure that may pass by itself
// (an outage) from one that lasts until someone fixes the settings or what they point
// at; the agent shows the difference (CommunicationProblem in agent.h).
enum class TransportFailure {
  kNone,
  kBadConfiguration,   // settings rejected before sending
  kDns,                // server or proxy name does not resolve
  kConnect,            // connection refused or unreachable
  kTls,                // the TLS handshake failed: TLS version, ciphers, no TLS server on that port
  kTimeout,            // connect or total timeout elapsed
  kProxy,              // the proxy failed (down, refused CONNECT)
  kProxyAuthentication,  // the proxy answered 407
  kResponseTooLarge,   // the reply exceeded the size cap
  kConnectionLost,     // the connection dropped mid-exchange
  // The server's TLS certificate is not trusted (issued by a CA outside the CA bundle,
  // or for another host name), or the CA bundle cannot be used.
  kTlsUntrusted,
  // A certificate is expired or not yet valid: the server's, or this system's clock is
  // wrong (certificates are judged on it).
  kTlsCertificateDates,
  // The server answered with a redirect (HTTP 3xx), which is not followed: the
  // configured URL must be the final one. http_status is set; the error names the target.
  kRedirected,
};
const char* TransportFailureName(TransportFailure failure);

struct TransportReply {
  TransportFailure failure = TransportFailure::kNone;
  // When failure != kNone: an operator's sentence (which host, what went wrong).
  // Never contains a password or token.
  std::string error;
  int http_status = 0;  // 0 when no HTTP response arrived; with kRedirected, the 3xx
  std::string body;
  std::optional<int64_t> retry_after_seconds;  // from a Retry-After header (delta seconds)

  bool delivered() const { return failure == TransportFailure::kNone; }
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request envelope (JSON text) by HTTPS POST and waits for the reply.
  virtual TransportReply Send(std::string_view request_envelope) = 0;
};

// Builds the transport for the current settings; the agent calls it again after they
// change. Settings a transport cannot use should come back as a transport whose Send()
// fails with kBadConfiguration and the reason (CurlTransportFactory does this), so
// that the operator reads the reason in the status; a null transport is reported as a
// communication failure without one.
using TransportFactory = std::function<std::unique_ptr<Transport>(const TransportSettings&)>;

}  // namespace sl
