// SHA-1 (FIPS 180-4) for hashing our own small texts — keys, target memo
// digests — with the same result as git's object ids, at several times the
// speed of libgit2's collision-detecting SHA-1, which checks every block for
// the SHAttered attack pattern. That check protects object stores against
// crafted collisions; a key is a hash of text orchestrate builds itself from
// the manifest, git's own ids and the environment.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace orchestrate {

class Sha1 {
 public:
  /// kFastest uses the CPU's SHA instructions when it has them (x86-64 SHA
  /// extensions), else the portable code; tests force kPortable too.
  enum class Implementation { kFastest, kPortable };
  explicit Sha1(Implementation implementation = Implementation::kFastest);
  /// Hashes more input.
  void Update(std::string_view data);
  /// The digest of everything passed to Update, as 40 lowercase hex digits.
  /// The object is spent afterwards.
  std::string HexDigest();

 private:
  void Block(const unsigned char* block);

  bool use_cpu_instructions_ = false;
  std::array<uint32_t, 5> h_;
  std::array<unsigned char, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t length_ = 0;  ///< bytes hashed so far
};

}  // namespace orchestrate
