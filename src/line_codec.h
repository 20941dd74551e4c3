// Private to src/: the line format of orchestrate's own files (the state,
// the record index, the target memo). A file is lines; a line is fields
// separated by tabs; a text field escapes the four bytes that would break
// that framing or a reader's line handling:
//
//   backslash -> \\    tab -> \t    newline -> \n    carriage return -> \r
//
// Every other byte (NUL and bytes above 127 included) stands for itself, so
// the usual field is copied as it is, and decoding is the exact inverse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace orchestrate {

/// The eight bytes at `p` as one word, for comparing or scanning a field
/// eight bytes at a time.
inline uint64_t LoadWord(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

/// The most bytes EscapeField writes for `size` bytes of input.
constexpr size_t MaxEscapedSize(size_t size) { return 2 * size; }

/// True for the bytes a field escapes.
constexpr bool NeedsEscape(char c) { return c == '\\' || c == '\t' || c == '\n' || c == '\r'; }

/// Writes `text` escaped to `out`, which has room for
/// MaxEscapedSize(text.size()) bytes; returns the end of what it wrote.
/// Eight bytes at a time while they need no escaping, which is nearly always.
char* EscapeField(std::string_view text, char* out);

/// Appends `text`, escaped, to `out`.
void AppendEscaped(std::string_view text, std::string* out);

/// `text` escaped.
std::string Escaped(std::string_view text);

/// Appends the text `field` stands for to `out`; false (with `out` holding
/// a part) when a backslash is last or followed by anything but one of
/// \ t n r.
bool AppendUnescaped(std::string_view field, std::string* out);

/// Splits `line` at its tabs into exactly `fields.size()` fields; false
/// when it has another number of them.
bool SplitFields(std::string_view line, std::span<std::string_view> fields);

}  // namespace orchestrate
