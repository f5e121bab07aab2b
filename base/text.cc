#include "base/text.h"

#include <cctype>

namespace sl {

std::optional<int64_t> ParseDecimal(std::string_view text, int64_t min, int64_t max) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < min || n > max) return std::nullopt;
  return n;
}

std::string SanitizeForDisplay(std::string text, size_t max_len) {
  if (text.size() > max_len) text = text.substr(0, max_len) + "...";
  for (char& c : text) {
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  }
  return text;
}

}  // namespace sl
