// The CI pipeline model: which job runs which phase, after which jobs, in
// which pool group, for how long.
#include "orchestrate/ci_pipeline.h"

#include <algorithm>
#include <map>
#include <set>

namespace orchestrate {
namespace {

constexpr int kOverheadMinutes = 10;  // checkout, installing orchestrate, the cache

int JobTimeoutMinutes(const Phase& phase) {
  if (!phase.timeout()) return 0;
  bool has_command = !phase.run.empty() || !phase.agent.empty();
  int64_t commands = static_cast<int64_t>(phase.setup().size() + phase.verify.size()) + has_command;
  int64_t ms = phase.timeout()->count() * std::max<int64_t>(commands, 1) * (1 + phase.retries);
  return static_cast<int>((ms + 59'999) / 60'000) + kOverheadMinutes;
}

std::string GroupName(const std::string& pool, int depth, size_t slot) {
  return depth == 1 ? "pool-" + pool : "pool-" + pool + "-" + std::to_string(slot + 1);
}

// Spreads each pool's members over `depth` groups in turn (see the header).
void AssignPoolGroups(const Manifest& manifest, CiPipeline* pipeline,
                      std::map<std::string, std::string>* group_of_phase) {
  std::map<std::string, std::vector<std::string>> members;
  for (const CiJob& job : pipeline->jobs) {
    const Phase* phase = manifest.FindPhase(job.phase);
    if (!phase->pool().empty()) members[phase->pool()].push_back(job.phase);
  }
  for (const auto& [pool, phases] : members) {
    int depth = manifest.FindPool(pool)->depth;
    if (phases.size() <= static_cast<size_t>(depth)) continue;  // can never exceed it
    size_t per_group = (phases.size() + depth - 1) / depth;
    if (pipeline->engine == CiEngine::kGitHub && per_group > 2) {
      pipeline->unenforced_pools.push_back(
          "pool '" + pool + "' (depth " + std::to_string(depth) + ", " +
          std::to_string(phases.size()) +
          " phases) is not limited: a GitHub concurrency group cancels a waiting job when a "
          "third one joins it");
      continue;
    }
    for (size_t i = 0; i < phases.size(); ++i)
      (*group_of_phase)[phases[i]] = GroupName(pool, depth, i % depth);
  }
}

}  // namespace

std::string CiJobId(const std::string& phase) {
  std::string id = "phase-" + phase;
  std::replace(id.begin(), id.end(), '.', '_');
  return id;
}

CiPipeline BuildCiPipeline(const Graph& graph, const std::vector<int>& selected,
                           const std::vector<std::string>& targets, CiEngine engine,
                           const std::string& manifest) {
  CiPipeline pipeline;
  pipeline.engine = engine;
  pipeline.targets = targets;
  pipeline.target_branch = graph.manifest().settings.target;
  pipeline.manifest = manifest;
  std::map<int, std::string> id_of;
  std::set<std::string> used_ids, key_env;
  for (int p : selected) {
    const Phase& phase = *graph.node(p).phase;
    std::string id = CiJobId(phase.name);
    for (int n = 2; used_ids.count(id); ++n) id = CiJobId(phase.name) + "-" + std::to_string(n);
    used_ids.insert(id);
    id_of[p] = id;
    CiJob job{id, phase.name, {}, "", JobTimeoutMinutes(phase)};
    for (int d : graph.node(p).deps)
      if (id_of.count(d)) job.needs.push_back(id_of[d]);
    pipeline.jobs.push_back(std::move(job));
    key_env.insert(phase.key_env().begin(), phase.key_env().end());
  }
  pipeline.key_env.assign(key_env.begin(), key_env.end());
  std::map<std::string, std::string> group_of_phase;
  AssignPoolGroups(graph.manifest(), &pipeline, &group_of_phase);
  for (CiJob& job : pipeline.jobs) job.group = group_of_phase[job.phase];
  return pipeline;
}

std::string YamlQuote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace orchestrate
