#include "orchestrate/object_id.h"

#include <ostream>

namespace orchestrate {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<ObjectId> ObjectId::FromHex(std::string_view hex) {
  ObjectId id;
  if (hex.empty()) return id;
  if (hex.size() != kHexSize) return std::nullopt;
  for (size_t i = 0; i < kSize; ++i) {
    int high = HexValue(hex[2 * i]), low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    id.bytes_[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return id;
}

void ObjectId::WriteHex(char* out) const {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < kSize; ++i) {
    out[2 * i] = kDigits[bytes_[i] >> 4];
    out[2 * i + 1] = kDigits[bytes_[i] & 0xf];
  }
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
