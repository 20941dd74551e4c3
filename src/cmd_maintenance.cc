// clean and cache.

#include <charconv>
#include <ctime>
#include <iostream>

#include "orchestrate/cache.h"
#include "orchestrate/cache_sync.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/phase_execution.h"
#include "orchestrate/planner.h"
#include "orchestrate/process.h"
#include "orchestrate/recovery.h"
#include "orchestrate/refs.h"

namespace orchestrate {
namespace {

void TakeLock(const Project& project, RunLock* lock) {
  project.workspace.Prepare(project.repo->commondir(), {});
  int holder = 0;
  if (!lock->Acquire(project.workspace.lock_file(), &holder))
    throw UsageError("an orchestrate run (pid " + std::to_string(holder) +
                     ") is using this repository; wait for it to finish");
}

// Whether `commit` is reachable from some ref (a worktree's HEAD is not one).
bool ReachableFromARef(Repo& repo, const ObjectId& commit) {
  std::vector<ObjectId> tips;
  for (auto& [ref, id] : repo.ListRefs("refs/")) tips.push_back(std::move(id));
  return repo.IsReachableFromAny(commit, tips);
}

// The phase a worktree belongs to, for naming its saved commits.
std::string OwnerOf(const RunState& state, const std::string& worktree) {
  for (const auto* owners : {&state.kept_worktrees, &state.worktree_last_phase}) {
    auto it = owners->find(worktree);
    if (it != owners->end()) return it->second;
  }
  return worktree;
}

// A commit only the worktree's HEAD holds (an agent committed on a detached
// HEAD) is saved under refs/orchestrate/attempts/ before the worktree goes.
void SaveUnreachableHead(Project& project, const RunState& state, Repo& wt, const std::string& name,
                         const std::string& path) {
  std::optional<ObjectId> head = wt.HeadCommit();
  if (!head || ReachableFromARef(*project.repo, *head)) return;
  std::string ref = SaveAttempt(*project.repo, OwnerOf(state, name), *head);
  if (!ref.empty())
    std::cout << "saved commit " << head->ShortHex(12) << " of worktree " << path
              << ", which no branch holds, as " << ref << "\n";
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
      std::string owner =
          state.kept_worktrees.count(name) ? " (phase " + state.kept_worktrees[name] + ")" : "";
      std::cout << "kept worktree " << store.dir() << "/" << name << owner
                << ": it has uncommitted changes; commit or discard them, or run its phase again\n";
      if (owner.size()) held.insert(state.kept_worktrees[name]);
      continue;
    }
    SaveUnreachableHead(project, state, *wt, name, store.dir() + "/" + name);
    wt.reset();
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

// The local branch other than the phase branches (main, the target) that
// contains `commit`, or "".
std::string BranchContaining(Repo& repo, const ObjectId& commit) {
  for (const auto& [ref, tip] : repo.ListRefs("refs/heads/")) {
    if (ref.rfind(refs::kPhaseBranchRoot, 0) == 0) continue;
    if (repo.IsAncestor(commit, tip)) return ref.substr(std::string("refs/heads/").size());
  }
  return "";
}

// Why the phase branch at `head` must stay, or "" when deleting it loses
// nothing: its commit is a recorded result, a saved attempt, or on another
// branch.
std::string KeepReason(Repo& repo, const std::string& phase, const ObjectId& head,
                       const std::set<std::string>& held) {
  if (held.count(phase)) return "its worktree is kept with uncommitted changes (see above)";
  if (IsRecordedResult(repo, phase, head)) return "";
  for (const auto& [attempt, id] : repo.ListRefs(refs::AttemptRefs(phase)))
    if (id == head) return "";
  if (!BranchContaining(repo, head).empty()) return "";
  return "its commit " + head.ShortHex(12) +
         " is in no cache record, saved attempt or other branch (merge it, or delete it with "
         "`git branch -D " +
         refs::PhaseBranch(phase) + "`)";
}

void CleanBranches(Project& project, const std::set<std::string>& held) {
  Repo& repo = *project.repo;
  int removed = 0;
  for (const auto& [ref, head] : repo.ListRefs(std::string(refs::kPhaseBranchRoot))) {
    std::string phase = refs::PhaseOfBranchRef(ref).value_or("");
    std::string reason = KeepReason(repo, phase, head, held);
    if (!reason.empty()) {
      std::cout << "kept branch " << refs::PhaseBranch(phase) << ": " << reason << "\n";
      continue;
    }
    std::string lock = RemoveStaleRefLock(repo.commondir(), ref);
    if (!lock.empty()) std::cout << lock << "\n";
    repo.DeleteRef(ref);
    ++removed;
  }
  std::cout << "removed " << removed << (removed == 1 ? " phase branch\n" : " phase branches\n");
}

// Saved attempts are named <prefix><phase>/<unix seconds>-<commit>: when
// they were saved, or 0 when the name does not say.
int64_t SavedAt(const std::string& ref) {
  std::string last = ref.substr(ref.rfind('/') + 1);
  int64_t at = 0;
  auto [end, ec] = std::from_chars(last.data(), last.data() + last.size(), at);
  return ec == std::errc() && end != last.data() && *end == '-' ? at : 0;
}

// Deletes the saved attempts older than `max_age` (all without one) and
// forgets them in `state`; returns how many.
int RemoveAttempts(Project& project, RunState& state, std::optional<Duration> max_age) {
  int64_t now = std::time(nullptr);
  std::set<std::string> removed;
  for (const auto& [ref, id] : project.repo->ListRefs(std::string(refs::kAttemptRoot))) {
    int64_t at = SavedAt(ref);
    if (max_age && (at == 0 || (now - at) * 1000 <= max_age->count())) continue;
    project.repo->DeleteRef(ref);
    removed.insert(ref);
  }
  for (auto& [phase, record] : state.phases)
    std::erase_if(record.saved_attempts, [&](const std::string& r) { return removed.count(r); });
  return static_cast<int>(removed.size());
}

void PrintRemovedAttempts(int removed) {
  std::cout << "removed " << removed << (removed == 1 ? " saved attempt\n" : " saved attempts\n");
}

void ClearCache(Project& project) {
  ResultCache cache(*project.repo);
  std::vector<RecordInfo> records = cache.List();
  std::cout << "removing " << records.size() << " cache records\n";
  for (const auto& r : records) cache.Remove(r);
}

}  // namespace

int CommandClean(Project& project, const CleanOptions& options) {
  RunLock lock;
  TakeLock(project, &lock);
  RunState state = project.workspace.LoadState();
  std::set<std::string> held = CleanWorktrees(project, state);
  if (options.attempts) PrintRemovedAttempts(RemoveAttempts(project, state, std::nullopt));
  project.workspace.SaveState(state);
  if (options.branches) CleanBranches(project, held);
  if (options.cache) ClearCache(project);
  return kExitOk;
}

namespace {

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
    if (it->second.empty() && (!newest[r.phase] || newest[r.phase]->started_at < r.started_at))
      newest[r.phase] = &r;
  }
  for (const auto& [phase, r] : newest) usable.insert(r->ref);
  return usable;
}

int CachePrune(Project& project, const std::string& older_than) {
  ResultCache cache(*project.repo);
  std::vector<RecordInfo> records = cache.List();
  std::optional<Duration> max_age;
  if (!older_than.empty()) {
    max_age = ParseAge(older_than);
    if (!max_age)
      throw UsageError("invalid age '" + older_than +
                       "' for --older-than (use forms like 7d, 12h, 30m, 90s)");
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
  if (!max_age) return kExitOk;
  RunLock lock;  // the state file lists saved attempts
  TakeLock(project, &lock);
  RunState state = project.workspace.LoadState();
  PrintRemovedAttempts(RemoveAttempts(project, state, max_age));
  project.workspace.SaveState(state);
  return kExitOk;
}

}  // namespace

int CommandCacheList(Repo& repo) {
  std::vector<RecordInfo> records = ResultCache(repo).List();
  int64_t now = std::time(nullptr);
  std::printf("%-24s  %-12s  %6s  %8s\n", "PHASE", "KEY", "AGE", "SIZE");
  for (const auto& r : records)
    std::printf("%-24s  %-12s  %6s  %8zu\n", r.phase.c_str(), r.key.substr(0, 12).c_str(),
                FormatAge(now - r.started_at).c_str(), r.size);
  std::printf("%zu records\n", records.size());
  return kExitOk;
}

int CommandCache(Project& project, const std::string& action, const std::string& remote,
                 const std::string& older_than) {
  if (action == "prune") return CachePrune(project, older_than);
  return CommandCacheRecords(*project.repo, action, remote);
}

std::optional<Duration> ParseAge(std::string_view text) {
  size_t d = text.find('d');
  if (d == std::string_view::npos) return ParseDuration(text);
  int64_t days = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + d, days);
  if (ec != std::errc() || end != text.data() + d || days < 0 || days > 100'000)
    return std::nullopt;
  Duration age = std::chrono::hours(24 * days);
  if (d + 1 == text.size()) return age;
  std::optional<Duration> rest = ParseDuration(text.substr(d + 1));
  if (!rest) return std::nullopt;
  return age + *rest;
}

}  // namespace orchestrate
