// SHA-1 for hashing our own texts (keys, target memo digests) with the same
// result as git's object ids: a small incremental wrapper around OpenSSL's
// libcrypto, which uses the CPU's SHA instructions where it has them.
// (libgit2's SHA-1 checks every block for the SHAttered collision pattern,
// which protects object stores against crafted collisions; a key is a hash
// of text orchestrate builds itself, so it does not need that and is
// several times faster without.)
#pragma once

#include <openssl/sha.h>

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

}  // namespace orchestrate
