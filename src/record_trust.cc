// Record checks and signatures (record_trust.h).
#include "orchestrate/record_trust.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "orchestrate/cache.h"

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

std::string Short(const ObjectId& id) { return id.substr(0, 12); }

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
  if (policy.signing_key.empty())
    return std::string("its signature cannot be checked without ") + kSigningKeyVariable;
  if (!SignatureVerifies(record, policy.signing_key))
    return std::string("its signature does not verify with ") + kSigningKeyVariable;
  return "";
}

}  // namespace

TrustPolicy TrustPolicy::FromEnvironment(CacheTrust trust) {
  TrustPolicy policy;
  policy.trust = trust;
  if (const char* key = std::getenv(kSigningKeyVariable)) policy.signing_key = key;
  return policy;
}

std::string TrustPolicy::KeyId() const {
  if (signing_key.empty()) return "";
  return HmacSha256(signing_key, "orchestrate cache signing key id").substr(0, 16);
}

std::string SignedText(const Record& record) {
  std::string text = "orchestrate record signature 1\n";
  AddField("phase", record.phase, &text);
  AddField("key", record.key, &text);
  AddField("status", record.status, &text);
  AddField("result", record.result, &text);
  AddField("result_tree", record.result_tree, &text);
  AddField("input", record.input, &text);
  AddField("handoff", record.handoff, &text);
  for (const auto& [name, value] : record.components.items)
    AddField("component " + name, value, &text);
  return text;
}

std::string SignRecord(const Record& record, const std::string& key) {
  return HmacSha256(key, SignedText(record));
}

bool SignatureVerifies(const Record& record, const std::string& key) {
  if (key.empty() || record.signature.empty()) return false;
  std::string expected = SignRecord(record, key);
  return expected.size() == record.signature.size() &&
         CRYPTO_memcmp(expected.data(), record.signature.data(), expected.size()) == 0;
}

std::string RecordProblem(Repo& repo, const Record& record, const std::string& phase,
                          const std::string& key, const TrustPolicy& policy) {
  std::string problem = FormProblem(record, phase, key);
  if (problem.empty()) problem = SignatureProblem(record, policy);
  if (problem.empty()) problem = ObjectProblem(repo, record);
  return problem;
}

}  // namespace orchestrate
