#include "orchestrate/planner.h"

#include <git2.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestrate/error.h"
#include "orchestrate/process.h"

namespace orchestrate {

const char* ToString(Action action) {
  switch (action) {
    case Action::kRun:
      return "run";
    case Action::kFresh:
      return "fresh";
    case Action::kBlocked:
      return "blocked";
  }
  return "run";
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

std::string Relative(const std::string& root, const std::string& path) {
  namespace fs = std::filesystem;
  return fs::weakly_canonical(path).lexically_relative(fs::weakly_canonical(root)).generic_string();
}

// A content id of `tree` without the paths in `excluded`: the tree's own id
// when none of them is inside it, else a hash of its entries with excluded
// ones left out and affected subtrees replaced by their own content ids.
// Reads only the trees on the way to excluded paths; writes nothing.
ObjectId ContentIdExcluding(git_repository* repo, const git_oid& tree_id,
                            const std::set<std::string>& excluded) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &tree_id);
  const std::string own_id = hex;
  if (excluded.empty()) return own_id;
  git_tree* tree = nullptr;
  if (git_tree_lookup(&tree, repo, &tree_id) != 0)
    throw InfraError("git: reading base tree failed");
  std::string listing = "orchestrate content 1\n";
  bool changed = false;
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    std::string name = git_tree_entry_name(e);
    if (excluded.count(name)) {
      changed = true;
      continue;
    }
    std::set<std::string> below;
    for (const auto& path : excluded)
      if (path.rfind(name + "/", 0) == 0) below.insert(path.substr(name.size() + 1));
    git_oid_tostr(hex, sizeof hex, git_tree_entry_id(e));
    std::string id = hex;
    if (!below.empty() && git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      id = ContentIdExcluding(repo, *git_tree_entry_id(e), below);
      changed = true;
    }
    listing += std::to_string(git_tree_entry_filemode(e)) + " " + name + " " + id + "\n";
  }
  git_tree_free(tree);
  return changed ? HashBlob(listing) : own_id;
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
  ExcludeOwnFiles();
}

void Planner::ExcludeOwnFiles() {
  const Manifest& m = graph_.manifest();
  std::string root = repo_.workdir();
  own_files_.insert(Relative(root, m.path));
  for (const Phase& phase : m.phases)
    if (!phase.prompt.empty()) own_files_.insert(Relative(root, m.dir + "/" + phase.prompt));
  git_oid oid;
  git_oid_fromstr(&oid, base_tree_.c_str());
  inputs_.base_content = ContentIdExcluding(repo_.raw(), oid, own_files_);
  bool any_inputs = false;
  for (const Phase& phase : m.phases) any_inputs |= !phase.inputs.empty();
  if (!any_inputs) return;
  repo_.WalkTree(base_tree_, [this](const std::string& path, const ObjectId& blob) {
    if (!own_files_.count(path)) base_files_.emplace_back(path, blob);
  });
  inputs_.base_files = &base_files_;
}

const ObjectId& Planner::ContentId(const ObjectId& tree) {
  auto known = content_ids_.find(tree);
  if (known != content_ids_.end()) return known->second;
  git_oid oid;
  git_oid_fromstr(&oid, tree.c_str());
  return content_ids_[tree] = ContentIdExcluding(repo_.raw(), oid, own_files_);
}

std::string Planner::WhyStale(const Phase& phase, const KeyComponents& now,
                              const std::string& key) {
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
  inputs_.dep_result_trees.clear();
  for (const auto& [dep, tree] : dep_trees) inputs_.dep_result_trees[dep] = ContentId(tree);
  PhaseDecision d;
  d.phase = p;
  d.components = ComputeKey(graph_.manifest(), phase, repo_, inputs_);
  d.key = d.components.Hash();
  bool forced = options_.always || options_.force.count(phase.name);
  if (!forced) d.record = cache_.Find(phase.name, d.key);
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
