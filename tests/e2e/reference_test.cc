// The man pages, docs/cli.md and the manifest's JSON Schema.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const std::string kSource = ORCHESTRATE_SOURCE_DIR;
const std::string kPython = "/usr/bin/python3 ";

TEST(ReferenceTest, ManPagesRenderWithoutWarnings) {
  if (!Installed("man")) GTEST_SKIP() << "man is not installed (scripts/deps.sh --test-tools)";
  for (const char* page : {"orchestrate.1", "orchestrate.toml.5"}) {
    std::string path = std::string(ORCHESTRATE_MAN_DIR) + "/" + page;
    ShellResult warnings = Shell("LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l " +
                                 ShellQuote(path) + " 2>&1 >/dev/null");
    EXPECT_EQ(warnings.out, "") << page;
    ShellResult text =
        Shell("LC_ALL=C.UTF-8 MANWIDTH=80 man -l " + ShellQuote(path) + " 2>/dev/null");
    EXPECT_EQ(text.status, 0) << page;
    EXPECT_NE(text.out.find("NAME"), std::string::npos) << page << "\n" << text.out;
  }
  std::string cli = ReadFile(std::string(ORCHESTRATE_MAN_DIR) + "/orchestrate.1");
  for (const char* term : {"completion", "\\-\\-jobs", "EXIT STATUS", "NO_COLOR"})
    EXPECT_NE(cli.find(term), std::string::npos) << term;
}

TEST(ReferenceTest, CommittedCliMarkdownIsUpToDate) {
  TempDir dir;
  ShellResult r = Orchestrate("help --format markdown", dir.path());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, ReadFile(kSource + "/docs/cli.md"))
      << "docs/cli.md is out of date: run `orchestrate help --format markdown > docs/cli.md`";
}

TEST(ReferenceTest, HelpFormatOfOneCommandIsAUsageError) {
  TempDir dir;
  ShellResult r = Orchestrate("help run --format man", dir.path());
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("help --format man prints a whole page: give no command, or manifest"),
            std::string::npos)
      << r.out;
}

// Runs the validator on `manifests`; skips the test when it is missing.
ShellResult Validate(const std::string& manifests) {
  return Shell(kPython + ShellQuote(kSource + "/tests/support/validate_schema.py") + " " +
               ShellQuote(kSource + "/docs/orchestrate.schema.json") + " " + manifests);
}

bool ValidatorInstalled() { return Shell(kPython + "-c 'import jsonschema'").status == 0; }

TEST(ReferenceTest, ExamplesAndTheSpecExampleMatchTheSchema) {
  if (!ValidatorInstalled()) GTEST_SKIP() << "python3-jsonschema is not installed";
  ShellResult r = Validate(ShellQuote(kSource + "/tests/fixtures/spec_example.toml") + " $(find " +
                           ShellQuote(kSource + "/examples") + " -name '*.toml')");
  EXPECT_EQ(r.status, 0) << r.out;
}

TEST(ReferenceTest, SchemaRejectsUnknownKeysAndWrongValues) {
  if (!ValidatorInstalled()) GTEST_SKIP() << "python3-jsonschema is not installed";
  TempDir dir;
  WriteFile(dir.path(), "typo.toml", "version = 1\n[phase.a]\nrun = \"true\"\nverfy = [\"x\"]\n");
  WriteFile(dir.path(), "enum.toml",
            "version = 1\n[settings]\nkeep_worktrees = \"sometimes\"\n[phase.a]\nrun = \"x\"\n");
  WriteFile(dir.path(), "both.toml",
            "version = 1\n[agents.c]\ncommand = \"c\"\n[phase.a]\nrun = \"x\"\nagent = \"c\"\n");
  for (const char* file : {"typo.toml", "enum.toml", "both.toml"}) {
    ShellResult r = Validate(ShellQuote(dir.path() + "/" + file));
    EXPECT_EQ(r.status, 1) << file << "\n" << r.out;
  }
  EXPECT_NE(Validate(ShellQuote(dir.path() + "/typo.toml")).out.find("'verfy' was unexpected"),
            std::string::npos);
}

TEST(ReferenceTest, InitWritesASchemaLineAndAValidManifest) {
  TempDir dir;
  ASSERT_EQ(Orchestrate("init", dir.path()).status, 0);
  std::string manifest = ReadFile(dir.path() + "/orchestrate.toml");
  EXPECT_EQ(manifest.rfind("#:schema /", 0), 0u) << manifest;
  EXPECT_NE(manifest.find("/orchestrate/orchestrate.schema.json\n"), std::string::npos);
  if (!ValidatorInstalled()) return;
  ShellResult r = Validate(ShellQuote(dir.path() + "/orchestrate.toml"));
  EXPECT_EQ(r.status, 0) << r.out;
}

// Table heading in docs/manifest.md -> the keys of its table rows.
std::map<std::string, std::set<std::string>> ManifestDocKeys() {
  std::map<std::string, std::set<std::string>> keys;
  std::istringstream doc(ReadFile(kSource + "/docs/manifest.md"));
  std::regex heading("^## (`\\[[a-z.A-Z]+\\]`|Top level)$"), row("^\\| `([a-z_]+)` \\|");
  std::string table;
  for (std::string line; std::getline(doc, line);) {
    std::smatch m;
    if (line.rfind("## ", 0) == 0)
      table = std::regex_match(line, m, heading) ? m[1].str() : "";
    else if (!table.empty() && std::regex_search(line, m, row))
      keys[table].insert(m[1]);
  }
  return keys;
}

// Keys SPEC section 2 names that docs/manifest.md does not describe yet
// (other work adds them); see also tests/unit/manifest_schema_test.cc.
const std::set<std::string> kNotYetDocumented = {};

TEST(ReferenceTest, SchemaAndManifestDocumentationAgreeOnKeys) {
  nlohmann::json schema =
      nlohmann::json::parse(ReadFile(kSource + "/docs/orchestrate.schema.json"));
  std::map<std::string, const nlohmann::json*> tables = {
      {"Top level", &schema},
      {"`[settings]`", &schema["properties"]["settings"]},
      {"`[pools.NAME]`", &schema["$defs"]["pool"]},
      {"`[agents.NAME]`", &schema["$defs"]["agent"]},
      {"`[phase.NAME]`", &schema["$defs"]["phase"]}};
  std::map<std::string, std::set<std::string>> doc = ManifestDocKeys();
  for (const auto& [table, json] : tables) {
    std::set<std::string> in_schema;
    for (const auto& [key, prop] : (*json)["properties"].items()) in_schema.insert(key);
    for (const std::string& key : doc[table])
      EXPECT_TRUE(in_schema.count(key))
          << table << " " << key << " is documented, not in the schema";
    for (const std::string& key : in_schema) {
      if (kNotYetDocumented.count(key)) continue;
      EXPECT_TRUE(doc[table].count(key))
          << table << " " << key << " is in the schema, not documented";
    }
  }
}

TEST(ReferenceTest, InstallPutsManPagesCompletionsAndSchemaInStandardPlaces) {
  TempDir prefix;
  std::string build = std::string(ORCHESTRATE_MAN_DIR) + "/..";
  ShellResult r = Shell("cmake --install " + ShellQuote(build) + " --prefix " +
                        ShellQuote(prefix.path()) + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* path :
       {"share/man/man1/orchestrate.1", "share/man/man5/orchestrate.toml.5",
        "share/bash-completion/completions/orchestrate", "share/zsh/site-functions/_orchestrate",
        "share/fish/vendor_completions.d/orchestrate.fish",
        "share/orchestrate/orchestrate.schema.json"})
    EXPECT_TRUE(FileExists(prefix.path() + "/" + path)) << path << "\n" << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
