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

ObjectId Sha1::Digest() {
  ObjectId digest;
  static_assert(SHA_DIGEST_LENGTH == ObjectId::kSize);
  SHA1_Final(digest.data(), &context_);
  return digest;
}

BlobHasher::BlobHasher(size_t size) {
  sha_.Update("blob " + std::to_string(size));
  sha_.Update(std::string_view("", 1));
}

void BlobHasher::Flush() {
  sha_.Update(std::string_view(buffer_, used_));
  used_ = 0;
}

ObjectId BlobHasher::Finish() {
  Flush();
  return sha_.Digest();
}

}  // namespace orchestrate
