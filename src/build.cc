#include "orchestrate/build.h"

namespace orchestrate {

void Build::Load(RunState state) {
  bookkeeping_ = std::move(state);
  phases_.clear();
  phases_.resize(graph_.size());
  outside_.clear();
  for (auto& [name, record] : bookkeeping_.phases) {
    std::optional<int> p = graph_.Find(name);
    if (!p) {
      outside_.push_back(&record);
      continue;
    }
    phases_[*p].state = record.state;
    phases_[*p].recorded = &record;
  }
}

RunState Build::State() const {
  RunState state = bookkeeping_;
  for (int p = 0; p < size(); ++p)
    if (phases_[p].recorded) state.phases.at(graph_.node(p).phase->name).state = phases_[p].state;
  return state;
}

PhaseWork& PhaseRun::Work() {
  if (!work) work = std::make_unique<PhaseWork>();
  return *work;
}

const PhaseWork& PhaseRun::WorkOrNone() const {
  static const PhaseWork kNone;
  return work ? *work : kNone;
}

PhaseRecord& Build::Recorded(int p) {
  PhaseRecord*& recorded = phases_[p].recorded;
  if (!recorded) recorded = &bookkeeping_.phases[graph_.node(p).phase->name];
  return *recorded;
}

PhaseRecord& Build::Recorded(const std::string& name) {
  if (std::optional<int> p = graph_.Find(name)) return Recorded(*p);
  auto [it, made] = bookkeeping_.phases.try_emplace(name);
  if (made) outside_.push_back(&it->second);
  return it->second;
}

bool Build::InterruptLeftRunning() {
  bool changed = false;
  auto interrupt = [&changed](PhaseState& state) {
    if (state != PhaseState::kRunning && state != PhaseState::kRequeued) return;
    state = PhaseState::kInterrupted;
    changed = true;
  };
  for (PhaseRun& phase : phases_) interrupt(phase.state);
  for (PhaseRecord* record : outside_)
    interrupt(record->state);  // a graph phase's is its PhaseRun's
  return changed;
}

}  // namespace orchestrate
