// Which worktree a phase runs in. Pure bookkeeping over RunState (no git):
// a handful of worktrees named w0, w1, ... are reused from phase to phase
// and run to run; a failed phase's worktree leaves the pool until that
// phase runs again.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "orchestrate/manifest.h"
#include "orchestrate/run_state.h"

namespace orchestrate {

class WorktreePool {
 public:
  /// `existing`: worktree names present on disk. `state` must outlive the pool.
  WorktreePool(RunState& state, KeepWorktrees keep, const std::vector<std::string>& existing);

  /// The worktree for `phase`: the one kept for it, else the one it used
  /// last when free, else any free one, else a new name.
  /// `previous_phase`, when given, receives the phase that used it last
  /// (empty for a new one): unsaved work found there is that phase's.
  std::string Acquire(const std::string& phase, std::string* previous_phase = nullptr);

  /// `phase` is done with `name`. A failed or interrupted phase keeps it
  /// (under keep_worktrees "failed"/"always"); "always" keeps every one.
  void Release(const std::string& name, const std::string& phase, bool succeeded);

  /// Worktrees a phase holds for inspection: name -> phase.
  const std::map<std::string, std::string>& kept() const { return state_.kept_worktrees; }

 private:
  bool IsFree(const std::string& name) const;
  std::string NewName() const;

  RunState& state_;
  KeepWorktrees keep_;
  std::set<std::string> known_;
  std::set<std::string> busy_;
};

}  // namespace orchestrate
