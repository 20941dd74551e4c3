#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

KeyComponents Components(std::map<std::string, std::string> items) {
  KeyComponents key;
  key.items = std::move(items);
  return key;
}

// --- Hash ------------------------------------------------------------------

TEST(KeyHashTest, IsFortyHexDigits) {
  std::string hash = Components({{"command", "make"}}).Hash();
  ASSERT_EQ(hash.size(), 40u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(KeyHashTest, SameComponentsInAnyInsertionOrderGiveTheSameHash) {
  KeyComponents a, b;
  a.items["command"] = "make";
  a.items["merge"] = "true";
  a.items["env A"] = "1";
  b.items["env A"] = "1";
  b.items["merge"] = "true";
  b.items["command"] = "make";
  EXPECT_EQ(a.Hash(), b.Hash());
}

TEST(KeyHashTest, AnyChangedNameOrValueChangesTheHash) {
  KeyComponents base = Components({{"command", "make"}, {"merge", "true"}});
  EXPECT_NE(base.Hash(), Components({{"command", "make all"}, {"merge", "true"}}).Hash());
  EXPECT_NE(base.Hash(), Components({{"command", "make"}, {"merge", "false"}}).Hash());
  EXPECT_NE(base.Hash(), Components({{"command", "make"}}).Hash());
  EXPECT_NE(base.Hash(), Components({{"cmd", "make"}, {"merge", "true"}}).Hash());
}

TEST(KeyHashTest, SerializationIsUnambiguousWhateverValuesContain) {
  // Without length prefixes both would serialize to the same bytes.
  KeyComponents one = Components({{"a", std::string("x\nb\0y", 5)}});
  KeyComponents two = Components({{"a", "x"}, {"b", "y"}});
  EXPECT_NE(one.Hash(), two.Hash());
}

TEST(KeyHashTest, IsTheGitBlobIdOfTheDocumentedSerialization) {
  // Changing the serialization invalidates every cache: do it deliberately
  // (bump kKeyFormat) and update these values. Both were computed with
  // `printf 'orchestrate key 2\ncommand\0004\000make\n' | git hash-object --stdin`.
  EXPECT_EQ(Components({}).Hash(), "ad5af07c3ad47642b776453ecf5129d7363d580b");
  EXPECT_EQ(Components({{"command", "make"}}).Hash(), "5e0ccfcc7d33fecf3b510e20df2bae74454957ac");
  KeyComponents key = Components({{"command", "make"}, {"merge", "true"}, {"dep a", "x\n\0y"}});
  std::string text = "orchestrate key 2\n";
  for (const auto& [name, value] : key.items)
    text += name + '\0' + std::to_string(value.size()) + '\0' + value + '\n';
  EXPECT_EQ(key.Hash(), HashBlob(text).hex());
}

TEST(KeyTextTest, SortsComponentsSetInAnyOrderAndHashesAsKeyComponentsDo) {
  KeyText text;
  text.Set("verify", "", "make test");
  text.SetId("dep ", "b", HashBlob("b"));
  text.Set("command", "", "make");
  text.SetId("dep ", "a", HashBlob("a"));
  text.SetLines("setup", {"npm ci", "npm run build"});
  text.SetId("base", "", ObjectId());  // the null id is ""
  KeyComponents key = text.Components();
  EXPECT_EQ(key.items, (std::map<std::string, std::string>{{"base", ""},
                                                           {"command", "make"},
                                                           {"dep a", HashBlob("a").hex()},
                                                           {"dep b", HashBlob("b").hex()},
                                                           {"setup", "npm ci\nnpm run build"},
                                                           {"verify", "make test"}}));
  std::string expected = "orchestrate key 2\n";
  for (const auto& [name, value] : key.items)
    expected += name + '\0' + std::to_string(value.size()) + '\0' + value + '\n';
  EXPECT_EQ(text.Text(), expected);
  EXPECT_EQ(text.Hash().hex(), key.Hash());
}

TEST(KeyTextTest, ALaterSetOfANameReplacesTheEarlier) {
  KeyText text;
  text.Set("command", "", "make");
  text.Set("env ", "A", "1");
  text.Set("command", "", "claude -p");
  EXPECT_EQ(text.Components().items,
            (std::map<std::string, std::string>{{"command", "claude -p"}, {"env A", "1"}}));
  EXPECT_EQ(text.Hash().hex(), Components({{"command", "claude -p"}, {"env A", "1"}}).Hash());
  EXPECT_EQ(text.Components().items.size(), 2u) << "also after Text() sorted them";
}

TEST(KeyTextTest, ClearStartsTheNextKeyEmpty) {
  KeyText text;
  text.Set("command", "", "make");
  EXPECT_NE(text.Hash().hex(), Components({}).Hash());
  text.Clear();
  EXPECT_EQ(text.Hash().hex(), Components({}).Hash());
  EXPECT_TRUE(text.Components().items.empty());
}

// --- DescribeChanges ---------------------------------------------------------

std::vector<std::string> Changes(std::map<std::string, std::string> now,
                                 std::map<std::string, std::string> then) {
  return DescribeChanges(Components(std::move(now)), Components(std::move(then)));
}

using Reasons = std::vector<std::string>;

TEST(DescribeChangesTest, EqualComponentsHaveNoReasons) {
  EXPECT_TRUE(Changes({{"command", "make"}, {"base", "t1"}}, {{"command", "make"}, {"base", "t1"}})
                  .empty());
}

TEST(DescribeChangesTest, NamesEachSpecificationChange) {
  EXPECT_EQ(Changes({{"command", "a"}}, {{"command", "b"}}), Reasons{"command changed"});
  EXPECT_EQ(Changes({{"model", "opus"}}, {{"model", "sonnet"}}), Reasons{"model changed"});
  EXPECT_EQ(Changes({{"prompt prompts/a.md", "1"}}, {{"prompt prompts/a.md", "2"}}),
            Reasons{"prompt prompts/a.md changed"});
  EXPECT_EQ(Changes({{"prompt-text", "x"}}, {{"prompt-text", "y"}}), Reasons{"prompt changed"});
  EXPECT_EQ(Changes({{"setup", "npm ci"}}, {}), Reasons{"setup changed"});
  EXPECT_EQ(Changes({}, {{"verify", "make test"}}), Reasons{"verify changed"});
  EXPECT_EQ(Changes({{"env LOG_LEVEL", "debug"}}, {{"env LOG_LEVEL", "info"}}),
            Reasons{"env LOG_LEVEL changed"});
  EXPECT_EQ(Changes({{"handoff api", "h1"}}, {{"handoff api", "h2"}}),
            Reasons{"dependency api has a new handoff"});
  EXPECT_EQ(Changes({{"handoff api", "h1"}}, {}), Reasons{"dependency api wrote a handoff"});
  EXPECT_EQ(Changes({{"key_env NODE_VERSION", "20"}}, {{"key_env NODE_VERSION", "<unset>"}}),
            Reasons{"key_env NODE_VERSION changed"});
}

TEST(DescribeChangesTest, SwitchingPromptFileOrInlinePromptIsOnePromptChange) {
  EXPECT_EQ(Changes({{"prompt b.md", "1"}}, {{"prompt a.md", "1"}}), Reasons{"prompt changed"});
  EXPECT_EQ(Changes({{"prompt-text", "x"}}, {{"prompt a.md", "1"}}), Reasons{"prompt changed"});
}

TEST(DescribeChangesTest, NamesBaseAndInputChanges) {
  EXPECT_EQ(Changes({{"base", "t1"}}, {{"base", "t2"}}), Reasons{"base changed"});
  EXPECT_EQ(Changes({{"input src/x.c", "1"}, {"input src/y.c", "3"}},
                    {{"input src/x.c", "2"}, {"input src/z.c", "4"}}),
            (Reasons{"input src/x.c changed", "input src/y.c added", "input src/z.c removed"}));
}

TEST(DescribeChangesTest, SwitchingBetweenBaseAndInputsIsOneReason) {
  EXPECT_EQ(Changes({{"input a", "1"}, {"input b", "2"}}, {{"base", "t"}}),
            Reasons{"inputs changed"});
  EXPECT_EQ(Changes({{"base", "t"}}, {}), Reasons{"inputs changed"});
}

TEST(DescribeChangesTest, ListsFiveInputsThenCountsTheRest) {
  std::map<std::string, std::string> now, then;
  for (int i = 0; i < 8; ++i) {
    now["input f" + std::to_string(i)] = "new";
    then["input f" + std::to_string(i)] = "old";
  }
  now["command"] = "a";
  then["command"] = "b";
  EXPECT_EQ(Changes(now, then),
            (Reasons{"command changed", "input f0 changed", "input f1 changed", "input f2 changed",
                     "input f3 changed", "input f4 changed", "and 3 more inputs changed"}));
}

TEST(DescribeChangesTest, NamesDependencyChanges) {
  EXPECT_EQ(Changes({{"dep schema", "t1"}}, {{"dep schema", "t2"}}),
            Reasons{"dependency schema has a new result"});
  EXPECT_EQ(Changes({{"dep api", "t1"}}, {}), Reasons{"dependency api added"});
  EXPECT_EQ(Changes({}, {{"dep api", "t1"}}), Reasons{"dependency api removed"});
}

TEST(DescribeChangesTest, ReasonsComeInAStableOrder) {
  std::map<std::string, std::string> now = {
      {"command", "a"},        {"dep schema", "1"}, {"env X", "1"}, {"key_env K", "1"},
      {"handoff schema", "h"}, {"verify", "v"},     {"base", "1"},  {"setup", "s"},
      {"model", "m"},          {"prompt p.md", "1"}};
  std::map<std::string, std::string> then;
  for (const auto& [name, value] : now) then[name] = value + "'";
  EXPECT_EQ(Changes(now, then),
            (Reasons{"command changed", "model changed", "prompt p.md changed", "setup changed",
                     "verify changed", "env X changed", "base changed", "key_env K changed",
                     "dependency schema has a new result", "dependency schema has a new handoff"}));
}

TEST(DescribeChangesTest, UnknownComponentsAreNamed) {
  EXPECT_EQ(Changes({{"toolchain", "1"}}, {{"toolchain", "2"}}), Reasons{"toolchain changed"});
}

// --- ComputeKey ----------------------------------------------------------------

using testing::MustShell;

// A repository with a few files and a manifest built by hand.
class ComputeKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitGit();
    commit_ =
        testing::Oid(testing::InitRepo(root(), {{"README.md", "hello\n"},
                                                {"prompts/schema.md", "Add the user model.\n"},
                                                {"src/model/user.c", "int user;\n"},
                                                {"src/model/gen/table.c", "int table;\n"},
                                                {"src/view/page.c", "int page;\n"}}));
    repo_ = Repo::Open(root());
    Agent claude;
    claude.name = "claude";
    claude.command =
        "claude -p --model {model} --effort {effort} < {prompt_file} # {phase} {branch} {worktree} "
        "{{x}}";
    claude.model = "sonnet";
    claude.vars = {{"command", claude.command}, {"model", "sonnet"}, {"effort", "high"}};
    manifest_.agents.push_back(claude);
    inputs_.base_tree = repo_->TreeOf(commit_);
    inputs_.prompt_blobs["prompts/schema.md"] = Id("HEAD:prompts/schema.md");
    inputs_.environment = {{"PATH", "/usr/bin"}, {"NODE_VERSION", "20"}};
    inputs_.deps = {{"base-lib", inputs_.base_tree, {}}};
  }

  std::string root() const { return tmp_.path() + "/repo"; }
  std::string Rev(const std::string& rev) {
    std::string out = MustShell("git rev-parse " + rev, root());
    return out.substr(0, out.find('\n'));
  }
  ObjectId Id(const std::string& rev) { return testing::Oid(Rev(rev)); }
  /// An agent phase using every key component.
  static Phase AgentPhase() {
    Phase phase;
    phase.name = "schema";
    phase.details.Edit().description = "Add the user model";
    phase.agent = "claude";
    phase.details.Edit().prompt = "prompts/schema.md";
    phase.details.Edit().model = "opus";
    phase.deps = {"base-lib"};
    phase.verify = {"make test", "make lint"};
    phase.details.Edit().setup = {"npm ci"};
    phase.details.Edit().env = {{"LOG_LEVEL", "debug"}};
    phase.details.Edit().key_env = {"NODE_VERSION"};
    return phase;
  }
  KeyComponents Key(const Phase& phase) { return ComputeKey(manifest_, phase, *repo_, inputs_); }
  std::string Hash(const Phase& phase) { return Key(phase).Hash(); }

  testing::TempDir tmp_;
  ObjectId commit_;
  std::unique_ptr<Repo> repo_;
  Manifest manifest_;
  KeyInputs inputs_;
};

TEST_F(ComputeKeyTest, AgentPhaseHasEveryComponent) {
  std::map<std::string, std::string> expected = {
      {"command",
       "claude -p --model opus --effort high < {prompt_file} # schema orchestrate/phase/schema "
       "{worktree} {x}"},
      {"model", "opus"},
      {"prompt prompts/schema.md", Rev("HEAD:prompts/schema.md")},
      {"verify", "make test\nmake lint"},
      {"setup", "npm ci"},
      {"env LOG_LEVEL", "debug"},

      {"base", Rev("HEAD^{tree}")},
      {"key_env NODE_VERSION", "20"},
      {"dep base-lib", Rev("HEAD^{tree}")}};
  EXPECT_EQ(Key(AgentPhase()).items, expected);
}

TEST_F(ComputeKeyTest, AgentModelIsUsedWhenThePhaseSetsNone) {
  Phase phase = AgentPhase();
  phase.details.Edit().model.clear();
  KeyComponents key = Key(phase);
  EXPECT_EQ(key.items["model"], "sonnet");
  EXPECT_EQ(key.items["command"].substr(0, 24), "claude -p --model sonnet");
}

TEST_F(ComputeKeyTest, RunPhaseKeysOnItsCommandAndGateHasNone) {
  Phase run;
  run.name = "api";
  run.run = "make api";
  EXPECT_EQ(Key(run).items, (std::map<std::string, std::string>{{"command", "make api"},
                                                                {"base", Rev("HEAD^{tree}")}}));
  Phase gate;
  gate.name = "check";
  gate.verify = {"make check"};
  gate.merge = false;
  EXPECT_EQ(Key(gate).items, (std::map<std::string, std::string>{{"verify", "make check"},
                                                                 {"base", Rev("HEAD^{tree}")}}));
}

TEST_F(ComputeKeyTest, InlinePromptEntersAsText) {
  Phase phase = AgentPhase();
  phase.details.Edit().prompt.clear();
  phase.details.Edit().prompt_text = "Do it.";
  KeyComponents key = Key(phase);
  EXPECT_EQ(key.items["prompt-text"], "Do it.");
  EXPECT_EQ(key.items.count("prompt prompts/schema.md"), 0u);
}

TEST_F(ComputeKeyTest, SameInputsGiveTheSameKey) {
  EXPECT_EQ(Hash(AgentPhase()), Hash(AgentPhase()));
}

TEST_F(ComputeKeyTest, WhatDoesNotChangeAResultDoesNotChangeTheKey) {
  std::string before = Hash(AgentPhase());
  Phase phase = AgentPhase();
  phase.details.Edit().description = "Something else entirely";
  phase.retries = 5;
  phase.details.Edit().timeout = Duration(1000);
  phase.priority = 99;
  phase.details.Edit().pool = "llm";
  phase.details.Edit().requeue_on = {"rate limit"};
  phase.merge = false;
  phase.allow_empty = true;
  phase.approval = true;
  phase.pos = {12, 1};
  EXPECT_EQ(Hash(phase), before);
  inputs_.environment["PATH"] = "/opt/bin:/usr/bin";  // not named in key_env
  EXPECT_EQ(Hash(phase), before);
}

TEST_F(ComputeKeyTest, EachSpecificationComponentChangesTheKey) {
  std::string before = Hash(AgentPhase());
  std::vector<std::function<void(Phase&)>> edits = {
      [](Phase& p) { p.details.Edit().model = "haiku"; },
      [](Phase& p) { p.verify.push_back("make more"); },
      [](Phase& p) {
        p.verify = {"make lint", "make test"};
      },
      [](Phase& p) { p.details.Edit().setup.clear(); },
      [](Phase& p) { p.details.Edit().env["LOG_LEVEL"] = "info"; },
      [](Phase& p) { p.details.Edit().env["EXTRA"] = "1"; },
      [](Phase& p) { p.details.Edit().key_env.push_back("OTHER"); },
      [](Phase& p) { p.details.Edit().prompt_text = "also this"; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    Phase phase = AgentPhase();
    edits[i](phase);
    EXPECT_NE(Hash(phase), before) << "edit " << i;
  }
}

TEST_F(ComputeKeyTest, AgentCommandTemplateChangesTheKey) {
  std::string before = Hash(AgentPhase());
  manifest_.agents[0].vars["effort"] = "low";
  EXPECT_NE(Hash(AgentPhase()), before);
  manifest_.agents[0].vars["effort"] = "high";
  manifest_.agents[0].command += " --verbose";
  EXPECT_NE(Hash(AgentPhase()), before);
}

TEST_F(ComputeKeyTest, OutsideInputsChangeTheKey) {
  std::string before = Hash(AgentPhase());
  KeyInputs original = inputs_;
  inputs_.prompt_blobs["prompts/schema.md"] = Id("HEAD:README.md");
  EXPECT_NE(Hash(AgentPhase()), before);
  inputs_ = original;
  inputs_.environment.erase("NODE_VERSION");
  EXPECT_EQ(Key(AgentPhase()).items["key_env NODE_VERSION"], "<unset>");
  EXPECT_NE(Hash(AgentPhase()), before);
  inputs_ = original;
  inputs_.base_tree = Id("HEAD:src");
  EXPECT_NE(Hash(AgentPhase()), before);
  inputs_ = original;
  inputs_.deps = {{"base-lib", Id("HEAD:src"), {}}};
  EXPECT_NE(Hash(AgentPhase()), before);
}

TEST_F(ComputeKeyTest, DependencyWithTheSameTreeKeepsTheKey) {
  // Early cutoff: the dependency re-ran and made a new commit with the same content.
  std::string before = Hash(AgentPhase());
  ObjectId rerun = testing::Oid(testing::CommitAll(root(), "base-lib again, same content"));
  ASSERT_NE(rerun, commit_);
  inputs_.deps = {{"base-lib", repo_->TreeOf(rerun), {}}};
  EXPECT_EQ(Hash(AgentPhase()), before);
}

TEST_F(ComputeKeyTest, InputsSelectOnlyMatchingBlobs) {
  Phase phase = AgentPhase();
  phase.inputs = {"src/model/**", "!src/model/gen/**", "prompts/schema.md"};
  KeyComponents key = Key(phase);
  EXPECT_EQ(key.items.count("base"), 0u);
  EXPECT_EQ(key.items["input src/model/user.c"], Rev("HEAD:src/model/user.c"));
  EXPECT_EQ(key.items["input prompts/schema.md"], Rev("HEAD:prompts/schema.md"));
  int inputs = 0;
  for (const auto& item : key.items) inputs += item.first.rfind("input ", 0) == 0;
  EXPECT_EQ(inputs, 2);
}

TEST_F(ComputeKeyTest, ChangeOutsideInputsKeepsTheKeyAndInsideChangesIt) {
  Phase phase = AgentPhase();
  phase.inputs = {"src/model/**", "!src/model/gen/**"};
  KeyComponents before = Key(phase);
  testing::WriteFile(root(), "README.md", "changed\n");
  testing::WriteFile(root(), "src/model/gen/table.c", "int table2;\n");
  inputs_.base_tree = repo_->TreeOf(testing::Oid(testing::CommitAll(root(), "outside")));
  EXPECT_EQ(Key(phase).Hash(), before.Hash());
  testing::WriteFile(root(), "src/model/user.c", "int user2;\n");
  inputs_.base_tree = repo_->TreeOf(testing::Oid(testing::CommitAll(root(), "inside")));
  KeyComponents after = Key(phase);
  EXPECT_NE(after.Hash(), before.Hash());
  EXPECT_EQ(DescribeChanges(after, before),
            std::vector<std::string>{"input src/model/user.c changed"});
}

TEST_F(ComputeKeyTest, MissingPromptContentIsAnInfraError) {
  inputs_.prompt_blobs.clear();
  try {
    Key(AgentPhase());
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_STREQ(e.what(), "no content was read for prompt file prompts/schema.md of phase schema");
  }
}

TEST_F(ComputeKeyTest, MissingDependencyResultIsAnInfraError) {
  inputs_.deps.clear();
  try {
    Key(AgentPhase());
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_STREQ(e.what(), "phase schema has no result of its dependency base-lib");
  }
}

}  // namespace
}  // namespace orchestrate
