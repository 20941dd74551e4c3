// A git object id: the 20 bytes of a SHA-1, held inline. Text forms (the
// state file, the record index, records, JSON, messages) use 40 lowercase
// hex digits; the conversion happens only at those edges.
#pragma once

#include <fmt/core.h>

#include <array>
#include <compare>
#include <cstddef>
#include <cstring>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

class ObjectId {
 public:
  static constexpr size_t kSize = 20;
  static constexpr size_t kHexSize = 2 * kSize;

  /// The null id (all zero bytes): names nothing. Git never gives an
  /// object this id.
  constexpr ObjectId() = default;

  /// The id whose bytes are the `kSize` bytes at `raw`.
  static ObjectId FromBytes(const unsigned char* raw) {
    ObjectId id;
    std::memcpy(id.bytes_.data(), raw, kSize);
    return id;
  }
  /// Parses 40 hex digits (either case); "" is the null id. nullopt for
  /// anything else.
  static std::optional<ObjectId> FromHex(std::string_view hex);

  /// True for the null id.
  bool empty() const { return *this == ObjectId(); }
  /// 40 lowercase hex digits; "" for the null id.
  std::string hex() const;
  /// The first `n` (<= 40) hex digits; "" for the null id.
  std::string ShortHex(size_t n) const;
  /// Writes the 40 hex digits to `out` (no terminator).
  void WriteHex(char* out) const;

  const unsigned char* data() const { return bytes_.data(); }
  unsigned char* data() { return bytes_.data(); }

  auto operator<=>(const ObjectId&) const = default;
  bool operator==(const ObjectId&) const = default;

 private:
  std::array<unsigned char, kSize> bytes_{};
};

/// Writes id.hex() (for tests' failure messages, and logs).
std::ostream& operator<<(std::ostream& out, const ObjectId& id);

/// Appends id.hex() to `out`.
inline void AppendHex(const ObjectId& id, std::string* out) {
  if (id.empty()) return;
  size_t at = out->size();
  out->resize(at + ObjectId::kHexSize);
  id.WriteHex(out->data() + at);
}

/// nlohmann::json's conversion (found by argument-dependent lookup): the
/// hex, "" for the null id. Reading ids from JSON is explicit (FromHex), so
/// that each reader says what a malformed id means.
template <typename Json>
void to_json(Json& j, const ObjectId& id) {
  j = id.hex();
}

/// The hex of `id`, or `absent` when there is none.
inline std::string HexOr(const std::optional<ObjectId>& id, std::string_view absent) {
  return id ? id->hex() : std::string(absent);
}

}  // namespace orchestrate

template <>
struct std::hash<orchestrate::ObjectId> {
  size_t operator()(const orchestrate::ObjectId& id) const noexcept {
    size_t h;  // the bytes are a SHA-1: any eight of them are well mixed
    std::memcpy(&h, id.data(), sizeof h);
    return h;
  }
};

template <>
struct fmt::formatter<orchestrate::ObjectId> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const orchestrate::ObjectId& id, Context& ctx) const {
    char hex[orchestrate::ObjectId::kHexSize];
    if (id.empty()) return fmt::formatter<std::string_view>::format(std::string_view(), ctx);
    id.WriteHex(hex);
    return fmt::formatter<std::string_view>::format(std::string_view(hex, sizeof hex), ctx);
  }
};
