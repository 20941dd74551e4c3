#include "orchestrate/workspace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "orchestrate/error.h"
#include "support/error_message.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

namespace fs = std::filesystem;
using testing::InitRepo;
using testing::MessageOf;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

int CountLinesEqual(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  int n = 0;
  for (std::string l; std::getline(in, l);) n += l == line;
  return n;
}

const std::string kValid = "version = 1\n[phase.a]\nrun = \"true\"\n";

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitGit();
    InitRepo(root(), {{"orchestrate.toml", kValid}});
    ws_.root = root();
    ws_.state_dir = root() + "/.orchestrate";
  }
  std::string root() const { return tmp_.path() + "/repo"; }
  std::string exclude() const { return ReadFile(root() + "/.git/info/exclude"); }

  TempDir tmp_;
  Workspace ws_;
};

TEST_F(WorkspaceTest, PathsLiveUnderTheStateDirectory) {
  std::string s = root() + "/.orchestrate";
  EXPECT_EQ(ws_.logs_dir(), s + "/logs");
  EXPECT_EQ(ws_.worktrees_dir(), s + "/worktrees");
  EXPECT_EQ(ws_.runs_dir(), s + "/run");
  EXPECT_EQ(ws_.pids_dir(), s + "/pids");
  EXPECT_EQ(ws_.state_file(), s + "/state");
  EXPECT_EQ(ws_.legacy_state_file(), s + "/state.json");
  EXPECT_EQ(ws_.record_index_file(), s + "/record_index");
  EXPECT_EQ(ws_.target_memo_file(), s + "/target_memo");
  EXPECT_EQ(ws_.lock_file(), s + "/lock");
  EXPECT_EQ(ws_.LogPath("api"), s + "/logs/api.log");
  EXPECT_EQ(ws_.ScratchDir("w0"), s + "/run/w0");
}

TEST_F(WorkspaceTest, AnOlderOrchestratesStateJsonIsReadThenReplaced) {
  ws_.Prepare(root() + "/.git", {});
  WriteFile(ws_.state_dir, "state.json",
            R"({"version": 1, "base": "abc0000000000000000000000000000000000000",)"
            R"( "phases": {"api": {"state": "failed"}}})");
  RunState state = ws_.LoadState();
  EXPECT_EQ(state.base, testing::Oid("abc0000000000000000000000000000000000000"));
  ASSERT_EQ(state.phases.count("api"), 1u);
  EXPECT_EQ(state.phases["api"].state, PhaseState::kFailed);
  ws_.SaveState(state);
  EXPECT_FALSE(fs::exists(ws_.legacy_state_file()));
  EXPECT_EQ(ws_.LoadState().phases["api"].state, PhaseState::kFailed);
}

TEST_F(WorkspaceTest, NoStateFileIsAnEmptyState) {
  ws_.Prepare(root() + "/.git", {});
  EXPECT_TRUE(ws_.LoadState().phases.empty());
}

TEST_F(WorkspaceTest, PrepareCreatesEveryDirectory) {
  ws_.Prepare(root() + "/.git", {});
  for (const auto& dir :
       {ws_.state_dir, ws_.logs_dir(), ws_.worktrees_dir(), ws_.runs_dir(), ws_.pids_dir()})
    EXPECT_TRUE(fs::is_directory(dir)) << dir;
}

TEST_F(WorkspaceTest, PrepareExcludesTheStateDirectoryExactlyOnce) {
  ws_.Prepare(root() + "/.git", {});
  ws_.Prepare(root() + "/.git", {});
  ws_.Prepare(root() + "/.git", {});
  EXPECT_EQ(CountLinesEqual(exclude(), "/.orchestrate/"), 1) << exclude();
  EXPECT_EQ(testing::MustShell("git status --porcelain", root()), "")
      << ".orchestrate/ is not reported as untracked";
}

TEST_F(WorkspaceTest, PrepareKeepsTheUsersExcludesAndAddsOnANewLine) {
  WriteFile(root(), ".git/info/exclude", "# mine\n*.log");
  ws_.Prepare(root() + "/.git", {});
  EXPECT_EQ(exclude(), "# mine\n*.log\n/.orchestrate/\n");
}

TEST_F(WorkspaceTest, PrepareCreatesAMissingInfoDirectory) {
  fs::remove_all(root() + "/.git/info");
  ws_.Prepare(root() + "/.git", {});
  EXPECT_EQ(exclude(), "/.orchestrate/\n");
}

TEST_F(WorkspaceTest, PrepareExcludesCopiedAndLinkedPathsAnchoredOnce) {
  ws_.Prepare(root() + "/.git", {".env", "node_modules"});
  ws_.Prepare(root() + "/.git", {".env", "node_modules"});
  EXPECT_EQ(CountLinesEqual(exclude(), "/.env"), 1) << exclude();
  EXPECT_EQ(CountLinesEqual(exclude(), "/node_modules"), 1) << exclude();
  EXPECT_EQ(CountLinesEqual(exclude(), "/.orchestrate/"), 1) << exclude();
}

TEST_F(WorkspaceTest, PrepareSaysWhichDirectoryItCannotCreate) {
  WriteFile(root(), ".orchestrate", "a file in the way\n");
  std::string msg = MessageOf<InfraError>([&] { ws_.Prepare(root() + "/.git", {}); });
  EXPECT_NE(msg.find("cannot create directory " + root() + "/.orchestrate"), std::string::npos)
      << msg;
}

// --- LocateManifest ---------------------------------------------------------------

TEST_F(WorkspaceTest, ManifestIsFoundInTheStartDirectory) {
  EXPECT_EQ(LocateManifest(root(), ""), root() + "/orchestrate.toml");
}

TEST_F(WorkspaceTest, ManifestIsFoundInAParentDirectory) {
  fs::create_directories(root() + "/src/deep");
  EXPECT_EQ(LocateManifest(root() + "/src/deep", ""), root() + "/orchestrate.toml");
}

TEST_F(WorkspaceTest, FileFlagIsRelativeToTheDirectory) {
  WriteFile(root(), "ci/pipeline.toml", kValid);
  EXPECT_EQ(LocateManifest(root(), "ci/pipeline.toml"), root() + "/ci/pipeline.toml");
  EXPECT_EQ(LocateManifest(root() + "/ci", "../ci/./pipeline.toml"), root() + "/ci/pipeline.toml");
  EXPECT_EQ(LocateManifest("/", root() + "/ci/pipeline.toml"), root() + "/ci/pipeline.toml");
}

TEST_F(WorkspaceTest, MissingFileFlagSaysSo) {
  std::string msg = MessageOf<UsageError>([&] { LocateManifest(root(), "nope.toml"); });
  EXPECT_EQ(msg, "manifest " + root() + "/nope.toml does not exist");
}

TEST_F(WorkspaceTest, NoManifestAnywhereSaysHowToCreateOne) {
  TempDir empty;
  std::string msg = MessageOf<UsageError>([&] { LocateManifest(empty.path(), ""); });
  EXPECT_EQ(msg, "no orchestrate.toml in " + empty.path() +
                     " or any parent directory (create one with `orchestrate init`, or pass -f "
                     "FILE)");
}

TEST_F(WorkspaceTest, ManifestFilesAreTheManifestAndThePromptsRelativeToTheRoot) {
  Manifest m;
  m.path = root() + "/sub/orchestrate.toml";
  m.dir = root() + "/sub";
  Phase a, b, c;
  a.details.Edit().prompt = "prompts/a.md";
  b.details.Edit().prompt = "../shared.md";
  m.phases = {a, b, c};
  EXPECT_EQ(ManifestFiles(m, root()),
            (std::set<std::string>{"shared.md", "sub/orchestrate.toml", "sub/prompts/a.md"}));
}

// --- OpenProject --------------------------------------------------------------------

TEST_F(WorkspaceTest, OpenProjectFindsRepositoryWorkspaceAndManifest) {
  fs::create_directories(root() + "/src");
  Project p = OpenProject(root() + "/src", "");
  EXPECT_EQ(p.workspace.root, root());
  EXPECT_EQ(p.workspace.state_dir, root() + "/.orchestrate");
  EXPECT_EQ(p.manifest.path, root() + "/orchestrate.toml");
  ASSERT_EQ(p.manifest.phases.size(), 1u);
  EXPECT_EQ(p.manifest.phases[0].name, "a");
}

TEST_F(WorkspaceTest, OpenProjectStartsTheRecordIndexOnlyForCommandsThatUseIt) {
  EXPECT_EQ(OpenProject(root(), "").cache, nullptr);
  Project p = OpenProject(root(), "", ManifestSnapshotUse::kRead, RecordsUse::kRead);
  ASSERT_NE(p.cache, nullptr);
  ASSERT_NE(p.index, nullptr);
  EXPECT_EQ(&p.StartRecords(false), p.cache.get());  // made once
  EXPECT_EQ(p.cache->Find("a", std::string(40, '0')), std::nullopt);
  // A read-only index never writes its file.
  fs::create_directories(p.workspace.state_dir);
  RecordSummary summary;
  summary.phase = "a";
  summary.key = std::string(40, '1');
  p.index->Add(summary);
  p.index->Flush();
  EXPECT_FALSE(fs::exists(p.workspace.record_index_file()));
}

TEST_F(WorkspaceTest, OpenProjectOutsideARepositorySaysSo) {
  TempDir outside;
  WriteFile(outside.path(), "orchestrate.toml", kValid);
  std::string msg = MessageOf<UsageError>([&] { OpenProject(outside.path(), ""); });
  EXPECT_NE(msg.find("not a git repository"), std::string::npos) << msg;
}

TEST_F(WorkspaceTest, OpenProjectWithAnInvalidManifestCountsTheErrors) {
  WriteFile(root(), "bad.toml",
            "version = 1\n[phase.a]\ndeps = [\"x\"]\n[phase.b]\ndeps = [\"y\"]\n");
  std::string msg = MessageOf<UsageError>([&] { OpenProject(root(), "bad.toml"); });
  EXPECT_NE(msg.find(" errors in " + root() + "/bad.toml; nothing was run"), std::string::npos)
      << msg;
  WriteFile(root(), "one.toml", "version = 1\n[phase.a]\nrun = \"true\"\nbogus = 1\n");
  msg = MessageOf<UsageError>([&] { OpenProject(root(), "one.toml"); });
  EXPECT_EQ(msg, "1 error in " + root() + "/one.toml; nothing was run");
}

}  // namespace
}  // namespace orchestrate
