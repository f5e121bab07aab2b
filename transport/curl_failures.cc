#include "transport/curl_failures.h"

namespace sl {

namespace {

using Classifier = ClassifiedFailure (*)(const FailedTransfer&, const TransferRoute&);

bool ViaProxy(const TransferRoute& route) { return route.settings.proxy.has_value(); }

// " (through proxy host:port)" when there is one.
std::string ThroughProxy(const TransferRoute& route) {
  return ViaProxy(route) ? " (through proxy " + route.proxy + ")" : std::string();
}

std::string Seconds(int64_t s) { return std::to_string(s) + " s"; }

std::string SizeText(size_t bytes) {
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// The proxy answered the CONNECT but did not open the tunnel. tinyproxy 1.11 answers
// wrong credentials with 401 instead of 407 (tinyproxy#532); in a CONNECT answer
// either can only be the proxy's.
ClassifiedFailure TunnelRefused(const FailedTransfer& t, const TransferRoute& r) {
  const std::string http = "(HTTP " + std::to_string(t.connect_status) + ")";
  if (t.connect_status == 407 || t.connect_status == 401) {
    if (r.settings.proxy->username.empty()) {
      return {TransportFailure::kProxyAuthentication,
              "proxy " + r.proxy + " requires authentication " + http + ": configure the proxy username and password"};
    }
    return {TransportFailure::kProxyAuthentication,
            "proxy authentication to " + r.proxy + " failed " + http + ": check the proxy username and password"};
  }
  return {TransportFailure::kProxy, "proxy " + r.proxy + " refused to open a tunnel to " + r.target + " " + http +
                                        ": check that the proxy allows HTTPS (CONNECT) to that port"};
}

ClassifiedFailure NoHttpReply(const FailedTransfer&, const TransferRoute& r) {
  return {TransportFailure::kConnectionLost, "no HTTP reply from " + r.url};
}

ClassifiedFailure HostNotResolved(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kDns, "cannot resolve the host name of " + r.target + " (" + t.detail +
                                      "): check the URL and the DNS settings"};
}

ClassifiedFailure ProxyNotResolved(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kDns, "cannot resolve the proxy address of " + r.proxy + " (" + t.detail +
                                      "): check the proxy address and the DNS settings"};
}

ClassifiedFailure ConnectRefused(const FailedTransfer& t, const TransferRoute& r) {
  if (ViaProxy(r)) {
    return {TransportFailure::kProxy, "cannot connect to proxy " + r.proxy + " (" + t.detail +
                                          "): check the proxy address and port, and that it is running"};
  }
  return {TransportFailure::kConnect, "cannot connect to " + r.target + " (" + t.detail +
                                          "): check the URL and that the server is reachable"};
}

// Before a connection: the connect timeout ran out; after: the total timeout.
ClassifiedFailure TimedOut(const FailedTransfer& t, const TransferRoute& r) {
  if (!t.connected) {
    return {TransportFailure::kTimeout, "connecting to " + (ViaProxy(r) ? "proxy " + r.proxy : r.target) +
                                            " timed out after " + Seconds(r.settings.connect_timeout_seconds) +
                                            " (" + t.detail + ")"};
  }
  return {TransportFailure::kTimeout, "no answer from " + r.url + " within " +
                                          Seconds(r.settings.total_timeout_seconds) + ThroughProxy(r) + " (" +
                                          t.detail + ")"};
}

// "the CA bundle '<path>'" or "the system's CA bundle": what trusts the server.
std::string CaBundle(const TransferRoute& r) {
  return r.settings.ca_bundle_path.empty() ? std::string("the system's CA bundle")
                                           : "the CA bundle '" + r.settings.ca_bundle_path + "'";
}

ClassifiedFailure CertificateRejected(const FailedTransfer& t, const TransferRoute& r) {
  const std::string failed = "TLS certificate verification of " + r.target + " failed: " + t.detail;
  // Certificates are judged on the system clock: one years off makes valid ones
  // "expired" or "not yet valid", so these may be the clock's doing and pass with it.
  if (t.detail.find("expired") != std::string::npos || t.detail.find("not yet valid") != std::string::npos) {
    return {TransportFailure::kTlsCertificateDates,
            failed + " (check the system clock, the CA bundle and the server's certificate)"};
  }
  // Anything else (an unknown issuer, another host's name) stays until someone acts.
  return {TransportFailure::kTlsUntrusted,
          failed + " (the server's certificate is not trusted: check that " + CaBundle(r) +
              " holds the CA that issued it, and that the URL names the host it was issued for)"};
}

ClassifiedFailure CaBundleUnusable(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kTlsUntrusted, CaBundle(r) + " cannot be used: " + t.detail +
                                               " (give a PEM file of the CA certificates that issue the "
                                               "server's certificate)"};
}

ClassifiedFailure HandshakeFailed(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kTls, "TLS handshake with " + r.target + " failed: " + t.detail +
                                      " (check that the URL's port is the server's HTTPS port and that the "
                                      "server accepts TLS 1.2 or later)"};
}

// The write callback stops a reply over the cap with a write error.
ClassifiedFailure ReplyNotStored(const FailedTransfer& t, const TransferRoute& r) {
  if (t.too_large || t.code == CURLE_FILESIZE_EXCEEDED) {
    return {TransportFailure::kResponseTooLarge,
            "the reply from " + r.url + " is larger than the limit of " + SizeText(t.cap) +
                " (is the URL that of CSSM or of a Smart Transport server?)"};
  }
  return {TransportFailure::kConnectionLost, "the reply from " + r.url + " could not be stored: " + t.detail};
}

ClassifiedFailure ProxyFailed(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kProxy, "proxy " + r.proxy + " failed: " + t.detail};
}

ClassifiedFailure ConnectionLost(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kConnectionLost, "the connection to " + r.target + ThroughProxy(r) +
                                                 " was lost before the reply was complete: " + t.detail};
}

ClassifiedFailure UnusableUrl(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kBadConfiguration, "the URL " + r.url + " cannot be used: " + t.detail};
}

ClassifiedFailure OtherFailure(const FailedTransfer& t, const TransferRoute& r) {
  return {TransportFailure::kConnect, "request to " + r.url + " failed: " + t.detail + " (libcurl error " +
                                          std::to_string(static_cast<int>(t.code)) + ")"};
}

// Each libcurl code the transport tells apart; any other is OtherFailure.
constexpr struct {
  CURLcode code;
  Classifier classify;
} kClassifiers[] = {
    {CURLE_OK, NoHttpReply},
    {CURLE_COULDNT_RESOLVE_HOST, HostNotResolved},
    {CURLE_COULDNT_RESOLVE_PROXY, ProxyNotResolved},
    {CURLE_COULDNT_CONNECT, ConnectRefused},
    {CURLE_OPERATION_TIMEDOUT, TimedOut},
    {CURLE_PEER_FAILED_VERIFICATION, CertificateRejected},
    {CURLE_SSL_CACERT_BADFILE, CaBundleUnusable},
    {CURLE_SSL_CONNECT_ERROR, HandshakeFailed},
    {CURLE_SSL_CERTPROBLEM, HandshakeFailed},
    {CURLE_SSL_CIPHER, HandshakeFailed},
    {CURLE_SSL_ISSUER_ERROR, HandshakeFailed},
    {CURLE_SSL_INVALIDCERTSTATUS, HandshakeFailed},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, HandshakeFailed},
    {CURLE_SSL_CRL_BADFILE, HandshakeFailed},
    {CURLE_SSL_ENGINE_NOTFOUND, HandshakeFailed},
    {CURLE_SSL_ENGINE_SETFAILED, HandshakeFailed},
    {CURLE_SSL_ENGINE_INITFAILED, HandshakeFailed},
    {CURLE_USE_SSL_FAILED, HandshakeFailed},
    {CURLE_WRITE_ERROR, ReplyNotStored},
    {CURLE_FILESIZE_EXCEEDED, ReplyNotStored},
    {CURLE_PROXY, ProxyFailed},
    {CURLE_GOT_NOTHING, ConnectionLost},
    {CURLE_PARTIAL_FILE, ConnectionLost},
    {CURLE_RECV_ERROR, ConnectionLost},
    {CURLE_SEND_ERROR, ConnectionLost},
    {CURLE_HTTP2, ConnectionLost},
    {CURLE_HTTP2_STREAM, ConnectionLost},
    {CURLE_UNSUPPORTED_PROTOCOL, UnusableUrl},
    {CURLE_URL_MALFORMAT, UnusableUrl},
};

}  // namespace

FailedTransfer DescribeFailedTransfer(CURL* curl, CURLcode code, const char* error_buffer, bool too_large,
                                      size_t cap) {
  FailedTransfer t;
  t.code = code;
  t.detail = error_buffer != nullptr && error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  while (!t.detail.empty() && (t.detail.back() == '\n' || t.detail.back() == '.')) t.detail.pop_back();
  curl_easy_getinfo(curl, CURLINFO_HTTP_CONNECTCODE, &t.connect_status);
  curl_off_t connected_us = 0;
  curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_us);
  t.connected = connected_us != 0;
  t.too_large = too_large;
  t.cap = cap;
  return t;
}

ClassifiedFailure ClassifyFailure(const FailedTransfer& transfer, const TransferRoute& route) {
  if (ViaProxy(route) && transfer.code != CURLE_OK && transfer.connect_status >= 300) {
    return TunnelRefused(transfer, route);
  }
  for (const auto& entry : kClassifiers) {
    if (entry.code == transfer.code) return entry.classify(transfer, route);
  }
  return OtherFailure(transfer, route);
}

}  // namespace sl
