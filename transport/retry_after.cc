#include "transport/retry_after.h"

#include <curl/curl.h>

#include <cctype>

namespace sl {

namespace {

constexpr std::string_view kRetryAfterField = "Retry-After:";

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// Header values come with the line's CR LF and optional whitespace around them.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
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

void TrackRetryAfter(std::string_view header_line, std::optional<std::string>& value) {
  if (StartsWithNoCase(header_line, "HTTP/")) {
    value.reset();
  } else if (StartsWithNoCase(header_line, kRetryAfterField)) {
    std::string_view field = Trim(header_line.substr(kRetryAfterField.size()));
    // A longer value is no number of seconds or date: not worth keeping.
    if (field.size() <= 64) value = std::string(field);
  }
}

}  // namespace sl
