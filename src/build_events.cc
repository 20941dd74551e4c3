// The phase events are projections of the run-time model: each is built
// from the phase's PhaseRun and its record, never assembled where it happens.
#include "orchestrate/build.h"

namespace orchestrate {
namespace {

Event PhaseEvent(const Build& build, int p, Event::Type type) {
  Event e;
  e.type = type;
  e.phase = build.graph().node(p).phase->name;
  return e;
}

const PhaseRecord& RecordedOf(const Build& build, int p) {
  static const PhaseRecord kNone;
  return build[p].recorded ? *build[p].recorded : kNone;
}

}  // namespace

Event FreshEvent(const Build& build, int p) {
  const PhaseRun& s = build[p];
  Event e = PhaseEvent(build, p, Event::Type::kPhaseFresh);
  e.state = PhaseState::kFresh;
  e.result = s.result;
  e.duration_s = s.record_duration_s;
  e.attempts = s.record_attempts;
  e.reason = "fresh";
  return e;
}

Event StartedEvent(const Build& build, int p) {
  const PhaseRun& s = build[p];
  const PhaseRecord& r = RecordedOf(build, p);
  Event e = PhaseEvent(build, p, Event::Type::kPhaseStarted);
  e.slot = s.WorkOrNone().job_slot;
  e.reason = s.WorkOrNone().reason;
  e.worktree = r.worktree;
  e.branch = r.branch;
  e.log_path = r.log_path;
  e.started_at = s.WorkOrNone().started_at;
  e.attempts = s.WorkOrNone().attempts_done;
  return e;
}

Event RequeuedEvent(const Build& build, int p) {
  const PhaseRun& s = build[p];
  Event e = PhaseEvent(build, p, Event::Type::kPhaseRequeued);
  e.text = s.ended->requeue_pattern;
  e.backoff_s = s.WorkOrNone().wait_s;
  e.attempts = s.WorkOrNone().attempts_done;
  return e;
}

Event FinishedEvent(const Build& build, int p) {
  const PhaseRun& s = build[p];
  const PhaseRecord& r = RecordedOf(build, p);
  Event e = PhaseEvent(build, p, Event::Type::kPhaseFinished);
  e.slot = s.WorkOrNone().job_slot;
  e.state = s.state;
  e.duration_s = r.duration_s;
  e.attempts = r.attempts;
  e.result = r.result;
  e.reason = r.reason;  // why it ran when it succeeded, else its failure
  if (s.ended) {
    e.failed_command = s.ended->failed_command;
    e.log_tail = s.ended->log_tail;
    e.worktree = s.ended->worktree_path;
    e.commands = s.ended->commands;
  }
  // A phase that could not start has no log of this run.
  e.log_path = s.state == PhaseState::kInputConflict ? "" : r.log_path;
  e.branch = r.branch;
  e.started_at = s.WorkOrNone().started_at;
  e.usage = s.WorkOrNone().usage;
  return e;
}

Event BlockedEvent(const Build& build, int p) {
  Event e = PhaseEvent(build, p, Event::Type::kPhaseFinished);
  e.state = PhaseState::kBlocked;
  e.reason = RecordedOf(build, p).reason;
  return e;
}

}  // namespace orchestrate
