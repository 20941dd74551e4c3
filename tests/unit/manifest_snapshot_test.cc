#include "orchestrate/manifest_snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "orchestrate/error.h"
#include "orchestrate/git.h"
#include "orchestrate/workspace.h"
#include "support/error_message.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

// What a snapshot gives back: every field but the positions of each
// phase's keys, which only the checks made at parse time read.
Manifest WithoutKeyPositions(Manifest manifest) {
  for (Phase& phase : manifest.phases) phase.key_pos = KeyPositions();
  return manifest;
}

namespace fs = std::filesystem;
using testing::FileExists;
using testing::InitRepo;
using testing::MessageOf;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Every field of every table set, most of them away from their defaults.
constexpr const char* kRich = R"(version = 1

[settings]
base = "main~1"
target = "work/integration"
jobs = 3
keep_worktrees = "always"
worktree_copy = [".env", "config/local.json"]
worktree_link = ["node_modules"]

[pools.llm]
depth = 2

[pools.disk]
depth = 5

[agents.claude]
command = "claude -p --model {model} {flags} < {prompt_file}"
model = "sonnet"
flags = "--verbose"
requeue_on = ["rate limit", "HTTP 429"]

[phase.schema]
description = "Add the user model"
agent = "claude"
prompt = "prompts/schema.md"
model = "opus"
verify = ["make test", "make lint"]
setup = ["npm ci"]
inputs = ["src/model/**", "!src/model/tmp/**"]
env = { LOG_LEVEL = "debug", MODE = "strict" }
key_env = ["NODE_VERSION"]
requeue_on = ["try again"]
pool = "llm"
priority = -3
timeout = "1h30m"
retries = 2
merge = false

[phase.api]
deps = ["schema"]
agent = "claude"
prompt_text = "Write the API for {phase}."
pool = "disk"
priority = 7

[phase.check]
deps = ["api", "schema"]
verify = ["make check"]
)";

class ManifestSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir(), "prompts/schema.md", "Add a user model.\n");
    WriteFile(dir(), "orchestrate.toml", kRich);
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(ParseManifest(kRich, manifest_path(), &parsed_, &diags))
        << (diags.empty() ? "" : diags[0].Format());
  }
  std::string dir() const { return tmp_.path() + "/project"; }
  std::string manifest_path() const { return dir() + "/orchestrate.toml"; }
  std::string snapshot() const { return tmp_.path() + "/manifest_snapshot"; }
  void Save() { SaveManifestSnapshot(snapshot(), kRich, parsed_); }
  bool Load(std::string_view text = kRich) {
    return LoadManifestSnapshot(snapshot(), manifest_path(), text, &loaded_);
  }
  // Replaces the snapshot file's contents.
  void Overwrite(const std::string& data) {
    fs::remove(snapshot());
    WriteFile(tmp_.path(), "manifest_snapshot", data);
  }

  TempDir tmp_;
  Manifest parsed_;
  Manifest loaded_;
};

TEST_F(ManifestSnapshotTest, TheTestBinaryHasABuildId) {
  // Without one snapshots are off, and every other test here would fail.
  EXPECT_GE(ExecutableBuildId().size(), 16u) << ExecutableBuildId();
}

TEST_F(ManifestSnapshotTest, RoundTripKeepsEveryFieldButKeyPositions) {
  ASSERT_EQ(parsed_.phases.size(), 3u);  // the manifest is as rich as intended
  ASSERT_TRUE(parsed_.phases[0].timeout().has_value());
  ASSERT_FALSE(parsed_.phases[0].merge);
  ASSERT_EQ(parsed_.agents[0].vars.size(), 3u);
  Save();
  ASSERT_TRUE(Load());
  for (const Phase& phase : parsed_.phases) ASSERT_GT(phase.key_pos.size(), 0u);
  EXPECT_EQ(loaded_, WithoutKeyPositions(parsed_));
  EXPECT_EQ(loaded_.path, manifest_path());
  EXPECT_EQ(loaded_.dir, dir());
  EXPECT_EQ(loaded_.phases[0].pos, parsed_.phases[0].pos);
}

TEST_F(ManifestSnapshotTest, ComparingManifestsSeesAChangedKeyPosition) {
  // The round trip above is only as good as operator==.
  Manifest moved = parsed_;
  moved.phases[2].key_pos = KeyPositions();
  for (const auto& [key, pos] : parsed_.phases[2].key_pos)
    moved.phases[2].key_pos.Add(key, {pos.line, pos.column + 1});
  EXPECT_NE(moved, parsed_);
}

TEST_F(ManifestSnapshotTest, ThePathMayBeSpelledDifferently) {
  Save();
  ASSERT_TRUE(LoadManifestSnapshot(snapshot(), dir() + "/./orchestrate.toml", kRich, &loaded_));
  EXPECT_EQ(loaded_.path, manifest_path());
}

TEST_F(ManifestSnapshotTest, AOneByteChangeToTheTextMisses) {
  Save();
  std::string changed = kRich;
  changed[changed.find("priority = 7") + 11] = '8';
  EXPECT_FALSE(Load(changed));
  EXPECT_FALSE(Load(std::string(kRich) + "\n"));
  EXPECT_TRUE(Load());
}

TEST_F(ManifestSnapshotTest, AnotherManifestPathMisses) {
  Save();
  WriteFile(tmp_.path(), "other/orchestrate.toml", kRich);
  WriteFile(tmp_.path(), "other/prompts/schema.md", "x");
  EXPECT_FALSE(
      LoadManifestSnapshot(snapshot(), tmp_.path() + "/other/orchestrate.toml", kRich, &loaded_));
}

TEST_F(ManifestSnapshotTest, EveryTruncationMisses) {
  Save();
  std::string data = ReadFile(snapshot());
  for (size_t size = 0; size < data.size(); ++size) {
    Overwrite(data.substr(0, size));
    EXPECT_FALSE(Load()) << "truncated to " << size << " of " << data.size() << " bytes";
  }
}

TEST_F(ManifestSnapshotTest, EveryDamagedByteMisses) {
  Save();
  std::string data = ReadFile(snapshot());
  for (size_t at = 0; at < data.size(); ++at) {
    for (char flip : {'\x01', '\x80'}) {
      std::string damaged = data;
      damaged[at] = static_cast<char>(damaged[at] ^ flip);
      Overwrite(damaged);
      EXPECT_FALSE(Load()) << "byte " << at << " of " << data.size();
    }
  }
}

TEST_F(ManifestSnapshotTest, EmptyForeignOrMissingFilesMiss) {
  EXPECT_FALSE(Load());  // none yet
  Overwrite("");
  EXPECT_FALSE(Load());
  Overwrite("# orchestrate record index 1\nschema\tabc\n");
  EXPECT_FALSE(Load());
  Overwrite(std::string(kManifestSnapshotMagic) + std::string(64, '\xff'));
  EXPECT_FALSE(Load());
  fs::remove(snapshot());
  fs::create_directory(snapshot());
  EXPECT_FALSE(Load());
}

TEST_F(ManifestSnapshotTest, AnotherFormatVersionMisses) {
  Save();
  std::string data = ReadFile(snapshot());
  size_t digit = kManifestSnapshotMagic.size() - 2;  // "... snapshot 1\n"
  data[digit] = static_cast<char>(data[digit] + 1);
  Overwrite(data);
  EXPECT_FALSE(Load());
}

TEST_F(ManifestSnapshotTest, AnotherBuildIdMisses) {
  Save();
  std::string data = ReadFile(snapshot());
  size_t at = data.find(ExecutableBuildId());
  ASSERT_NE(at, std::string::npos);
  data[at] = data[at] == '0' ? '1' : '0';  // still hex, still the same length
  Overwrite(data);
  EXPECT_FALSE(Load());
}

TEST_F(ManifestSnapshotTest, AMissingOrReplacedPromptFileMisses) {
  Save();
  fs::remove(dir() + "/prompts/schema.md");
  EXPECT_FALSE(Load());
  fs::create_directory(dir() + "/prompts/schema.md");
  EXPECT_FALSE(Load());
  fs::remove(dir() + "/prompts/schema.md");
  WriteFile(dir(), "prompts/schema.md", "back\n");
  EXPECT_TRUE(Load());
}

TEST_F(ManifestSnapshotTest, SavingWhereItCannotWriteLeavesNothing) {
  SaveManifestSnapshot(tmp_.path() + "/no/such/dir/manifest_snapshot", kRich, parsed_);
  EXPECT_FALSE(fs::exists(tmp_.path() + "/no"));
  // A directory in the way: the temporary file is written, the rename fails.
  fs::create_directory(snapshot());
  Save();
  EXPECT_TRUE(fs::is_directory(snapshot()));
  EXPECT_TRUE(fs::is_empty(snapshot()));
  for (const auto& entry : fs::directory_iterator(tmp_.path()))
    EXPECT_TRUE(entry.path().filename() == "project" || entry.path() == snapshot()) << entry.path();
}

TEST_F(ManifestSnapshotTest, SavingReplacesTheLastSnapshot) {
  Save();
  std::string other = std::string(kRich) + "\n# changed\n";
  Manifest reparsed;
  std::vector<Diagnostic> diags;
  ASSERT_TRUE(ParseManifest(other, manifest_path(), &reparsed, &diags));
  SaveManifestSnapshot(snapshot(), other, reparsed);
  EXPECT_FALSE(Load());
  EXPECT_TRUE(Load(other));
}

// --- Through OpenProject ---------------------------------------------------------

class OpenProjectSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitGit();
    InitRepo(root(), {{"orchestrate.toml", kRich}, {"prompts/schema.md", "x\n"}});
  }
  std::string root() const { return tmp_.path() + "/repo"; }
  std::string snapshot() const { return root() + "/.orchestrate/manifest_snapshot"; }
  Manifest Open(ManifestSnapshotUse use) { return OpenProject(root(), "", use).manifest; }

  TempDir tmp_;
};

TEST_F(OpenProjectSnapshotTest, TheSnapshotLivesInTheStateDirectory) {
  Workspace ws{root(), root() + "/.orchestrate"};
  EXPECT_EQ(ws.manifest_snapshot_file(), snapshot());
}

TEST_F(OpenProjectSnapshotTest, OnlyReadAndWriteSavesAndOnlyIntoAnExistingStateDirectory) {
  Open(ManifestSnapshotUse::kReadAndWrite);
  EXPECT_FALSE(fs::exists(root() + "/.orchestrate"));  // not created for the snapshot
  fs::create_directory(root() + "/.orchestrate");
  Open(ManifestSnapshotUse::kRead);
  Open(ManifestSnapshotUse::kIgnore);
  EXPECT_FALSE(fs::exists(snapshot()));
  Manifest parsed = Open(ManifestSnapshotUse::kReadAndWrite);
  ASSERT_TRUE(FileExists(snapshot()));
  Manifest loaded;
  ASSERT_TRUE(LoadManifestSnapshot(snapshot(), root() + "/orchestrate.toml", kRich, &loaded));
  EXPECT_EQ(loaded, WithoutKeyPositions(parsed));
}

TEST_F(OpenProjectSnapshotTest, AMatchingSnapshotIsUsedUnlessIgnored) {
  // A snapshot whose manifest differs from what parsing gives shows which was used.
  std::vector<Diagnostic> diags;
  Manifest marked;
  ASSERT_TRUE(ParseManifest(kRich, root() + "/orchestrate.toml", &marked, &diags));
  marked.phases[0].details.Edit().description = "from the snapshot";
  fs::create_directory(root() + "/.orchestrate");
  SaveManifestSnapshot(snapshot(), kRich, marked);
  EXPECT_EQ(Open(ManifestSnapshotUse::kRead).phases[0].description(), "from the snapshot");
  EXPECT_EQ(Open(ManifestSnapshotUse::kReadAndWrite).phases[0].description(), "from the snapshot");
  EXPECT_EQ(Open(ManifestSnapshotUse::kIgnore).phases[0].description(), "Add the user model");
}

TEST_F(OpenProjectSnapshotTest, AChangedManifestIsParsedAndTheSnapshotReplaced) {
  fs::create_directory(root() + "/.orchestrate");
  Open(ManifestSnapshotUse::kReadAndWrite);
  std::string changed = std::string(kRich) + "\n[phase.extra]\nrun = \"true\"\n";
  WriteFile(root(), "orchestrate.toml", changed);
  EXPECT_EQ(Open(ManifestSnapshotUse::kRead).phases.size(), 4u);
  Manifest loaded;
  std::string manifest = root() + "/orchestrate.toml";
  EXPECT_FALSE(LoadManifestSnapshot(snapshot(), manifest, changed, &loaded));  // kRead kept it
  Open(ManifestSnapshotUse::kReadAndWrite);
  EXPECT_TRUE(LoadManifestSnapshot(snapshot(), manifest, changed, &loaded));
}

TEST_F(OpenProjectSnapshotTest, ADeletedPromptFileIsReportedAsWithoutASnapshot) {
  fs::create_directory(root() + "/.orchestrate");
  Open(ManifestSnapshotUse::kReadAndWrite);
  ASSERT_TRUE(FileExists(snapshot()));
  fs::remove(root() + "/prompts/schema.md");
  ::testing::internal::CaptureStderr();
  std::string msg = MessageOf<UsageError>([&] { Open(ManifestSnapshotUse::kRead); });
  std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(msg, "1 error in " + root() + "/orchestrate.toml; nothing was run");
  EXPECT_NE(printed.find("orchestrate.toml:26:1: prompt file 'prompts/schema.md' does not exist "
                         "(relative to " +
                         root() + ")"),
            std::string::npos)
      << printed;
}

TEST_F(OpenProjectSnapshotTest, AnInvalidManifestNeverLeavesASnapshot) {
  fs::create_directory(root() + "/.orchestrate");
  WriteFile(root(), "orchestrate.toml", "version = 1\n[phase.a]\ndeps = [\"nope\"]\n");
  ::testing::internal::CaptureStderr();
  std::string msg = MessageOf<UsageError>([&] { Open(ManifestSnapshotUse::kReadAndWrite); });
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(msg, "1 error in " + root() + "/orchestrate.toml; nothing was run");
  EXPECT_FALSE(fs::exists(snapshot()));
}

}  // namespace
}  // namespace orchestrate
