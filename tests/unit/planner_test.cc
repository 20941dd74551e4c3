#include "orchestrate/planner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "orchestrate/graph.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::CommitAll;
using testing::InitRepo;
using testing::TempDir;
using testing::WriteFile;

const std::string kManifest = R"(version = 1

[agents.bot]
command = 'bot --model {model} < "{prompt_file}"'
model = "m1"

[phase.a]
run = "echo a > a.txt"

[phase.b]
deps = ["a"]
run = "echo b > b.txt"

[phase.c]
agent = "bot"
prompt = "prompts/c.md"

[phase.d]
deps = ["b"]
run = "echo d > d.txt"
)";

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitGit();
    InitRepo(root(), {{"orchestrate.toml", kManifest},
                      {"prompts/c.md", "Do c.\n"},
                      {"src/main.c", "int main() {}\n"}});
    repo_ = Repo::Open(root());
    cache_ = std::make_unique<ResultCache>(*repo_);
    Load();
  }

  std::string root() const { return tmp_.path() + "/repo"; }

  /// (Re)reads the manifest from disk.
  void Load() {
    graph_.reset();
    manifest_ = Manifest{};
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(LoadManifest(root() + "/orchestrate.toml", &manifest_, &diags))
        << (diags.empty() ? "" : diags[0].Format());
    graph_ = std::make_unique<Graph>(manifest_);
  }

  std::unique_ptr<Planner> MakePlanner(PlannerOptions options = {}) {
    ObjectId head = *repo_->ResolveCommit("HEAD");
    return std::make_unique<Planner>(*graph_, *repo_, *cache_, state_, head, options);
  }

  int P(const std::string& name) const { return *graph_->Find(name); }

  /// The decision for `phase` with no dependency results (for phases without deps).
  PhaseDecision Decide(const std::string& phase, std::vector<DepResult> deps = {}) {
    return MakePlanner()->Decide(P(phase), deps);
  }

  /// Records `d` as a success whose result is a commit holding `files`.
  ObjectId StoreSuccess(const PhaseDecision& d, std::map<std::string, std::string> files = {}) {
    std::map<std::string, ObjectId> tree;
    for (const auto& [name, content] : files) tree[name] = repo_->WriteBlob(content);
    ObjectId tree_id = repo_->WriteTree(tree);
    Record r;
    r.phase = graph_->node(d.phase).phase->name;
    r.key = d.key;
    r.components = d.components;
    // A consistent record (record_trust.h): the result descends from the input.
    r.input = repo_->CreateCommit(repo_->WriteTree({}), {}, "input", FixedSignature());
    r.result = repo_->CreateCommit(tree_id, {r.input}, "result", FixedSignature());
    r.result_tree = tree_id;
    r.started_at = ++clock_;
    EXPECT_TRUE(cache_->Store(r));
    return tree_id;
  }

  /// A tree holding one file, as a dependency's result.
  ObjectId Tree(const std::string& content) {
    return repo_->WriteTree({{"out.txt", repo_->WriteBlob(content)}});
  }

  void EditManifest(const std::string& from, const std::string& to) {
    std::string text = testing::ReadFile(root() + "/orchestrate.toml");
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    WriteFile(root(), "orchestrate.toml", text);
    Load();
  }

  TempDir tmp_;
  std::unique_ptr<Repo> repo_;
  std::unique_ptr<ResultCache> cache_;
  Manifest manifest_;
  std::unique_ptr<Graph> graph_;
  RunState state_;
  int64_t clock_ = 1700000000;
};

TEST_F(PlannerTest, NeverRunPhaseMustRun) {
  PhaseDecision d = Decide("a");
  EXPECT_EQ(d.action, PhaseState::kStale);
  EXPECT_EQ(d.reason, "never run");
  EXPECT_EQ(d.key.size(), 40u);
  EXPECT_FALSE(d.record.has_value());
}

TEST_F(PlannerTest, RecordedSuccessMakesThePhaseFresh) {
  ObjectId tree = StoreSuccess(Decide("a"), {{"a.txt", "a\n"}});
  PhaseDecision d = Decide("a");
  EXPECT_EQ(d.action, PhaseState::kFresh);
  ASSERT_TRUE(d.record.has_value());
  EXPECT_EQ(d.record->result_tree, tree);
  EXPECT_EQ(d.reason, "");
}

TEST_F(PlannerTest, ForcedPhaseRunsDespiteARecord) {
  StoreSuccess(Decide("a"));
  PlannerOptions force;
  force.force = {"a"};
  PhaseDecision d = MakePlanner(force)->Decide(P("a"), {});
  EXPECT_EQ(d.action, PhaseState::kStale);
  EXPECT_EQ(d.reason, "forced");
  EXPECT_FALSE(d.record.has_value());
  EXPECT_EQ(d.key, Decide("a").key) << "forcing does not change the key";
  StoreSuccess(Decide("c"));
  EXPECT_EQ(MakePlanner(force)->Decide(P("c"), {}).action, PhaseState::kFresh)
      << "only the named phase is forced";
}

TEST_F(PlannerTest, AlwaysRunsEveryPhase) {
  StoreSuccess(Decide("a"));
  StoreSuccess(Decide("c"));
  PlannerOptions always;
  always.always = true;
  auto planner = MakePlanner(always);
  for (const std::string name : {"a", "c"}) {
    PhaseDecision d = planner->Decide(P(name), {});
    EXPECT_EQ(d.action, PhaseState::kStale) << name;
    EXPECT_EQ(d.reason, "forced") << name;
  }
}

TEST_F(PlannerTest, PreviousFailureWithTheSameKeyIsTheReason) {
  PhaseDecision first = Decide("a");
  state_.failed_keys["a"].insert(first.key);
  PhaseDecision d = Decide("a");
  EXPECT_EQ(d.action, PhaseState::kStale);
  EXPECT_EQ(d.reason, "previous attempt failed");
  state_.failed_keys["a"] = {"some other key"};
  EXPECT_EQ(Decide("a").reason, "never run");
}

TEST_F(PlannerTest, ChangedCommandIsTheReason) {
  StoreSuccess(Decide("a"));
  EditManifest("echo a > a.txt", "echo A > a.txt");
  PhaseDecision d = Decide("a");
  EXPECT_EQ(d.action, PhaseState::kStale);
  EXPECT_EQ(d.reason, "command changed");
}

TEST_F(PlannerTest, RevertedCommandIsFreshAgain) {
  std::string key = Decide("a").key;
  StoreSuccess(Decide("a"));
  EditManifest("echo a > a.txt", "echo A > a.txt");
  StoreSuccess(Decide("a"));
  EditManifest("echo A > a.txt", "echo a > a.txt");
  PhaseDecision d = Decide("a");
  EXPECT_EQ(d.action, PhaseState::kFresh);
  EXPECT_EQ(d.key, key);
}

TEST_F(PlannerTest, ChangedModelAndPromptAreTheReasons) {
  StoreSuccess(Decide("c"));
  EditManifest("model = \"m1\"", "model = \"m2\"");
  EXPECT_EQ(Decide("c").reason, "command changed, model changed")
      << "the agent's keys are part of its expanded command";
  StoreSuccess(Decide("c"));
  WriteFile(root(), "prompts/c.md", "Do c better.\n");
  EXPECT_EQ(Decide("c").reason, "prompt prompts/c.md changed");
}

TEST_F(PlannerTest, DependencyWithANewResultIsTheReason) {
  PhaseDecision first = Decide("b", {{"a", Tree("one"), {}}});
  StoreSuccess(first);
  EXPECT_EQ(Decide("b", {{"a", Tree("one"), {}}}).action, PhaseState::kFresh);
  PhaseDecision d = Decide("b", {{"a", Tree("two"), {}}});
  EXPECT_EQ(d.action, PhaseState::kStale);
  EXPECT_EQ(d.reason, "dependency a has a new result");
  EXPECT_NE(d.key, first.key);
}

TEST_F(PlannerTest, DependencyResultCountsByTreeNotCommit) {
  ObjectId tree = Tree("same");
  StoreSuccess(Decide("b", {{"a", tree, {}}}));
  ObjectId other = repo_->WriteTree({{"out.txt", repo_->WriteBlob("same")}});
  EXPECT_EQ(other, tree);
  EXPECT_EQ(Decide("b", {{"a", other, {}}}).action, PhaseState::kFresh);
}

TEST_F(PlannerTest, PlanAllSaysWhichDependencyWillRun) {
  auto planner = MakePlanner();
  std::vector<PhaseDecision> plan = planner->PlanAll(graph_->topo_order());
  std::map<std::string, PhaseDecision> by_name;
  for (const auto& d : plan) by_name[graph_->node(d.phase).phase->name] = d;
  EXPECT_EQ(by_name["a"].reason, "never run");
  EXPECT_EQ(by_name["b"].action, PhaseState::kStale);
  EXPECT_EQ(by_name["b"].reason, "dependency a will run");
  EXPECT_EQ(by_name["b"].key, "") << "b's key is unknown until a has run";
  EXPECT_EQ(by_name["d"].reason, "dependency b will run");
  EXPECT_EQ(by_name["c"].reason, "never run");
  EXPECT_TRUE(by_name["b"].components.items.empty()) << "b's key is unknown";
  EXPECT_EQ(by_name["a"].components.items.count("command"), 1u) << "a runs: its components";
}

TEST_F(PlannerTest, PlanAllFeedsFreshResultsToDependents) {
  ObjectId a_tree = StoreSuccess(Decide("a"), {{"a.txt", "a\n"}});
  PhaseDecision b = Decide("b", {{"a", a_tree, {}}});
  StoreSuccess(b, {{"b.txt", "b\n"}});
  std::vector<PhaseDecision> plan = MakePlanner()->PlanAll(graph_->topo_order());
  std::map<std::string, PhaseDecision> by_name;
  for (const auto& d : plan) by_name[graph_->node(d.phase).phase->name] = d;
  EXPECT_EQ(by_name["a"].action, PhaseState::kFresh);
  EXPECT_EQ(by_name["b"].action, PhaseState::kFresh);
  EXPECT_EQ(by_name["b"].key, b.key);
  EXPECT_EQ(by_name["d"].action, PhaseState::kStale);
  EXPECT_EQ(by_name["d"].reason, "never run");
}

TEST_F(PlannerTest, PlanAllMarksAForcedPhaseWaitingOnADependencyAsForced) {
  PlannerOptions force;
  force.force = {"b"};
  std::vector<PhaseDecision> plan = MakePlanner(force)->PlanAll(graph_->topo_order());
  for (const auto& d : plan)
    if (graph_->node(d.phase).phase->name == "b") {
      EXPECT_EQ(d.reason, "forced");
    }
}

// --- base content: what a commit changes ------------------------------------

TEST_F(PlannerTest, CommittedSourceChangeChangesEveryKeyWithoutInputs) {
  std::string a = Decide("a").key, c = Decide("c").key;
  StoreSuccess(Decide("a"));
  WriteFile(root(), "src/main.c", "int main() { return 1; }\n");
  CommitAll(root(), "source");
  PhaseDecision d = Decide("a");
  EXPECT_NE(d.key, a);
  EXPECT_EQ(d.reason, "base changed");
  EXPECT_NE(Decide("c").key, c);
}

TEST_F(PlannerTest, CommittedManifestEditLeavesOtherPhasesKeys) {
  std::string a = Decide("a").key, c = Decide("c").key;
  EditManifest("echo d > d.txt", "echo D > d.txt");
  CommitAll(root(), "edit d");
  EXPECT_EQ(Decide("a").key, a);
  EXPECT_EQ(Decide("c").key, c);
}

TEST_F(PlannerTest, CommittedPromptEditChangesOnlyItsPhase) {
  std::string a = Decide("a").key, c = Decide("c").key;
  WriteFile(root(), "prompts/c.md", "Do c differently.\n");
  CommitAll(root(), "prompt");
  Load();
  EXPECT_EQ(Decide("a").key, a);
  EXPECT_NE(Decide("c").key, c);
}

TEST_F(PlannerTest, UncommittedSourceChangeDoesNotChangeKeys) {
  std::string a = Decide("a").key;
  WriteFile(root(), "src/main.c", "uncommitted\n");
  EXPECT_EQ(Decide("a").key, a);
}

TEST_F(PlannerTest, DependencyResultHoldingTheManifestCountsWithoutIt) {
  // A dep whose result differs only in orchestrate's own files gives the same key.
  ObjectId src = repo_->WriteBlob("x\n");
  ObjectId one = repo_->WriteTree({{"out.txt", src}, {"orchestrate.toml", repo_->WriteBlob("1")}});
  ObjectId two = repo_->WriteTree({{"out.txt", src}, {"orchestrate.toml", repo_->WriteBlob("2")}});
  EXPECT_EQ(Decide("b", {{"a", one, {}}}).key, Decide("b", {{"a", two, {}}}).key);
  ObjectId three = repo_->WriteTree({{"out.txt", repo_->WriteBlob("y\n")}});
  EXPECT_NE(Decide("b", {{"a", one, {}}}).key, Decide("b", {{"a", three, {}}}).key);
}

TEST_F(PlannerTest, ManifestInASubdirectoryIsLeftOutOfTheBaseToo) {
  TempDir other;
  std::string dir = other.path() + "/repo";
  InitRepo(dir, {{"ci/orchestrate.toml", kManifest},
                 {"ci/prompts/c.md", "Do c.\n"},
                 {"src/main.c", "int main() {}\n"}});
  auto repo = Repo::Open(dir);
  ResultCache cache(*repo);
  auto key_of = [&](const std::string& phase) {
    Manifest m;
    std::vector<Diagnostic> diags;
    EXPECT_TRUE(LoadManifest(dir + "/ci/orchestrate.toml", &m, &diags));
    Graph g(m);
    Planner planner(g, *repo, cache, state_, *repo->ResolveCommit("HEAD"), {});
    return planner.Decide(*g.Find(phase), {}).key;
  };
  std::string a = key_of("a");
  std::string text = testing::ReadFile(dir + "/ci/orchestrate.toml");
  text.replace(text.find("echo d > d.txt"), 14, "echo D > d.txt");
  WriteFile(dir, "ci/orchestrate.toml", text);
  WriteFile(dir, "ci/prompts/c.md", "Changed.\n");
  CommitAll(dir, "edit manifest and prompt");
  EXPECT_EQ(key_of("a"), a);
  WriteFile(dir, "ci/notes.txt", "a new file beside the manifest\n");
  CommitAll(dir, "notes");
  EXPECT_NE(key_of("a"), a) << "other files in the manifest's directory are base content";
}

TEST_F(PlannerTest, ManifestReachedThroughASymlinkIsStillLeftOutOfTheBase) {
  // `orchestrate -f /link/orchestrate.toml` where /link points at the repository.
  std::string link = tmp_.path() + "/link";
  std::filesystem::create_directory_symlink(root(), link);
  auto key_of_a = [&] {
    Manifest m;
    std::vector<Diagnostic> diags;
    EXPECT_TRUE(LoadManifest(link + "/orchestrate.toml", &m, &diags));
    Graph g(m);
    Planner planner(g, *repo_, *cache_, state_, *repo_->ResolveCommit("HEAD"), {});
    return planner.Decide(*g.Find("a"), {}).key;
  };
  std::string a = key_of_a();
  EditManifest("echo d > d.txt", "echo D > d.txt");
  CommitAll(root(), "edit d");
  EXPECT_EQ(key_of_a(), a);
}

TEST_F(PlannerTest, MissingPromptFileIsAnError) {
  std::remove((root() + "/prompts/c.md").c_str());
  try {
    MakePlanner();
    ADD_FAILURE() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read prompt file " + root() + "/prompts/c.md"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace orchestrate
