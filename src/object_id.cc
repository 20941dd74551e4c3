#include "orchestrate/object_id.h"

#include <array>
#include <cstring>
#include <ostream>

namespace orchestrate {

namespace {

// The value of each hex digit, -1 for any other byte: one lookup per
// character (ids are read by the thousand from the state file and the
// record index on every run).
constexpr std::array<signed char, 256> kHexValues = [] {
  std::array<signed char, 256> values{};
  for (signed char& v : values) v = -1;
  for (int c = '0'; c <= '9'; ++c) values[c] = static_cast<signed char>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) values[c] = static_cast<signed char>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) values[c] = static_cast<signed char>(c - 'A' + 10);
  return values;
}();

}  // namespace

std::optional<ObjectId> ObjectId::FromHex(std::string_view hex) {
  ObjectId id;
  if (hex.empty()) return id;
  if (hex.size() != kHexSize) return std::nullopt;
  int invalid = 0;
  for (size_t i = 0; i < kSize; ++i) {
    int high = kHexValues[static_cast<unsigned char>(hex[2 * i])];
    int low = kHexValues[static_cast<unsigned char>(hex[2 * i + 1])];
    invalid |= high | low;  // negative once any digit was not one
    id.bytes_[i] = static_cast<unsigned char>((high & 0xf) << 4 | (low & 0xf));
  }
  if (invalid < 0) return std::nullopt;
  return id;
}

void ObjectId::WriteHex(char* out) const {
  // Both digits of a byte at once: keys and records write thousands of ids.
  static constexpr std::array<char, 512> kPairs = [] {
    constexpr char kDigits[] = "0123456789abcdef";
    std::array<char, 512> pairs{};
    for (size_t b = 0; b < 256; ++b) {
      pairs[2 * b] = kDigits[b >> 4];
      pairs[2 * b + 1] = kDigits[b & 0xf];
    }
    return pairs;
  }();
  for (size_t i = 0; i < kSize; ++i) std::memcpy(out + 2 * i, &kPairs[2 * bytes_[i]], 2);
}

std::string ObjectId::hex() const {
  if (empty()) return {};
  std::string out(kHexSize, '0');
  WriteHex(out.data());
  return out;
}

std::string ObjectId::ShortHex(size_t n) const {
  std::string out = hex();
  if (out.size() > n) out.resize(n);
  return out;
}

std::ostream& operator<<(std::ostream& out, const ObjectId& id) { return out << id.hex(); }

}  // namespace orchestrate
