// Reading orchestrate.toml into the typed model: TOML syntax, known keys,
// types and single-value rules. Cross-references are manifest_validate.cc's.
#include <toml++/toml.h>

#include <algorithm>
#include <climits>

#include "manifest_internal.h"

namespace orchestrate::manifest_internal {
namespace {

const std::vector<std::string> kTopKeys = {"version", "settings", "pools", "agents", "phase"};
const std::vector<std::string> kSettingsKeys = {"base",           "target",        "jobs",
                                                "keep_worktrees", "worktree_copy", "worktree_link"};
const std::vector<std::string> kPoolKeys = {"depth"};
const std::vector<std::string> kAnyKeys = {};  // agents: every key is a placeholder
const std::vector<std::string> kPhaseKeys = {
    "description", "agent",   "prompt",  "prompt_text", "model",   "deps",
    "verify",      "setup",   "inputs",  "env",         "key_env", "pool",
    "priority",    "timeout", "retries", "merge",       "run",     "requeue_on"};

SourcePos PosOf(const toml::source_region& region) {
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

bool Before(SourcePos a, SourcePos b) {
  return std::tie(a.line, a.column) < std::tie(b.line, b.column);
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

struct Entry {
  std::string key;
  SourcePos key_pos;
  SourcePos node_pos;
  const toml::node* node;
};

// The entries of `table` in the order they were written.
std::vector<Entry> EntriesInFileOrder(const toml::table& table) {
  std::vector<Entry> entries;
  for (auto&& [key, node] : table)
    entries.push_back({std::string(key.str()), PosOf(key.source()), PosOf(node.source()), &node});
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return Before(a.node_pos, b.node_pos) ||
           (!Before(b.node_pos, a.node_pos) && Before(a.key_pos, b.key_pos));
  });
  return entries;
}

// Reads the keys of one table with type checks, and reports the keys it was
// not asked for as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string context,
              const std::vector<std::string>& allowed, DiagnosticList* diags)
      : table_(table), context_(std::move(context)), allowed_(allowed), diags_(diags) {}

  const toml::node* Find(std::string_view key) const { return table_.get(key); }
  SourcePos KeyPos(std::string_view key) const { return PosOf(table_.find(key)->first.source()); }
  /// Reports a problem at `key`; returns false for `return Error(...)`.
  bool Error(std::string_view key, std::string message) const {
    diags_->Add(KeyPos(key), std::move(message));
    return false;
  }
  bool TypeError(std::string_view key, std::string_view expected) const {
    return Error(key, "'" + std::string(key) + "' must be " + std::string(expected) + ", not " +
                          TypeName(*Find(key)));
  }

  /// Reads a string; "" is an error unless `allow_empty`.
  bool String(std::string_view key, std::string* out, bool allow_empty = true) const;
  bool Int(std::string_view key, int* out, int min) const;
  bool Bool(std::string_view key, bool* out) const;
  bool StringList(std::string_view key, std::vector<std::string>* out,
                  std::vector<SourcePos>* positions = nullptr) const;
  bool StringTable(std::string_view key, std::map<std::string, std::string>* out) const;
  const toml::table* Table(std::string_view key) const;
  std::map<std::string, SourcePos> KeyPositions() const;
  void ReportUnknownKeys() const;

 private:
  const toml::table& table_;
  std::string context_;
  const std::vector<std::string>& allowed_;
  DiagnosticList* diags_;
};

bool TableReader::String(std::string_view key, std::string* out, bool allow_empty) const {
  const toml::node* node = Find(key);
  if (!node) return false;
  if (!node->is_string()) return TypeError(key, "a string");
  if (!allow_empty && node->as_string()->get().empty())
    return Error(key, "'" + std::string(key) + "' must not be empty");
  *out = node->as_string()->get();
  return true;
}

bool TableReader::Int(std::string_view key, int* out, int min) const {
  const toml::node* node = Find(key);
  if (!node) return false;
  if (!node->is_integer()) return TypeError(key, "an integer");
  int64_t value = node->as_integer()->get();
  std::string name = "'" + std::string(key) + "'";
  if (value < min) {
    std::string bound = min == 0 ? "0 or more" : "at least " + std::to_string(min);
    return Error(key, name + " must be " + bound + ", not " + std::to_string(value));
  }
  if (value > INT_MAX) return Error(key, name + " is too large: " + std::to_string(value));
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
  std::string name = "'" + std::string(key) + "'";
  if (!node->is_array()) {
    std::string hint = node->is_string() ? " (write " + std::string(key) + " = [\"...\"])" : "";
    return Error(key, name + " must be an array of strings, not " + TypeName(*node) + hint);
  }
  bool ok = true;
  int index = 0;
  for (const toml::node& element : *node->as_array()) {
    ++index;
    if (!element.is_string()) {
      diags_->Add(PosOf(element.source()), name + " must be an array of strings, but element " +
                                               std::to_string(index) + " is " + TypeName(element));
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
  for (const Entry& entry : EntriesInFileOrder(*node->as_table())) {
    if (entry.node->is_string()) {
      (*out)[entry.key] = entry.node->as_string()->get();
      continue;
    }
    diags_->Add(entry.key_pos, "'" + std::string(key) + "' values must be strings, but '" +
                                   entry.key + "' is " + TypeName(*entry.node) +
                                   " (quote the value)");
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

std::map<std::string, SourcePos> TableReader::KeyPositions() const {
  std::map<std::string, SourcePos> positions;
  for (auto&& [key, node] : table_) positions[std::string(key.str())] = PosOf(key.source());
  return positions;
}

void TableReader::ReportUnknownKeys() const {
  for (const Entry& entry : EntriesInFileOrder(table_)) {
    if (std::find(allowed_.begin(), allowed_.end(), entry.key) != allowed_.end()) continue;
    std::string what = context_.empty() && entry.node->is_table()
                           ? "unknown table '" + entry.key + "'"
                           : "unknown key '" + entry.key + "' " +
                                 (context_.empty() ? "at the top level" : "in " + context_);
    diags_->Add(entry.key_pos, what + DidYouMean(entry.key, allowed_));
  }
}

// A `requeue_on` list: strings, none empty (an empty pattern matches every output).
void ReadPatterns(const TableReader& reader, std::vector<std::string>* out) {
  if (!reader.StringList("requeue_on", out)) return;
  if (std::find(out->begin(), out->end(), "") != out->end())
    reader.Error("requeue_on", "'requeue_on' patterns must not be empty (\"\" matches any output)");
}

// worktree_copy / worktree_link: relative paths inside the repository.
void ReadRepoPaths(const TableReader& reader, std::string_view key, std::vector<std::string>* out) {
  if (!reader.StringList(key, out)) return;
  for (const std::string& path : *out) {
    bool escapes = path.empty() || path[0] == '/' || path == ".." || path.starts_with("../") ||
                   path.find("/../") != std::string::npos || path.ends_with("/..");
    if (escapes)
      reader.Error(key, "'" + std::string(key) + "' entries must be relative paths inside the " +
                            "repository, not '" + path + "'");
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

void ReadSettings(const toml::table& table, Settings* out, DiagnosticList* diags) {
  TableReader reader(table, "[settings]", kSettingsKeys, diags);
  reader.String("base", &out->base, false);
  reader.String("target", &out->target, false);
  reader.Int("jobs", &out->jobs, 1);
  ReadKeepWorktrees(reader, &out->keep_worktrees);
  ReadRepoPaths(reader, "worktree_copy", &out->worktree_copy);
  ReadRepoPaths(reader, "worktree_link", &out->worktree_link);
  reader.ReportUnknownKeys();
}

bool ReadTimeout(const TableReader& reader, std::optional<Duration>* out) {
  const toml::node* node = reader.Find("timeout");
  if (!node) return false;
  if (!node->is_string())
    return reader.TypeError("timeout", "a duration string like \"30m\" or \"1h30m\"");
  std::string text = node->as_string()->get();
  std::optional<Duration> duration = ParseDuration(text);
  if (!duration)
    return reader.Error("timeout", "invalid duration '" + text +
                                       "' for 'timeout' (use forms like 90s, 30m, 1h30m)");
  if (duration->count() == 0) return reader.Error("timeout", "'timeout' must be longer than 0s");
  *out = duration;
  return true;
}

// What the phase runs: run, or agent with its prompt and model.
void ReadPhaseCommand(const TableReader& reader, Phase* phase) {
  reader.String("description", &phase->description);
  reader.String("run", &phase->run, false);
  reader.String("agent", &phase->agent, false);
  reader.String("prompt", &phase->prompt, false);
  reader.String("prompt_text", &phase->prompt_text, false);
  reader.String("model", &phase->model, false);
  reader.StringList("verify", &phase->verify);
  reader.StringList("setup", &phase->setup);
  reader.StringTable("env", &phase->env);
  reader.StringList("key_env", &phase->key_env);
  ReadPatterns(reader, &phase->requeue_on);
}

// How the phase is scheduled and where it sits in the graph.
void ReadPhaseScheduling(const TableReader& reader, Phase* phase, std::vector<SourcePos>* dep_pos) {
  reader.StringList("deps", &phase->deps, dep_pos);
  reader.StringList("inputs", &phase->inputs);
  reader.String("pool", &phase->pool, false);
  reader.Int("priority", &phase->priority, INT_MIN);
  reader.Int("retries", &phase->retries, 0);
  reader.Bool("merge", &phase->merge);
  ReadTimeout(reader, &phase->timeout);
}

void ReadPhase(const Entry& entry, Manifest* out, SourceMap* sources, DiagnosticList* diags) {
  Phase phase;
  phase.name = entry.key;
  phase.pos = entry.node_pos;
  std::vector<SourcePos> dep_pos;
  TableReader reader(*entry.node->as_table(), "[phase." + entry.key + "]", kPhaseKeys, diags);
  ReadPhaseCommand(reader, &phase);
  ReadPhaseScheduling(reader, &phase, &dep_pos);
  phase.key_pos = reader.KeyPositions();
  reader.ReportUnknownKeys();
  out->phases.push_back(std::move(phase));
  sources->dep_pos.push_back(std::move(dep_pos));
}

void ReadPool(const Entry& entry, Manifest* out, SourceMap*, DiagnosticList* diags) {
  Pool pool{entry.key, 1, entry.node_pos};
  TableReader reader(*entry.node->as_table(), "[pools." + entry.key + "]", kPoolKeys, diags);
  reader.Int("depth", &pool.depth, 1);
  reader.ReportUnknownKeys();
  out->pools.push_back(std::move(pool));
}

// Agent keys other than requeue_on are strings and become placeholders.
void ReadAgentVars(const TableReader& reader, const Entry& entry, Agent* agent) {
  for (const Entry& key : EntriesInFileOrder(*entry.node->as_table())) {
    if (key.key == "requeue_on") continue;
    if (!key.node->is_string()) {
      reader.Error(key.key, "'" + key.key + "' in [agents." + entry.key +
                                "] must be a string, not " + TypeName(*key.node) +
                                " (agent keys are placeholders of its command)");
      continue;
    }
    agent->vars[key.key] = key.node->as_string()->get();
  }
}

void ReadAgent(const Entry& entry, Manifest* out, SourceMap* sources, DiagnosticList* diags) {
  Agent agent;
  agent.name = entry.key;
  agent.pos = entry.node_pos;
  TableReader reader(*entry.node->as_table(), "[agents." + entry.key + "]", kAnyKeys, diags);
  ReadAgentVars(reader, entry, &agent);
  agent.command = agent.vars.count("command") ? agent.vars["command"] : "";
  agent.model = agent.vars.count("model") ? agent.vars["model"] : "";
  ReadPatterns(reader, &agent.requeue_on);
  if (!reader.Find("command")) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : agent.vars) keys.push_back(key);
    std::string typo = Suggest("command", keys);
    diags->Add(agent.pos, "agent '" + agent.name + "' has no 'command'" +
                              (typo.empty() ? ": add the command line it runs"
                                            : " (is '" + typo + "' a misspelling of it?)"));
  }
  sources->agent_key_pos.push_back(reader.KeyPositions());
  out->agents.push_back(std::move(agent));
}

using NamedReader = void (*)(const Entry&, Manifest*, SourceMap*, DiagnosticList*);

// [pools.*], [agents.*] or [phase.*]: a table of named tables, read in file order.
void ReadNamedTables(const TableReader& top, std::string_view key, std::string_view kind,
                     NamedReader read, Manifest* out, SourceMap* sources, DiagnosticList* diags) {
  const toml::table* table = top.Table(key);
  if (!table) return;
  for (const Entry& entry : EntriesInFileOrder(*table)) {
    std::string header = std::string(key) + "." + entry.key;
    if (!entry.node->is_table()) {
      diags->Add(entry.key_pos, "'" + header + "' must be a table ([" + header + "]), not " +
                                    TypeName(*entry.node));
      continue;
    }
    std::string problem = NameProblem(kind, entry.key);
    if (!problem.empty()) diags->Add(entry.node_pos, problem);
    read(entry, out, sources, diags);
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

bool ReadManifest(std::string_view text, const std::string& file, Manifest* out, SourceMap* sources,
                  DiagnosticList* diags) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& e) {
    diags->Add(PosOf(e.source()), std::string(e.description()));
    return false;
  }
  TableReader top(root, "", kTopKeys, diags);
  ReadVersion(top, out, diags);
  if (const toml::table* settings = top.Table("settings"))
    ReadSettings(*settings, &out->settings, diags);
  ReadNamedTables(top, "pools", "pool", ReadPool, out, sources, diags);
  ReadNamedTables(top, "agents", "agent", ReadAgent, out, sources, diags);
  ReadNamedTables(top, "phase", "phase", ReadPhase, out, sources, diags);
  for (const Entry& entry : EntriesInFileOrder(root)) {
    bool known = std::find(kTopKeys.begin(), kTopKeys.end(), entry.key) != kTopKeys.end();
    if (!known || (entry.key == "phase" && !entry.node->is_table()))
      sources->missing_phases_explained = true;
  }
  top.ReportUnknownKeys();
  return true;
}

}  // namespace orchestrate::manifest_internal
