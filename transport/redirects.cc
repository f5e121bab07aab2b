#include "transport/redirects.h"

#include <curl/curl.h>

namespace sl {

std::string RedirectTargetForDisplay(const char* location) {
  if (location == nullptr || location[0] == '\0') return "";
  CURLU* u = curl_url();
  if (u == nullptr) return "";
  std::string out;
  char* query = nullptr;
  char* shown = nullptr;
  if (curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK) {
    const bool had_query = curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK;
    for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY,
                           CURLUPART_FRAGMENT}) {
      curl_url_set(u, part, nullptr, 0);  // null clears the part
    }
    if (curl_url_get(u, CURLUPART_URL, &shown, 0) == CURLUE_OK) out = std::string(shown) + (had_query ? "?..." : "");
  }
  curl_free(query);
  curl_free(shown);
  curl_url_cleanup(u);
  return out;
}

ClassifiedFailure DescribeRedirect(long http_status, const char* location, const std::string& url) {
  const std::string said = url + " answered with a redirect (HTTP " + std::to_string(http_status) + ")";
  const std::string target = RedirectTargetForDisplay(location);
  if (target.empty()) {
    return {TransportFailure::kRedirected,
            said + " without a usable location; the agent does not follow redirects: set the URL to that of "
                   "the licensing service itself"};
  }
  std::string fix = "set the URL to the final one";
  if (target.compare(0, 8, "https://") != 0) fix += " (HTTPS only: the agent speaks nothing else)";
  return {TransportFailure::kRedirected,
          said + " to " + target + "; the agent does not follow redirects: " + fix};
}

}  // namespace sl
