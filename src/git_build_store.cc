// The production BuildStore: the user's repository through the git layer,
// the project's result cache and its workspace files.
#include <memory>

#include "file_io.h"
#include "orchestrate/build_interfaces.h"
#include "orchestrate/error.h"
#include "orchestrate/process.h"
#include "orchestrate/record_index.h"
#include "orchestrate/recovery.h"

namespace orchestrate {
namespace {

class GitBuildStore : public BuildStore {
 public:
  explicit GitBuildStore(Project& project)
      : project_(project),
        ws_(project.workspace),
        repo_(*project.repo),
        cache_(project.StartRecords(/*writable=*/true)),
        worktrees_(repo_, ws_.worktrees_dir()) {}

  void Lock() override {
    const Settings& settings = project_.manifest.settings;
    std::vector<std::string> excludes = settings.worktree_copy;
    excludes.insert(excludes.end(), settings.worktree_link.begin(), settings.worktree_link.end());
    ws_.Prepare(repo_.commondir(), excludes);
    int holder = 0;
    if (!lock_.Acquire(ws_.lock_file(), &holder))
      throw UsageError("another orchestrate run (pid " + std::to_string(holder) +
                       ") is using this repository; wait for it to finish or stop it");
  }
  void Unlock() override { lock_.Release(); }
  RunState LoadState() override { return ws_.LoadState(); }
  void SaveState(const RunState& state) override { ws_.SaveState(state); }

  std::vector<std::string> Recover() override {
    std::vector<std::string> lines = ReapLeftoverProcessGroups(ws_.pids_dir());
    for (auto& line : worktrees_.Repair()) lines.push_back(std::move(line));
    return lines;
  }
  std::vector<std::string> Worktrees() override { return worktrees_.List(); }
  ProcessHooks RecordProcessGroups(int slot, const std::string& marker) override {
    return orchestrate::RecordProcessGroups(ws_.pids_dir(), slot, marker);
  }
  std::string ReadPromptFile(const std::string& path) override {
    std::optional<std::string> text = ReadWholeFile(path);
    if (!text) throw InfraError("cannot read prompt file " + path + ": " + ErrnoText(errno));
    return std::move(*text);
  }
  std::string LogTail(const std::string& phase, int lines) override {
    return ReadTail(ws_.LogPath(phase), lines);
  }

  std::optional<ObjectId> ResolveCommit(const std::string& rev) override {
    return repo_.ResolveCommit(rev);
  }
  bool IsShallow() override { return repo_.IsShallow(); }
  bool HasUncommittedChanges() override {
    // The manifest and prompts are read from disk: their edits are used as
    // they are, not "uncommitted changes left out".
    return repo_.HasUncommittedChanges(ManifestFiles(project_.manifest, repo_.workdir()));
  }
  ObjectId TreeOf(const ObjectId& commit) override { return repo_.TreeOf(commit); }
  MergeOutcome MergeInput(const ObjectId& base, const std::vector<PhaseResult>& deps,
                          const DepClosure& closure) override {
    return orchestrate::MergeInput(repo_, base, deps, closure);
  }
  MergeOutcome MergeTarget(const ObjectId& base, const std::vector<PhaseResult>& results) override {
    TargetMemo memo(ws_.target_memo_file());
    return orchestrate::MergeTarget(repo_, base, results, &memo);
  }
  void CheckTarget(const std::string& target) override { orchestrate::CheckTarget(repo_, target); }
  void UpdateTarget(const std::string& target, const ObjectId& commit) override {
    orchestrate::UpdateTarget(repo_, target, commit);
  }

  void StartPlanning(const Graph& graph, const RunState& state, const ObjectId& base,
                     const PlannerOptions& options) override {
    planner_ = std::make_unique<Planner>(graph, repo_, cache_, state, base, options);
  }
  PhaseDecision Decide(int phase, std::span<const DepResult> deps) override {
    return planner_->Decide(phase, deps);
  }
  std::vector<PhaseDecision> PlanAll(const std::vector<int>& selected) override {
    return planner_->PlanAll(selected);
  }
  void StoreRecord(const Record& record, bool replace) override { cache_.Store(record, replace); }
  std::optional<Decision> DecisionOn(const std::string& phase, const ObjectId& result) override {
    return Approvals(repo_).Find(phase, result);
  }
  void SetWarningSink(std::function<void(const std::string&)> sink) override {
    cache_.SetWarningSink(std::move(sink));
  }
  void Flush() override { project_.index->Flush(); }

 private:
  Project& project_;
  const Workspace& ws_;
  Repo& repo_;
  ResultCache& cache_;
  WorktreeStore worktrees_;
  RunLock lock_;
  std::unique_ptr<Planner> planner_;
};

}  // namespace

std::unique_ptr<BuildStore> MakeGitBuildStore(Project& project) {
  return std::make_unique<GitBuildStore>(project);
}

}  // namespace orchestrate
