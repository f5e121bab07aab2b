// The libcurl options of a CurlTransport's easy handle: where the security posture
// described in smartlicensing/curl_transport.h is put into effect (HTTPS only, no
// redirects, verification always on, the configured CA bundle as the only trust,
// proxy from the settings and never from the environment, reply callbacks).
// Thread-safety: SetUpHandle touches only the handle it is given.
#pragma once

#include <curl/curl.h>

#include <string>

#include "smartlicensing/status.h"
#include "smartlicensing/transport.h"

namespace sl {

// What the handle is set up from. Everything must outlive the handle, except the
// strings that libcurl copies (all but the error buffer).
struct HandleSetup {
  const std::string& url;
  const TransportSettings& settings;
  const std::string& proxy;  // "host:port" of settings.proxy; empty without one
  char* error_buffer;        // CURLOPT_ERRORBUFFER, CURL_ERROR_SIZE bytes
};

// Sets every option of `curl`. The request header list is stored in `*headers` as
// soon as it is built (the caller frees it with curl_slist_free_all once the handle
// is cleaned up), even when an option is refused later. Internal with the option's
// name when libcurl refuses one.
Status SetUpHandle(CURL* curl, const HandleSetup& setup, curl_slist** headers);

}  // namespace sl
