#include "orchestrate/integration.h"

#include <git2.h>

#include <set>

#include "orchestrate/error.h"

namespace orchestrate {
namespace {

const char* kTargetMarks = "refs/orchestrate/targets/";

std::string MergeMessage(const std::string& phase) { return "orchestrate: merge " + phase; }

// Everything `r` started from is in the target already: only its own
// changes remain to merge, with its input as the merge base.
bool InputIsMerged(const PhaseResult& r, const std::set<std::string>& merged) {
  if (r.input.empty()) return false;
  for (const auto& dep : r.deps)
    if (!merged.count(dep)) return false;
  return true;
}

MergeOutcome MergeAll(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& results,
                      bool stop_at_conflict, bool use_inputs) {
  MergeOutcome out;
  out.commit = base;
  std::set<std::string> merged;
  for (const auto& r : results) {
    Repo::MergeResult m = use_inputs && InputIsMerged(r, merged)
                              ? repo.MergeOnto(r.input, out.commit, r.commit, MergeMessage(r.phase))
                              : repo.Merge(out.commit, r.commit, MergeMessage(r.phase));
    if (m.commit) {
      out.commit = *m.commit;
      merged.insert(r.phase);
      continue;
    }
    out.failures.push_back(MergeFailure{r.phase, m.conflicts});
    if (stop_at_conflict) break;
  }
  return out;
}

std::string UserHeadRef(Repo& repo) {
  git_reference* head = nullptr;
  std::string name;
  if (git_reference_lookup(&head, repo.raw(), "HEAD") == 0) {
    if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) name = git_reference_symbolic_target(head);
    git_reference_free(head);
  }
  return name;
}

}  // namespace

MergeOutcome MergeInput(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& deps) {
  return MergeAll(repo, base, deps, true, false);
}

MergeOutcome MergeTarget(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& results) {
  return MergeAll(repo, base, results, false, true);
}

void CheckTarget(Repo& repo, const std::string& target) {
  std::string ref = "refs/heads/" + target;
  if (UserHeadRef(repo) == ref)
    throw UsageError("the target branch '" + target +
                     "' is checked out in your checkout, and orchestrate never touches your "
                     "checkout: switch to another branch, or set settings.target to another name");
  std::optional<ObjectId> head = repo.ReadRef(ref);
  if (!head) return;
  std::optional<ObjectId> ours = repo.ReadRef(kTargetMarks + target);
  if (ours && *ours == *head) return;
  std::string why = ours ? "orchestrate last wrote " + ours->substr(0, 12) + ", but it now points at " +
                               head->substr(0, 12)
                         : "orchestrate did not create it";
  throw UsageError("refusing to move target branch '" + target + "': it holds commits orchestrate did not write (" +
                   why + "). Keep that work on another branch, then delete '" + target +
                   "' (git branch -D " + target + "), or set settings.target to a new branch name");
}

void UpdateTarget(Repo& repo, const std::string& target, const ObjectId& commit) {
  repo.WriteRef("refs/heads/" + target, commit, "orchestrate: integrate results");
  repo.WriteRef(kTargetMarks + target, commit, "orchestrate: target written");
}

}  // namespace orchestrate
