// plan, explain, graph, validate, init.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "orchestrate/cache.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/planner.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace orchestrate {
namespace {

ObjectId ResolveBase(Repo& repo, const Manifest& manifest, const std::string& flag) {
  std::string rev = flag.empty() ? manifest.settings.base : flag;
  std::optional<ObjectId> base = repo.ResolveCommit(rev);
  if (!base)
    throw UsageError(
        "cannot resolve base '" + rev +
        "' to a commit (check settings.base or --base; a new repository needs a first commit)");
  return *base;
}

std::vector<int> SelectOrThrow(const Graph& graph, const std::vector<std::string>& targets) {
  std::vector<int> selected;
  std::string err;
  if (!graph.Select(targets, &selected, &err)) throw UsageError(err);
  return selected;
}

RunState LoadState(const Project& project) { return project.workspace.LoadState(); }

json DepsJson(const Graph& graph, int p) {
  json deps = json::array();
  for (int d : graph.node(p).deps) deps.push_back(graph.node(d).phase->name);
  return deps;
}

void PrintPlanText(const Graph& graph, const std::vector<int>& selected,
                   const std::vector<PhaseDecision>& plan, const ObjectId& base) {
  std::map<int, const PhaseDecision*> by_phase;
  int to_run = 0;
  for (const auto& d : plan) {
    by_phase[d.phase] = &d;
    to_run += d.action == Action::kRun;
  }
  std::cout << "plan: " << to_run << " to run, " << plan.size() - to_run << " fresh (base "
            << base.substr(0, 12) << ")\n";
  size_t width = 4;
  for (int p : selected) width = std::max(width, graph.node(p).phase->name.size());
  int wave_number = 0;
  for (const auto& wave : graph.Waves(selected)) {
    std::cout << "wave " << ++wave_number << ":\n";
    for (int p : wave) {
      const PhaseDecision& d = *by_phase[p];
      std::string name = graph.node(p).phase->name;
      std::cout << "  " << (d.action == Action::kRun ? "run  " : ToString(d.action)) << "  "
                << name;
      if (!d.reason.empty()) std::cout << std::string(width - name.size() + 2, ' ') << d.reason;
      std::cout << "\n";
    }
  }
}

}  // namespace

int CommandPlan(Project& project, const RunOptions& options, bool as_json) {
  ResultCache& cache = project.StartRecords(/*writable=*/false);
  Graph graph(project.manifest);
  std::vector<int> selected = SelectOrThrow(graph, options.targets);
  ObjectId base = ResolveBase(*project.repo, project.manifest, options.base);
  RunState state = LoadState(project);
  Planner planner(graph, *project.repo, cache, state, base,
                  PlannerOptions{options.force, options.always});
  std::vector<PhaseDecision> plan = planner.PlanAll(selected);
  if (!as_json) {
    PrintPlanText(graph, selected, plan, base);
    return kExitOk;
  }
  json phases = json::array();
  for (const auto& d : plan)
    phases.push_back({{"name", graph.node(d.phase).phase->name},
                      {"action", ToString(d.action)},
                      {"reason", d.reason},
                      {"deps", DepsJson(graph, d.phase)},
                      {"key", d.key.empty() ? json(nullptr) : json(d.key)}});
  std::cout << json{{"base", base}, {"phases", phases}}.dump(2) << "\n";
  return kExitOk;
}

namespace {

std::string Shorten(const std::string& value) {
  std::string v = value.substr(0, value.find('\n'));
  if (v.size() > 60) v = v.substr(0, 57) + "...";
  if (v.size() < value.size() && v.find("...") == std::string::npos) v += " ...";
  return v;
}

void PrintComponents(const KeyComponents& now, const KeyComponents* then) {
  std::set<std::string> names;
  for (const auto& [k, v] : now.items) names.insert(k);
  if (then)
    for (const auto& [k, v] : then->items) names.insert(k);
  for (const auto& name : names) {
    auto a = now.items.find(name);
    const std::string* old = nullptr;
    if (then) {
      auto b = then->items.find(name);
      if (b != then->items.end()) old = &b->second;
    }
    char mark = ' ';
    if (then && a == now.items.end())
      mark = '-';
    else if (then && !old)
      mark = '+';
    else if (then && *old != a->second)
      mark = '~';
    std::cout << "  " << mark << " " << name << "\n";
    if (a != now.items.end()) std::cout << "      now:  " << Shorten(a->second) << "\n";
    if (old && (mark != ' ')) std::cout << "      last: " << Shorten(*old) << "\n";
  }
}

}  // namespace

int CommandExplain(Project& project, const std::string& name) {
  Graph graph(project.manifest);
  std::vector<int> selected = SelectOrThrow(graph, {name});
  ObjectId base = ResolveBase(*project.repo, project.manifest, "");
  RunState state = LoadState(project);
  ResultCache cache(*project.repo);
  Planner planner(graph, *project.repo, cache, state, base, PlannerOptions{});
  std::vector<PhaseDecision> plan = planner.PlanAll(selected);
  const PhaseDecision& d = plan.back();
  std::optional<Record> last = cache.Latest(name);
  std::cout << name << ": " << ToString(d.action) << (d.reason.empty() ? "" : " (" + d.reason + ")")
            << "\n";
  if (d.key.empty()) {
    std::cout << "its key is not known yet: " << d.reason << " first\n";
    return kExitOk;
  }
  std::cout << "key now:     " << d.key << "\n";
  if (last)
    std::cout << "last record: " << last->key << " ("
              << FormatAge(std::time(nullptr) - last->started_at) << " ago, result "
              << last->result.substr(0, 12) << ")\n";
  else
    std::cout << "last record: none\n";
  std::cout << "components (~ changed, + new, - gone):\n";
  PrintComponents(d.components, last ? &last->components : nullptr);
  return kExitOk;
}

int CommandGraph(Project& project, const std::vector<std::string>& targets, GraphFormat format,
                 bool status) {
  Graph graph(project.manifest);
  std::vector<int> selected = SelectOrThrow(graph, targets);
  if (!status) {
    std::cout << FormatGraph(graph, selected, format);
    return kExitOk;
  }
  std::map<std::string, std::string> states;
  for (const auto& [name, record] : CurrentPhaseRecords(project))
    states[name] = std::string(ToString(record.state));
  std::cout << FormatGraph(graph, selected, format, &states);
  return kExitOk;
}

int CommandPhaseNames(Project& project) {
  for (const Phase& phase : project.manifest.phases) std::cout << phase.name << "\n";
  return kExitOk;
}

int CommandValidate(Project& project) {
  Graph graph(project.manifest);
  const Manifest& m = project.manifest;
  std::cout << m.path << ": ok: " << m.phases.size() << " phases, " << graph.edge_count()
            << " dependencies, " << m.pools.size() << " pools, " << m.agents.size()
            << " agents, longest chain " << graph.longest_chain() << "\n";
  return kExitOk;
}

int CommandInit(const std::string& dir) {
  fs::path path = fs::path(dir) / "orchestrate.toml";
  if (fs::exists(path))
    throw UsageError(path.string() + " already exists; edit it, or remove it first to start over");
  std::ofstream out(path);
  out << StarterManifest();
  if (!out) throw InfraError("cannot write " + path.string());
  std::cout << "wrote " << path.string()
            << "; check it with `orchestrate validate`, see it with `orchestrate plan`\n";
  return kExitOk;
}

std::string FormatAge(int64_t s) {
  if (s < 0) s = 0;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

}  // namespace orchestrate
