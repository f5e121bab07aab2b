#include "base/text.h"

#include <cstdint>

namespace sl {
namespace {

// The well-formed UTF-8 character at the start of `s`: its length in bytes (0 when the
// first byte starts none: a stray continuation, an overlong form, a surrogate, past
// U+10FFFF, or a character cut short) and its code point. REQUIRES: `s` is not empty.
struct Character {
  size_t length = 0;
  uint32_t code_point = 0;
};

Character FirstCharacter(std::string_view s) {
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  unsigned char lead = static_cast<unsigned char>(s[0]);
  size_t n = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || n > s.size()) return {};
  uint32_t cp = n == 1 ? lead : lead & (0x7Fu >> n);
  for (size_t i = 1; i < n; ++i) {
    unsigned char next = static_cast<unsigned char>(s[i]);
    if ((next & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (next & 0x3Fu);
  }
  if (cp < kSmallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {n, cp};
}

bool IsControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

}  // namespace

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

std::string SanitizeForDisplay(std::string_view text, size_t max_len) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    Character c = FirstCharacter(text.substr(i));
    std::string_view shown = text.substr(i, c.length);
    if (c.length == 0) {
      shown = "?";
    } else if (IsControl(c.code_point) || c.code_point == 0x2028 || c.code_point == 0x2029) {
      shown = " ";
    }
    if (out.size() + shown.size() > max_len) return out + "...";
    out.append(shown);
    i += c.length == 0 ? 1 : c.length;
  }
  return out;
}

bool HasControlCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    Character c = FirstCharacter(text.substr(i));
    // A stray byte 0x80-0x9F is a C1 control to a terminal that reads 8-bit text.
    if (IsControl(c.length != 0 ? c.code_point : static_cast<unsigned char>(text[i]))) return true;
    i += c.length == 0 ? 1 : c.length;
  }
  return false;
}

bool HasBidiControl(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    Character c = FirstCharacter(text.substr(i));
    if ((c.code_point >= 0x202A && c.code_point <= 0x202E) || (c.code_point >= 0x2066 && c.code_point <= 0x2069)) {
      return true;
    }
    i += c.length == 0 ? 1 : c.length;
  }
  return false;
}

bool IsCarriableText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    Character c = FirstCharacter(text.substr(i));
    if (c.length == 0 || c.code_point == 0) return false;
    i += c.length;
  }
  return true;
}

}  // namespace sl
