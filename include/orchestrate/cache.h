// The result cache (SPEC section 4): keys, records, and their store under
// refs/orchestrate/ in the repository's own object database.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/events.h"  // CommandOutcome
#include "orchestrate/git.h"
#include "orchestrate/manifest.h"
#include "orchestrate/record_index.h"
#include "orchestrate/record_trust.h"
#include "orchestrate/usage.h"

namespace orchestrate {

/// The components a key is hashed from, by name. Names:
///   "command"            `run`, or the expanded agent command ({worktree} and
///                        {prompt_file} stay as written: they vary by machine;
///                        {branch} is orchestrate/phase/<name>). Gates: absent
///   "model"              the effective model of an agent phase
///   "prompt <path>"      blob id of the prompt file's content
///   "prompt-text"        the inline prompt itself
///   "verify", "setup"    the commands, joined by newlines
///   "env <NAME>"         each of the phase's env values
///   "base"               KeyInputs::base_content (no `inputs`)
///   "input <path>"       blob id of each base path matching `inputs`
///   "key_env <NAME>"     the inherited value ("<unset>" when unset)
///   "dep <name>"         the dependency's result tree id
///   "handoff <name>"     blob id of the dependency's handoff, when it wrote one
struct KeyComponents {
  std::map<std::string, std::string> items;
  /// Hex SHA-1 of the canonical serialization (KeyText).
  std::string Hash() const;
};

/// The text a key is the git blob id of: a format line, then per component
/// in name order `name \0 size \0 value \n`. Components are set in any
/// order (a later Set of a name replaces the earlier); Text() sorts them.
/// One KeyText serves phase after phase: once its buffers have grown, a key
/// costs no allocation, and KeyComponents is built only when asked for
/// (docs/performance.md, "Thirteenth round").
class KeyText {
 public:
  void Clear();
  /// Sets component `prefix` + `name` to `value`.
  void Set(std::string_view prefix, std::string_view name, std::string_view value);
  /// Sets it to `id` in hex ("" for the null id).
  void SetId(std::string_view prefix, std::string_view name, const ObjectId& id);
  /// Sets it to `lines` joined by newlines.
  void SetLines(std::string_view name, const std::vector<std::string>& lines);

  /// The serialization; valid until the next change.
  std::string_view Text();
  /// The key: the git blob id of Text().
  ObjectId Hash() { return HashBlob(Text()); }
  KeyComponents Components() const;

 private:
  /// Offsets into names_values_, where Set wrote the name and then the value.
  struct Item {
    uint32_t name;
    uint32_t name_size;
    uint32_t value_size;
  };
  std::string_view NameOf(const Item& item) const {
    return std::string_view(names_values_).substr(item.name, item.name_size);
  }
  std::string_view ValueOf(const Item& item) const {
    return std::string_view(names_values_).substr(item.name + item.name_size, item.value_size);
  }
  void StartItem(std::string_view prefix, std::string_view name);
  void EndItem();
  /// Sorts items_ by name, set order among equal names, and drops all but
  /// the last of each name.
  void Sort();

  std::string names_values_;
  std::vector<Item> items_;
  std::string text_;
  bool sorted_ = true;
};

/// What a phase's key takes from one of its dependencies. The views are of
/// the graph's names and the run's handoffs, which outlive a decision.
struct DepResult {
  std::string_view name;
  ObjectId tree;             ///< the result tree (for KeyInputs: its content id)
  std::string_view handoff;  ///< what it wrote to ORCHESTRATE_HANDOFF_FILE
};

/// Everything that enters a phase's key and lives outside the manifest.
struct KeyInputs {
  ObjectId base_tree;
  /// Identifies the base tree's content apart from orchestrate's own files
  /// (the manifest, prompt files: they enter keys through the specification
  /// instead), so editing one phase in a committed manifest does not make
  /// every phase stale. Empty: base_tree is used.
  ObjectId base_content;
  /// Every (path, blob) of the base tree without orchestrate's own files,
  /// walked once per run for `inputs` matching. Null: walked on demand.
  const std::vector<std::pair<std::string, ObjectId>>* base_files = nullptr;
  /// The dependencies' results, sorted by name; `tree` is the content id
  /// of the result tree (Repo::ContentIdExcluding).
  std::vector<DepResult> deps;
  std::map<std::string, ObjectId> prompt_blobs;    ///< prompt path -> blob id of its content
  std::map<std::string, std::string> environment;  ///< the inherited environment
};

/// Computes a phase's key components. Reads base paths from git's trees
/// (`repo.WalkTree`) when `inputs` is set; reads no files.
KeyComponents ComputeKey(const Manifest& manifest, const Phase& phase, Repo& repo,
                         const KeyInputs& inputs);
/// The same, written to `out` (cleared first) without building KeyComponents.
void ComputeKey(const Manifest& manifest, const Phase& phase, Repo& repo, const KeyInputs& inputs,
                KeyText* out);

/// True when `path` matches the `inputs` globs: matched by some pattern
/// (`**` any number of directories, `*` within one component, `?`) and not
/// excluded by a later `!pattern`.
bool MatchesInputs(const std::vector<std::string>& patterns, const std::string& path);

/// Why a phase whose components are `now` is stale compared with its last
/// record `then`: "command changed", "prompt prompts/a.md changed",
/// "input src/x.c changed", "dependency schema has a new result",
/// "env LOG_LEVEL changed", ... in a stable order; empty when equal.
std::vector<std::string> DescribeChanges(const KeyComponents& now, const KeyComponents& then);

/// A successful phase result: immutable, named by phase and key. Its
/// RecordedResult (record_index.h) is what a run reuses; the rest explains
/// and checks it.
struct Record : RecordedResult {
  static constexpr int kFormatVersion = 1;
  /// Store keeps only this many trailing bytes of `log`.
  static constexpr size_t kMaxLogBytes = 64 * 1024;
  int version = kFormatVersion;
  KeyComponents components;
  std::string status = "succeeded";
  ObjectId base;  ///< the run's base commit (empty in older records): explains "base changed"
  std::vector<CommandOutcome> commands;
  std::string log;  ///< the phase log (its last 64 KiB when larger)
  Usage usage;      ///< tokens and cost the phase reported (usage.h); empty if none
  /// Hex HMAC-SHA256 of SignedText() under ORCHESTRATE_CACHE_SIGNING_KEY
  /// (record_trust.h); empty when written without a key.
  std::string signature;
};

/// record.json of a record: every field but `log` and `handoff`, which are
/// stored as blobs of their own.
std::string RecordToJson(const Record& record);
/// Parses record.json read from `ref` (named in errors). Throws InfraError
/// when it is malformed or of another format version.
Record RecordFromJson(const std::string& json, const std::string& ref);

/// Summary of a stored record, for `cache list` and pruning.
struct RecordInfo {
  std::string phase;
  std::string key;
  std::string ref;
  int64_t started_at = 0;
  size_t size = 0;  ///< bytes of the record's own blobs
  /// Why the record could not be read (started_at is then 0); empty when it
  /// could. Unreadable records are listed so that pruning can remove them.
  std::string problem;
};

/// Records stored as commits under refs/orchestrate/cache/<phase>/<key>:
/// the commit's tree holds record.json, log and handoff.md; its parent is
/// the result commit, so the result stays reachable (gc, push, fetch).
class ResultCache {
 public:
  /// `index`, when given, answers Find() for records it has seen, checked
  /// against their refs (record_index.h); Store() adds to it.
  explicit ResultCache(Repo& repo, RecordIndex* index = nullptr) : repo_(repo), index_(index) {}
  ResultCache(const ResultCache&) = delete;
  ResultCache& operator=(const ResultCache&) = delete;

  /// The record of `phase` for `key`. An unreadable record or one of an
  /// unknown format version throws InfraError naming the ref and version.
  /// `with_log` false leaves Record::log empty (it is rarely needed and the
  /// largest part).
  std::optional<Record> Lookup(const std::string& phase, const std::string& key,
                               bool with_log = true);
  /// What a run needs of the record of `phase` for `key` to reuse it: its
  /// RecordedResult (components, commands and log stay empty). Served
  /// by the index when the record's ref still points at the record it indexed
  /// (its stamp unchanged, or its value read again) and, under
  /// CacheTrust::kSigned, the entry was verified with the current key;
  /// else read from git, checked (RecordProblem, record_trust.h) and
  /// indexed. A record that cannot be read or fails a check is ignored
  /// (nullopt) with a warning naming its ref, once per ref.
  std::optional<Record> Find(const std::string& phase, const std::string& key);
  /// Which records Find() reuses and the key Store() signs with; by
  /// default CacheTrust::kAny and no key.
  void SetPolicy(TrustPolicy policy) {
    policy_ = std::move(policy);
    key_id_ = policy_.KeyId();
  }
  /// Where warnings go (one line each, no prefix); by default to the log
  /// (spdlog::warn).
  void SetWarningSink(std::function<void(const std::string&)> sink) { warn_ = std::move(sink); }
  /// The most recent record of `phase` (by started_at), for explaining misses.
  /// Reads every record of the phase (not their logs); unreadable records
  /// are skipped.
  std::optional<Record> Latest(const std::string& phase);
  /// Stores `record` unless a record Find() would reuse exists for the same
  /// phase and key (records are immutable; one it would ignore is replaced),
  /// signed when the policy has a key. Returns false when it already
  /// existed. `replace` (a forced run's success) supersedes an existing
  /// record instead: the new record commit has the old one as its second
  /// parent, so the ref moves forward. Every object is checked to be written
  /// before the ref is (disk full: InfraError, and no ref).
  bool Store(const Record& record, bool replace = false);
  std::vector<RecordInfo> List();
  void Remove(const RecordInfo& info);

  static std::string RefName(const std::string& phase, const std::string& key);
  static constexpr const char* kRefPrefix = "refs/orchestrate/cache/";

 private:
  void Index(const Record& record, const ObjectId& commit, const RefStamp& stamp);
  /// Reads and checks the record `ref` points at under `policy`; nullopt,
  /// after a warning, when it must not be used.
  std::optional<Record> ReadChecked(const std::string& phase, const std::string& key,
                                    const std::string& ref, const ObjectId& commit,
                                    const TrustPolicy& policy);
  /// Whether an index entry may be reused without reading the record.
  bool Trusted(const RecordSummary& entry) const;
  void Warn(const std::string& ref, const std::string& text);

  Repo& repo_;
  TrustPolicy policy_;
  std::string key_id_;  ///< policy_.KeyId(), computed once
  std::function<void(const std::string&)> warn_;
  std::set<std::string> warned_;  ///< refs warned about (Warn), and "" once the missing key was
  RecordIndex* index_ = nullptr;
};

}  // namespace orchestrate
