// A redirect (HTTP 3xx) as the transport reports it: a failure (kRedirected) whose
// sentence says where the server points, with whatever credentials the Location
// carries left out, so that the operator can set the final URL. The transport never
// follows redirects (curl_options.cc says why).
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "transport/curl_failures.h"

namespace sl {

// `location` is libcurl's CURLINFO_REDIRECT_URL (the Location header made absolute),
// or null when the reply had none; `url` is where the request went.
ClassifiedFailure DescribeRedirect(long http_status, const char* location, const std::string& url);

// `location` without its user name, password, query and fragment, for a message: the
// URL's query may hold a signature or a token (a left-out query shows as "?..."). Empty
// when `location` is null or not a URL.
std::string RedirectTargetForDisplay(const char* location);

}  // namespace sl
