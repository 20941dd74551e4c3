// Whether a cache record may be reused (docs/security.md): its consistency
// with the key it is looked up under and with the object store, and, with
// `cache_trust = "signed"`, its HMAC-SHA256 signature.
#pragma once

#include <string>

#include "orchestrate/git.h"
#include "orchestrate/manifest.h"

namespace orchestrate {

struct Record;  // cache.h

/// The environment variable holding the key records are signed with.
inline constexpr const char* kSigningKeyVariable = "ORCHESTRATE_CACHE_SIGNING_KEY";

/// Which records a ResultCache reuses, and the key it signs new ones with.
struct TrustPolicy {
  CacheTrust trust = CacheTrust::kAny;
  std::string signing_key;  ///< empty: records are written unsigned, none verifies

  /// `trust` with the key from ORCHESTRATE_CACHE_SIGNING_KEY.
  static TrustPolicy FromEnvironment(CacheTrust trust);
  /// A public name of signing_key (16 hex digits of an HMAC of a fixed
  /// text), stored in the record index beside the entries whose signature
  /// it verified; empty without a key.
  std::string KeyId() const;
};

/// The text a record's signature covers: a format line, then per field
/// `name \0 size \0 value \n` for the phase, key, status, result commit,
/// result tree, input commit, handoff and every key component. Not the
/// log, timings or command outcomes: they decide nothing a run reuses.
std::string SignedText(const Record& record);
/// Lower-case hex HMAC-SHA256 of SignedText(record) under `key`.
std::string SignRecord(const Record& record, const std::string& key);
/// True when record.signature is SignRecord(record, key) (compared in
/// constant time); false for an unsigned record or an empty key.
bool SignatureVerifies(const Record& record, const std::string& key);

/// Why `record`, looked up for `phase` and `key`, must not be reused under
/// `policy` ("has status \"failed\"", "its result commit ... is missing
/// ..."); empty when it may. Checks the format version, status, phase and
/// key, that the key components hash to the key, that the result commit
/// exists, has result_tree as its tree and descends from the input commit,
/// and, under CacheTrust::kSigned, the signature.
std::string RecordProblem(Repo& repo, const Record& record, const std::string& phase,
                          const std::string& key, const TrustPolicy& policy);

}  // namespace orchestrate
