// Small text helpers every module needs the same way: decimal numbers from the
// command line or configuration, and untrusted text made safe to show in one line.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sl {

// A decimal number of digits only (no sign, spaces or suffix) within [min, max];
// nullopt otherwise.
std::optional<int64_t> ParseDecimal(std::string_view text, int64_t min, int64_t max);

// Text from a peer (an error message, a name) made fit for a status line, a log or a
// state record: control characters (C0, DEL, C1) and line separators (U+2028, U+2029)
// become spaces, so that no escape sequence reaches an operator's terminal; a byte that
// is not part of well-formed UTF-8 (a lone surrogate, an overlong form, a cut character)
// becomes '?'; at most `max_len` bytes (then "..."), never cut inside a character. The
// result is valid UTF-8 free of control characters, whatever `text` holds.
std::string SanitizeForDisplay(std::string_view text, size_t max_len = 300);

// Whether `text` holds a character a terminal would obey rather than show: a C0
// control, DEL, or a C1 control (U+0080-U+009F: 0xC2 0x80-0x9F in UTF-8, or a stray
// byte 0x80-0x9F, which an 8-bit terminal reads as one).
bool HasControlCharacter(std::string_view text);

// Whether `text` holds a bidirectional override or isolate (U+202A-U+202E,
// U+2066-U+2069): invisible characters that make an identifier display as another
// ("Trojan Source"), so identifiers may not hold them.
bool HasBidiControl(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlong form, surrogate, stray or cut byte)
// free of NUL: what a JSON string of the protocol or the state may carry.
bool IsCarriableText(std::string_view text);

}  // namespace sl
