#include "orchestrate/build.h"

namespace orchestrate {

void Build::Load(RunState state) {
  phases_.clear();
  phases_.resize(graph_.size());
  for (auto it = state.phases.begin(); it != state.phases.end();) {
    std::optional<int> p = graph_.Find(it->first);
    if (!p) {
      ++it;
      continue;
    }
    phases_[*p].state = it->second.state;
    phases_[*p].recorded = std::move(it->second);
    it = state.phases.erase(it);
  }
  bookkeeping_ = std::move(state);
}

RunState Build::State() const {
  RunState state = bookkeeping_;
  for (int p = 0; p < size(); ++p) {
    if (!phases_[p].recorded) continue;
    PhaseRecord& written = state.phases[graph_.node(p).phase->name] = *phases_[p].recorded;
    written.state = phases_[p].state;
  }
  return state;
}

PhaseRecord& Build::Recorded(int p) {
  std::optional<PhaseRecord>& recorded = phases_[p].recorded;
  if (!recorded) recorded.emplace();
  return *recorded;
}

PhaseRecord& Build::Recorded(const std::string& name) {
  if (std::optional<int> p = graph_.Find(name)) return Recorded(*p);
  return bookkeeping_.phases[name];
}

bool Build::InterruptLeftRunning() {
  bool changed = false;
  auto interrupt = [&changed](PhaseState& state) {
    if (state != PhaseState::kRunning && state != PhaseState::kRequeued) return;
    state = PhaseState::kInterrupted;
    changed = true;
  };
  for (PhaseRun& phase : phases_) interrupt(phase.state);
  for (auto& [name, record] : bookkeeping_.phases) interrupt(record.state);
  return changed;
}

}  // namespace orchestrate
