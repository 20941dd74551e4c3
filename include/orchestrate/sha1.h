// SHA-1 for hashing our own texts (keys, target memo digests) with the same
// result as git's object ids: a small incremental wrapper around OpenSSL's
// libcrypto, which uses the CPU's SHA instructions where it has them.
// (libgit2's SHA-1 checks every block for the SHAttered collision pattern,
// which protects object stores against crafted collisions; a key is a hash
// of text orchestrate builds itself, so it does not need that and is
// several times faster without.)
#pragma once

#include <openssl/sha.h>

#include <cstring>
#include <string>
#include <string_view>

#include "orchestrate/object_id.h"

namespace orchestrate {

class Sha1 {
 public:
  Sha1();

  /// Hashes more input.
  void Update(std::string_view data);
  /// The digest of everything passed to Update. The object is spent
  /// afterwards.
  ObjectId Digest();
  /// Digest() as 40 lowercase hex digits.
  std::string HexDigest() { return Digest().hex(); }

 private:
  SHA_CTX context_;  // on the stack of the caller: no allocation per digest
};

/// The git blob id of a content given in pieces whose sizes add up to the
/// size it was made with. The pieces go through a small buffer, so a large
/// text need not be built whole in memory (docs/performance.md, "Twelfth
/// round"), nor passed to SHA-1 a few bytes at a time.
class BlobHasher {
 public:
  explicit BlobHasher(size_t size);
  void Add(std::string_view piece) {
    if (piece.size() > sizeof buffer_ - used_) Flush();
    if (piece.size() > sizeof buffer_) return sha_.Update(piece);
    std::memcpy(buffer_ + used_, piece.data(), piece.size());
    used_ += piece.size();
  }
  void Add(char c) { Add(std::string_view(&c, 1)); }
  /// The blob id. The object is spent afterwards.
  ObjectId Finish();

 private:
  void Flush();

  Sha1 sha_;
  size_t used_ = 0;
  char buffer_[8192];
};

}  // namespace orchestrate
