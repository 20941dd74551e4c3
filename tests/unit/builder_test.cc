// The Builder (src/run_internal.h) driven with fakes (support/fake_build.h):
// what it decides, starts, records and reports, without git or processes.
#include <gtest/gtest.h>

#include <csignal>

#include "../../src/run_internal.h"
#include "support/fake_build.h"
#include "support/manifest_builder.h"

namespace orchestrate::testing {
namespace {

/// `text` contains `part` (with `text` in the failure message).
::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" not in:\n" << text;
}

RunOptions TwoJobs() {
  RunOptions o;
  o.jobs = 2;
  return o;
}

class BuilderTest : public ::testing::Test {
 protected:
  BuilderTest() : runner_(clock_) {}

  /// Phases (name, deps), each running `true`.
  void Use(const std::vector<PhaseSpec>& specs) {
    manifest_ = MakeManifest(specs);
    for (auto& p : manifest_.phases) p.run = "true";
  }
  Phase& PhaseNamed(const std::string& name) {
    for (auto& p : manifest_.phases)
      if (p.name == name) return p;
    throw std::logic_error("no phase " + name);
  }

  int Build() {
    run_internal::Run run(manifest_, ws_, options_, events_, store_, runner_, clock_, interrupt_);
    return run.Execute();
  }

  /// The state of `phase` in the last saved state file.
  PhaseState SavedState(const std::string& phase) const {
    EXPECT_FALSE(store_.saved.empty());
    return store_.saved.back().phases.at(phase).state;
  }
  /// The state of `phase`'s last finished event.
  std::optional<PhaseState> Finished(const std::string& phase) const {
    std::vector<Event> f = events_.Of(Event::Type::kPhaseFinished, phase);
    if (f.empty()) return std::nullopt;
    return f.back().state;
  }
  std::string AllMessages() const {
    std::string all;
    for (const auto& m : events_.Messages()) all += m + "\n";
    return all;
  }

  /// Makes the phases agent phases (of agent "coder"), the others stay `run`.
  void Agents(const std::vector<std::string>& names) {
    Agent agent;
    agent.name = "coder";
    agent.command = "coder {prompt_file}";
    manifest_.agents.push_back(agent);
    for (const auto& name : names) {
      PhaseNamed(name).run.clear();
      PhaseNamed(name).agent = "coder";
      PhaseNamed(name).details.Edit().prompt_text = "do " + name;
    }
  }

  Manifest manifest_;
  Workspace ws_{"/nonexistent/repo", "/nonexistent/repo/.orchestrate"};
  RunOptions options_ = TwoJobs();
  FakeClock clock_;
  FakePhaseRunner runner_;
  FakeBuildStore store_;
  EventLog events_;
  std::atomic<int> interrupt_{0};
};

TEST_F(BuilderTest, RunsStalePhasesOnTheirDepsResultsAndUpdatesTheTarget) {
  Use({{"a", {}}, {"b", {"a"}}});
  EXPECT_EQ(Build(), kExitOk);
  ASSERT_EQ(runner_.starts().size(), 2u);
  EXPECT_EQ(runner_.starts()[1].phase, "b");
  EXPECT_EQ(FakeName(runner_.starts()[1].job.input), "base+result-of-a");
  ASSERT_EQ(store_.stored.size(), 2u);
  EXPECT_EQ(store_.stored[0].first.phase, "a");
  EXPECT_EQ(FakeName(store_.stored[0].first.result_tree), "tree-of-result-of-a");
  EXPECT_EQ(store_.stored[0].first.log, "log of a");
  EXPECT_FALSE(store_.stored[0].second);  // not replacing
  EXPECT_EQ(FakeName(store_.target), "base+result-of-a+result-of-b");
  EXPECT_EQ(SavedState("a"), PhaseState::kSucceeded);
  EXPECT_EQ(SavedState("b"), PhaseState::kSucceeded);
  EXPECT_TRUE(store_.saved.back().failed_keys.empty());
  EXPECT_EQ(store_.flushes, 1);
}

TEST_F(BuilderTest, FreshPhasesAreReusedNotRun) {
  Use({{"a", {}}, {"b", {"a"}}});
  store_.cached["a"] = FakeBuildStore::RecordOf("a");
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_EQ(runner_.StartsOf("a"), 0);
  ASSERT_EQ(runner_.StartsOf("b"), 1);
  EXPECT_EQ(FakeName(runner_.starts()[0].job.input), "base+result-of-a");
  ASSERT_EQ(events_.Of(Event::Type::kPhaseFresh, "a").size(), 1u);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFresh, "a")[0].duration_s, 2);
  EXPECT_EQ(FakeName(store_.target), "base+result-of-a+result-of-b");
  EXPECT_EQ(SavedState("a"), PhaseState::kFresh);
}

TEST_F(BuilderTest, AFreshGraphRunsNothingAndLeavesTheStateFileAlone) {
  Use({{"a", {}}});
  store_.cached["a"] = FakeBuildStore::RecordOf("a");
  store_.state.base = FakeId("base");
  PhaseRecord& r = store_.state.phases["a"];
  r.state = PhaseState::kFresh;
  r.key = "key-a";
  r.result = FakeId("result-of-a");
  r.duration_s = 2;
  r.attempts = 1;
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_TRUE(runner_.starts().empty());
  EXPECT_TRUE(store_.saved.empty());
  EXPECT_EQ(FakeName(store_.target), "base+result-of-a");
  EXPECT_EQ(store_.target_checks, 1);  // at the start; nothing ran meanwhile
}

TEST_F(BuilderTest, TheTargetIsCheckedAgainBeforeItMovesAfterPhasesRan) {
  Use({{"a", {}}});
  EXPECT_EQ(Build(), kExitOk);
  ASSERT_EQ(runner_.StartsOf("a"), 1);
  // Once before the phases start, and again before the target moves: the
  // user may have checked it out while they ran.
  EXPECT_EQ(store_.target_checks, 2);
}

TEST_F(BuilderTest, TheStateFileKeepsPhasesNoLongerInTheManifestAndEndsTheirLeftRuns) {
  Use({{"a", {}}});
  store_.state.phases["gone"].state = PhaseState::kRunning;  // a killed run left it
  store_.state.phases["gone"].key = "key-gone";
  EXPECT_EQ(Build(), kExitOk);
  ASSERT_FALSE(store_.saved.empty());
  const RunState& saved = store_.saved.back();
  EXPECT_EQ(saved.phases.at("gone").state, PhaseState::kInterrupted);
  EXPECT_EQ(saved.phases.at("gone").key, "key-gone");
  EXPECT_EQ(saved.phases.at("a").state, PhaseState::kSucceeded);
}

TEST_F(BuilderTest, ForceRunsAFreshPhaseAndReplacesItsRecord) {
  Use({{"a", {}}});
  store_.cached["a"] = FakeBuildStore::RecordOf("a");
  options_.force = {"a"};
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_EQ(runner_.StartsOf("a"), 1);
  ASSERT_EQ(store_.stored.size(), 1u);
  EXPECT_TRUE(store_.stored[0].second);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseStarted, "a").at(0).reason, "forced");
}

// --- approval = true (SPEC section 3 item 8) ------------------------------------

Decision DecisionOf(bool approved, const std::string& phase, const std::string& feedback = "") {
  Decision d;
  d.approved = approved;
  d.phase = phase;
  d.result = FakeId("result-of-" + phase);
  d.feedback = feedback;
  d.who = "Ada <ada@example.com>";
  return d;
}

TEST_F(BuilderTest, ANewResultAwaitsApprovalOutOfTheTargetAndItsDependentsWait) {
  Use({{"schema", {}}, {"api", {"schema"}}, {"docs", {}}});
  PhaseNamed("schema").approval = true;
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("schema"), 1);
  EXPECT_EQ(runner_.StartsOf("api"), 0);
  EXPECT_EQ(runner_.StartsOf("docs"), 1);  // everything else goes on
  ASSERT_EQ(store_.stored.size(), 2u);     // the verified result is recorded
  EXPECT_EQ(Finished("schema"), PhaseState::kAwaitingApproval);
  std::vector<Event> f = events_.Of(Event::Type::kPhaseFinished, "schema");
  EXPECT_TRUE(Contains(f.back().reason, "orchestrate approve schema"));
  EXPECT_TRUE(Contains(f.back().reason, "`git diff " + FakeId("base").ShortHex(12) + " " +
                                            FakeId("result-of-schema").ShortHex(12) + "`"));
  EXPECT_EQ(Finished("api"), PhaseState::kBlocked);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFinished, "api").at(0).reason,
            "waits for the approval of schema");
  EXPECT_EQ(FakeName(store_.target), "base+result-of-docs");
  EXPECT_EQ(SavedState("schema"), PhaseState::kAwaitingApproval);
}

TEST_F(BuilderTest, AnUndecidedRecordedResultStillAwaitsApprovalWithoutRunning) {
  Use({{"schema", {}}, {"api", {"schema"}}});
  PhaseNamed("schema").approval = true;
  store_.cached["schema"] = FakeBuildStore::RecordOf("schema");
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("schema"), 0);
  EXPECT_EQ(runner_.StartsOf("api"), 0);
  EXPECT_EQ(Finished("schema"), PhaseState::kAwaitingApproval);
  EXPECT_EQ(FakeName(store_.target), "base");
}

TEST_F(BuilderTest, AnApprovedResultIsFreshAndItsDependentsRunOnIt) {
  Use({{"schema", {}}, {"api", {"schema"}}});
  PhaseNamed("schema").approval = true;
  store_.cached["schema"] = FakeBuildStore::RecordOf("schema");
  store_.decisions[{"schema", FakeId("result-of-schema")}] = DecisionOf(true, "schema");
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_EQ(runner_.StartsOf("schema"), 0);
  ASSERT_EQ(runner_.StartsOf("api"), 1);
  EXPECT_EQ(FakeName(runner_.starts()[0].job.input), "base+result-of-schema");
  EXPECT_EQ(FakeName(store_.target), "base+result-of-schema+result-of-api");
}

TEST_F(BuilderTest, ARejectedResultRunsAgainWithTheTextAndReplacesItsRecord) {
  Use({{"schema", {}}});
  PhaseNamed("schema").approval = true;
  store_.cached["schema"] = FakeBuildStore::RecordOf("schema");
  store_.decisions[{"schema", FakeId("result-of-schema")}] =
      DecisionOf(false, "schema", "name the column user_id");
  EXPECT_EQ(Build(), kExitPhaseFailed);  // its new result awaits approval in turn
  ASSERT_EQ(runner_.StartsOf("schema"), 1);
  EXPECT_TRUE(Contains(runner_.starts()[0].job.rejection, "name the column user_id"));
  EXPECT_TRUE(Contains(events_.Of(Event::Type::kPhaseStarted, "schema").at(0).reason,
                       "was rejected by Ada <ada@example.com>"));
  ASSERT_EQ(store_.stored.size(), 1u);
  EXPECT_TRUE(store_.stored[0].second);  // replaces the rejected record
}

TEST_F(BuilderTest, RequeueWaitsTheBackoffAndRunsAgainInTheSameWorktree) {
  Use({{"a", {}}});
  options_.requeue_backoff = std::chrono::seconds(10);
  runner_.Script("a", {RateLimited("rate limit"), Succeeds()});
  EXPECT_EQ(Build(), kExitOk);
  ASSERT_EQ(runner_.StartsOf("a"), 2);
  EXPECT_GE(runner_.starts()[1].at_s - runner_.starts()[0].at_s, 10.0);
  std::vector<Event> requeued = events_.Of(Event::Type::kPhaseRequeued, "a");
  ASSERT_EQ(requeued.size(), 1u);
  EXPECT_EQ(requeued[0].text, "rate limit");
  EXPECT_EQ(requeued[0].backoff_s, 10);
  // The second start continues the first: same worktree, log kept.
  EXPECT_EQ(runner_.starts()[1].job.worktree_name, runner_.starts()[0].job.worktree_name);
  EXPECT_FALSE(runner_.starts()[1].job.fresh_log);
  EXPECT_EQ(Finished("a"), PhaseState::kSucceeded);
}

TEST_F(BuilderTest, RequeueGivesUpWhenTheNextWaitPassesRequeueMax) {
  Use({{"a", {}}});
  options_.requeue_backoff = std::chrono::seconds(10);
  manifest_.settings.requeue_max = std::chrono::seconds(25);
  // Waits 10 s, then would wait 20 s more: 30 s > 25 s.
  runner_.Script("a", {RateLimited("429"), RateLimited("429")});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("a"), 2);
  std::vector<Event> finished = events_.Of(Event::Type::kPhaseFinished, "a");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].state, PhaseState::kFailed);
  EXPECT_EQ(finished[0].reason,
            "still told to wait (\"429\") after waiting 10s in 1 requeues; waiting 20s more "
            "would pass settings.requeue_max (25s)");
  EXPECT_EQ(finished[0].log_tail, "log of a");
  EXPECT_FALSE(store_.target && FakeName(*store_.target).find("result-of-a") != std::string::npos);
}

TEST_F(BuilderTest, ARateLimitedPhasePausesItsPool) {
  // a and c start; a hits a rate limit; b (same pool as a) becomes ready
  // when c ends but waits until a's wait is over.
  Use({{"a", {}}, {"c", {}}, {"b", {"c"}}});
  Pool api;
  api.name = "api";
  api.depth = 2;
  manifest_.pools.push_back(api);
  PhaseNamed("a").details.Edit().pool = "api";
  PhaseNamed("b").details.Edit().pool = "api";
  options_.requeue_backoff = std::chrono::seconds(30);
  runner_.Script("a", {RateLimited("rate limit"), Succeeds()});
  FakeOutcome c_takes = Succeeds();
  c_takes.takes = std::chrono::seconds(1);  // a's rate limit comes first
  runner_.Script("c", {c_takes});
  EXPECT_EQ(Build(), kExitOk);
  double requeued_at = 0.001;  // a started at 0 and took 1 ms
  double b_started = -1;
  for (const auto& s : runner_.starts())
    if (s.phase == "b") b_started = s.at_s;
  EXPECT_GE(b_started - requeued_at, 30.0);
  EXPECT_TRUE(Contains(AllMessages(), "pool api waits until"));
  EXPECT_TRUE(Contains(AllMessages(), "phase a hit a rate limit"));
}

TEST_F(BuilderTest, ARequeuedPhaseKeepsTheAttemptsItMade) {
  Use({{"a", {}}});
  options_.requeue_backoff = std::chrono::seconds(1);
  // Two attempts (one retry with feedback), then a rate limit; then one more.
  runner_.Script("a", {RateLimited("slow down", 2), Succeeds()});
  EXPECT_EQ(Build(), kExitOk);
  ASSERT_EQ(runner_.StartsOf("a"), 2);
  EXPECT_EQ(runner_.starts()[1].job.attempts_done, 0);  // a rate-limited attempt does not count
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFinished, "a").at(0).attempts, 1);
}

TEST_F(BuilderTest, AttemptsAndFailureOfARetriedPhaseAreRecorded) {
  Use({{"a", {}}});
  runner_.Script("a", {Ends(PhaseState::kFailed, "verify `make test` exit status 2", 3)});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  Event f = events_.Of(Event::Type::kPhaseFinished, "a").at(0);
  EXPECT_EQ(f.attempts, 3);
  EXPECT_EQ(f.reason, "verify `make test` exit status 2");
  const PhaseRecord& r = store_.saved.back().phases.at("a");
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.reason, "verify `make test` exit status 2");
  EXPECT_EQ(store_.saved.back().failed_keys.at("a").count("key-a"), 1u);
  EXPECT_TRUE(store_.stored.empty());
}

TEST_F(BuilderTest, KeepGoingRunsIndependentPhasesAndBlocksDependents) {
  Use({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}, {"d", {}}});
  options_.jobs = 1;
  runner_.Script("a", {Ends(PhaseState::kFailed, "run `true` exit status 1")});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("b"), 0);
  EXPECT_EQ(runner_.StartsOf("d"), 1);
  EXPECT_EQ(Finished("b"), PhaseState::kBlocked);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFinished, "b").at(0).reason, "blocked by a");
  EXPECT_EQ(Finished("c"), PhaseState::kBlocked);
  EXPECT_EQ(SavedState("c"), PhaseState::kBlocked);
  // The target still gets what succeeded.
  EXPECT_EQ(FakeName(store_.target), "base+result-of-d");
}

TEST_F(BuilderTest, FailFastStartsNothingAfterAFailure) {
  Use({{"a", {}}, {"d", {}}});
  options_.jobs = 1;
  options_.fail_fast = true;
  runner_.Script("a", {Ends(PhaseState::kFailed, "run `true` exit status 1")});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("a"), 1);
  EXPECT_EQ(runner_.StartsOf("d"), 0);
}

TEST_F(BuilderTest, APhaseTheRunNeverReachedFailsTheRunWhateverItsLastRunDid) {
  Use({{"a", {}}, {"d", {}}});
  options_.jobs = 1;
  options_.fail_fast = true;
  store_.state.phases["d"].state = PhaseState::kSucceeded;
  runner_.Script("a", {Ends(PhaseState::kFailed, "run `true` exit status 1")});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("d"), 0);
  EXPECT_EQ(SavedState("d"), PhaseState::kSucceeded);  // as the last run left it
}

TEST_F(BuilderTest, AFreshPhaseOutsideTheSelectionIsIntegratedAndKeepsItsState) {
  Use({{"a", {}}, {"b", {}}});
  options_.targets = {"a"};
  store_.cached["b"] = FakeBuildStore::RecordOf("b");
  store_.state.phases["b"].state = PhaseState::kSucceeded;
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_EQ(runner_.StartsOf("b"), 0);
  EXPECT_EQ(FakeName(store_.target), "base+result-of-a+result-of-b");
  EXPECT_EQ(SavedState("b"), PhaseState::kSucceeded);
  EXPECT_TRUE(events_.Of(Event::Type::kPhaseFresh, "b").empty());
}

TEST_F(BuilderTest, InputConflictEndsThePhaseUnstartedAndBlocksItsDependents) {
  Use({{"a", {}}, {"b", {}}, {"c", {"a", "b"}}, {"d", {"c"}}});
  store_.conflicting = {"b"};
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("c"), 0);
  std::vector<Event> f = events_.Of(Event::Type::kPhaseFinished, "c");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].state, PhaseState::kInputConflict);
  EXPECT_EQ(f[0].reason,
            "results of a and b conflict in shared.txt (make one depend on the other, or change "
            "them so they touch different lines)");
  EXPECT_EQ(f[0].log_path, "");
  EXPECT_EQ(f[0].duration_s, 0);
  EXPECT_EQ(Finished("d"), PhaseState::kBlocked);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFinished, "d").at(0).reason, "blocked by c");
}

TEST_F(BuilderTest, PartialTargetReportsTheConflictingPhaseAndIntegratesTheRest) {
  Use({{"a", {}}, {"b", {}}, {"c", {}}});
  store_.conflicting = {"b"};
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(FakeName(store_.target), "base+result-of-a+result-of-c");
  std::vector<Event> f = events_.Of(Event::Type::kPhaseFinished, "b");
  ASSERT_EQ(f.size(), 2u);  // succeeded, then merge-conflict
  EXPECT_EQ(f[1].state, PhaseState::kMergeConflict);
  EXPECT_EQ(f[1].conflicts_with, std::vector<std::string>{"a"});
  EXPECT_TRUE(Contains(f[1].reason, "its result conflicts with a in shared.txt"));
  EXPECT_TRUE(Contains(f[1].reason, "it is not in orchestrate/integration"));
  EXPECT_EQ(SavedState("b"), PhaseState::kMergeConflict);
  EXPECT_EQ(SavedState("c"), PhaseState::kSucceeded);
  ASSERT_EQ(events_.Of(Event::Type::kTargetUpdated).size(), 1u);
}

TEST_F(BuilderTest, InterruptStopsRunningPhasesAndLeavesTheTarget) {
  Use({{"a", {}}, {"b", {"a"}}});
  runner_.Script("a", {RunsUntilCancelled()});
  runner_.on_start = [this](const std::string&) { interrupt_ = SIGINT; };
  EXPECT_EQ(Build(), kExitSigint);
  EXPECT_TRUE(runner_.cancelled());
  EXPECT_EQ(runner_.StartsOf("b"), 0);
  EXPECT_EQ(Finished("a"), PhaseState::kInterrupted);
  EXPECT_EQ(SavedState("a"), PhaseState::kInterrupted);
  EXPECT_FALSE(store_.target);
  EXPECT_TRUE(Contains(AllMessages(), "interrupted by SIGINT: stopping running phases"));
}

TEST_F(BuilderTest, AnInfrastructureErrorInAPhaseStopsTheRunWithExit3) {
  Use({{"a", {}}, {"d", {}}});
  options_.jobs = 1;
  runner_.Script("a", {Ends(PhaseState::kError, "cannot create worktree w0")});
  EXPECT_EQ(Build(), kExitInfra);
  EXPECT_EQ(runner_.StartsOf("d"), 0);
  EXPECT_FALSE(store_.target);
  EXPECT_TRUE(Contains(AllMessages(), "stopped: phase a: cannot create worktree w0"));
}

TEST_F(BuilderTest, AFailedFinalStateSaveIsAWarning) {
  Use({{"a", {}}});
  store_.fail_save = true;
  EXPECT_EQ(Build(), kExitOk);
  bool warned = false;
  for (const auto& e : events_.Of(Event::Type::kMessage))
    warned |= e.warning && e.text.find(
                               "could not save the run's state: cannot write "
                               ".orchestrate/state: No space left on device") == 0;
  EXPECT_TRUE(warned) << AllMessages();
}

TEST_F(BuilderTest, KillGraceComesFromTheOptions) {
  Use({{"a", {}}});
  options_.kill_grace = std::chrono::milliseconds(1500);
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_EQ(runner_.starts().at(0).job.kill_grace, std::chrono::milliseconds(1500));
}

TEST_F(BuilderTest, AnAgentPhaseGetsItsPromptAndItsDepsHandoffs) {
  Use({{"a", {}}, {"b", {"a"}}});
  Agent agent;
  agent.name = "coder";
  agent.command = "coder {prompt_file}";
  manifest_.agents.push_back(agent);
  manifest_.dir = "/project";
  PhaseNamed("b").run.clear();
  PhaseNamed("b").agent = "coder";
  PhaseNamed("b").details.Edit().prompt = "prompts/b.md";
  FakeOutcome a = Succeeds();
  a.handoff = "# a\nadded the API";
  runner_.Script("a", {a});
  EXPECT_EQ(Build(), kExitOk);
  const PhaseJob& job = runner_.starts().at(1).job;
  EXPECT_EQ(job.agent->name, "coder");
  EXPECT_EQ(job.prompt_content, "prompt at /project/prompts/b.md");
  EXPECT_EQ(job.dep_handoffs.at("a"), "# a\nadded the API");
  EXPECT_EQ(store_.saved.back().phases.at("a").handoff_first_line, "# a");
}

TEST_F(BuilderTest, OnlyRunsTheNamedPhasesOnTheirDepsRecordedResults) {
  Use({{"a", {}}, {"b", {"a"}}});
  store_.cached["a"] = FakeBuildStore::RecordOf("a");
  options_.targets = {"b"};
  options_.only = true;
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_EQ(runner_.StartsOf("a"), 0);
  ASSERT_EQ(runner_.StartsOf("b"), 1);
  EXPECT_EQ(FakeName(runner_.starts()[0].job.input), "base+result-of-a");
}

TEST_F(BuilderTest, OnlyRefusesADependencyWithoutARecordedResult) {
  Use({{"a", {}}, {"b", {"a"}}});
  options_.targets = {"b"};
  options_.only = true;
  try {
    Build();
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot run with --only: dependency 'a' has no recorded result for its current "
              "inputs (never run); run it first, or pull the cache with `orchestrate cache pull`");
  }
  EXPECT_TRUE(runner_.starts().empty());
}

TEST_F(BuilderTest, UsageIsSummedOverRequeuesAndKeptInTheRecordTheStateAndTheEvents) {
  Use({{"a", {}}});
  options_.requeue_backoff = std::chrono::seconds(1);
  FakeOutcome limited = RateLimited("rate limit");
  limited.usage.cost_usd = 0.25;
  limited.usage.input_tokens = 100;
  FakeOutcome done = Costs(0.5);
  done.usage.input_tokens = 1000;
  done.usage.output_tokens = 20;
  runner_.Script("a", {limited, done});
  EXPECT_EQ(Build(), kExitOk);
  Usage expected;
  expected.cost_usd = 0.75;
  expected.input_tokens = 1100;
  expected.output_tokens = 20;
  ASSERT_EQ(store_.stored.size(), 1u);
  EXPECT_EQ(store_.stored[0].first.usage, expected);
  EXPECT_EQ(store_.saved.back().phases.at("a").usage.get(), expected);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFinished, "a").at(0).usage, expected);
  EXPECT_EQ(events_.Of(Event::Type::kRunFinished).at(0).usage, expected);
}

TEST_F(BuilderTest, UsageOfRequeuesIsCountedOnceWhenThePhaseGivesUp) {
  Use({{"a", {}}});
  options_.requeue_backoff = std::chrono::seconds(10);
  manifest_.settings.requeue_max = std::chrono::seconds(25);
  FakeOutcome limited = RateLimited("429");
  limited.usage.cost_usd = 0.25;
  runner_.Script("a", {limited, limited});  // waits 10 s, then gives up
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFinished, "a").at(0).usage.cost_usd, 0.5);
  EXPECT_EQ(store_.saved.back().phases.at("a").usage.get().cost_usd, 0.5);
}

TEST_F(BuilderTest, UsageOfAFailedPhaseIsKeptInTheStateFile) {
  Use({{"a", {}}});
  runner_.Script("a", {Costs(0.4, PhaseState::kFailed)});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(store_.saved.back().phases.at("a").usage.get().cost_usd, 0.4);
}

TEST_F(BuilderTest, AFreshPhaseSpendsNothingInThisRun) {
  Use({{"a", {}}});
  store_.cached["a"] = FakeBuildStore::RecordOf("a");
  store_.cached["a"].usage.cost_usd = 3;
  store_.state.phases["a"].state = PhaseState::kSucceeded;
  store_.state.phases["a"].usage.Edit().cost_usd = 3;  // what the last run spent
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_TRUE(store_.saved.back().phases.at("a").usage.get().Empty());
  EXPECT_TRUE(events_.Of(Event::Type::kRunFinished).at(0).usage.Empty());
}

TEST_F(BuilderTest, BudgetStopsStartingAgentPhasesButPlainPhasesStillRun) {
  // A chain of agent phases costing $0.60 each: a and b run ($1.20 reaches
  // the $1.00 budget), c is skipped and d, after it, is blocked; lint runs.
  Use({{"a", {}}, {"b", {"a"}}, {"c", {"b"}}, {"d", {"c"}}, {"lint", {"b"}}});
  Agents({"a", "b", "c", "d"});
  manifest_.settings.budget_usd = 1.0;
  for (const char* name : {"a", "b", "c", "d"}) runner_.Script(name, {Costs(0.6)});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("a"), 1);
  EXPECT_EQ(runner_.StartsOf("b"), 1);
  EXPECT_EQ(runner_.StartsOf("c"), 0);
  EXPECT_EQ(runner_.StartsOf("lint"), 1);
  EXPECT_EQ(Finished("c"), PhaseState::kSkippedBudget);
  EXPECT_EQ(events_.Of(Event::Type::kPhaseFinished, "c").at(0).reason,
            "not started: this run spent $1.20 of settings.budget_usd ($1.00)");
  EXPECT_EQ(Finished("d"), PhaseState::kBlocked);
  EXPECT_EQ(SavedState("c"), PhaseState::kSkippedBudget);
  EXPECT_EQ(SavedState("lint"), PhaseState::kSucceeded);
  EXPECT_TRUE(Contains(AllMessages(),
                       "budget spent: this run's phases cost $1.20, settings.budget_usd is $1.00"));
  EXPECT_TRUE(Contains(AllMessages(),
                       "the budget was spent: this run's phases cost $1.20 of "
                       "settings.budget_usd ($1.00), so c was not started (skipped-budget). "
                       "To continue, raise budget_usd"));
  // A skipped phase did not fail: its key is not remembered as failing.
  EXPECT_EQ(store_.saved.back().failed_keys.count("c"), 0u);
}

TEST_F(BuilderTest, BudgetCountsTheCostOfFailedAttempts) {
  // One job; a goes first (priority), fails having spent the whole budget.
  Use({{"a", {}}, {"b", {}}});
  Agents({"a", "b"});
  options_.jobs = 1;
  PhaseNamed("a").priority = 1;
  manifest_.settings.budget_usd = 1.0;
  runner_.Script("a", {Costs(1.0, PhaseState::kFailed)});
  EXPECT_EQ(Build(), kExitPhaseFailed);
  EXPECT_EQ(runner_.StartsOf("b"), 0);
  EXPECT_EQ(Finished("b"), PhaseState::kSkippedBudget);
}

TEST_F(BuilderTest, BelowTheBudgetEveryPhaseRuns) {
  Use({{"a", {}}, {"b", {"a"}}});
  Agents({"a", "b"});
  manifest_.settings.budget_usd = 1.0;
  runner_.Script("a", {Costs(0.99)});
  EXPECT_EQ(Build(), kExitOk);
  EXPECT_EQ(runner_.StartsOf("b"), 1);
  EXPECT_EQ(AllMessages().find("budget"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate::testing
