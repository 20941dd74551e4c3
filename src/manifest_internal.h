// Private to the manifest loader: the pieces shared by reading
// (manifest_parse.cc) and cross-checking (manifest_validate.cc).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "orchestrate/manifest.h"

namespace orchestrate::manifest_internal {

/// Collects the problems found in one manifest file.
class DiagnosticList {
 public:
  explicit DiagnosticList(std::string file) : file_(std::move(file)) {}
  void Add(SourcePos pos, std::string message);
  bool empty() const { return diags_.empty(); }
  /// In file order (line, then column), each distinct problem once.
  std::vector<Diagnostic> Sorted() const;

 private:
  std::string file_;
  std::vector<Diagnostic> diags_;
};

/// Positions the typed model does not keep, for errors found after reading.
struct SourceMap {
  /// Where each `deps` entry of every phase is, all phases in one vector:
  /// phase i's are dep_pos[dep_pos_begin[i]] up to the next phase's begin.
  std::vector<SourcePos> dep_pos;
  /// Per phase (same index as Manifest::phases): its first entry in dep_pos.
  std::vector<size_t> dep_pos_begin;
  /// Per agent (same index as Manifest::agents): where each key was written.
  std::vector<KeyPositions> agent_key_pos;
  /// True when an error already explains why there are no phases: an unknown
  /// top-level key ([phases.x]) or a `phase` that is not a table.
  bool missing_phases_explained = false;

  /// Where phase `phase`'s deps entries are, one per entry of Phase::deps.
  std::span<const SourcePos> DepPositions(size_t phase) const;
};

/// Parses `text` as TOML and fills `out` with every well-typed value,
/// reporting syntax errors, unknown keys, wrong types and bad values.
/// Returns false only when the TOML itself could not be parsed.
bool ReadManifest(std::string_view text, Manifest* out, SourceMap* sources, DiagnosticList* diags);

/// Cross-checks a read manifest: references between phases, pools and
/// agents, cycles, templates and prompt files.
void ValidateManifest(const Manifest& manifest, const SourceMap& sources, DiagnosticList* diags);

/// The message for a name that cannot be a phase/pool/agent name, or empty.
/// `kind` is "phase", "pool" or "agent"; phase names must also be valid in
/// git branch names.
std::string NameProblem(std::string_view kind, std::string_view name);

/// The message for a worktree_copy/worktree_link entry (`key`) that is not a
/// path strictly inside the repository, or empty: absolute, '..', '.git',
/// '.orchestrate/...' or the repository itself ("", ".", "./").
std::string RepoPathProblem(std::string_view key, std::string_view path);
/// The message for an `inputs` pattern that could never match a repository
/// path (absolute, '..' or '.' components, empty), or empty.
std::string InputPatternProblem(std::string_view pattern);
/// The message for an environment variable name listed under `key` ("env",
/// "key_env") that no environment can hold (empty, '=', NUL), or empty.
std::string EnvNameProblem(std::string_view key, std::string_view name);
/// The message for an `env` value holding a NUL character, or empty.
std::string EnvValueProblem(std::string_view name, std::string_view value);
/// The message for an absolute `prompt` path (prompts are relative to the
/// manifest's directory), or empty.
std::string PromptPathProblem(std::string_view path);

/// Finds names of one kind that are equal except for case ("Build" and
/// "build"), which collide as branch and directory names on
/// case-insensitive file systems.
class CaseCollisions {
 public:
  /// Records `name`; returns the message when an earlier name differs from
  /// it only in case, else empty. `kind` is "phase", "pool" or "agent".
  std::string Add(std::string_view kind, std::string_view name);

 private:
  std::unordered_map<std::string, std::string_view> first_;  ///< lowercased -> as written
};

/// The first character in U+FC36..U+FEFE of `text`, as a diagnostic (no file
/// name) at its line and column: toml++ 3.3 reaches undefined behaviour on
/// one where whitespace is expected, so the text never reaches it.
std::optional<Diagnostic> UnsupportedCharacter(std::string_view text);

/// " (did you mean 'x'?)" when Suggest finds one, else empty.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

/// The keys the parser accepts in a table: "" (the top level), "settings",
/// "pools" or "phase" (agents take any key). Empty for other names.
std::span<const std::string> AcceptedKeys(std::string_view table);

}  // namespace orchestrate::manifest_internal
