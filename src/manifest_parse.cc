// Reading orchestrate.toml into the typed model: TOML syntax, known keys,
// types and single-value rules. Cross-references are manifest_validate.cc's.
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdint>
#include <span>
#include <sstream>

#include "manifest_internal.h"
#include "orchestrate/record_trust.h"

namespace orchestrate::manifest_internal {
namespace {

const std::vector<std::string> kTopKeys = {"version", "settings", "pools", "agents", "phase"};
const std::vector<std::string> kSettingsKeys = {
    "base",          "target",      "jobs",         "keep_worktrees", "worktree_copy",
    "worktree_link", "requeue_max", "cache_remote", "cache_trust",    "cache_public_keys",
    "budget_usd"};
const std::vector<std::string> kPoolKeys = {"depth"};
const std::vector<std::string> kAnyKeys = {};  // agents: every key is a placeholder
const std::vector<std::string> kPhaseKeys = {
    "description", "agent",  "prompt", "prompt_text", "model",       "deps",     "verify",
    "setup",       "inputs", "env",    "key_env",     "pool",        "priority", "timeout",
    "retries",     "merge",  "run",    "requeue_on",  "allow_empty", "approval"};

SourcePos PosOf(const toml::source_region& region) {
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "empty";
  }
}

// One key of a table. `key` views the TOML document's own string.
struct Entry {
  std::string_view key;
  SourcePos key_pos;
  SourcePos node_pos;
  const toml::node* node;
};

// A position as one number that sorts the same way.
uint64_t Packed(SourcePos pos) {
  return static_cast<uint64_t>(static_cast<uint32_t>(pos.line)) << 32 |
         static_cast<uint32_t>(pos.column);
}

// Where the value starts, then where the key does; the key's text breaks
// ties (it is toml++'s own order, so this matches a stable sort of it).
bool InFileOrder(const Entry& a, const Entry& b) {
  if (Packed(a.node_pos) != Packed(b.node_pos)) return Packed(a.node_pos) < Packed(b.node_pos);
  if (Packed(a.key_pos) != Packed(b.key_pos)) return Packed(a.key_pos) < Packed(b.key_pos);
  return a.key < b.key;
}

Entry EntryOf(const toml::key& key, const toml::node& node) {
  return {key.str(), PosOf(key.source()), PosOf(node.source()), &node};
}

// The entries of `table` in toml++'s order (by key).
std::vector<Entry> Entries(const toml::table& table) {
  std::vector<Entry> entries;
  entries.reserve(table.size());
  for (auto&& [key, node] : table) entries.push_back(EntryOf(key, node));
  return entries;
}

// The entries of one table in toml++'s order, kept inline when there are a
// few: most tables have a handful of keys, and reading 50,000 phase tables
// should not allocate (and free) 50,000 lists.
class EntryList {
 public:
  explicit EntryList(const toml::table& table) : on_heap_(table.size() > kInline) {
    if (on_heap_) {
      heap_ = Entries(table);
      size_ = heap_.size();
      return;
    }
    for (auto&& [key, node] : table) inline_[size_++] = EntryOf(key, node);
  }
  EntryList(const EntryList&) = delete;
  EntryList& operator=(const EntryList&) = delete;

  std::span<const Entry> all() const { return {on_heap_ ? heap_.data() : inline_.data(), size_}; }

 private:
  static constexpr size_t kInline = 8;
  bool on_heap_;
  size_t size_ = 0;
  std::array<Entry, kInline> inline_;
  std::vector<Entry> heap_;
};

// The entries of `table` in the order they were written.
std::vector<Entry> EntriesInFileOrder(const toml::table& table) {
  std::vector<Entry> entries = Entries(table);
  std::sort(entries.begin(), entries.end(), InFileOrder);
  return entries;
}

std::string Quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

// Reads the keys of one table with type checks, and reports the keys it was
// not asked for as unknown. Lists the table's entries once; a lookup scans
// them, which beats a map for the few keys a table has (each table is asked
// for a fixed set of keys, so reading stays linear). They stay in toml++'s
// order: every message carries its own position and the list of problems
// is sorted by position in the end, so file order would change nothing.
class TableReader {
 public:
  /// `section` and `name` name the table in messages: ("", "") is the top
  /// level, ("settings", "") is [settings], ("phase", "api") is [phase.api].
  TableReader(const toml::table& table, std::string_view section, std::string_view name,
              const std::vector<std::string>& allowed, DiagnosticList* diags)
      : entries_(table), section_(section), name_(name), allowed_(allowed), diags_(diags) {}

  /// Every key of the table.
  std::span<const Entry> entries() const { return entries_.all(); }
  const Entry* FindEntry(std::string_view key) const {
    for (const Entry& entry : entries())
      if (entry.key == key) return &entry;
    return nullptr;
  }
  const toml::node* Find(std::string_view key) const {
    const Entry* entry = FindEntry(key);
    return entry ? entry->node : nullptr;
  }
  SourcePos KeyPos(std::string_view key) const { return FindEntry(key)->key_pos; }
  /// Reports a problem at `key`; returns false for `return Error(...)`.
  bool Error(std::string_view key, std::string message) const {
    diags_->Add(KeyPos(key), std::move(message));
    return false;
  }
  bool TypeError(std::string_view key, std::string_view expected) const {
    return Error(
        key, Quoted(key) + " must be " + std::string(expected) + ", not " + TypeName(*Find(key)));
  }

  /// Reads a string; "" is an error unless `allow_empty`.
  bool String(std::string_view key, std::string* out, bool allow_empty = true) const;
  bool Int(std::string_view key, int* out, int min) const;
  bool Bool(std::string_view key, bool* out) const;
  bool StringList(std::string_view key, std::vector<std::string>* out,
                  std::vector<SourcePos>* positions = nullptr) const;
  bool StringTable(std::string_view key, std::map<std::string, std::string>* out) const;
  const toml::table* Table(std::string_view key) const;
  KeyPositions Positions() const;
  void ReportUnknownKeys() const;

 private:
  /// "[section.name]", "[section]", or "" at the top level.
  std::string Context() const;

  EntryList entries_;
  std::string_view section_;
  std::string_view name_;
  const std::vector<std::string>& allowed_;
  DiagnosticList* diags_;
};

bool TableReader::String(std::string_view key, std::string* out, bool allow_empty) const {
  const toml::node* node = Find(key);
  if (!node) return false;
  if (!node->is_string()) return TypeError(key, "a string");
  if (!allow_empty && node->as_string()->get().empty())
    return Error(key, Quoted(key) + " must not be empty");
  *out = node->as_string()->get();
  return true;
}

bool TableReader::Int(std::string_view key, int* out, int min) const {
  const toml::node* node = Find(key);
  if (!node) return false;
  if (!node->is_integer()) return TypeError(key, "an integer");
  int64_t value = node->as_integer()->get();
  if (value < min) {
    std::string bound = min == 0 ? "0 or more" : "at least " + std::to_string(min);
    return Error(key, Quoted(key) + " must be " + bound + ", not " + std::to_string(value));
  }
  if (value > INT_MAX) return Error(key, Quoted(key) + " is too large: " + std::to_string(value));
  *out = static_cast<int>(value);
  return true;
}

bool TableReader::Bool(std::string_view key, bool* out) const {
  const toml::node* node = Find(key);
  if (!node) return false;
  if (!node->is_boolean()) return TypeError(key, "a boolean (true or false)");
  *out = node->as_boolean()->get();
  return true;
}

bool TableReader::StringList(std::string_view key, std::vector<std::string>* out,
                             std::vector<SourcePos>* positions) const {
  const toml::node* node = Find(key);
  if (!node) return false;
  if (!node->is_array()) {
    std::string hint = node->is_string() ? " (write " + std::string(key) + " = [\"...\"])" : "";
    return Error(key, Quoted(key) + " must be an array of strings, not " + TypeName(*node) + hint);
  }
  const toml::array& array = *node->as_array();
  if (out->empty()) out->reserve(array.size());
  bool ok = true;
  int index = 0;
  for (const toml::node& element : array) {
    ++index;
    if (!element.is_string()) {
      diags_->Add(PosOf(element.source()), Quoted(key) + " must be an array of strings, but " +
                                               "element " + std::to_string(index) + " is " +
                                               TypeName(element));
      ok = false;
      continue;
    }
    out->push_back(element.as_string()->get());
    if (positions) positions->push_back(PosOf(element.source()));
  }
  return ok;
}

bool TableReader::StringTable(std::string_view key, std::map<std::string, std::string>* out) const {
  const toml::node* node = Find(key);
  if (!node) return false;
  if (!node->is_table()) return TypeError(key, "a table of strings");
  bool ok = true;
  for (const Entry& entry : Entries(*node->as_table())) {
    if (entry.node->is_string()) {
      out->insert_or_assign(std::string(entry.key), entry.node->as_string()->get());
      continue;
    }
    diags_->Add(entry.key_pos, Quoted(key) + " values must be strings, but " + Quoted(entry.key) +
                                   " is " + TypeName(*entry.node) + " (quote the value)");
    ok = false;
  }
  return ok;
}

const toml::table* TableReader::Table(std::string_view key) const {
  const toml::node* node = Find(key);
  if (!node) return nullptr;
  if (!node->is_table()) {
    TypeError(key, "a table");
    return nullptr;
  }
  return node->as_table();
}

KeyPositions TableReader::Positions() const {
  KeyPositions positions;
  positions.reserve(entries().size());
  for (const Entry& entry : entries()) positions.Add(entry.key, entry.key_pos);
  return positions;
}

std::string TableReader::Context() const {
  if (section_.empty()) return "";
  if (name_.empty()) return "[" + std::string(section_) + "]";
  return "[" + std::string(section_) + "." + std::string(name_) + "]";
}

void TableReader::ReportUnknownKeys() const {
  for (const Entry& entry : entries()) {
    if (std::find(allowed_.begin(), allowed_.end(), entry.key) != allowed_.end()) continue;
    std::string key(entry.key);
    std::string what = section_.empty() && entry.node->is_table()
                           ? "unknown table '" + key + "'"
                           : "unknown key '" + key + "' " +
                                 (section_.empty() ? "at the top level" : "in " + Context());
    diags_->Add(entry.key_pos, what + DidYouMean(entry.key, allowed_));
  }
}

// A `requeue_on` list: strings, none empty (an empty pattern matches every output).
void ReadPatterns(const TableReader& reader, std::vector<std::string>* out) {
  if (!reader.StringList("requeue_on", out)) return;
  if (std::find(out->begin(), out->end(), "") != out->end())
    reader.Error("requeue_on", "'requeue_on' patterns must not be empty (\"\" matches any output)");
}

// worktree_copy / worktree_link: relative paths strictly inside the repository.
void ReadRepoPaths(const TableReader& reader, std::string_view key, std::vector<std::string>* out,
                   DiagnosticList* diags) {
  std::vector<SourcePos> positions;
  if (!reader.StringList(key, out, &positions)) return;
  for (size_t i = 0; i < out->size(); ++i) {
    std::string problem = RepoPathProblem(key, (*out)[i]);
    if (!problem.empty()) diags->Add(positions[i], std::move(problem));
  }
}

// A list whose every string `problem_of` may reject, each at its own position.
void CheckListed(const TableReader& reader, std::string_view key, std::vector<std::string>* out,
                 std::string (*problem_of)(std::string_view), DiagnosticList* diags) {
  std::vector<SourcePos> positions;
  if (!reader.StringList(key, out, &positions)) return;
  for (size_t i = 0; i < out->size(); ++i) {
    std::string problem = problem_of((*out)[i]);
    if (!problem.empty()) diags->Add(positions[i], std::move(problem));
  }
}

std::string KeyEnvProblem(std::string_view name) { return EnvNameProblem("key_env", name); }

std::string CachePublicKeyProblem(std::string_view text) {
  std::string problem = PublicKeyProblem(std::string(text));
  return problem.empty() ? "" : "this 'cache_public_keys' entry " + problem;
}

// `env`: a table of strings whose names and values an environment can hold.
void ReadEnv(const TableReader& reader, std::map<std::string, std::string>* out,
             DiagnosticList* diags) {
  reader.StringTable("env", out);
  const toml::node* node = reader.Find("env");
  if (!node || !node->is_table()) return;
  for (const Entry& entry : Entries(*node->as_table())) {
    std::string problem = EnvNameProblem("env", entry.key);
    if (problem.empty() && entry.node->is_string())
      problem = EnvValueProblem(entry.key, entry.node->as_string()->get());
    if (!problem.empty()) diags->Add(entry.key_pos, std::move(problem));
  }
}

void ReadKeepWorktrees(const TableReader& reader, KeepWorktrees* out) {
  std::string value;
  if (!reader.String("keep_worktrees", &value)) return;
  static const std::map<std::string, KeepWorktrees> kValues = {{"always", KeepWorktrees::kAlways},
                                                               {"failed", KeepWorktrees::kFailed},
                                                               {"never", KeepWorktrees::kNever}};
  auto it = kValues.find(value);
  if (it != kValues.end()) {
    *out = it->second;
    return;
  }
  reader.Error("keep_worktrees",
               "'keep_worktrees' must be \"always\", \"failed\" or \"never\", not \"" + value +
                   "\"" + DidYouMean(value, {"always", "failed", "never"}));
}

// A duration string at `key` ("90s", "30m", "1h30m"), longer than 0s.
bool ReadDuration(const TableReader& reader, const std::string& key, std::optional<Duration>* out) {
  const toml::node* node = reader.Find(key);
  if (!node) return false;
  if (!node->is_string())
    return reader.TypeError(key, "a duration string like \"30m\" or \"1h30m\"");
  std::string text = node->as_string()->get();
  std::optional<Duration> duration = ParseDuration(text);
  if (!duration)
    return reader.Error(
        key, "invalid duration '" + text + "' for '" + key + "' (use forms like 90s, 30m, 1h30m)");
  if (duration->count() == 0) return reader.Error(key, "'" + key + "' must be longer than 0s");
  *out = duration;
  return true;
}

void ReadCacheTrust(const TableReader& reader, CacheTrust* out) {
  std::string value;
  if (!reader.String("cache_trust", &value)) return;
  if (value == "any" || value == "signed") {
    *out = value == "any" ? CacheTrust::kAny : CacheTrust::kSigned;
    return;
  }
  reader.Error("cache_trust", "'cache_trust' must be \"any\" or \"signed\", not \"" + value + "\"" +
                                  DidYouMean(value, {"any", "signed"}));
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// `budget_usd`: a positive number of US dollars, integer or not.
void ReadBudget(const TableReader& reader, std::optional<double>* out) {
  const toml::node* node = reader.Find("budget_usd");
  if (!node) return;
  if (!node->is_number()) {
    reader.TypeError("budget_usd", "a number of US dollars like 20 or 7.5");
    return;
  }
  double value = node->is_integer() ? static_cast<double>(node->as_integer()->get())
                                    : node->as_floating_point()->get();
  if (!(value > 0) || !std::isfinite(value)) {
    reader.Error("budget_usd", "'budget_usd' must be a positive number of US dollars, not " +
                                   FormatNumber(value) + " (leave it out for no budget)");
    return;
  }
  *out = value;
}

void ReadSettings(const toml::table& table, Settings* out, DiagnosticList* diags) {
  TableReader reader(table, "settings", "", kSettingsKeys, diags);
  reader.String("base", &out->base, false);
  reader.String("target", &out->target, false);
  reader.Int("jobs", &out->jobs, 1);
  ReadKeepWorktrees(reader, &out->keep_worktrees);
  ReadRepoPaths(reader, "worktree_copy", &out->worktree_copy, diags);
  ReadRepoPaths(reader, "worktree_link", &out->worktree_link, diags);
  std::optional<Duration> requeue_max;
  if (ReadDuration(reader, "requeue_max", &requeue_max)) out->requeue_max = *requeue_max;
  reader.String("cache_remote", &out->cache_remote, false);
  ReadCacheTrust(reader, &out->cache_trust);
  CheckListed(reader, "cache_public_keys", &out->cache_public_keys, CachePublicKeyProblem, diags);
  ReadBudget(reader, &out->budget_usd);
  reader.ReportUnknownKeys();
}

// What the phase runs: run, or agent with its prompt and model.
void ReadPhaseCommand(const TableReader& reader, Phase* phase, PhaseDetails* details,
                      DiagnosticList* diags) {
  reader.String("description", &details->description);
  reader.String("run", &phase->run, false);
  reader.String("agent", &phase->agent, false);
  if (reader.String("prompt", &details->prompt, false)) {
    std::string problem = PromptPathProblem(details->prompt);
    if (!problem.empty()) reader.Error("prompt", std::move(problem));
  }
  reader.String("prompt_text", &details->prompt_text, false);
  reader.String("model", &details->model, false);
  reader.StringList("verify", &phase->verify);
  reader.StringList("setup", &details->setup);
  ReadEnv(reader, &details->env, diags);
  CheckListed(reader, "key_env", &details->key_env, KeyEnvProblem, diags);
  ReadPatterns(reader, &details->requeue_on);
}

// How the phase is scheduled and where it sits in the graph.
void ReadPhaseScheduling(const TableReader& reader, Phase* phase, PhaseDetails* details,
                         std::vector<SourcePos>* dep_pos, DiagnosticList* diags) {
  reader.StringList("deps", &phase->deps, dep_pos);
  CheckListed(reader, "inputs", &phase->inputs, InputPatternProblem, diags);
  reader.String("pool", &details->pool, false);
  reader.Int("priority", &phase->priority, INT_MIN);
  reader.Int("retries", &phase->retries, 0);
  reader.Bool("merge", &phase->merge);
  reader.Bool("allow_empty", &phase->allow_empty);
  reader.Bool("approval", &phase->approval);
  ReadDuration(reader, "timeout", &details->timeout);
}

void ReadPhase(const Entry& entry, Phase* phase, SourceMap* sources, DiagnosticList* diags) {
  phase->name = entry.key;
  phase->pos = entry.node_pos;
  TableReader reader(*entry.node->as_table(), "phase", entry.key, kPhaseKeys, diags);
  PhaseDetails details;
  ReadPhaseCommand(reader, phase, &details, diags);
  sources->dep_pos_begin.push_back(sources->dep_pos.size());
  ReadPhaseScheduling(reader, phase, &details, &sources->dep_pos, diags);
  if (!(details == PhaseDetails{})) phase->details.Edit() = std::move(details);
  phase->key_pos = reader.Positions();
  reader.ReportUnknownKeys();
}

void ReadPool(const Entry& entry, Pool* pool, SourceMap*, DiagnosticList* diags) {
  pool->name = entry.key;
  pool->pos = entry.node_pos;
  TableReader reader(*entry.node->as_table(), "pools", entry.key, kPoolKeys, diags);
  reader.Int("depth", &pool->depth, 1);
  reader.ReportUnknownKeys();
}

// `usage = "claude-json" | "codex-json"`: which CLI's JSON output holds the usage.
void ReadUsageFormat(const TableReader& reader, Agent* agent) {
  const toml::node* node = reader.Find("usage");
  if (!node || !node->is_string()) return;  // ReadAgentVars reports other types
  std::string value = node->as_string()->get();
  if (value == "claude-json" || value == "codex-json") {
    agent->usage = value == "claude-json" ? UsageFormat::kClaudeJson : UsageFormat::kCodexJson;
    return;
  }
  reader.Error("usage", "'usage' must be \"claude-json\" or \"codex-json\", not \"" + value + "\"" +
                            DidYouMean(value, {"claude-json", "codex-json"}) +
                            " (leave it out to read only ORCHESTRATE_USAGE_FILE)");
}

// Agent keys other than requeue_on are strings and become placeholders.
void ReadAgentVars(const TableReader& reader, Agent* agent, DiagnosticList* diags) {
  for (const Entry& key : reader.entries()) {
    if (key.key == "requeue_on") continue;
    if (!key.node->is_string()) {
      diags->Add(key.key_pos, Quoted(key.key) + " in [agents." + agent->name +
                                  "] must be a string, not " + TypeName(*key.node) +
                                  " (agent keys are placeholders of its command)");
      continue;
    }
    agent->vars.insert_or_assign(std::string(key.key), key.node->as_string()->get());
  }
}

void ReadAgent(const Entry& entry, Agent* agent, SourceMap* sources, DiagnosticList* diags) {
  agent->name = entry.key;
  agent->pos = entry.node_pos;
  TableReader reader(*entry.node->as_table(), "agents", entry.key, kAnyKeys, diags);
  ReadAgentVars(reader, agent, diags);
  agent->command = agent->vars.count("command") ? agent->vars["command"] : "";
  agent->model = agent->vars.count("model") ? agent->vars["model"] : "";
  ReadPatterns(reader, &agent->requeue_on);
  ReadUsageFormat(reader, agent);
  if (!reader.Find("command")) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : agent->vars) keys.push_back(key);
    std::string typo = Suggest("command", keys);
    diags->Add(agent->pos, "agent '" + agent->name + "' has no 'command'" +
                               (typo.empty() ? ": add the command line it runs"
                                             : " (is '" + typo + "' a misspelling of it?)"));
  }
  sources->agent_key_pos.push_back(reader.Positions());
}

// [pools.*], [agents.*] or [phase.*]: a table of named tables, read in file
// order into `items` (one per table) by `read`.
template <typename Item>
void ReadNamedTables(const TableReader& top, std::string_view key, std::string_view kind,
                     void (*read)(const Entry&, Item*, SourceMap*, DiagnosticList*),
                     std::vector<Item>* items, SourceMap* sources, DiagnosticList* diags) {
  const toml::table* table = top.Table(key);
  if (!table) return;
  std::vector<Entry> entries = EntriesInFileOrder(*table);
  items->reserve(entries.size());
  CaseCollisions names;
  for (const Entry& entry : entries) {
    if (!entry.node->is_table()) {
      std::string header = std::string(key) + "." + std::string(entry.key);
      diags->Add(entry.key_pos, "'" + header + "' must be a table ([" + header + "]), not " +
                                    TypeName(*entry.node));
      continue;
    }
    std::string problem = NameProblem(kind, entry.key);
    if (problem.empty()) problem = names.Add(kind, entry.key);
    if (!problem.empty()) diags->Add(entry.node_pos, std::move(problem));
    read(entry, &items->emplace_back(), sources, diags);
  }
}

void ReadVersion(const TableReader& top, Manifest* out, DiagnosticList* diags) {
  if (!top.Find("version")) {
    diags->Add({1, 1}, "missing required key 'version' (add `version = 1` at the top)");
    return;
  }
  int version = 0;
  if (!top.Int("version", &version, INT_MIN)) return;
  out->version = version;
  if (version != 1)
    top.Error("version", "unsupported manifest version " + std::to_string(version) +
                             " (this orchestrate reads version 1)");
}

}  // namespace

bool ReadManifest(std::string_view text, Manifest* out, SourceMap* sources, DiagnosticList* diags) {
  if (std::optional<Diagnostic> bad = UnsupportedCharacter(text)) {
    diags->Add(bad->pos, std::move(bad->message));
    return false;
  }
  toml::table root;
  try {
    root = toml::parse(text);  // no source path: every node would share (and count) it
  } catch (const toml::parse_error& e) {
    diags->Add(PosOf(e.source()), std::string(e.description()));
    return false;
  }
  TableReader top(root, "", "", kTopKeys, diags);
  ReadVersion(top, out, diags);
  if (const toml::table* settings = top.Table("settings"))
    ReadSettings(*settings, &out->settings, diags);
  ReadNamedTables(top, "pools", "pool", ReadPool, &out->pools, sources, diags);
  ReadNamedTables(top, "agents", "agent", ReadAgent, &out->agents, sources, diags);
  ReadNamedTables(top, "phase", "phase", ReadPhase, &out->phases, sources, diags);
  for (const Entry& entry : top.entries()) {
    bool known = std::find(kTopKeys.begin(), kTopKeys.end(), entry.key) != kTopKeys.end();
    if (!known || (entry.key == "phase" && !entry.node->is_table()))
      sources->missing_phases_explained = true;
  }
  top.ReportUnknownKeys();
  return true;
}

std::span<const std::string> AcceptedKeys(std::string_view table) {
  if (table.empty()) return kTopKeys;
  if (table == "settings") return kSettingsKeys;
  if (table == "pools") return kPoolKeys;
  if (table == "phase") return kPhaseKeys;
  return {};
}

}  // namespace orchestrate::manifest_internal
