#include "smartlicensing/curl_transport.h"

#include "transport/retry_after.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <mutex>
#include <utility>

#include "base/encoding.h"
#include "base/secrets.h"
#include "base/text.h"

namespace sl {

// Per-Send state the libcurl callbacks write into.
struct CurlTransport::ReplyBuffer {
  std::string body;
  size_t cap = 0;
  bool too_large = false;
  std::optional<std::string> retry_after;  // the raw header value of the final response
};

namespace {

CURL* Handle(void* p) { return static_cast<CURL*>(p); }

// curl_global_init is not thread-safe and must run before any other libcurl call;
// std::call_once makes the first Create() do it exactly once, whichever thread that is.
CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<CurlTransport::ReplyBuffer*>(user);
  const size_t n = size * count;
  // CURLOPT_MAXFILESIZE only acts on a declared Content-Length; counting here also
  // stops chunked bodies and bodies that run until the connection closes.
  if (exchange->body.size() + n > exchange->cap) {
    exchange->too_large = true;
    return 0;  // anything short of n aborts the transfer with CURLE_WRITE_ERROR
  }
  exchange->body.append(data, n);
  return n;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<CurlTransport::ReplyBuffer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  // A new status line starts a new response (after a 100 Continue, say): only the
  // final response's Retry-After counts.
  if (StartsWithNoCase(line, "HTTP/")) {
    exchange->retry_after.reset();
  } else if (StartsWithNoCase(line, "Retry-After:")) {
    std::string_view value = Trim(line.substr(std::strlen("Retry-After:")));
    if (value.size() <= 64) exchange->retry_after = std::string(value);
  }
  return n;
}

// "host:port" of an https URL, for messages; the URL itself when it cannot be parsed.
std::string HostPort(const std::string& url) {
  CURLU* u = curl_url();
  if (u == nullptr) return url;
  std::string out = url;
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    out = std::string(host) + ":" + port;
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return out;
}

std::string Seconds(int64_t s) { return std::to_string(s) + " s"; }

std::string SizeText(size_t bytes) {
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

std::optional<int64_t> ParseRetryAfter(std::string_view value, UnixSeconds now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    // Anything beyond ~30 years is nonsense; saturate rather than overflow.
    if (value.size() > 10) return int64_t{999999999};
    return std::stoll(std::string(value));
  }
  // HTTP-date: curl_getdate reads the IMF-fixdate and the two obsolete forms.
  time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  int64_t delta = static_cast<int64_t>(when) - now;
  return delta > 0 ? delta : 0;
}

CurlTransport::CurlTransport(TransportSettings settings, CurlTransportOptions options)
    : settings_(std::move(settings)),
      options_(options),
      url_(EffectiveUrl(settings_)),
      error_buffer_(new char[CURL_ERROR_SIZE]()) {}

CurlTransport::~CurlTransport() {
  if (curl_ != nullptr) curl_easy_cleanup(Handle(curl_));
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create(const TransportSettings& settings,
                                                             CurlTransportOptions options) {
  SL_RETURN_IF_ERROR(ValidateTransportSettings(settings));
  if (!settings.ca_bundle_path.empty() && access(settings.ca_bundle_path.c_str(), R_OK) != 0) {
    return InvalidArgument("CA bundle '" + settings.ca_bundle_path +
                           "' cannot be read; give the path of a PEM file of trusted CA certificates");
  }
  if (options.max_response_bytes == 0) return InvalidArgument("the response size cap must be at least 1 byte");
  if (GlobalInit() != CURLE_OK) return Internal("libcurl could not be initialised");
  std::unique_ptr<CurlTransport> transport(new CurlTransport(settings, options));
  SL_RETURN_IF_ERROR(transport->Configure());
  return transport;
}

Status CurlTransport::Configure() {
  curl_ = curl_easy_init();
  if (curl_ == nullptr) return Internal("libcurl could not create a handle");
  CURL* h = Handle(curl_);
  target_ = HostPort(url_);
  if (settings_.proxy) proxy_ = settings_.proxy->host + ":" + std::to_string(settings_.proxy->port);

  Status status;
  auto set = [&](CURLoption option, auto value, const char* name) {
    if (!status.ok()) return;
    CURLcode rc = curl_easy_setopt(h, option, value);
    if (rc != CURLE_OK) {
      status = Internal(std::string("libcurl refused ") + name + ": " + curl_easy_strerror(rc));
    }
  };

  set(CURLOPT_URL, url_.c_str(), "the URL");
  set(CURLOPT_ERRORBUFFER, error_buffer_.get(), "CURLOPT_ERRORBUFFER");
  set(CURLOPT_NOSIGNAL, 1L, "CURLOPT_NOSIGNAL");
  set(CURLOPT_NOPROGRESS, 1L, "CURLOPT_NOPROGRESS");
  // HTTPS and nothing else, for the request and for any redirect; redirects are not
  // followed anyway: a 3xx is handed to the agent as a reply.
  set(CURLOPT_PROTOCOLS_STR, "https", "CURLOPT_PROTOCOLS_STR");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "https", "CURLOPT_REDIR_PROTOCOLS_STR");
  set(CURLOPT_FOLLOWLOCATION, 0L, "CURLOPT_FOLLOWLOCATION");
  // One request at a time: HTTP/1.1 is all the exchange needs and what proxies speak.
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1), "CURLOPT_HTTP_VERSION");

  // TLS: verification is not configurable.
  set(CURLOPT_SSL_VERIFYPEER, 1L, "CURLOPT_SSL_VERIFYPEER");
  set(CURLOPT_SSL_VERIFYHOST, 2L, "CURLOPT_SSL_VERIFYHOST");
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2), "CURLOPT_SSLVERSION");
  if (!settings_.ca_bundle_path.empty()) {
    set(CURLOPT_CAINFO, settings_.ca_bundle_path.c_str(), "the CA bundle");
    // Debian's libcurl also trusts /etc/ssl/certs by default (--with-ca-path): a
    // configured bundle must be the only trust, so the directory is switched off.
    set(CURLOPT_CAPATH, static_cast<const char*>(nullptr), "CURLOPT_CAPATH");
  }

  set(CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings_.connect_timeout_seconds), "the connect timeout");
  set(CURLOPT_TIMEOUT, static_cast<long>(settings_.total_timeout_seconds), "the total timeout");

  // Proxy: set explicitly either way, so that environment variables cannot take over.
  if (settings_.proxy) {
    const ProxySettings& p = *settings_.proxy;
    std::string proxy_url = "http://" + proxy_;
    set(CURLOPT_PROXY, proxy_url.c_str(), "the proxy address");  // libcurl copies strings
    set(CURLOPT_PROXYTYPE, static_cast<long>(CURLPROXY_HTTP), "CURLOPT_PROXYTYPE");
    set(CURLOPT_HTTPPROXYTUNNEL, 1L, "CURLOPT_HTTPPROXYTUNNEL");
    set(CURLOPT_NOPROXY, "", "CURLOPT_NOPROXY");  // "": NO_PROXY cannot exempt CSSM
    // The proxy's CONNECT answer is not the server's: keep its headers (a
    // Retry-After, say) away from the reply.
    set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L, "CURLOPT_SUPPRESS_CONNECT_HEADERS");
    if (!p.username.empty()) {
      // Separate options, not CURLOPT_PROXYUSERPWD, which URL-decodes "user:password".
      set(CURLOPT_PROXYUSERNAME, p.username.c_str(), "the proxy username");
      set(CURLOPT_PROXYPASSWORD, p.password.c_str(), "the proxy password");
      set(CURLOPT_PROXYAUTH, static_cast<long>(CURLAUTH_BASIC), "CURLOPT_PROXYAUTH");
    }
  } else {
    set(CURLOPT_PROXY, "", "CURLOPT_PROXY");  // "": no proxy, whatever https_proxy says
  }

  // The envelope is POSTed as JSON; "Expect:" stops libcurl waiting for a
  // 100 Continue on larger bodies. No Accept-Encoding: replies are not decompressed.
  // The User-Agent names the software only, never this host.
  curl_slist* headers = nullptr;
  for (const char* header : {"Content-Type: application/json", "Accept: application/json", "Expect:"}) {
    curl_slist* next = curl_slist_append(headers, header);
    if (next == nullptr) {
      curl_slist_free_all(headers);
      return Internal("out of memory building request headers");
    }
    headers = next;
  }
  headers_ = headers;
  set(CURLOPT_HTTPHEADER, headers, "the request headers");
  set(CURLOPT_USERAGENT, "sl-agent/0.1", "CURLOPT_USERAGENT");
  set(CURLOPT_POST, 1L, "CURLOPT_POST");
  set(CURLOPT_WRITEFUNCTION, &OnBody, "CURLOPT_WRITEFUNCTION");
  set(CURLOPT_HEADERFUNCTION, &OnHeader, "CURLOPT_HEADERFUNCTION");
  return status;
}

TransportReply CurlTransport::Send(std::string_view request_envelope) {
  CURL* h = Handle(curl_);
  ReplyBuffer exchange;
  exchange.cap = options_.max_response_bytes;
  error_buffer_[0] = '\0';
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_envelope.size()));
  // Never a null pointer: with CURLOPT_POSTFIELDS null, libcurl would read the body
  // from its read callback (stdin by default).
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request_envelope.empty() ? "" : request_envelope.data());
  CURLcode rc = curl_easy_perform(h);
  // The callbacks' target dies with this call; never leave libcurl pointing at it.
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
  TransportReply reply = Classify(rc, exchange, error_buffer_.get());
  error_buffer_[0] = '\0';
  return reply;
}

TransportReply CurlTransport::Classify(int code, const ReplyBuffer& exchange, const char* error_buffer) const {
  CURL* h = Handle(curl_);
  const CURLcode rc = static_cast<CURLcode>(code);
  TransportReply reply;
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status > 0) {
      reply.http_status = static_cast<int>(status);
      reply.body = exchange.body;
      if (exchange.retry_after) {
        SystemTimeSource system_time;
        const TimeSource& time = options_.time != nullptr ? *options_.time : system_time;
        reply.retry_after_seconds = ParseRetryAfter(*exchange.retry_after, time.Now());
      }
      return reply;
    }
  }

  // libcurl's own sentence: the error buffer when it has one, else the code's name.
  std::string detail = error_buffer != nullptr && error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '.')) detail.pop_back();
  auto fail = [&](TransportFailure failure, std::string message) {
    reply.failure = failure;
    reply.error = Scrub(std::move(message));
    return reply;
  };

  long connect_status = 0;
  curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_status);
  curl_off_t connected_us = 0;
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected_us);
  const bool via_proxy = settings_.proxy.has_value();

  if (via_proxy && rc != CURLE_OK && connect_status >= 300) {
    // The proxy answered the CONNECT but did not open the tunnel. tinyproxy 1.11
    // answers wrong credentials with 401 instead of 407 (tinyproxy#532); in a CONNECT
    // answer either can only be the proxy's.
    if (connect_status == 407 || connect_status == 401) {
      if (settings_.proxy->username.empty()) {
        return fail(TransportFailure::kProxyAuthentication,
                    "proxy " + proxy_ + " requires authentication (HTTP " + std::to_string(connect_status) +
                        "): configure the proxy username and password");
      }
      return fail(TransportFailure::kProxyAuthentication,
                  "proxy authentication to " + proxy_ + " failed (HTTP " + std::to_string(connect_status) +
                      "): check the proxy username and password");
    }
    return fail(TransportFailure::kProxy, "proxy " + proxy_ + " refused to open a tunnel to " + target_ +
                                              " (HTTP " + std::to_string(connect_status) +
                                              "): check that the proxy allows HTTPS (CONNECT) to that port");
  }

  switch (rc) {
    case CURLE_OK:  // a transfer without an HTTP status line
      return fail(TransportFailure::kConnectionLost, "no HTTP reply from " + url_);
    case CURLE_COULDNT_RESOLVE_HOST:
      return fail(TransportFailure::kDns, "cannot resolve the host name of " + target_ + " (" + detail +
                                              "): check the URL and the DNS settings");
    case CURLE_COULDNT_RESOLVE_PROXY:
      return fail(TransportFailure::kDns, "cannot resolve the proxy address of " + proxy_ + " (" + detail +
                                              "): check the proxy address and the DNS settings");
    case CURLE_COULDNT_CONNECT:
      if (via_proxy) {
        return fail(TransportFailure::kProxy, "cannot connect to proxy " + proxy_ + " (" + detail +
                                                  "): check the proxy address and port, and that it is running");
      }
      return fail(TransportFailure::kConnect, "cannot connect to " + target_ + " (" + detail +
                                                  "): check the URL and that the server is reachable");
    case CURLE_OPERATION_TIMEDOUT:
      if (connected_us == 0) {
        return fail(TransportFailure::kTimeout,
                    "connecting to " + (via_proxy ? "proxy " + proxy_ : target_) + " timed out after " +
                        Seconds(settings_.connect_timeout_seconds) + " (" + detail + ")");
      }
      return fail(TransportFailure::kTimeout,
                  "no answer from " + url_ + " within " + Seconds(settings_.total_timeout_seconds) +
                      (via_proxy ? " (through proxy " + proxy_ + ")" : std::string()) + " (" + detail + ")");
    case CURLE_PEER_FAILED_VERIFICATION:
      return fail(TransportFailure::kTls, "TLS certificate verification of " + target_ + " failed: " + detail +
                                              " (check the CA bundle and the server's certificate)");
    case CURLE_SSL_CACERT_BADFILE:
      return fail(TransportFailure::kTls, "the CA bundle '" + settings_.ca_bundle_path +
                                              "' cannot be used: " + detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return fail(TransportFailure::kTls, "TLS handshake with " + target_ + " failed: " + detail);
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (exchange.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        return fail(TransportFailure::kResponseTooLarge,
                    "the reply from " + url_ + " is larger than the limit of " + SizeText(exchange.cap) +
                        " (is the URL that of CSSM or of a Smart Transport server?)");
      }
      return fail(TransportFailure::kConnectionLost, "the reply from " + url_ + " could not be stored: " + detail);
    case CURLE_PROXY:
      return fail(TransportFailure::kProxy, "proxy " + proxy_ + " failed: " + detail);
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return fail(TransportFailure::kConnectionLost,
                  "the connection to " + target_ + (via_proxy ? " (through proxy " + proxy_ + ")" : std::string()) +
                      " was lost before the reply was complete: " + detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return fail(TransportFailure::kBadConfiguration, "the URL " + url_ + " cannot be used: " + detail);
    default:
      return fail(TransportFailure::kConnect, "request to " + url_ + " failed: " + detail + " (libcurl error " +
                                                  std::to_string(static_cast<int>(rc)) + ")");
  }
}

std::string CurlTransport::Scrub(std::string text) const {
  if (!settings_.proxy || settings_.proxy->password.empty()) return text;
  const ProxySettings& p = *settings_.proxy;
  const std::string mask = "********";
  // The password as typed, URL-encoded, and inside a Basic "user:password" token.
  text = MaskSecret(std::move(text), Base64Encode(p.username + ":" + p.password), mask);
  if (char* escaped = curl_easy_escape(nullptr, p.password.c_str(), static_cast<int>(p.password.size()))) {
    std::string encoded = escaped;
    curl_free(escaped);
    text = MaskSecret(std::move(text), encoded, mask);
  }
  return MaskSecret(std::move(text), p.password, mask);
}

}  // namespace sl
