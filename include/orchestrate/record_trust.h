// Whether a cache record may be reused (docs/security.md): its consistency
// with the key it is looked up under and with the object store, and, with
// `cache_trust = "signed"`, its signature: HMAC-SHA256 with a shared secret,
// or Ed25519, which anyone holding the public key can verify.
#pragma once

#include <string>
#include <vector>

#include "orchestrate/git.h"
#include "orchestrate/manifest.h"

namespace orchestrate {

struct Record;  // cache.h

/// The environment variable holding the key records are signed with: a
/// shared secret (HMAC-SHA256), or an Ed25519 private key in PEM
/// (`openssl genpkey -algorithm ed25519`).
inline constexpr const char* kSigningKeyVariable = "ORCHESTRATE_CACHE_SIGNING_KEY";

/// Which records a ResultCache reuses, and the key it signs new ones with.
struct TrustPolicy {
  CacheTrust trust = CacheTrust::kAny;
  std::string signing_key;  ///< empty: records are written unsigned
  /// Ed25519 public keys whose signatures are trusted
  /// (settings.cache_public_keys): with them, a job without any secret
  /// verifies records -- a pull request from a fork reads the cache.
  std::vector<std::string> public_keys;

  /// `trust` and `public_keys` with the key from ORCHESTRATE_CACHE_SIGNING_KEY.
  /// Throws UsageError when that holds a PEM key other than Ed25519's.
  static TrustPolicy FromEnvironment(CacheTrust trust, std::vector<std::string> public_keys = {});
  /// True when some signature can be verified: a signing key or a public key.
  bool CanVerify() const { return !signing_key.empty() || !public_keys.empty(); }
  /// A public name of the keys that verify (16 hex digits), stored in the
  /// record index beside the entries whose signature they verified; empty
  /// when none can.
  std::string KeyId() const;
};

/// Why `text` is not an Ed25519 public key orchestrate can use (the base64
/// body of `openssl pkey -pubout`'s PEM, or that whole PEM); empty when it is.
std::string PublicKeyProblem(const std::string& text);

/// Why ORCHESTRATE_CACHE_SIGNING_KEY's value cannot sign (a PEM that is not
/// an Ed25519 private key); empty when it can.
std::string SigningKeyProblem(const std::string& key);

/// The text a record's signature covers: a format line, then per field
/// `name \0 size \0 value \n` for the phase, key, status, result commit,
/// result tree, input commit, handoff and every key component. Not the
/// log, timings or command outcomes: they decide nothing a run reuses.
std::string SignedText(const Record& record);
/// The signature of SignedText(record) under `key`: lower-case hex
/// HMAC-SHA256 for a shared secret; "ed25519:" and the hex signature for an
/// Ed25519 private key in PEM. Throws UsageError for an unusable PEM key.
std::string SignRecord(const Record& record, const std::string& key);
/// True when record.signature verifies under `policy`: an HMAC with its
/// signing key (compared in constant time), or an Ed25519 signature with one
/// of its public keys or the public half of its private signing key. False
/// for an unsigned record.
bool SignatureVerifies(const Record& record, const TrustPolicy& policy);

/// Why `record`, looked up for `phase` and `key`, must not be reused under
/// `policy` ("has status \"failed\"", "its result commit ... is missing
/// ..."); empty when it may. Checks the format version, status, phase and
/// key, that the key components hash to the key, that the result commit
/// exists, has result_tree as its tree and descends from the input commit,
/// and, under CacheTrust::kSigned, the signature.
std::string RecordProblem(Repo& repo, const Record& record, const std::string& phase,
                          const std::string& key, const TrustPolicy& policy);

}  // namespace orchestrate
