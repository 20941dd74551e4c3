#include "orchestrate/sha1.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace orchestrate {

namespace {

// Fetched once: an implicit fetch (EVP_sha1() in EVP_DigestInit_ex) looks
// the algorithm up in the provider store at every digest.
const EVP_MD* Sha1Method() {
  static EVP_MD* method = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return method;
}

}  // namespace

struct Sha1::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha1::Sha1() : context_(std::make_unique<Context>()) {
  // Fails only when libcrypto cannot allocate: as std::bad_alloc would.
  if (!context_->ctx || !Sha1Method() ||
      EVP_DigestInit_ex2(context_->ctx, Sha1Method(), nullptr) != 1)
    throw std::runtime_error("libcrypto could not start a SHA-1 digest (out of memory?)");
}

Sha1::~Sha1() = default;
Sha1::Sha1(Sha1&&) noexcept = default;
Sha1& Sha1::operator=(Sha1&&) noexcept = default;

void Sha1::Update(std::string_view data) {
  EVP_DigestUpdate(context_->ctx, data.data(), data.size());
}

std::string Sha1::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_->ctx, digest, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * size, '0');
  for (unsigned int i = 0; i < size; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace orchestrate
