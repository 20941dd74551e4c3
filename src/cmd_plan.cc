// plan, explain, graph, validate, init.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "orchestrate/cache.h"
#include "orchestrate/commands.h"
#include "orchestrate/cost_estimate.h"
#include "orchestrate/error.h"
#include "orchestrate/planner.h"
#include "orchestrate/repository_checks.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace orchestrate {

ObjectId ResolveBaseOrThrow(Repo& repo, const Manifest& manifest, const std::string& flag) {
  std::string rev = flag.empty() ? manifest.settings.base : flag;
  std::optional<ObjectId> base = repo.ResolveCommit(rev);
  if (!base) throw UsageError(UnresolvedBaseMessage(rev, repo.IsShallow()));
  return *base;
}

namespace {

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

// The phases the plan would run, by name.
std::vector<std::string> ToRun(const Graph& graph, const std::vector<PhaseDecision>& plan) {
  std::vector<std::string> names;
  for (const auto& d : plan)
    if (d.action == PhaseState::kStale) names.push_back(graph.node(d.phase).phase->name);
  return names;
}

json EstimateJson(const CostEstimate& e) {
  return {{"cost_usd", e.known ? json(e.cost_usd) : json(nullptr)},
          {"phases_with_cost", e.known},
          {"phases_without_cost", e.unknown}};
}

void PrintPlanText(const Graph& graph, const std::vector<int>& selected,
                   const std::vector<PhaseDecision>& plan, const ObjectId& base,
                   const CostEstimate& estimate) {
  std::map<int, const PhaseDecision*> by_phase;
  int to_run = 0;
  for (const auto& d : plan) {
    by_phase[d.phase] = &d;
    to_run += d.action == PhaseState::kStale;
  }
  std::cout << "plan: " << to_run << " to run" << FormatEstimate(estimate) << ", "
            << plan.size() - to_run << " fresh (base " << base.ShortHex(12) << ")\n";
  size_t width = 4;
  for (int p : selected) width = std::max(width, graph.node(p).phase->name.size());
  int wave_number = 0;
  for (const auto& wave : graph.Waves(selected)) {
    std::cout << "wave " << ++wave_number << ":\n";
    for (int p : wave) {
      const PhaseDecision& d = *by_phase[p];
      std::string name = graph.node(p).phase->name;
      std::cout << "  " << (d.action == PhaseState::kStale ? "run  " : PlanAction(d.action)) << "  "
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
  ObjectId base = ResolveBaseOrThrow(*project.repo, project.manifest, options.base);
  RunState state = LoadState(project);
  Planner planner(graph, *project.repo, cache, state, base,
                  PlannerOptions{options.force, options.always});
  std::vector<PhaseDecision> plan = planner.PlanAll(selected);
  CostEstimate estimate = EstimateCost(*project.repo, cache, ToRun(graph, plan));
  if (!as_json) {
    PrintPlanText(graph, selected, plan, base, estimate);
    return kExitOk;
  }
  json phases = json::array();
  for (const auto& d : plan)
    phases.push_back({{"name", graph.node(d.phase).phase->name},
                      {"action", std::string(PlanAction(d.action))},
                      {"reason", d.reason},
                      {"deps", DepsJson(graph, d.phase)},
                      {"key", d.key.empty() ? json(nullptr) : json(d.key)}});
  std::cout << json{{"base", base}, {"phases", phases}, {"estimate", EstimateJson(estimate)}}.dump(
                   2)
            << "\n";
  return kExitOk;
}

namespace {

// An unchanged component on one line: its first line, cut at 60 characters.
std::string Shorten(const std::string& value) {
  std::string v = value.substr(0, value.find('\n'));
  if (v.size() > 60) v = v.substr(0, 57) + "...";
  if (v.size() < value.size() && v.find("...") == std::string::npos) v += " ...";
  return v;
}

// A component that changed, in full: its later lines under the first.
std::string InFull(const std::string& value) {
  std::string out;
  for (char c : value) out += c == '\n' ? std::string("\n            ") : std::string(1, c);
  return out;
}

const std::string* Find(const KeyComponents* components, const std::string& name) {
  if (!components) return nullptr;
  auto it = components->items.find(name);
  return it == components->items.end() ? nullptr : &it->second;
}

// "changed", "new", "gone", or "same"; "same" too without a last record.
std::string_view Change(const std::string* now, const std::string* last, bool have_last) {
  if (!have_last || (now && last && *now == *last)) return "same";
  if (!last) return "new";
  if (!now) return "gone";
  return "changed";
}

std::set<std::string> Names(const KeyComponents* now, const KeyComponents* then) {
  std::set<std::string> names;
  for (const KeyComponents* c : {now, then})
    if (c)
      for (const auto& [k, v] : c->items) names.insert(k);
  return names;
}

void PrintComponents(const KeyComponents& now, const KeyComponents* then) {
  static const std::map<std::string_view, char> kMarks = {
      {"same", ' '}, {"changed", '~'}, {"new", '+'}, {"gone", '-'}};
  for (const auto& name : Names(&now, then)) {
    const std::string* a = Find(&now, name);
    const std::string* old = Find(then, name);
    std::string_view change = Change(a, old, then != nullptr);
    std::cout << "  " << kMarks.at(change) << " " << name << "\n";
    if (change == "same") {
      std::cout << "      now:  " << Shorten(*a) << "\n";
      continue;
    }
    if (a) std::cout << "      now:  " << InFull(*a) << "\n";
    if (old) std::cout << "      last: " << InFull(*old) << "\n";
  }
}

json ExplainJson(const std::string& name, const PhaseDecision& d,
                 const std::optional<Record>& last) {
  const KeyComponents* now = d.key.empty() ? nullptr : &d.components;
  const KeyComponents* then = last ? &last->components : nullptr;
  json components = json::array();
  for (const auto& component : Names(now, then)) {
    const std::string* a = Find(now, component);
    const std::string* b = Find(then, component);
    components.push_back({{"name", component},
                          {"now", a ? json(*a) : json(nullptr)},
                          {"last", b ? json(*b) : json(nullptr)},
                          {"change", now ? Change(a, b, then != nullptr) : "unknown"}});
  }
  json record = nullptr;
  if (last)
    record = {{"key", last->key}, {"result", last->result}, {"started_at", last->started_at}};
  return {{"phase", name},         {"action", std::string(PlanAction(d.action))},
          {"reason", d.reason},    {"key", d.key.empty() ? json(nullptr) : json(d.key)},
          {"last_record", record}, {"components", components}};
}

}  // namespace

int CommandExplain(Project& project, const std::string& name, bool as_json) {
  Graph graph(project.manifest);
  std::vector<int> selected = SelectOrThrow(graph, {name});
  ObjectId base = ResolveBaseOrThrow(*project.repo, project.manifest, "");
  RunState state = LoadState(project);
  ResultCache cache(*project.repo);
  PlannerOptions options{.force = {}, .always = false, .components_of_fresh = true};
  Planner planner(graph, *project.repo, cache, state, base, options);
  std::vector<PhaseDecision> plan = planner.PlanAll(selected);
  const PhaseDecision& d = plan.back();
  std::optional<Record> last = cache.Latest(name);
  if (as_json) {
    std::cout << ExplainJson(name, d, last).dump(2) << "\n";
    return kExitOk;
  }
  std::cout << name << ": " << PlanAction(d.action)
            << (d.reason.empty() ? "" : " (" + d.reason + ")") << "\n";
  if (d.key.empty()) {
    std::cout << "its key is not known yet: " << d.reason << " first\n";
    return kExitOk;
  }
  std::cout << "key now:     " << d.key << "\n";
  if (last)
    std::cout << "last record: " << last->key << " ("
              << FormatAge(std::time(nullptr) - last->started_at) << " ago, result "
              << last->result.ShortHex(12) << ")\n";
  else
    std::cout << "last record: none\n";
  std::cout << "components (~ changed, + new, - gone; changed values in full):\n";
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

namespace {

// "1 dependency", "2 dependencies".
std::string Count(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

int CommandValidate(Project& project) {
  Graph graph(project.manifest);
  const Manifest& m = project.manifest;
  std::cout << m.path << ": ok: " << Count(m.phases.size(), "phase", "phases") << ", "
            << Count(graph.edge_count(), "dependency", "dependencies") << ", "
            << Count(m.pools.size(), "pool", "pools") << ", "
            << Count(m.agents.size(), "agent", "agents") << ", longest chain "
            << graph.longest_chain() << "\n";
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
