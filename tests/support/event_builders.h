// Events as the core emits them, for the unit tests of the event sinks: one
// builder per event type, with the fields the engine always fills. A test
// that needs more sets the field, or chains a setter for the common ones:
// `PhaseFinished("api", PhaseState::kSucceeded, 4, 3).Slot(0)`. Tests take
// them all with `using namespace testing::event_builders;`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "orchestrate/events.h"
#include "orchestrate/object_id.h"

namespace orchestrate::testing::event_builders {

/// The unix time the builders give a phase that ran (Event::started_at).
inline constexpr int64_t kStartedAt = 1700000000;

/// An Event with chainable setters. It converts to Event wherever one is
/// expected (a copy of the Event part).
struct EventBuilder : Event {
  EventBuilder& Slot(int job_slot) {
    slot = job_slot;
    return *this;
  }
  EventBuilder& Attempts(int count) {
    attempts = count;
    return *this;
  }
  EventBuilder& Reason(std::string why) {
    reason = std::move(why);
    return *this;
  }
};

/// An event of `type` for `phase` at `time_s`, every other field at its
/// default; the builders below start from it.
inline EventBuilder MakeEvent(Event::Type type, const std::string& phase, double time_s) {
  EventBuilder e;
  e.type = type;
  e.phase = phase;
  e.time_s = time_s;
  return e;
}

/// The id whose hex starts with `prefix` (hex digits) and goes on in zeros:
/// PaddedId("abc1234") is abc1234000...
inline ObjectId PaddedId(const std::string& prefix) {
  return ObjectId::FromHex(prefix + std::string(ObjectId::kHexSize - prefix.size(), '0')).value();
}

/// kRunStarted at 0s: `total` phases on `jobs` job slots, from base
/// PaddedId("abc1234").
inline EventBuilder RunStartedEvent(int total, int jobs) {
  EventBuilder e = MakeEvent(Event::Type::kRunStarted, "", 0);
  e.base = PaddedId("abc1234");
  e.total = total;
  e.jobs = jobs;
  return e;
}

/// kPhaseFresh: `phase` is skipped at `time_s`, its result reused (reason
/// "fresh").
inline EventBuilder PhaseFresh(const std::string& phase, double time_s = 0) {
  EventBuilder e = MakeEvent(Event::Type::kPhaseFresh, phase, time_s);
  e.state = PhaseState::kFresh;
  e.reason = "fresh";
  return e;
}

/// kPhaseStarted: `phase` starts on job `slot` at `time_s` because it never
/// ran (reason "never run").
inline EventBuilder PhaseStarted(const std::string& phase, int slot, double time_s) {
  EventBuilder e = MakeEvent(Event::Type::kPhaseStarted, phase, time_s);
  e.slot = slot;
  e.reason = "never run";
  return e;
}

/// kCommandStarted: the `step` ("setup", "run", "verify") of `phase` runs
/// `command` at `time_s`.
inline EventBuilder CommandStarted(const std::string& phase, const std::string& step,
                                   const std::string& command, double time_s = 0) {
  EventBuilder e = MakeEvent(Event::Type::kCommandStarted, phase, time_s);
  e.step = step;
  e.text = command;
  return e;
}

/// kPhaseRequeued: the output of `phase` matched `pattern` at `time_s`; it is
/// queued again after `backoff_s`.
inline EventBuilder PhaseRequeued(const std::string& phase, const std::string& pattern,
                                  double backoff_s, double time_s) {
  EventBuilder e = MakeEvent(Event::Type::kPhaseRequeued, phase, time_s);
  e.text = pattern;
  e.backoff_s = backoff_s;
  return e;
}

/// kPhaseFinished: `phase` ended in `state` at `time_s` after running
/// `duration_s`, in one attempt (started_at is kStartedAt: it ran). Its job
/// slot is unset (-1).
inline EventBuilder PhaseFinished(const std::string& phase, PhaseState state, double time_s = 0,
                                  double duration_s = 0) {
  EventBuilder e = MakeEvent(Event::Type::kPhaseFinished, phase, time_s);
  e.state = state;
  e.duration_s = duration_s;
  e.started_at = kStartedAt;
  e.attempts = 1;
  return e;
}

/// kPhaseFinished, blocked: `phase` never started because `blocker` did not
/// succeed (reason "blocked by <blocker>", no attempt, no started_at).
inline EventBuilder PhaseBlocked(const std::string& phase, const std::string& blocker,
                                 double time_s) {
  EventBuilder e = MakeEvent(Event::Type::kPhaseFinished, phase, time_s);
  e.state = PhaseState::kBlocked;
  e.reason = "blocked by " + blocker;
  return e;
}

/// kTargetUpdated: the target `branch` now points at PaddedId(`commit`).
inline EventBuilder TargetUpdated(const std::string& branch, const std::string& commit,
                                  double time_s = 0) {
  EventBuilder e = MakeEvent(Event::Type::kTargetUpdated, "", time_s);
  e.text = branch;
  e.result = PaddedId(commit);
  return e;
}

/// kMessage: a one-line notice, at warning level when `warning`.
inline EventBuilder MessageEvent(const std::string& text, bool warning, double time_s = 0) {
  EventBuilder e = MakeEvent(Event::Type::kMessage, "", time_s);
  e.text = text;
  e.warning = warning;
  return e;
}

/// kRunFinished: the run ends at `duration_s` with `exit_status`.
inline EventBuilder RunFinishedEvent(double duration_s, int exit_status = 0) {
  EventBuilder e = MakeEvent(Event::Type::kRunFinished, "", duration_s);
  e.duration_s = duration_s;
  e.exit_status = exit_status;
  return e;
}

}  // namespace orchestrate::testing::event_builders
