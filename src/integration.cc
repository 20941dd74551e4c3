#include "orchestrate/integration.h"

#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>

#include "file_io.h"
#include "orchestrate/error.h"
#include "orchestrate/refs.h"
#include "orchestrate/sha1.h"

namespace orchestrate {
namespace {

std::string MergeMessage(const std::string& phase) { return "orchestrate: merge " + phase; }

// Everything `r` started from is in the target already: only its own
// changes remain to merge, with its input as the merge base.
bool InputIsMerged(const PhaseResult& r, const std::set<std::string>& merged) {
  if (r.input.empty()) return false;
  for (const auto& dep : r.deps)
    if (!merged.count(dep)) return false;
  return true;
}

// The phases among `merged` whose own changes touched `paths`: those a
// conflicting result conflicts with.
std::vector<std::string> ChangedBy(Repo& repo, const ObjectId& base,
                                   const std::vector<const PhaseResult*>& merged,
                                   const std::vector<std::string>& paths) {
  std::vector<std::string> phases;
  for (const PhaseResult* r : merged) {
    ObjectId before = repo.TreeOf(r->input.empty() ? base : r->input);
    ObjectId after = repo.TreeOf(r->commit);
    for (const std::string& path : paths)
      if (repo.FileAt(before, path) != repo.FileAt(after, path)) {
        phases.push_back(r->phase);
        break;
      }
  }
  return phases;
}

// The first of `r`'s dependencies that was left out, or "".
std::string LeftOutDep(const PhaseResult& r, const std::set<std::string>& left_out) {
  for (const auto& dep : r.deps)
    if (left_out.count(dep)) return dep;
  return "";
}

MergeOutcome MergeAll(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& results,
                      bool stop_at_conflict, bool use_inputs) {
  MergeOutcome out;
  out.commit = base;
  std::set<std::string> merged, left_out;
  std::vector<const PhaseResult*> merged_results;
  for (const auto& r : results) {
    if (std::string dep = LeftOutDep(r, left_out); !dep.empty()) {
      out.failures.push_back(MergeFailure{r.phase, {}, {}, dep});
      left_out.insert(r.phase);
      continue;
    }
    Repo::MergeResult m = use_inputs && InputIsMerged(r, merged)
                              ? repo.MergeOnto(r.input, out.commit, r.commit, MergeMessage(r.phase))
                              : repo.Merge(out.commit, r.commit, MergeMessage(r.phase));
    if (m.commit) {
      out.commit = *m.commit;
      merged.insert(r.phase);
      merged_results.push_back(&r);
      continue;
    }
    std::vector<std::string> with = stop_at_conflict
                                        ? std::vector<std::string>{}
                                        : ChangedBy(repo, base, merged_results, m.conflicts);
    out.failures.push_back(MergeFailure{r.phase, m.conflicts, with, ""});
    left_out.insert(r.phase);
    if (stop_at_conflict) break;
  }
  return out;
}

}  // namespace

MergeOutcome MergeInput(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& deps,
                        const DepClosure& closure) {
  MergeOutcome direct = MergeAll(repo, base, deps, true, false);
  if (direct.failures.empty() || !closure) return direct;
  MergeOutcome onto = MergeAll(repo, base, closure(), true, true);
  return onto.failures.empty() ? onto : direct;
}

MergeOutcome MergeTarget(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& results,
                         TargetMemo* memo) {
  std::string digest = memo ? TargetMemo::Digest(base, results) : "";
  if (memo) {
    std::optional<ObjectId> known = memo->Find(digest);
    if (known && repo.HasObject(*known)) return MergeOutcome{*known, {}};
  }
  MergeOutcome out = MergeAll(repo, base, results, false, true);
  if (memo && out.failures.empty()) memo->Remember(digest, out.commit);
  return out;
}

std::string TargetMemo::Digest(const ObjectId& base, const std::vector<PhaseResult>& results) {
  // Bump the format line when merging itself changes (another merge base,
  // other commit dates): old entries then stop matching. The digest is the
  // blob id of the text below, hashed as it is made: at 10,000 phases the
  // text is 600 KB of memory touched once (docs/performance.md, "Twelfth
  // round"). Ids go in as their 20 bytes (the null id as 20 zero bytes).
  constexpr std::string_view kFormat = "orchestrate target merge 2\n";
  constexpr char kNul = '\0';
  size_t size = kFormat.size() + ObjectId::kSize + 1;
  for (const PhaseResult& r : results) {
    size += r.phase.size() + 2 * ObjectId::kSize + 3;
    for (const std::string& dep : r.deps) size += dep.size() + 1;
  }
  BlobHasher text(size);
  auto add_id = [&text](const ObjectId& id) {
    text.Add(std::string_view(reinterpret_cast<const char*>(id.data()), ObjectId::kSize));
  };
  text.Add(kFormat);
  add_id(base);
  text.Add('\n');
  for (const PhaseResult& r : results) {
    text.Add(r.phase);
    text.Add(kNul);
    add_id(r.commit);
    text.Add(kNul);
    add_id(r.input);
    for (const std::string& dep : r.deps) text.Add(kNul), text.Add(dep);
    text.Add('\n');
  }
  return text.Finish().hex();
}

std::vector<std::pair<std::string, ObjectId>> TargetMemo::Load() const {
  std::vector<std::pair<std::string, ObjectId>> entries;
  std::istringstream in(ReadWholeFile(path_).value_or(""));
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (tab != ObjectId::kHexSize) continue;
    if (std::optional<ObjectId> commit = ObjectId::FromHex(std::string_view(line).substr(tab + 1));
        commit && !commit->empty())
      entries.emplace_back(line.substr(0, tab), *commit);
  }
  return entries;
}

std::optional<ObjectId> TargetMemo::Find(const std::string& digest) const {
  for (const auto& [known, commit] : Load())
    if (known == digest) return commit;
  return std::nullopt;
}

void TargetMemo::Remember(const std::string& digest, const ObjectId& commit) {
  std::vector<std::pair<std::string, ObjectId>> entries = Load();
  std::erase_if(entries, [&](const auto& e) { return e.first == digest; });
  entries.insert(entries.begin(), {digest, commit});
  if (entries.size() > kMaxEntries) entries.resize(kMaxEntries);
  std::string text;
  for (const auto& [d, c] : entries) text += d + '\t' + c.hex() + '\n';
  if (!ReplaceFile(path_, text, Durability::kFast)) throw InfraError(WriteFailure(path_, errno));
}

// The target's new commit, written before the branch moves and removed
// after its mark is (refs::TargetPendingMark): a run killed in between left
// a target that is still orchestrate's own, and the next run finishes the job.

void CheckTarget(Repo& repo, const std::string& target) {
  std::string ref = refs::BranchRef(target);
  for (const std::string& path : repo.CheckoutsOf(ref)) {
    if (path == repo.workdir())
      throw UsageError("the target branch '" + target +
                       "' is checked out in your checkout, and orchestrate never touches your "
                       "checkout: switch to another branch, or set settings.target to another "
                       "name");
    throw UsageError("the target branch '" + target + "' is checked out in the linked worktree " +
                     path +
                     ", and orchestrate never moves a branch under a checkout: switch that "
                     "checkout to another branch, or set settings.target to another name");
  }
  std::optional<ObjectId> head = repo.ReadRef(ref);
  if (!head) return;
  std::optional<ObjectId> ours = repo.ReadRef(refs::TargetMark(target));
  std::optional<ObjectId> pending = repo.ReadRef(refs::TargetPendingMark(target));
  if (pending && *pending == *head) {  // killed between moving the branch and its mark
    repo.WriteRef(refs::TargetMark(target), *head, "orchestrate: target written");
    ours = head;
  }
  if (pending) repo.DeleteRef(refs::TargetPendingMark(target));
  if (ours && *ours == *head) return;
  std::string why = ours ? "orchestrate last wrote " + ours->ShortHex(12) +
                               ", but it now points at " + head->ShortHex(12)
                         : "orchestrate did not create it";
  throw UsageError("refusing to move target branch '" + target +
                   "': it holds commits orchestrate did not write (" + why +
                   "). Keep that work on another branch, then delete '" + target +
                   "' (git branch -D " + target + "), or set settings.target to a new branch name");
}

void UpdateTarget(Repo& repo, const std::string& target, const ObjectId& commit) {
  // A run that changed nothing leaves both refs (and their reflogs) alone.
  std::string branch = refs::BranchRef(target);
  std::optional<ObjectId> head = repo.ReadRef(branch);
  if (head == commit && repo.ReadRef(refs::TargetMark(target)) == commit) return;
  repo.WriteRef(refs::TargetPendingMark(target), commit, "orchestrate: target about to be written");
  if (!repo.WriteRefIf(branch, commit, head, "orchestrate: integrate results"))
    throw UsageError("refusing to move target branch '" + target +
                     "': it changed while orchestrate was writing it; run again");
  repo.WriteRef(refs::TargetMark(target), commit, "orchestrate: target written");
  repo.DeleteRef(refs::TargetPendingMark(target));
}

}  // namespace orchestrate
