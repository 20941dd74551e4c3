// Records pulled from a shared remote are reused only when consistent and,
// with cache_trust = "signed", signed (docs/security.md); records whose
// objects are missing are ignored and pruned.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

std::string Manifest(const std::string& settings = "") {
  return "version = 1\n" + settings + "[phase.build]\nrun = \"echo built > out.txt\"\n";
}

std::string Trim(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Writes `content` as a blob into the repository at `repo`.
std::string HashObject(const std::string& repo, const std::string& content) {
  WriteFile(repo + "/..", "object.tmp", content);  // outside the work tree
  return Trim(MustShell("git hash-object -w ../object.tmp", repo));
}

// A tree holding `blob` as the file `name`.
std::string MakeTree(const std::string& repo, const std::string& blob, const std::string& name) {
  return Trim(
      MustShell("printf '100644 blob %s\\t%s\\n' " + blob + " " + name + " | git mktree", repo));
}

// The honest repository has run `build` and shared main through a bare
// remote; an attacker with push access replaces the record there; a victim
// clones, pulls the cache and runs.
class PoisonTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(Manifest()); }
  void Start(const std::string& manifest, const std::string& env = "") {
    s_ = std::make_unique<Scenario>(manifest);
    ShellResult r = s_->Run("run", env);
    ASSERT_EQ(r.status, 0) << r.out;
    ref_ = Trim(MustShell("git for-each-ref --format='%(refname)' refs/orchestrate/cache/build",
                          s_->repo()));
    key_ = ref_.substr(ref_.rfind('/') + 1);
    record_ = nlohmann::json::parse(s_->Show(ref_ + ":record.json"));
    s_->AddOrigin();
  }
  std::string Git(const std::string& args) { return Trim(MustShell("git " + args, s_->repo())); }
  /// A commit whose out.txt says "pwned", on `parent` (none: a root commit).
  std::string EvilCommit(const std::string& parent) {
    std::string tree = MakeTree(s_->repo(), HashObject(s_->repo(), "pwned\n"), "out.txt");
    return Git("commit-tree " + tree + (parent.empty() ? "" : " -p " + parent) + " -m evil");
  }
  /// Pushes a record whose record.json is `json` and whose parent is
  /// `result` to the remote under the honest record's ref, as an attacker.
  void PushRecord(const nlohmann::json& json, const std::string& result) {
    std::string tree = MakeTree(s_->repo(), HashObject(s_->repo(), json.dump(2)), "record.json");
    std::string commit = Git("commit-tree " + tree + " -p " + result + " -m poisoned");
    Git("push -q -f origin " + commit + ":" + ref_);
  }
  /// The record pointing at an evil result descending from its input.
  nlohmann::json Evil() {
    nlohmann::json j = record_;
    j["result"] = EvilCommit(record_["input"]);
    j["result_tree"] = Git("rev-parse " + std::string(j["result"]) + "^{tree}");
    return j;
  }
  /// The victim: clones, pulls the cache, runs. Expects `build` to run
  /// (never the attacker's result) and a warning naming the ref and `problem`.
  void ExpectVictimRejects(const std::string& problem, const std::string& env = "") {
    std::string victim = s_->CloneOrigin("victim");
    ASSERT_EQ(Orchestrate("cache pull", victim, env).status, 0);
    ShellResult r = Orchestrate("run", victim, env);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("warning: ignoring cache record " + ref_ + ": " + problem),
              std::string::npos)
        << r.out;
    EXPECT_EQ(CountLines(r.out, "ignoring cache record"), 1) << r.out;
    EXPECT_EQ(Trim(MustShell("git show orchestrate/integration:out.txt", victim)), "built");
  }

  std::unique_ptr<Scenario> s_;
  std::string ref_, key_;
  nlohmann::json record_;
};

TEST_F(PoisonTest, TheHonestRecordIsReusedByTheVictim) {
  Git("push -q origin '" + ref_ + ":" + ref_ + "'");
  std::string victim = s_->CloneOrigin("victim");
  ASSERT_EQ(Orchestrate("cache pull", victim).status, 0);
  ShellResult r = Orchestrate("run", victim);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 fresh"), std::string::npos) << r.out;
  EXPECT_EQ(CountLines(r.out, "warning"), 0) << r.out;
}

TEST_F(PoisonTest, AFailedRecordIsNotReused) {
  nlohmann::json j = Evil();
  j["status"] = "failed";
  PushRecord(j, j["result"]);
  ExpectVictimRejects("it has status \"failed\", not \"succeeded\"");
}

TEST_F(PoisonTest, EmptyKeyComponentsAreNotReused) {
  nlohmann::json j = Evil();
  j["components"] = nlohmann::json::object();
  PushRecord(j, j["result"]);
  ExpectVictimRejects("it has no key components");
}

TEST_F(PoisonTest, ARecordForAnotherKeyIsNotReused) {
  nlohmann::json j = Evil();
  j["key"] = std::string(40, '1');
  PushRecord(j, j["result"]);
  ExpectVictimRejects("it describes phase 'build' with key '" + std::string(40, '1') + "'");
}

TEST_F(PoisonTest, AResultNotDescendingFromTheInputIsNotReused) {
  nlohmann::json j = record_;
  std::string evil = EvilCommit("");
  j["result"] = evil;
  j["result_tree"] = Git("rev-parse " + evil + "^{tree}");
  PushRecord(j, evil);
  ExpectVictimRejects("its result " + evil.substr(0, 12) + " does not descend from its input " +
                      std::string(record_["input"]).substr(0, 12));
}

// A consistent hand-made record without a log: nothing but a signature
// tells it from an honest one, so only cache_trust = "signed" keeps it out.
TEST_F(PoisonTest, AnUnsignedRecordIsNotReusedWhenSignedRecordsAreRequired) {
  Start(Manifest("[settings]\ncache_trust = \"signed\"\n"),
        "ORCHESTRATE_CACHE_SIGNING_KEY=team-secret");
  EXPECT_TRUE(record_.contains("signature")) << record_.dump();
  nlohmann::json j = Evil();
  j.erase("signature");
  PushRecord(j, j["result"]);
  ExpectVictimRejects("it is not signed, and settings.cache_trust is \"signed\"",
                      "ORCHESTRATE_CACHE_SIGNING_KEY=team-secret");
}

TEST_F(PoisonTest, ABadSignatureIsNotReusedWhenSignedRecordsAreRequired) {
  Start(Manifest("[settings]\ncache_trust = \"signed\"\n"),
        "ORCHESTRATE_CACHE_SIGNING_KEY=team-secret");
  nlohmann::json j = Evil();
  j["signature"] = record_["signature"];  // the honest record's: it does not cover this result
  PushRecord(j, j["result"]);
  ExpectVictimRejects("its signature does not verify with ORCHESTRATE_CACHE_SIGNING_KEY",
                      "ORCHESTRATE_CACHE_SIGNING_KEY=team-secret");
}

TEST_F(PoisonTest, SignedRecordsAreReusedWithTheKeyAndNotWithout) {
  Start(Manifest("[settings]\ncache_trust = \"signed\"\n"),
        "ORCHESTRATE_CACHE_SIGNING_KEY=team-secret");
  Git("push -q origin '" + ref_ + ":" + ref_ + "'");
  std::string victim = s_->CloneOrigin("victim");
  ASSERT_EQ(Orchestrate("cache pull", victim).status, 0);
  ShellResult plan = Orchestrate("plan", victim);  // no key: nothing verifies
  EXPECT_EQ(plan.status, 0) << plan.out;
  EXPECT_NE(plan.out.find("warning: settings.cache_trust is \"signed\" but "
                          "ORCHESTRATE_CACHE_SIGNING_KEY is not set and settings.cache_public_keys "
                          "is empty: no cache record can be verified, so none is reused"),
            std::string::npos)
      << plan.out;
  ShellResult r = Orchestrate("run", victim, "ORCHESTRATE_CACHE_SIGNING_KEY=team-secret");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 fresh"), std::string::npos) << r.out;
}

// Item 13: a record whose result objects are missing (a partial fetch, a
// pruned object store) is ignored with a warning, and `cache prune` removes it.
TEST(MissingObjectsTest, ARecordWhoseResultIsMissingIsIgnoredAndPruned) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 0);
  std::string ref = Trim(
      MustShell("git for-each-ref --format='%(refname)' refs/orchestrate/cache/build", s.repo()));
  nlohmann::json j = nlohmann::json::parse(s.Show(ref + ":record.json"));
  std::string missing = "0123456789abcdef0123456789abcdef01234567";
  j["result"] = missing;
  std::string tree = MakeTree(s.repo(), HashObject(s.repo(), j.dump(2)), "record.json");
  std::string commit = Trim(MustShell("git commit-tree " + tree + " -m partial", s.repo()));
  MustShell("git update-ref " + ref + " " + commit, s.repo());
  std::string warning = "warning: ignoring cache record " + ref +
                        ": its result commit 0123456789ab is missing from the object store (a "
                        "partial fetch, or pruned); `orchestrate cache prune` removes the record";
  ShellResult plan = s.Run("plan");
  ASSERT_EQ(plan.status, 0) << plan.out;
  EXPECT_NE(plan.out.find(warning), std::string::npos) << plan.out;
  ShellResult prune = s.Run("cache prune");
  ASSERT_EQ(prune.status, 0) << prune.out;
  EXPECT_EQ(s.Rev(ref), "") << prune.out;
  // Once more, and a run: it runs the phase and records it in the broken record's place.
  MustShell("git update-ref " + ref + " " + commit, s.repo());
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find(warning), std::string::npos) << r.out;
  EXPECT_NE(s.Rev(ref), commit);
  r = s.Run("run");
  EXPECT_NE(r.out.find("1 fresh"), std::string::npos) << r.out;
  EXPECT_EQ(CountLines(r.out, "warning"), 0) << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
