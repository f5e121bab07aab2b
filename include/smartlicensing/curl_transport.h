// CurlTransport: the agent's Transport (transport.h) over libcurl, OpenSSL flavour
// (public API), and CurlTransportFactory, the one way to give an agent curl transports.
//
// One HTTPS POST per Send(): the sealed request envelope goes out as application/json
// and the reply comes back whatever its HTTP status but a redirect (the agent verifies
// and interprets it), or a classified TransportFailure with a sentence an operator can act on (which
// host or proxy, what failed, libcurl's own words). The same handle is reused between
// sends, so an idle connection to CSSM (or the tunnel through the proxy) is reused.
//
// Security posture, fixed in code with no switch to turn it off:
//  - HTTPS only; redirects are not followed: a 3xx is a kRedirected failure naming
//    its target without credentials, so that the operator sets the final URL;
//  - peer certificate and host name verification always on, TLS 1.2 minimum;
//  - when settings.ca_bundle_path is set, ONLY that bundle is trusted (libcurl's
//    built-in CA directory is switched off); when empty, the system bundle is used;
//  - the reply is capped (CurlTransportOptions::max_response_bytes) in the write
//    callback, which also stops bodies of unknown length (chunked, or until close);
//  - no content decoding is requested, so a small compressed reply cannot expand;
//  - the proxy password goes to libcurl through CURLOPT_PROXYPASSWORD only and is
//    scrubbed from every message this class returns.
//
// Proxy precedence (environment variables never silently override the settings):
//  - settings.proxy set:   every request goes through that HTTP proxy with a CONNECT
//                          tunnel (Basic authentication when a username is set);
//                          https_proxy / HTTPS_PROXY / ALL_PROXY are ignored, and
//                          NO_PROXY / no_proxy cannot exempt the CSSM host.
//  - settings.proxy unset: requests go direct; https_proxy / HTTPS_PROXY / ALL_PROXY
//                          are ignored.
// The proxy is spoken to in plain HTTP (as on the appliance's settings page), so its
// Basic credentials cross the network between the appliance and the proxy in clear;
// the licensing exchange itself is end-to-end TLS inside the tunnel.
//
// libcurl's process-wide initialisation (curl_global_init) is done once, on first
// Create(), guarded by std::call_once, so transports may be created from any thread;
// it is never undone (curl_global_cleanup is not called). CURLOPT_NOSIGNAL is set, so
// libcurl installs no signal handlers and timeouts are safe in threaded programs.
// Thread-safety: a CurlTransport is used by one thread at a time (one per thread);
// distinct instances are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"
#include "smartlicensing/transport.h"

namespace sl {

struct CurlTransportOptions {
  // Replies larger than this fail with kResponseTooLarge. Licensing replies are a few
  // KiB; the cap only has to stop a broken or hostile peer from filling memory.
  size_t max_response_bytes = 256 * 1024;
  // Converts a Retry-After HTTP-date into seconds from now; the system's time when
  // null. Must outlive the transport.
  const TimeSource* time = nullptr;
};

class CurlTransport final : public Transport {
 public:
  // Validates `settings` (ValidateTransportSettings, and that the CA bundle is
  // readable) before touching libcurl; InvalidArgument with the expected form of
  // the setting when they are not usable, Internal when libcurl refuses an option.
  static Result<std::unique_ptr<CurlTransport>> Create(const TransportSettings& settings,
                                                       CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  TransportReply Send(std::string_view request_envelope) override;

  // The URL requests go to (EffectiveUrl of the settings).
  const std::string& url() const { return url_; }

  // One Send's reply body and headers, filled by the libcurl callbacks.
  struct ReplyBuffer;

 private:
  CurlTransport(TransportSettings settings, CurlTransportOptions options);
  Status Configure();
  TransportReply Classify(int curl_code, const ReplyBuffer& reply, const char* error_buffer) const;
  // `text` with the proxy password (and its encodings) masked.
  std::string Scrub(std::string text) const;

  TransportSettings settings_;
  CurlTransportOptions options_;
  std::string url_;
  std::string target_;  // "host:port" of the server, for messages
  std::string proxy_;   // "host:port" of the proxy, empty without one
  void* curl_ = nullptr;     // CURL*, kept opaque so that callers need not include curl.h
  void* headers_ = nullptr;  // curl_slist* of the request headers
  std::unique_ptr<char[]> error_buffer_;  // CURLOPT_ERRORBUFFER, CURL_ERROR_SIZE bytes
};

// The TransportFactory for AgentEnvironment (and DeviceDirectoryOptions): a
// CurlTransport for each settings. Settings that CurlTransport::Create refuses (a CA
// bundle that cannot be read, say) give a transport whose Send() fails with
// kBadConfiguration and Create's reason, so that the agent reports it as a
// communication failure in its status instead of failing to open.
TransportFactory CurlTransportFactory(CurlTransportOptions options = {});

}  // namespace sl
