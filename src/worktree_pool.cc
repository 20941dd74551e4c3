#include "orchestrate/worktree_pool.h"

namespace orchestrate {

WorktreePool::WorktreePool(RunState& state, KeepWorktrees keep,
                           const std::vector<std::string>& existing)
    : state_(state), keep_(keep), known_(existing.begin(), existing.end()) {
  // Forget bookkeeping about worktrees that no longer exist.
  for (auto it = state_.kept_worktrees.begin(); it != state_.kept_worktrees.end();)
    it = known_.count(it->first) ? std::next(it) : state_.kept_worktrees.erase(it);
  for (auto it = state_.worktree_last_phase.begin(); it != state_.worktree_last_phase.end();)
    it = known_.count(it->first) ? std::next(it) : state_.worktree_last_phase.erase(it);
}

bool WorktreePool::IsFree(const std::string& name) const {
  return !busy_.count(name) && !state_.kept_worktrees.count(name);
}

std::string WorktreePool::NewName() const {
  for (int i = 0;; ++i) {
    std::string name = "w" + std::to_string(i);
    if (!known_.count(name) && !busy_.count(name)) return name;
  }
}

std::string WorktreePool::Acquire(const std::string& phase, std::string* previous_phase) {
  std::string chosen;
  for (const auto& [name, owner] : state_.kept_worktrees)
    if (owner == phase && !busy_.count(name)) chosen = name;
  if (chosen.empty()) {
    for (const auto& [name, last] : state_.worktree_last_phase)
      if (last == phase && IsFree(name)) chosen = name;
  }
  if (chosen.empty()) {
    for (const auto& name : known_)
      if (IsFree(name)) {
        chosen = name;
        break;
      }
  }
  if (chosen.empty()) chosen = NewName();
  if (previous_phase) {
    auto last = state_.worktree_last_phase.find(chosen);
    *previous_phase = last == state_.worktree_last_phase.end() ? "" : last->second;
  }
  state_.kept_worktrees.erase(chosen);
  known_.insert(chosen);
  busy_.insert(chosen);
  state_.worktree_last_phase[chosen] = phase;
  return chosen;
}

void WorktreePool::Release(const std::string& name, const std::string& phase, bool succeeded) {
  busy_.erase(name);
  bool keep = keep_ == KeepWorktrees::kAlways || (!succeeded && keep_ == KeepWorktrees::kFailed);
  if (keep) state_.kept_worktrees[name] = phase;
}

}  // namespace orchestrate
