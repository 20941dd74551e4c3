#include "orchestrate/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <stdexcept>

#include "support/manifest_builder.h"

namespace orchestrate {
namespace {

using testing::MakeManifest;
using testing::PhaseSpec;

// What an executor sees while draining a scheduler.
struct DrainLog {
  std::vector<int> started;
  int max_running = 0;
  bool dep_unfinished_at_start = false;
};

// Runs every phase like the executor would: each ready phase is stale, and
// the earliest started running phase finishes first.
DrainLog Drain(const Graph& graph, Scheduler& s) {
  DrainLog log;
  std::vector<char> finished(graph.size(), 0);
  std::deque<int> running;
  for (;;) {
    for (int p : s.PopReady()) s.Enqueue(p);
    while (std::optional<int> p = s.PopRunnable()) {
      for (int d : graph.node(*p).deps) log.dep_unfinished_at_start |= !finished[d];
      log.started.push_back(*p);
      running.push_back(*p);
    }
    log.max_running = std::max(log.max_running, static_cast<int>(running.size()));
    if (running.empty()) break;
    finished[running.front()] = 1;
    s.Finish(running.front(), true);
    running.pop_front();
  }
  return log;
}

class SchedulerTest : public ::testing::Test {
 protected:
  // a <- b, a <- c, {b, c} <- d
  void SetUp() override { Use({{"a", {}}, {"b", {"a"}}, {"c", {"a"}}, {"d", {"b", "c"}}}); }

  void Use(const std::vector<PhaseSpec>& specs) { manifest_ = MakeManifest(specs); }
  Phase& phase(const std::string& name) {
    for (Phase& p : manifest_.phases)
      if (p.name == name) return p;
    throw std::out_of_range(name);
  }

  // Builds the graph and a scheduler over `names` (all phases when empty).
  Scheduler& Start(int jobs, const std::vector<std::string>& names = {}) {
    graph_ = std::make_unique<Graph>(manifest_);
    scheduler_ = std::make_unique<Scheduler>(*graph_, jobs);
    std::vector<int> phases = names.empty() ? graph_->topo_order() : Ids(names);
    for (const auto& [pool, depth] : pool_depths_) scheduler_->SetPoolDepth(pool, depth);
    scheduler_->Add(phases);
    return *scheduler_;
  }

  int Id(const std::string& name) { return *graph_->Find(name); }
  std::vector<int> Ids(const std::vector<std::string>& names) {
    std::vector<int> out;
    for (const std::string& n : names) out.push_back(*graph_->Find(n));
    return out;
  }
  std::vector<std::string> Names(const std::vector<int>& phases) {
    std::vector<std::string> out;
    for (int p : phases) out.push_back(graph_->node(p).phase->name);
    return out;
  }
  std::string Name(std::optional<int> p) { return p ? graph_->node(*p).phase->name : "(none)"; }
  // PopReady, Enqueue everything.
  void EnqueueReady() {
    for (int p : scheduler_->PopReady()) scheduler_->Enqueue(p);
  }
  // Every phase PopRunnable hands out now.
  std::vector<std::string> StartAll() {
    std::vector<std::string> out;
    while (std::optional<int> p = scheduler_->PopRunnable()) out.push_back(Name(p));
    return out;
  }

  Manifest manifest_;
  std::vector<std::pair<std::string, int>> pool_depths_;
  std::unique_ptr<Graph> graph_;
  std::unique_ptr<Scheduler> scheduler_;
};

using Strings = std::vector<std::string>;

TEST_F(SchedulerTest, DiamondRunsDepsFirst) {
  Scheduler& s = Start(4);
  EXPECT_EQ(Names(s.PopReady()), Strings{"a"});
  s.Enqueue(Id("a"));
  EXPECT_EQ(StartAll(), Strings{"a"});
  EXPECT_TRUE(s.PopReady().empty());
  s.Finish(Id("a"), true);
  EXPECT_EQ(Names(s.PopReady()), (Strings{"b", "c"}));
  s.Enqueue(Id("b"));
  s.Enqueue(Id("c"));
  EXPECT_EQ(StartAll(), (Strings{"b", "c"}));
  s.Finish(Id("c"), true);
  EXPECT_TRUE(s.PopReady().empty());
  s.Finish(Id("b"), true);
  EXPECT_EQ(Names(s.PopReady()), Strings{"d"});
}

TEST_F(SchedulerTest, ReadyPhasesComeInTopoOrder) {
  Use({{"late", {"x", "y"}}, {"y", {}}, {"x", {}}, {"solo", {}}});
  Scheduler& s = Start(1);
  EXPECT_EQ(Names(s.PopReady()), (Strings{"y", "x", "solo"}));
  s.Finish(Id("x"), true);
  EXPECT_TRUE(s.PopReady().empty());
  s.Finish(Id("y"), true);
  EXPECT_EQ(Names(s.PopReady()), Strings{"late"});
}

TEST_F(SchedulerTest, FreshPhaseFinishesWithoutAJobSlot) {
  Scheduler& s = Start(1);
  s.PopReady();
  s.Finish(Id("a"), true);
  EXPECT_EQ(s.running(), 0);
  EXPECT_EQ(s.remaining(), 3);
  EXPECT_EQ(Names(s.PopReady()), (Strings{"b", "c"}));
}

TEST_F(SchedulerTest, JobLimitIsNeverExceeded) {
  std::vector<PhaseSpec> specs;
  for (int i = 0; i < 10; ++i) specs.push_back({"p" + std::to_string(i), {}});
  Use(specs);
  Scheduler& s = Start(3);
  EnqueueReady();
  EXPECT_EQ(StartAll().size(), 3u);
  EXPECT_EQ(s.running(), 3);
  s.Finish(Id("p0"), true);
  EXPECT_EQ(StartAll(), Strings{"p3"});
}

TEST_F(SchedulerTest, DrainingNeverExceedsTheJobLimit) {
  std::vector<PhaseSpec> specs;
  for (int i = 0; i < 30; ++i) specs.push_back({"p" + std::to_string(i), {}});
  for (int i = 0; i < 10; ++i)
    specs.push_back({"q" + std::to_string(i), {"p" + std::to_string(i)}});
  Use(specs);
  Scheduler& s = Start(3);
  DrainLog log = Drain(*graph_, s);
  EXPECT_EQ(log.max_running, 3);
  EXPECT_EQ(log.started.size(), 40u);
  EXPECT_FALSE(log.dep_unfinished_at_start);
}

TEST_F(SchedulerTest, PoolDepthLimitsOnlyItsMembers) {
  Use({{"g1", {}}, {"g2", {}}, {"g3", {}}, {"cpu1", {}}, {"cpu2", {}}});
  for (const char* g : {"g1", "g2", "g3"}) phase(g).details.Edit().pool = "gpu";
  pool_depths_ = {{"gpu", 1}};
  Scheduler& s = Start(10);
  EnqueueReady();
  EXPECT_EQ(StartAll(), (Strings{"g1", "cpu1", "cpu2"}));
  s.Finish(Id("cpu1"), true);
  EXPECT_TRUE(StartAll().empty());
  s.Finish(Id("g1"), true);
  EXPECT_EQ(StartAll(), Strings{"g2"});
}

TEST_F(SchedulerTest, PoolWithoutDepthIsUnlimited) {
  Use({{"g1", {}}, {"g2", {}}, {"g3", {}}});
  for (Phase& p : manifest_.phases) p.details.Edit().pool = "gpu";
  Start(10);
  EnqueueReady();
  EXPECT_EQ(StartAll().size(), 3u);
}

TEST_F(SchedulerTest, RaisingPoolDepthLetsMoreStart) {
  Use({{"g1", {}}, {"g2", {}}, {"g3", {}}});
  for (Phase& p : manifest_.phases) p.details.Edit().pool = "gpu";
  pool_depths_ = {{"gpu", 1}};
  Scheduler& s = Start(10);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"g1"});
  s.SetPoolDepth("gpu", 2);
  EXPECT_EQ(StartAll(), Strings{"g2"});
}

TEST_F(SchedulerTest, PriorityBeatsCriticalPath) {
  Use({{"long", {}}, {"next", {"long"}}, {"last", {"next"}}, {"urgent", {}}});
  phase("urgent").priority = 5;
  Start(1);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"urgent"});
}

TEST_F(SchedulerTest, CriticalPathBeatsManifestOrder) {
  Use({{"short", {}}, {"long", {}}, {"after", {"long"}}});
  Start(1);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"long"});
}

TEST_F(SchedulerTest, NegativePriorityWaitsBehindOtherReadyPhases) {
  Use({{"later", {"first"}}, {"x", {}}, {"first", {}}});
  phase("later").priority = -1;
  Scheduler& s = Start(1);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"first"});  // the longer chain
  s.Finish(Id("first"), true);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"x"});
}

TEST_F(SchedulerTest, LowerIndexWinsOtherwiseEqualPhases) {
  Use({{"b", {}}, {"a", {}}, {"c", {}}});
  Scheduler& s = Start(1);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"b"});
  s.Finish(Id("b"), true);
  EXPECT_EQ(StartAll(), Strings{"a"});
}

TEST_F(SchedulerTest, FailureBlocksOnlyTransitiveDependents) {
  Use({{"a", {}}, {"c", {"b"}}, {"b", {"a"}}, {"d", {"a"}}, {"e", {}}, {"f", {"e"}}});
  Scheduler& s = Start(4);
  EnqueueReady();
  EXPECT_EQ(StartAll(), (Strings{"a", "e"}));
  EXPECT_EQ(Names(s.Finish(Id("a"), false)), (Strings{"b", "c", "d"}));
  EXPECT_EQ(s.remaining(), 2);
  EXPECT_FALSE(s.Idle());
  s.Finish(Id("e"), true);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"f"});
  s.Finish(Id("f"), true);
  EXPECT_EQ(s.remaining(), 0);
  EXPECT_TRUE(s.Idle());
}

TEST_F(SchedulerTest, FailedFreshnessCheckBlocksDependents) {
  Scheduler& s = Start(2);
  s.PopReady();
  EXPECT_EQ(Names(s.Finish(Id("a"), false)), (Strings{"b", "c", "d"}));
  EXPECT_EQ(s.remaining(), 0);
  EXPECT_TRUE(s.Idle());
}

TEST_F(SchedulerTest, RequeueFreesTheJobSlot) {
  Use({{"x", {}}, {"y", {}}});
  Scheduler& s = Start(1);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"x"});
  s.Requeue(Id("x"));
  EXPECT_EQ(s.running(), 0);
  EXPECT_FALSE(s.Idle());  // x is back with the caller
  EXPECT_EQ(StartAll(), Strings{"y"});
  s.Enqueue(Id("x"));
  EXPECT_TRUE(StartAll().empty());
  s.Finish(Id("y"), true);
  EXPECT_EQ(StartAll(), Strings{"x"});
}

TEST_F(SchedulerTest, RequeueFreesThePoolSlot) {
  Use({{"x", {}}, {"y", {}}});
  for (Phase& p : manifest_.phases) p.details.Edit().pool = "api";
  pool_depths_ = {{"api", 1}};
  Scheduler& s = Start(5);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"x"});
  s.Requeue(Id("x"));
  EXPECT_EQ(StartAll(), Strings{"y"});
}

TEST_F(SchedulerTest, PausedPoolStartsNothingUntilResumed) {
  Use({{"x", {}}, {"y", {}}, {"z", {}}, {"free", {}}});
  for (Phase& p : manifest_.phases)
    if (p.name != "free") p.details.Edit().pool = "api";
  pool_depths_ = {{"api", 2}};
  Scheduler& s = Start(5);
  EnqueueReady();
  EXPECT_EQ(StartAll(), (Strings{"x", "y", "free"}));
  s.Requeue(Id("x"));  // rate limited: the pool waits
  s.PausePool("api", true);
  EXPECT_EQ(StartAll(), Strings{}) << "z must not start in x's place";
  EXPECT_FALSE(s.Idle());
  s.PausePool("api", false);
  EXPECT_EQ(StartAll(), Strings{"z"});
  s.PausePool("unknown", true);  // ignored
}

TEST_F(SchedulerTest, StopStartingHandsOutNothingMore) {
  Use({{"x", {}}, {"y", {}}, {"z", {}}});
  Scheduler& s = Start(1);
  EnqueueReady();
  EXPECT_EQ(StartAll(), Strings{"x"});
  s.StopStarting();
  EXPECT_TRUE(s.stopped());
  EXPECT_FALSE(s.Idle());  // x still runs
  s.Finish(Id("x"), true);
  EXPECT_TRUE(StartAll().empty());
  EXPECT_TRUE(s.Idle());
  EXPECT_EQ(s.remaining(), 2);
}

TEST_F(SchedulerTest, StopStartingAlsoStopsPopReady) {
  Scheduler& s = Start(2);
  s.StopStarting();
  EXPECT_TRUE(s.PopReady().empty());
  EXPECT_TRUE(s.Idle());
  EXPECT_EQ(s.remaining(), 4);
}

TEST_F(SchedulerTest, DepsOutsideTheSetCountAsSucceeded) {
  Scheduler& s = Start(2, {"b", "d"});
  EXPECT_EQ(s.remaining(), 2);
  EXPECT_EQ(Names(s.PopReady()), Strings{"b"});
  s.Finish(Id("b"), true);
  EXPECT_EQ(Names(s.PopReady()), Strings{"d"});
  s.Finish(Id("d"), true);
  EXPECT_TRUE(s.Idle());
  EXPECT_EQ(s.remaining(), 0);
}

TEST_F(SchedulerTest, IdleOnlyWhenNothingIsLeftInFlight) {
  Scheduler& s = Start(2);
  EXPECT_FALSE(s.Idle());  // a is ready
  s.PopReady();
  EXPECT_FALSE(s.Idle());  // a is being evaluated
  s.Enqueue(Id("a"));
  EXPECT_FALSE(s.Idle());  // a is queued
  EXPECT_EQ(Drain(*graph_, s).started.size(), 4u);
  EXPECT_TRUE(s.Idle());
}

TEST_F(SchedulerTest, RejectsCallsOutOfTurn) {
  Scheduler& s = Start(2);
  try {
    s.Enqueue(Id("b"));
    FAIL() << "Enqueue of a waiting phase succeeded";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "Scheduler::Enqueue: phase 'b' was not handed out for that");
  }
  EXPECT_THROW(s.Requeue(Id("a")), std::logic_error);
  EXPECT_THROW(s.Finish(Id("a"), true), std::logic_error);
  EXPECT_THROW(Scheduler(*graph_, 0), std::invalid_argument);
  EXPECT_THROW(s.SetPoolDepth("gpu", 0), std::invalid_argument);
}

TEST_F(SchedulerTest, SchedulesFiftyThousandLayeredPhases) {
  const int kLayers = 50, kWidth = 1000;
  std::vector<PhaseSpec> specs;
  for (int layer = 0; layer < kLayers; ++layer) {
    for (int i = 0; i < kWidth; ++i) {
      std::vector<std::string> deps;
      for (int k = 0; layer > 0 && k < 3; ++k) {
        deps.push_back("p" + std::to_string(layer - 1) + "_" +
                       std::to_string((i * 7 + k) % kWidth));
      }
      specs.push_back({"p" + std::to_string(layer) + "_" + std::to_string(i), deps});
    }
  }
  Use(specs);
  for (int i = 0; i < kLayers * kWidth; i += 10) manifest_.phases[i].details.Edit().pool = "slow";
  pool_depths_ = {{"slow", 2}};
  Scheduler& s = Start(16);
  DrainLog log = Drain(*graph_, s);
  EXPECT_EQ(log.started.size(), static_cast<size_t>(kLayers * kWidth));
  EXPECT_FALSE(log.dep_unfinished_at_start);
  EXPECT_EQ(log.max_running, 16);
  EXPECT_EQ(s.remaining(), 0);
  EXPECT_TRUE(s.Idle());
}

}  // namespace
}  // namespace orchestrate
