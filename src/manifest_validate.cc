// Cross-checks of a read manifest: what refers to what, cycles, agent
// command templates and prompt files.
#include <algorithm>
#include <unordered_map>
#include <filesystem>

#include "manifest_internal.h"
#include "orchestrate/graph_algorithms.h"
#include "orchestrate/template.h"

namespace orchestrate::manifest_internal {
namespace {

namespace fs = std::filesystem;

bool Has(const Phase& phase, std::string_view key) { return phase.key_pos.count(std::string(key)); }

SourcePos KeyPos(const Phase& phase, std::string_view key) {
  auto it = phase.key_pos.find(std::string(key));
  return it == phase.key_pos.end() ? phase.pos : it->second;
}

// The position of whichever of two present keys was written last.
SourcePos LaterKeyPos(const Phase& phase, std::string_view a, std::string_view b) {
  SourcePos pa = KeyPos(phase, a), pb = KeyPos(phase, b);
  return std::tie(pa.line, pa.column) > std::tie(pb.line, pb.column) ? pa : pb;
}

template <typename T>
std::vector<std::string> NamesOf(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const T& item : items) names.push_back(item.name);
  return names;
}

// run, or agent with exactly one of prompt/prompt_text; prompt and model only
// with an agent. Keys with a wrong type were reported already and read as empty.
void CheckCommandKind(const Phase& phase, DiagnosticList* diags) {
  std::string who = "phase '" + phase.name + "'";
  bool prompt = !phase.prompt.empty(), prompt_text = !phase.prompt_text.empty();
  if (!phase.run.empty() && !phase.agent.empty())
    diags->Add(LaterKeyPos(phase, "run", "agent"), who + " has both 'run' and 'agent': use one");
  if (prompt && prompt_text)
    diags->Add(LaterKeyPos(phase, "prompt", "prompt_text"),
               who + " has both 'prompt' and 'prompt_text': use one");
  if (!phase.agent.empty() && !prompt && !prompt_text && !Has(phase, "prompt") &&
      !Has(phase, "prompt_text"))
    diags->Add(KeyPos(phase, "agent"), who + " uses agent '" + phase.agent +
                                           "' but has no 'prompt' or 'prompt_text' to give it");
  if (!phase.agent.empty() || Has(phase, "agent")) return;
  const std::pair<const char*, bool> agent_only[] = {
      {"prompt", prompt}, {"prompt_text", prompt_text}, {"model", !phase.model.empty()}};
  for (const auto& [key, present] : agent_only) {
    if (present)
      diags->Add(KeyPos(phase, key), "'" + std::string(key) + "' in " + who +
                                         " needs an 'agent': it only makes sense with an agent");
  }
}

void CheckPromptFile(const Manifest& manifest, const Phase& phase, DiagnosticList* diags) {
  if (phase.prompt.empty()) return;
  fs::path file = fs::path(manifest.dir) / phase.prompt;
  std::error_code ec;
  fs::file_status status = fs::status(file, ec);
  std::string quoted = "prompt file '" + phase.prompt + "'";
  if (!fs::exists(status))
    diags->Add(KeyPos(phase, "prompt"),
               quoted + " does not exist (relative to " + manifest.dir + ")");
  else if (fs::is_directory(status))
    diags->Add(KeyPos(phase, "prompt"), quoted + " is a directory, not a file");
}

// A reference to a pool or agent that must exist.
void CheckReference(const Phase& phase, std::string_view key, std::string_view kind,
                    const std::string& name, const std::vector<std::string>& known,
                    DiagnosticList* diags) {
  if (name.empty() || std::find(known.begin(), known.end(), name) != known.end()) return;
  std::string hint = DidYouMean(name, known);
  if (hint.empty()) hint = " (define it with [" + std::string(kind) + "s." + name + "])";
  diags->Add(KeyPos(phase, key), "phase '" + phase.name + "' uses unknown " + std::string(kind) +
                                     " '" + name + "'" + hint);
}

// Phase name -> index: lookups in O(1), so checking 50,000 phases is linear.
using PhaseIndex = std::unordered_map<std::string_view, int>;

PhaseIndex IndexPhases(const Manifest& manifest) {
  PhaseIndex index;
  for (size_t i = 0; i < manifest.phases.size(); ++i)
    index.emplace(manifest.phases[i].name, static_cast<int>(i));
  return index;
}

void CheckDeps(const Phase& phase, const std::vector<SourcePos>& dep_pos, const PhaseIndex& index,
               const std::vector<std::string>& phase_names, DiagnosticList* diags) {
  std::string who = "phase '" + phase.name + "'";
  for (size_t i = 0; i < phase.deps.size(); ++i) {
    const std::string& dep = phase.deps[i];
    SourcePos pos = i < dep_pos.size() ? dep_pos[i] : KeyPos(phase, "deps");
    if (dep == phase.name) {
      diags->Add(pos, who + " depends on itself");
    } else if (std::find(phase.deps.begin(), phase.deps.begin() + i, dep) !=
               phase.deps.begin() + i) {
      diags->Add(pos, who + " lists dependency '" + dep + "' twice");
    } else if (!index.count(dep)) {
      diags->Add(pos,
                 who + " depends on unknown phase '" + dep + "'" + DidYouMean(dep, phase_names));
    }
  }
}

// Every {placeholder} of the agent's command must be defined for `phase`.
void CheckAgentCommand(const Agent& agent, const Phase& phase, SourcePos pos,
                       DiagnosticList* diags) {
  std::vector<std::string> defined = {"phase", "prompt_file", "worktree", "branch"};
  for (const auto& [name, value] : AgentCommandVars(agent, phase))
    if (std::find(defined.begin(), defined.end(), name) == defined.end()) defined.push_back(name);
  std::string where = " in agent '" + agent.name + "' command";
  for (const std::string& name : TemplatePlaceholders(agent.command)) {
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

void CheckAgentCommands(const Manifest& manifest, const SourceMap& sources, DiagnosticList* diags) {
  for (size_t a = 0; a < manifest.agents.size(); ++a) {
    const Agent& agent = manifest.agents[a];
    auto it = sources.agent_key_pos[a].find("command");
    if (it == sources.agent_key_pos[a].end()) continue;
    for (const Phase& phase : manifest.phases)
      if (phase.agent == agent.name) CheckAgentCommand(agent, phase, it->second, diags);
  }
}

void CheckCycles(const Manifest& manifest, const PhaseIndex& index, DiagnosticList* diags) {
  EdgeList edges;
  for (size_t i = 0; i < manifest.phases.size(); ++i) {
    for (const std::string& dep : manifest.phases[i].deps) {
      auto target = index.find(dep);
      if (target != index.end() && target->second != static_cast<int>(i))
        edges.emplace_back(static_cast<int>(i), target->second);
    }
  }
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
  std::vector<std::string> phase_names = NamesOf(manifest.phases);
  std::vector<std::string> pool_names = NamesOf(manifest.pools);
  std::vector<std::string> agent_names = NamesOf(manifest.agents);
  PhaseIndex index = IndexPhases(manifest);
  for (size_t i = 0; i < manifest.phases.size(); ++i) {
    const Phase& phase = manifest.phases[i];
    CheckCommandKind(phase, diags);
    CheckReference(phase, "agent", "agent", phase.agent, agent_names, diags);
    CheckReference(phase, "pool", "pool", phase.pool, pool_names, diags);
    CheckDeps(phase, sources.dep_pos[i], index, phase_names, diags);
    CheckPromptFile(manifest, phase, diags);
  }
  CheckAgentCommands(manifest, sources, diags);
  CheckCycles(manifest, index, diags);
  if (manifest.phases.empty() && !sources.missing_phases_explained)
    diags->Add({1, 1}, "no phases defined: add a [phase.NAME] table");
}

}  // namespace orchestrate::manifest_internal
