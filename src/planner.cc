#include "orchestrate/planner.h"

#include <git2.h>

#include <fstream>
#include <sstream>

#include "orchestrate/error.h"
#include "orchestrate/process.h"

namespace orchestrate {

const char* ToString(Action action) {
  switch (action) {
    case Action::kRun: return "run";
    case Action::kFresh: return "fresh";
    case Action::kBlocked: return "blocked";
  }
  return "run";
}

ObjectId HashBlob(const std::string& content) {
  git_oid oid;
  if (git_odb_hash(&oid, content.data(), content.size(), GIT_OBJECT_BLOB) != 0)
    throw InfraError("git: hashing content failed");
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

namespace {

std::string ReadPrompt(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read prompt file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, std::string> EnvironmentMap() {
  std::map<std::string, std::string> env;
  for (const auto& kv : CurrentEnvironment()) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace

Planner::Planner(const Graph& graph, Repo& repo, ResultCache& cache, const RunState& state,
                 const ObjectId& base_commit, PlannerOptions options)
    : graph_(graph), repo_(repo), cache_(cache), state_(state), options_(std::move(options)) {
  base_tree_ = repo_.TreeOf(base_commit);
  inputs_.base_tree = base_tree_;
  inputs_.environment = EnvironmentMap();
  for (const Phase& phase : graph_.manifest().phases) {
    if (phase.prompt.empty() || inputs_.prompt_blobs.count(phase.prompt)) continue;
    std::string path = graph_.manifest().dir + "/" + phase.prompt;
    inputs_.prompt_blobs[phase.prompt] = HashBlob(ReadPrompt(path));
  }
}

std::string Planner::WhyStale(const Phase& phase, const KeyComponents& now, const std::string& key) {
  if (options_.always || options_.force.count(phase.name)) return "forced";
  auto failed = state_.failed_keys.find(phase.name);
  if (failed != state_.failed_keys.end() && failed->second.count(key))
    return "previous attempt failed";
  std::optional<Record> last = cache_.Latest(phase.name);
  if (!last) return "never run";
  std::vector<std::string> changes = DescribeChanges(now, last->components);
  if (changes.empty()) return "never run with these inputs";
  std::string reason;
  for (const auto& c : changes) reason += (reason.empty() ? "" : ", ") + c;
  return reason;
}

PhaseDecision Planner::Decide(int p, const std::map<std::string, ObjectId>& dep_trees) {
  const Phase& phase = *graph_.node(p).phase;
  KeyInputs inputs = inputs_;
  inputs.dep_result_trees = dep_trees;
  PhaseDecision d;
  d.phase = p;
  d.components = ComputeKey(graph_.manifest(), phase, repo_, inputs);
  d.key = d.components.Hash();
  bool forced = options_.always || options_.force.count(phase.name);
  if (!forced) d.record = cache_.Lookup(phase.name, d.key);
  if (d.record) {
    d.action = Action::kFresh;
    return d;
  }
  d.action = Action::kRun;
  d.reason = WhyStale(phase, d.components, d.key);
  return d;
}

std::vector<PhaseDecision> Planner::PlanAll(const std::vector<int>& selected) {
  std::vector<PhaseDecision> plan;
  std::map<int, size_t> position;
  for (int p : selected) {
    std::map<std::string, ObjectId> trees;
    std::string waiting_on;
    for (int dep : graph_.node(p).deps) {
      auto it = position.find(dep);
      const std::string& dep_name = graph_.node(dep).phase->name;
      if (it == position.end() || plan[it->second].action != Action::kFresh) {
        if (waiting_on.empty()) waiting_on = dep_name;
        continue;
      }
      trees[dep_name] = plan[it->second].record->result_tree;
    }
    position[p] = plan.size();
    if (!waiting_on.empty()) {
      PhaseDecision d;
      d.phase = p;
      bool forced = options_.always || options_.force.count(graph_.node(p).phase->name);
      d.reason = forced ? "forced" : "dependency " + waiting_on + " will run";
      plan.push_back(d);
      continue;
    }
    plan.push_back(Decide(p, trees));
  }
  return plan;
}

std::optional<KeyComponents> Planner::CurrentComponents(int p,
                                                        const std::vector<PhaseDecision>& plan) {
  for (const auto& d : plan)
    if (d.phase == p && !d.key.empty()) return d.components;
  return std::nullopt;
}

}  // namespace orchestrate
