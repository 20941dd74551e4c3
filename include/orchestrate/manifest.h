// The typed model of orchestrate.toml (SPEC section 2) and its loader.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestrate/duration.h"
#include "orchestrate/rare.h"

namespace orchestrate {

/// A 1-based line and column in the manifest; 0 means "unknown".
struct SourcePos {
  int line = 0;
  int column = 0;

  bool operator==(const SourcePos&) const = default;
};

/// Where each key of a table was written. A table has a handful of keys, so
/// a vector beats a map: one allocation per phase instead of one per key.
class KeyPositions {
 public:
  /// Records `key` at `pos`; keys are unique within a TOML table.
  void Add(std::string_view key, SourcePos pos) { entries_.emplace_back(key, pos); }
  /// Where `key` was written, or nullptr when the table does not have it.
  const SourcePos* Find(std::string_view key) const;
  /// Where `key` was written; throws std::out_of_range when it is absent.
  const SourcePos& at(std::string_view key) const;
  /// Whether the table has `key`.
  bool contains(std::string_view key) const { return Find(key) != nullptr; }
  /// The number of keys.
  size_t size() const { return entries_.size(); }
  /// Makes room for `count` keys.
  void reserve(size_t count) { entries_.reserve(count); }
  /// The (key, position) entries in the order they were added.
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  bool operator==(const KeyPositions&) const = default;

 private:
  std::vector<std::pair<std::string, SourcePos>> entries_;
};

/// One problem found in a manifest, printed as `FILE:LINE:COL: message`.
struct Diagnostic {
  std::string file;
  SourcePos pos;
  std::string message;
  std::string Format() const;
};

enum class KeepWorktrees { kAlways, kFailed, kNever };

/// Which cache records a run may reuse (docs/security.md): any record that
/// is consistent, or only those signed with ORCHESTRATE_CACHE_SIGNING_KEY.
enum class CacheTrust { kAny, kSigned };

/// [settings]
struct Settings {
  std::string base = "HEAD";
  std::string target = "orchestrate/integration";
  int jobs = 0;  ///< 0: not set (the CLI uses -j, else the number of CPUs)
  KeepWorktrees keep_worktrees = KeepWorktrees::kFailed;
  std::vector<std::string> worktree_copy;  ///< untracked files copied into each worktree
  std::vector<std::string> worktree_link;  ///< directories symlinked into each worktree
  /// A rate-limited phase gives up after waiting this long in total.
  Duration requeue_max = std::chrono::hours(6);
  /// A remote (name, path or URL) that `run` pulls records from before
  /// planning and pushes new records to after, best effort; empty: none.
  std::string cache_remote;
  CacheTrust cache_trust = CacheTrust::kAny;
  /// Ed25519 public keys whose record signatures are trusted (record_trust.h).
  std::vector<std::string> cache_public_keys;
  /// A run starts no new agent phase once the cost recorded in this run
  /// reaches this many US dollars; empty: no budget.
  std::optional<double> budget_usd;

  bool operator==(const Settings&) const = default;
};

/// [pools.NAME]: at most `depth` member phases run at once.
struct Pool {
  std::string name;
  int depth = 1;
  SourcePos pos;

  bool operator==(const Pool&) const = default;
};

/// How a phase's token counts and cost are read after it ran (SPEC section 8).
enum class UsageFormat {
  kFile,        ///< only ORCHESTRATE_USAGE_FILE, if the command wrote one
  kClaudeJson,  ///< `claude -p --output-format json` output in the log
  kCodexJson,   ///< `codex exec --json` JSONL events in the log
};

/// [agents.NAME]: a reusable command template.
struct Agent {
  std::string name;
  std::string command;
  std::string model;
  /// Every string-valued key of the agent table (command and model included):
  /// each one is a `{placeholder}` usable in the command.
  std::map<std::string, std::string> vars;
  std::vector<std::string> requeue_on;
  /// `usage = "claude-json" | "codex-json"`; kFile when not set.
  UsageFormat usage = UsageFormat::kFile;
  SourcePos pos;

  bool operator==(const Agent&) const = default;
};

/// The keys of a [phase.NAME] table that many phases leave out: kept apart,
/// so a phase without them is about 200 bytes instead of 500, and a graph
/// of 10,000 such phases is 3 MB smaller (docs/performance.md, "Twelfth
/// round").
struct PhaseDetails {
  std::string description;
  std::string prompt;       ///< prompt file as written, relative to the manifest's directory
  std::string prompt_text;  ///< inline prompt
  std::string model;        ///< overrides the agent's model when non-empty
  std::vector<std::string> setup;
  std::map<std::string, std::string> env;
  std::vector<std::string> key_env;
  std::vector<std::string> requeue_on;
  std::string pool;                 ///< empty: no pool
  std::optional<Duration> timeout;  ///< per command

  bool operator==(const PhaseDetails&) const = default;
};

/// [phase.NAME]
struct Phase {
  std::string name;
  std::string run;    ///< plain shell command, or empty
  std::string agent;  ///< agent name, or empty
  std::vector<std::string> deps;
  std::vector<std::string> verify;
  std::vector<std::string> inputs;  ///< globs (`**`, `*`, leading `!` excludes); empty: whole base
  int priority = 0;
  int retries = 0;
  bool merge = true;
  /// Agent phases: changing nothing and writing no handoff counts as success.
  bool allow_empty = false;
  /// A person approves the verified result before dependents use it (SPEC
  /// section 3 item 8). Not part of the key.
  bool approval = false;
  SourcePos pos;  ///< the [phase.NAME] header
  /// Where each key of the table was written, for the checks made once the
  /// whole manifest is read (manifest_validate.cc). Empty in a manifest
  /// loaded from its snapshot, which passed them: a run does not need them.
  KeyPositions key_pos;
  /// Description, prompt, model, setup, env, key_env, requeue_on, pool and
  /// timeout: made only when one of them is set.
  Rare<PhaseDetails> details;

  /// Neither `run` nor `agent`: the phase only verifies.
  bool IsGate() const { return run.empty() && agent.empty(); }
  /// Shorthands for details.get().
  const std::string& description() const { return details.get().description; }
  const std::string& prompt() const { return details.get().prompt; }
  const std::string& prompt_text() const { return details.get().prompt_text; }
  const std::string& model() const { return details.get().model; }
  const std::vector<std::string>& setup() const { return details.get().setup; }
  const std::map<std::string, std::string>& env() const { return details.get().env; }
  const std::vector<std::string>& key_env() const { return details.get().key_env; }
  const std::vector<std::string>& requeue_on() const { return details.get().requeue_on; }
  const std::string& pool() const { return details.get().pool; }
  const std::optional<Duration>& timeout() const { return details.get().timeout; }

  bool operator==(const Phase&) const = default;
};

/// Names -> indices for a vector of named items (phases, pools, agents): an
/// open-addressing hash table over its own compact copy of the names, so a
/// lookup touches a few small arrays rather than the items themselves, and
/// building it for 50,000 phases takes a handful of allocations.
class NameIndex {
 public:
  NameIndex() = default;
  /// Indexes items[i].name as i; of equal names, the first wins.
  template <typename Item>
  explicit NameIndex(const std::vector<Item>& items) {
    size_t bytes = 0;
    for (const Item& item : items) bytes += item.name.size();
    names_.reserve(bytes);  // one allocation each: growing them piecewise is slow
    starts_.reserve(items.size() + 1);
    for (const Item& item : items) Append(item.name);
    Build();
  }
  /// The index of `name`, or -1 when it is not there.
  int Find(std::string_view name) const;

 private:
  struct Slot {
    uint32_t hash = 0;
    int index = -1;  ///< -1: empty
  };
  void Append(std::string_view name);
  void Build();
  std::string_view Name(int index) const;
  /// Where `name` is in slots_, or the empty slot where it would go.
  size_t Probe(std::string_view name, uint32_t hash) const;

  std::string names_;             ///< every name, back to back
  std::vector<uint32_t> starts_;  ///< name i is names_[starts_[i], starts_[i + 1])
  std::vector<Slot> slots_;       ///< a power of two, at most half full
};

/// The whole manifest. Phases keep the order of the file.
struct Manifest {
  std::string path;  ///< absolute path of the manifest file
  std::string dir;   ///< absolute directory containing it
  int version = 1;
  Settings settings;
  std::vector<Pool> pools;
  std::vector<Agent> agents;
  std::vector<Phase> phases;

  const Phase* FindPhase(std::string_view name) const;
  const Pool* FindPool(std::string_view name) const;
  const Agent* FindAgent(std::string_view name) const;

  bool operator==(const Manifest&) const = default;
};

/// The `{placeholder}` values an agent's command gets for `phase`: every key
/// of the agent table, `phase`, and `model` (the phase's model overrides the
/// agent's; absent when neither sets one). The executor adds `prompt_file`,
/// `worktree` and `branch`, which only exist once the phase runs.
std::map<std::string, std::string> AgentCommandVars(const Agent& agent, const Phase& phase);

/// The agent's command for `phase`: AgentCommandVars plus `runtime` (for
/// example prompt_file, worktree, branch) filled in; placeholders missing
/// from both stay as written.
std::string ExpandAgentCommand(const Agent& agent, const Phase& phase,
                               const std::map<std::string, std::string>& runtime);

/// Parses and validates manifest text. `path` is used for diagnostics and to
/// resolve prompt files (relative to its directory). On any error returns
/// false with every error found in `diags`, in file order.
bool ParseManifest(std::string_view text, const std::string& path, Manifest* out,
                   std::vector<Diagnostic>* diags);

/// Reads the manifest file `path` whole into `text`. When it cannot be read
/// returns false with the one diagnostic saying why in `diags`.
bool ReadManifestFile(const std::string& path, std::string* text, std::vector<Diagnostic>* diags);

/// Reads `path` from disk (ReadManifestFile) and calls ParseManifest.
bool LoadManifest(const std::string& path, Manifest* out, std::vector<Diagnostic>* diags);

/// Searches `start_dir` and its parents for orchestrate.toml.
std::optional<std::string> FindManifest(const std::string& start_dir);

/// A commented starter manifest for `orchestrate init`; it validates.
std::string StarterManifest();

/// Names of pools, agents and phases: [A-Za-z0-9][A-Za-z0-9._-]{0,99}.
bool IsValidName(std::string_view name);

/// The closest of `candidates` to `word` by edit distance, if close enough
/// to suggest ("did you mean 'deps'?"); empty when none is.
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace orchestrate
