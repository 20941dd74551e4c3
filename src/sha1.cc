// libcrypto's SHA1_* functions rather than its EVP interface: EVP fetches
// the algorithm from the provider store, whose first use reads OpenSSL's
// configuration (4.4 M instructions, 4% of a no-op run at 2,000 phases),
// and allocates a context per digest. OpenSSL 3 deprecates these functions
// in favour of EVP; they run the same assembly (docs/performance.md,
// "Seventh round").
#define OPENSSL_SUPPRESS_DEPRECATED

#include "orchestrate/sha1.h"

namespace orchestrate {

Sha1::Sha1() { SHA1_Init(&context_); }

void Sha1::Update(std::string_view data) { SHA1_Update(&context_, data.data(), data.size()); }

std::string Sha1::HexDigest() {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1_Final(digest, &context_);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * SHA_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace orchestrate
