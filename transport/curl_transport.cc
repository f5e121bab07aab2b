#include "smartlicensing/curl_transport.h"

#include <curl/curl.h>
#include <unistd.h>

#include <mutex>
#include <utility>

#include "base/encoding.h"
#include "base/secrets.h"
#include "transport/curl_failures.h"
#include "transport/curl_options.h"
#include "transport/redirects.h"
#include "transport/reply_buffer.h"
#include "transport/retry_after.h"

namespace sl {

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

}  // namespace

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
  target_ = HostPort(url_);
  if (settings_.proxy) proxy_ = settings_.proxy->host + ":" + std::to_string(settings_.proxy->port);
  curl_slist* headers = nullptr;
  Status status = SetUpHandle(Handle(curl_), HandleSetup{url_, settings_, proxy_, error_buffer_.get()}, &headers);
  headers_ = headers;
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

// Any HTTP status but a redirect is a reply, for the agent to verify and interpret; a
// redirect (redirects.h) and anything else is a failure with a sentence (curl_failures.h).
TransportReply CurlTransport::Classify(int code, const ReplyBuffer& exchange, const char* error_buffer) const {
  CURL* h = Handle(curl_);
  const CURLcode rc = static_cast<CURLcode>(code);
  TransportReply reply;
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 300 && status < 400) {
    char* location = nullptr;  // owned by the handle
    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location);
    ClassifiedFailure redirect = DescribeRedirect(status, location, url_);
    reply.failure = redirect.failure;
    reply.error = Scrub(std::move(redirect.message));
    reply.http_status = static_cast<int>(status);
    return reply;
  }
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
  FailedTransfer failed = DescribeFailedTransfer(h, rc, error_buffer, exchange.too_large, exchange.cap);
  ClassifiedFailure failure = ClassifyFailure(failed, TransferRoute{settings_, url_, target_, proxy_});
  reply.failure = failure.failure;
  reply.error = Scrub(std::move(failure.message));
  return reply;
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
