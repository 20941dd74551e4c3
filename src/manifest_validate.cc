// Cross-checks of a read manifest: what refers to what, cycles, agent
// command templates and prompt files.
#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <span>

#include "manifest_internal.h"
#include "orchestrate/graph_algorithms.h"
#include "orchestrate/template.h"

namespace orchestrate::manifest_internal {
namespace {

namespace fs = std::filesystem;

bool Has(const Phase& phase, std::string_view key) { return phase.key_pos.contains(key); }

SourcePos KeyPos(const Phase& phase, std::string_view key) {
  const SourcePos* pos = phase.key_pos.Find(key);
  return pos ? *pos : phase.pos;
}

// The position of whichever of two present keys was written last.
SourcePos LaterKeyPos(const Phase& phase, std::string_view a, std::string_view b) {
  SourcePos pa = KeyPos(phase, a), pb = KeyPos(phase, b);
  return std::tie(pa.line, pa.column) > std::tie(pb.line, pb.column) ? pa : pb;
}

// Phases, pools or agents by name: O(1) lookups, so checking 50,000 phases
// is linear.
template <typename T>
class NamedItems {
 public:
  explicit NamedItems(const std::vector<T>& items) : items_(items), index_(items) {}
  /// The index of the item called `name`, or -1.
  int Find(std::string_view name) const { return index_.Find(name); }
  bool Contains(std::string_view name) const { return index_.Find(name) >= 0; }
  /// Every name, in order. Copied on first use: only messages about unknown
  /// names need the list, so a valid manifest never pays for it.
  const std::vector<std::string>& Names() const {
    if (!names_) {
      names_.emplace();
      names_->reserve(items_.size());
      for (const T& item : items_) names_->push_back(item.name);
    }
    return *names_;
  }

 private:
  const std::vector<T>& items_;
  NameIndex index_;
  mutable std::optional<std::vector<std::string>> names_;
};

// run, or agent with exactly one of prompt/prompt_text; prompt and model only
// with an agent. Keys with a wrong type were reported already and read as empty.
void CheckCommandKind(const Phase& phase, DiagnosticList* diags) {
  auto who = [&] { return "phase '" + phase.name + "'"; };
  bool prompt = !phase.prompt().empty(), prompt_text = !phase.prompt_text().empty();
  if (!phase.run.empty() && !phase.agent.empty())
    diags->Add(LaterKeyPos(phase, "run", "agent"), who() + " has both 'run' and 'agent': use one");
  if (prompt && prompt_text)
    diags->Add(LaterKeyPos(phase, "prompt", "prompt_text"),
               who() + " has both 'prompt' and 'prompt_text': use one");
  if (!phase.agent.empty() && !prompt && !prompt_text && !Has(phase, "prompt") &&
      !Has(phase, "prompt_text"))
    diags->Add(KeyPos(phase, "agent"), who() + " uses agent '" + phase.agent +
                                           "' but has no 'prompt' or 'prompt_text' to give it");
  bool agent_only_keys = prompt || prompt_text || !phase.model().empty();
  if (!agent_only_keys || !phase.agent.empty() || Has(phase, "agent")) return;
  const std::pair<const char*, bool> agent_only[] = {
      {"prompt", prompt}, {"prompt_text", prompt_text}, {"model", !phase.model().empty()}};
  for (const auto& [key, present] : agent_only) {
    if (present)
      diags->Add(KeyPos(phase, key), "'" + std::string(key) + "' in " + who() +
                                         " needs an 'agent': it only makes sense with an agent");
  }
}

void CheckPromptFile(const Manifest& manifest, const Phase& phase, DiagnosticList* diags) {
  if (phase.prompt().empty() || phase.prompt().front() == '/')
    return;  // absolute: reported already
  fs::path file = fs::path(manifest.dir) / phase.prompt();
  std::error_code ec;
  fs::file_status status = fs::status(file, ec);
  std::string quoted = "prompt file '" + phase.prompt() + "'";
  if (!fs::exists(status))
    diags->Add(KeyPos(phase, "prompt"),
               quoted + " does not exist (relative to " + manifest.dir + ")");
  else if (fs::is_directory(status))
    diags->Add(KeyPos(phase, "prompt"), quoted + " is a directory, not a file");
}

// A reference to a pool or agent that must exist.
template <typename T>
void CheckReference(const Phase& phase, std::string_view key, std::string_view kind,
                    const std::string& name, const NamedItems<T>& known, DiagnosticList* diags) {
  if (name.empty() || known.Contains(name)) return;
  std::string hint = DidYouMean(name, known.Names());
  if (hint.empty()) hint = " (define it with [" + std::string(kind) + "s." + name + "])";
  diags->Add(KeyPos(phase, key), "phase '" + phase.name + "' uses unknown " + std::string(kind) +
                                     " '" + name + "'" + hint);
}

// Checks the deps of phase `self` and adds an edge for each one naming
// another phase, repeats included. `listed_by[p] == self` once `self` has
// listed phase p, which finds repeats without a per-phase set.
void CheckDeps(int self, const Phase& phase, std::span<const SourcePos> dep_pos,
               const NamedItems<Phase>& phases, std::vector<int>* listed_by, EdgeList* edges,
               DiagnosticList* diags) {
  auto who = [&] { return "phase '" + phase.name + "'"; };
  for (size_t i = 0; i < phase.deps.size(); ++i) {
    const std::string& dep = phase.deps[i];
    SourcePos pos = i < dep_pos.size() ? dep_pos[i] : KeyPos(phase, "deps");
    int target = phases.Find(dep);
    if (target == self) {  // names are unique, so this is dep == phase.name
      diags->Add(pos, who() + " depends on itself");
      continue;
    }
    if (target >= 0) edges->emplace_back(self, target);
    bool repeated = target >= 0 ? (*listed_by)[target] == self
                                : std::find(phase.deps.begin(), phase.deps.begin() + i, dep) !=
                                      phase.deps.begin() + i;
    if (target >= 0) (*listed_by)[target] = self;
    if (repeated)
      diags->Add(pos, who() + " lists dependency '" + dep + "' twice");
    else if (target < 0)
      diags->Add(
          pos, who() + " depends on unknown phase '" + dep + "'" + DidYouMean(dep, phases.Names()));
  }
}

// The names a {placeholder} of `agent`'s command may use for `phase`: the
// built-ins first, then the agent's keys (and the phase's model).
std::vector<std::string> DefinedPlaceholders(const Agent& agent, const Phase& phase) {
  std::vector<std::string> defined = {"phase", "prompt_file", "worktree", "branch"};
  for (const auto& [name, value] : AgentCommandVars(agent, phase))
    if (std::find(defined.begin(), defined.end(), name) == defined.end()) defined.push_back(name);
  return defined;
}

bool AllDefined(const std::vector<std::string>& placeholders,
                const std::vector<std::string>& defined) {
  for (const std::string& name : placeholders)
    if (std::find(defined.begin(), defined.end(), name) == defined.end()) return false;
  return true;
}

// Every {placeholder} of the agent's command must be defined for `phase`.
void CheckAgentCommand(const Agent& agent, const Phase& phase,
                       const std::vector<std::string>& placeholders, SourcePos pos,
                       DiagnosticList* diags) {
  std::vector<std::string> defined = DefinedPlaceholders(agent, phase);
  std::string where = " in agent '" + agent.name + "' command";
  for (const std::string& name : placeholders) {
    if (std::find(defined.begin(), defined.end(), name) != defined.end()) continue;
    std::string message = "undefined placeholder {" + name + "}" + where;
    std::string close = Suggest(name, defined);
    if (name == "model")
      message += ": set 'model' in [agents." + agent.name + "] or in [phase." + phase.name + "]";
    else if (!close.empty())
      message += " (did you mean {" + close + "}?)";
    diags->Add(pos, message);
  }
}

// One agent's command, for checking the phases that use it.
struct AgentCommand {
  const SourcePos* pos = nullptr;         ///< of its `command` key; nullptr without one
  std::vector<std::string> placeholders;  ///< of the command, each once
  /// Whether every placeholder is defined, for phases without [0] and with
  /// [1] a model of their own. Nothing else about a phase changes what is
  /// defined (AgentCommandVars), so two answers per agent serve every phase.
  std::optional<bool> complete[2];
};

void CheckAgentCommands(const Manifest& manifest, const SourceMap& sources,
                        const NamedItems<Agent>& agents, DiagnosticList* diags) {
  if (manifest.agents.empty()) return;
  std::vector<AgentCommand> commands(manifest.agents.size());
  for (size_t a = 0; a < manifest.agents.size(); ++a) {
    commands[a].pos = sources.agent_key_pos[a].Find("command");
    if (commands[a].pos)
      commands[a].placeholders = TemplatePlaceholders(manifest.agents[a].command);
  }
  for (const Phase& phase : manifest.phases) {
    int a = phase.agent.empty() ? -1 : agents.Find(phase.agent);
    if (a < 0 || !commands[a].pos) continue;
    const Agent& agent = manifest.agents[a];
    AgentCommand& command = commands[a];
    std::optional<bool>& complete = command.complete[phase.model().empty() ? 0 : 1];
    if (!complete) complete = AllDefined(command.placeholders, DefinedPlaceholders(agent, phase));
    if (!*complete) CheckAgentCommand(agent, phase, command.placeholders, *command.pos, diags);
  }
}

void CheckCycles(const Manifest& manifest, const EdgeList& edges, DiagnosticList* diags) {
  std::vector<int> cycle = FindCycle(static_cast<int>(manifest.phases.size()), edges);
  if (cycle.empty()) return;
  cycle.pop_back();  // start the printed cycle at the phase written first
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  std::string path;
  for (int node : cycle) path += manifest.phases[node].name + " -> ";
  path += manifest.phases[cycle.front()].name;
  diags->Add(manifest.phases[cycle.front()].pos, "dependency cycle: " + path);
}

}  // namespace

void ValidateManifest(const Manifest& manifest, const SourceMap& sources, DiagnosticList* diags) {
  NamedItems<Phase> phases(manifest.phases);
  NamedItems<Pool> pools(manifest.pools);
  NamedItems<Agent> agents(manifest.agents);
  std::vector<int> listed_by(manifest.phases.size(), -1);
  EdgeList edges;
  for (size_t i = 0; i < manifest.phases.size(); ++i) {
    const Phase& phase = manifest.phases[i];
    CheckCommandKind(phase, diags);
    CheckReference(phase, "agent", "agent", phase.agent, agents, diags);
    CheckReference(phase, "pool", "pool", phase.pool(), pools, diags);
    CheckDeps(static_cast<int>(i), phase, sources.DepPositions(i), phases, &listed_by, &edges,
              diags);
    CheckPromptFile(manifest, phase, diags);
  }
  CheckAgentCommands(manifest, sources, agents, diags);
  CheckCycles(manifest, edges, diags);
  if (manifest.phases.empty() && !sources.missing_phases_explained)
    diags->Add({1, 1}, "no phases defined: add a [phase.NAME] table");
}

}  // namespace orchestrate::manifest_internal
