#include "line_codec.h"

#include <cstdint>
#include <cstring>

namespace orchestrate {
namespace {

// True if any of the eight bytes in `word` equals `byte` (a SWAR test).
bool HasByte(uint64_t word, unsigned char byte) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighBits = 0x8080808080808080;
  uint64_t x = word ^ (kOnes * byte);
  return ((x - kOnes) & ~x & kHighBits) != 0;
}

bool HasEscape(uint64_t word) {
  return HasByte(word, '\\') || HasByte(word, '\t') || HasByte(word, '\n') || HasByte(word, '\r');
}

char EscapeLetter(char c) {
  switch (c) {
    case '\t':
      return 't';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    default:
      return c;  // the backslash
  }
}

// The byte `\<letter>` stands for; '\0' for a letter that is no escape.
char EscapedByte(char letter) {
  switch (letter) {
    case '\\':
      return '\\';
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    default:
      return '\0';
  }
}

}  // namespace

char* EscapeField(std::string_view text, char* out) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word = LoadWord(text.data() + i);
    if (HasEscape(word)) break;
    std::memcpy(out, &word, sizeof word);
    out += sizeof word;
  }
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (NeedsEscape(c)) *out++ = '\\';
    *out++ = EscapeLetter(c);
  }
  return out;
}

void AppendEscaped(std::string_view text, std::string* out) {
  size_t start = out->size();
  out->resize(start + MaxEscapedSize(text.size()));
  char* end = EscapeField(text, out->data() + start);
  out->resize(static_cast<size_t>(end - out->data()));
}

std::string Escaped(std::string_view text) {
  std::string out;
  AppendEscaped(text, &out);
  return out;
}

bool AppendUnescaped(std::string_view field, std::string* out) {
  size_t backslash = field.find('\\');
  if (backslash == std::string_view::npos) {  // the usual case: nothing escaped
    out->append(field);
    return true;
  }
  out->reserve(out->size() + field.size());
  out->append(field.substr(0, backslash));
  for (size_t i = backslash; i < field.size(); ++i) {
    if (field[i] != '\\') {
      *out += field[i];
      continue;
    }
    if (++i == field.size()) return false;
    char byte = EscapedByte(field[i]);
    if (byte == '\0') return false;
    *out += byte;
  }
  return true;
}

bool SplitFields(std::string_view line, std::span<std::string_view> fields) {
  if (fields.empty()) return false;
  size_t start = 0;
  for (size_t i = 0; i + 1 < fields.size(); ++i) {
    size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) return false;
    fields[i] = line.substr(start, tab - start);
    start = tab + 1;
  }
  fields.back() = line.substr(start);
  return fields.back().find('\t') == std::string_view::npos;
}

}  // namespace orchestrate
