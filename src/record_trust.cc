// Record checks and signatures (record_trust.h).
#include "orchestrate/record_trust.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"

namespace orchestrate {
namespace {

void AddField(const std::string& name, const std::string& value, std::string* out) {
  *out += name;
  *out += '\0';
  *out += std::to_string(value.size());
  *out += '\0';
  *out += value;
  *out += '\n';
}

std::string Hex(const unsigned char* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 15];
  }
  return hex;
}

std::string HmacSha256(const std::string& key, const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &size);
  return Hex(digest, size);
}

constexpr const char* kEd25519Prefix = "ed25519:";
constexpr size_t kEd25519SignatureSize = 64;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

bool IsPem(const std::string& text) { return text.find("-----BEGIN") != std::string::npos; }

Key Ed25519Only(EVP_PKEY* key) {
  Key owned(key);
  if (owned && EVP_PKEY_get_id(owned.get()) != EVP_PKEY_ED25519) owned.reset();
  return owned;
}

Key ReadPrivateKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return Ed25519Only(key);
}

// The base64 body of a PEM public key, or that body alone on one line.
Key ReadPublicKey(const std::string& text) {
  std::string body;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.rfind("-----", 0) == 0) continue;
    for (char c : line)
      if (!std::isspace(static_cast<unsigned char>(c))) body += c;
  }
  if (body.empty() || body.size() % 4 != 0) return nullptr;
  std::string der(body.size() / 4 * 3, '\0');
  int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                             reinterpret_cast<const unsigned char*>(body.data()),
                             static_cast<int>(body.size()));
  if (size < 0) return nullptr;
  size -=
      static_cast<int>(std::count(body.end() - 2, body.end(), '='));  // DecodeBlock keeps padding
  const unsigned char* in = reinterpret_cast<const unsigned char*>(der.data());
  return Ed25519Only(d2i_PUBKEY(nullptr, &in, size));
}

std::string Ed25519Sign(EVP_PKEY* key, const std::string& text) {
  unsigned char signature[kEd25519SignatureSize];
  size_t size = sizeof signature;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
            EVP_DigestSign(ctx, signature, &size,
                           reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok)
    throw InfraError("cannot sign a cache record with the Ed25519 key in " +
                     std::string(kSigningKeyVariable));
  return kEd25519Prefix + Hex(signature, size);
}

bool Ed25519Verifies(EVP_PKEY* key, const std::string& signature_hex, const std::string& text) {
  if (signature_hex.size() != 2 * kEd25519SignatureSize) return false;
  unsigned char signature[kEd25519SignatureSize];
  for (size_t i = 0; i < kEd25519SignatureSize; ++i) {
    int high = OPENSSL_hexchar2int(static_cast<unsigned char>(signature_hex[2 * i]));
    int low = OPENSSL_hexchar2int(static_cast<unsigned char>(signature_hex[2 * i + 1]));
    if (high < 0 || low < 0) return false;
    signature[i] = static_cast<unsigned char>(high << 4 | low);
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, signature, sizeof signature,
                             reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// The DER encoding of the public half of `key`, naming it in KeyId.
std::string PublicDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key, &der);
  if (size <= 0) return "";
  std::string bytes(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return bytes;
}

std::string Short(std::string_view id) { return std::string(id.substr(0, 12)); }
std::string Short(const ObjectId& id) { return id.ShortHex(12); }

// The problems that need no object store, in the order a reader expects.
std::string FormProblem(const Record& record, const std::string& phase, const std::string& key) {
  if (record.version != Record::kFormatVersion)
    return "it has format version " + std::to_string(record.version);
  if (record.status != "succeeded")
    return "it has status \"" + record.status + "\", not \"succeeded\"";
  if (record.phase != phase || record.key != key)
    return "it describes phase '" + record.phase + "' with key '" + record.key + "'";
  if (record.components.items.empty()) return "it has no key components";
  std::string hash = record.components.Hash();
  if (hash != key) return "its key components hash to " + Short(hash) + ", not to its key";
  if (record.input.empty()) return "it names no input commit";
  if (record.result.empty() || record.result_tree.empty()) return "it names no result";
  return "";
}

std::string Missing(const std::string& what, const ObjectId& id) {
  return "its " + what + " " + Short(id) +
         " is missing from the object store (a partial fetch, or pruned); `orchestrate cache "
         "prune` removes the record";
}

std::string ObjectProblem(Repo& repo, const Record& record) {
  if (!repo.HasObject(record.result)) return Missing("result commit", record.result);
  if (!repo.HasObject(record.input)) return Missing("input commit", record.input);
  ObjectId tree = repo.TreeOf(record.result);
  if (tree != record.result_tree)
    return "its result commit's tree " + Short(tree) + " is not its result_tree " +
           Short(record.result_tree);
  if (!repo.HasObject(tree)) return Missing("result tree", tree);
  if (!repo.IsAncestor(record.input, record.result))
    return "its result " + Short(record.result) + " does not descend from its input " +
           Short(record.input);
  return "";
}

std::string SignatureProblem(const Record& record, const TrustPolicy& policy) {
  if (policy.trust != CacheTrust::kSigned) return "";
  if (record.signature.empty()) return "it is not signed, and settings.cache_trust is \"signed\"";
  if (!policy.CanVerify())
    return std::string("its signature cannot be checked without ") + kSigningKeyVariable +
           " or settings.cache_public_keys";
  if (!SignatureVerifies(record, policy))
    return record.signature.rfind(kEd25519Prefix, 0) == 0
               ? "its Ed25519 signature does not verify with settings.cache_public_keys"
               : std::string("its signature does not verify with ") + kSigningKeyVariable;
  return "";
}

}  // namespace

TrustPolicy TrustPolicy::FromEnvironment(CacheTrust trust, std::vector<std::string> public_keys) {
  TrustPolicy policy;
  policy.trust = trust;
  policy.public_keys = std::move(public_keys);
  if (const char* key = std::getenv(kSigningKeyVariable)) policy.signing_key = key;
  std::string problem = SigningKeyProblem(policy.signing_key);
  if (!problem.empty()) throw UsageError(problem);
  return policy;
}

std::string TrustPolicy::KeyId() const {
  if (!CanVerify()) return "";
  // What verifies: the secret (through an HMAC, never itself) or the
  // private key's public half, and every trusted public key, sorted.
  std::vector<std::string> parts;
  if (!signing_key.empty()) {
    Key private_key = IsPem(signing_key) ? ReadPrivateKey(signing_key) : nullptr;
    parts.push_back(private_key ? PublicDer(private_key.get())
                                : HmacSha256(signing_key, "orchestrate cache signing key id"));
  }
  for (const std::string& text : public_keys)
    if (Key key = ReadPublicKey(text)) parts.push_back(PublicDer(key.get()));
  std::sort(parts.begin(), parts.end());
  std::string all;
  for (const std::string& part : parts) all += part + '\n';
  return HmacSha256("orchestrate trusted keys", all).substr(0, 16);
}

std::string PublicKeyProblem(const std::string& text) {
  if (ReadPublicKey(text)) return "";
  return "is not an Ed25519 public key: give the base64 line of `openssl pkey -in KEY.pem "
         "-pubout` (it starts with MCowBQYDK2VwAyEA)";
}

std::string SigningKeyProblem(const std::string& key) {
  if (key.empty() || !IsPem(key) || ReadPrivateKey(key)) return "";
  return std::string(kSigningKeyVariable) +
         " holds a PEM key that is not an Ed25519 private key; make one with `openssl genpkey "
         "-algorithm ed25519 -out KEY.pem`, or use a random secret (`openssl rand -hex 32`)";
}

std::string SignedText(const Record& record) {
  std::string text = "orchestrate record signature 1\n";
  AddField("phase", record.phase, &text);
  AddField("key", record.key, &text);
  AddField("status", record.status, &text);
  AddField("result", record.result.hex(), &text);
  AddField("result_tree", record.result_tree.hex(), &text);
  AddField("input", record.input.hex(), &text);
  AddField("handoff", record.handoff, &text);
  for (const auto& [name, value] : record.components.items)
    AddField("component " + name, value, &text);
  return text;
}

std::string SignRecord(const Record& record, const std::string& key) {
  if (!IsPem(key)) return HmacSha256(key, SignedText(record));
  Key private_key = ReadPrivateKey(key);
  if (!private_key) throw UsageError(SigningKeyProblem(key));
  return Ed25519Sign(private_key.get(), SignedText(record));
}

bool SignatureVerifies(const Record& record, const TrustPolicy& policy) {
  const std::string& signature = record.signature;
  if (signature.empty()) return false;
  if (signature.rfind(kEd25519Prefix, 0) == 0) {
    std::string hex = signature.substr(std::string(kEd25519Prefix).size());
    std::string text = SignedText(record);
    if (IsPem(policy.signing_key)) {
      Key own = ReadPrivateKey(policy.signing_key);
      if (own && Ed25519Verifies(own.get(), hex, text)) return true;
    }
    for (const std::string& public_key : policy.public_keys) {
      Key key = ReadPublicKey(public_key);
      if (key && Ed25519Verifies(key.get(), hex, text)) return true;
    }
    return false;
  }
  if (policy.signing_key.empty() || IsPem(policy.signing_key)) return false;
  std::string expected = HmacSha256(policy.signing_key, SignedText(record));
  return expected.size() == signature.size() &&
         CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

std::string RecordProblem(Repo& repo, const Record& record, const std::string& phase,
                          const std::string& key, const TrustPolicy& policy) {
  std::string problem = FormProblem(record, phase, key);
  if (problem.empty()) problem = SignatureProblem(record, policy);
  if (problem.empty()) problem = ObjectProblem(repo, record);
  return problem;
}

}  // namespace orchestrate
