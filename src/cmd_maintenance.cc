// clean and cache.
#include <ctime>
#include <iostream>

#include "orchestrate/cache.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/phase_execution.h"
#include "orchestrate/planner.h"
#include "orchestrate/process.h"

namespace orchestrate {
namespace {

const char* kPhaseBranches = "refs/heads/orchestrate/phase/";

void TakeLock(const Project& project, RunLock* lock) {
  project.workspace.Prepare(project.repo->commondir(), {});
  int holder = 0;
  if (!lock->Acquire(project.workspace.lock_file(), &holder))
    throw UsageError("an orchestrate run (pid " + std::to_string(holder) +
                     ") is using this repository; wait for it to finish");
}

// Removes worktrees that hold nothing unsaved; returns the branches still
// checked out in the worktrees it kept.
std::set<std::string> CleanWorktrees(Project& project, RunState& state) {
  WorktreeStore store(*project.repo, project.workspace.worktrees_dir());
  store.Repair();
  std::set<std::string> held;
  int removed = 0;
  for (const auto& name : store.List()) {
    std::unique_ptr<Repo> wt = Repo::Open(store.dir() + "/" + name);
    if (wt->HasUncommittedChanges()) {
      std::string owner = state.kept_worktrees.count(name) ? " (phase " + state.kept_worktrees[name] + ")" : "";
      std::cout << "kept worktree " << store.dir() << "/" << name << owner
                << ": it has uncommitted changes; commit or discard them, or run its phase again\n";
      if (owner.size()) held.insert(state.kept_worktrees[name]);
      continue;
    }
    store.Remove(name);
    state.kept_worktrees.erase(name);
    state.worktree_last_phase.erase(name);
    ++removed;
  }
  for (auto& [phase, record] : state.phases)
    if (!held.count(phase)) record.worktree.clear();
  std::cout << "removed " << removed << (removed == 1 ? " worktree\n" : " worktrees\n");
  return held;
}

void CleanBranches(Project& project, const std::set<std::string>& held) {
  Repo& repo = *project.repo;
  int removed = 0;
  for (const auto& [ref, head] : repo.ListRefs(kPhaseBranches)) {
    std::string phase = ref.substr(std::string(kPhaseBranches).size());
    bool saved = IsRecordedResult(repo, phase, head);
    for (const auto& [attempt, id] : repo.ListRefs("refs/orchestrate/attempts/" + phase + "/"))
      saved |= id == head;
    if (held.count(phase) || !saved) {
      std::cout << "kept branch orchestrate/phase/" << phase << ": its commit " << head.substr(0, 12)
                << " is not recorded anywhere else (merge it, or delete it with `git branch -D "
                << "orchestrate/phase/" << phase << "`)\n";
      continue;
    }
    repo.DeleteRef(ref);
    ++removed;
  }
  std::cout << "removed " << removed << (removed == 1 ? " phase branch\n" : " phase branches\n");
}

void ClearCache(Project& project) {
  ResultCache cache(*project.repo);
  std::vector<RecordInfo> records = cache.List();
  std::cout << "removing " << records.size() << " cache records\n";
  for (const auto& r : records) cache.Remove(r);
}

}  // namespace

int CommandClean(Project& project, bool branches, bool cache) {
  RunLock lock;
  TakeLock(project, &lock);
  RunState state = project.workspace.LoadState();
  std::set<std::string> held = CleanWorktrees(project, state);
  project.workspace.SaveState(state);
  if (branches) CleanBranches(project, held);
  if (cache) ClearCache(project);
  return kExitOk;
}

namespace {

int CachePush(Project& project, const std::string& remote) {
  std::vector<std::string> specs;
  for (const auto& [ref, id] : project.repo->ListRefs(ResultCache::kRefPrefix)) specs.push_back(ref + ":" + ref);
  if (specs.empty()) {
    std::cout << "no cache records to push\n";
    return kExitOk;
  }
  std::vector<std::string> rejected = project.repo->Push(remote, specs);
  std::cout << "pushed " << specs.size() - rejected.size() << " cache records to " << remote;
  if (!rejected.empty()) std::cout << " (" << rejected.size() << " already recorded there under the same key)";
  std::cout << "\n";
  return kExitOk;
}

int CachePull(Project& project, const std::string& remote) {
  size_t before = project.repo->ListRefs(ResultCache::kRefPrefix).size();
  std::string prefix = ResultCache::kRefPrefix;
  project.repo->Fetch(remote, {prefix + "*:" + prefix + "*"});
  size_t after = project.repo->ListRefs(ResultCache::kRefPrefix).size();
  std::cout << "pulled " << after - before << " new cache records from " << remote << " (" << after
            << " in all)\n";
  return kExitOk;
}

int CacheList(Project& project) {
  std::vector<RecordInfo> records = ResultCache(*project.repo).List();
  int64_t now = std::time(nullptr);
  std::printf("%-24s  %-12s  %6s  %8s\n", "PHASE", "KEY", "AGE", "SIZE");
  for (const auto& r : records)
    std::printf("%-24s  %-12s  %6s  %8zu\n", r.phase.c_str(), r.key.substr(0, 12).c_str(),
                FormatAge(now - r.started_at).c_str(), r.size);
  std::printf("%zu records\n", records.size());
  return kExitOk;
}

// Keys the current manifest can use: each phase's current key when it can be
// known, otherwise its most recent record.
std::set<std::string> UsableRefs(Project& project, const std::vector<RecordInfo>& records) {
  Graph graph(project.manifest);
  RunState state = project.workspace.LoadState();
  ResultCache cache(*project.repo);
  std::optional<ObjectId> base = project.repo->ResolveCommit(project.manifest.settings.base);
  std::set<std::string> usable;
  if (!base) return usable;
  Planner planner(graph, *project.repo, cache, state, *base, PlannerOptions{});
  // A record of the current key that the planner ignored (inconsistent, or
  // its objects missing) is not usable: its key is left out.
  std::map<std::string, std::string> current;
  for (const auto& d : planner.PlanAll(graph.topo_order()))
    current[graph.node(d.phase).phase->name] = d.key.empty() || d.record ? d.key : "-";
  std::map<std::string, const RecordInfo*> newest;
  for (const auto& r : records) {
    auto it = current.find(r.phase);
    if (it == current.end()) continue;
    if (r.key == it->second) usable.insert(r.ref);
    if (it->second.empty() && (!newest[r.phase] || newest[r.phase]->started_at < r.started_at)) newest[r.phase] = &r;
  }
  for (const auto& [phase, r] : newest) usable.insert(r->ref);
  return usable;
}

int CachePrune(Project& project, const std::string& older_than) {
  ResultCache cache(*project.repo);
  std::vector<RecordInfo> records = cache.List();
  std::optional<Duration> max_age;
  if (!older_than.empty()) {
    max_age = ParseDuration(older_than);
    if (!max_age) throw UsageError("invalid duration '" + older_than + "' for --older-than (use forms like 12h, 30m, 90s)");
  }
  std::set<std::string> usable = UsableRefs(project, records);
  int64_t now = std::time(nullptr);
  int removed = 0;
  for (const auto& r : records) {
    bool too_old = max_age && (now - r.started_at) * 1000 > max_age->count();
    if (usable.count(r.ref) && !too_old) continue;
    cache.Remove(r);
    ++removed;
  }
  std::cout << "removed " << removed << " of " << records.size() << " cache records\n";
  return kExitOk;
}

}  // namespace

int CommandCache(Project& project, const std::string& action, const std::string& remote,
                 const std::string& older_than) {
  if (action == "push") return CachePush(project, remote.empty() ? "origin" : remote);
  if (action == "pull") return CachePull(project, remote.empty() ? "origin" : remote);
  if (action == "list") return CacheList(project);
  if (action == "prune") return CachePrune(project, older_than);
  throw UsageError("unknown cache action '" + action + "' (use push, pull, list or prune)");
}

}  // namespace orchestrate
