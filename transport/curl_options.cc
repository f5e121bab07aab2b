#include "transport/curl_options.h"

#include "transport/reply_buffer.h"

namespace sl {

namespace {

// Sets options on one handle and keeps the first refusal; after it, calls do nothing.
class OptionSetter {
 public:
  explicit OptionSetter(CURL* curl) : curl_(curl) {}

  template <typename T>
  void operator()(CURLoption option, T value, const char* name) {
    if (!status_.ok()) return;
    CURLcode rc = curl_easy_setopt(curl_, option, value);
    if (rc != CURLE_OK) status_ = Internal(std::string("libcurl refused ") + name + ": " + curl_easy_strerror(rc));
  }
  const Status& status() const { return status_; }

 private:
  CURL* curl_;
  Status status_;
};

void SetTransferOptions(OptionSetter& set, const HandleSetup& setup) {
  set(CURLOPT_URL, setup.url.c_str(), "the URL");
  set(CURLOPT_ERRORBUFFER, setup.error_buffer, "CURLOPT_ERRORBUFFER");
  set(CURLOPT_NOSIGNAL, 1L, "CURLOPT_NOSIGNAL");
  set(CURLOPT_NOPROGRESS, 1L, "CURLOPT_NOPROGRESS");
  // HTTPS and nothing else, for the request and for any redirect. Redirects are not
  // followed, on purpose: the operator chose where licensing traffic goes (and the
  // firewall and proxy rules let that host through); following one would send the
  // device's identity and usage to a host nobody configured, and a 301/302/303 would
  // turn the POST into a GET that drops the request anyway. A 3xx is reported as
  // kRedirected naming the target (redirects.h), so that the operator sets the final URL.
  set(CURLOPT_PROTOCOLS_STR, "https", "CURLOPT_PROTOCOLS_STR");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "https", "CURLOPT_REDIR_PROTOCOLS_STR");
  set(CURLOPT_FOLLOWLOCATION, 0L, "CURLOPT_FOLLOWLOCATION");
  // One request at a time: HTTP/1.1 is all the exchange needs and what proxies speak.
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1), "CURLOPT_HTTP_VERSION");
}

// Verification is not configurable.
void SetTlsOptions(OptionSetter& set, const TransportSettings& settings) {
  set(CURLOPT_SSL_VERIFYPEER, 1L, "CURLOPT_SSL_VERIFYPEER");
  set(CURLOPT_SSL_VERIFYHOST, 2L, "CURLOPT_SSL_VERIFYHOST");
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2), "CURLOPT_SSLVERSION");
  if (!settings.ca_bundle_path.empty()) {
    set(CURLOPT_CAINFO, settings.ca_bundle_path.c_str(), "the CA bundle");
    // Debian's libcurl also trusts /etc/ssl/certs by default (--with-ca-path): a
    // configured bundle must be the only trust, so the directory is switched off.
    set(CURLOPT_CAPATH, static_cast<const char*>(nullptr), "CURLOPT_CAPATH");
  }
}

void SetTimeouts(OptionSetter& set, const TransportSettings& settings) {
  set(CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings.connect_timeout_seconds), "the connect timeout");
  set(CURLOPT_TIMEOUT, static_cast<long>(settings.total_timeout_seconds), "the total timeout");
}

// Set explicitly either way, so that environment variables cannot take over.
void SetProxyOptions(OptionSetter& set, const HandleSetup& setup) {
  if (!setup.settings.proxy) {
    set(CURLOPT_PROXY, "", "CURLOPT_PROXY");  // "": no proxy, whatever https_proxy says
    return;
  }
  const ProxySettings& p = *setup.settings.proxy;
  std::string proxy_url = "http://" + setup.proxy;
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
}

// The envelope is POSTed as JSON; "Expect:" stops libcurl waiting for a
// 100 Continue on larger bodies. No Accept-Encoding: replies are not decompressed.
curl_slist* RequestHeaders() {
  curl_slist* headers = nullptr;
  for (const char* header : {"Content-Type: application/json", "Accept: application/json", "Expect:"}) {
    curl_slist* next = curl_slist_append(headers, header);
    if (next == nullptr) {
      curl_slist_free_all(headers);
      return nullptr;
    }
    headers = next;
  }
  return headers;
}

// The User-Agent names the software only, never this host.
void SetRequestOptions(OptionSetter& set, curl_slist* headers) {
  set(CURLOPT_HTTPHEADER, headers, "the request headers");
  set(CURLOPT_USERAGENT, "sl-agent/0.1", "CURLOPT_USERAGENT");
  set(CURLOPT_POST, 1L, "CURLOPT_POST");
  set(CURLOPT_WRITEFUNCTION, &OnReplyBody, "CURLOPT_WRITEFUNCTION");
  set(CURLOPT_HEADERFUNCTION, &OnReplyHeader, "CURLOPT_HEADERFUNCTION");
}

}  // namespace

Status SetUpHandle(CURL* curl, const HandleSetup& setup, curl_slist** headers) {
  OptionSetter set(curl);
  SetTransferOptions(set, setup);
  SetTlsOptions(set, setup.settings);
  SetTimeouts(set, setup.settings);
  SetProxyOptions(set, setup);
  *headers = RequestHeaders();
  if (*headers == nullptr) return Internal("out of memory building request headers");
  SetRequestOptions(set, *headers);
  return set.status();
}

}  // namespace sl
