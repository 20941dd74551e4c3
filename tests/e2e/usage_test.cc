// Usage end to end: the demo's stand-in agent reports it the way orchestrate
// reads it; `plan` estimates from recorded costs; a run reads each agent's
// usage (claude and codex JSON output, ORCHESTRATE_USAGE_FILE), keeps it in
// the record and the state file and shows it in every report; and
// settings.budget_usd stops starting agent phases.
#include "orchestrate/usage.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/e2e.h"
#include "support/text.h"

namespace orchestrate::testing {
namespace {

const std::string kStandIn =
    std::string(ORCHESTRATE_SOURCE_DIR) + "/examples/demo/stand-in-agent.sh";

std::string RunStandIn(const TempDir& dir, const std::string& model) {
  WriteFile(dir.path(), "p.md", "# Task\nAPPEND a.txt: hello\nAPPEND b.txt: hi\n");
  return MustShell("ORCHESTRATE_USAGE_FILE=usage.json DEMO_AGENT_DELAY=0 sh " +
                       ShellQuote(kStandIn) + " --model " + model + " --prompt p.md",
                   dir.path());
}

TEST(StandInUsageTest, WritesAUsageFileOrchestrateReads) {
  TempDir dir;
  std::string out = RunStandIn(dir, "small");
  EXPECT_NE(out.find("-> usage: "), std::string::npos) << out;
  std::string warning;
  Usage usage = ReadUsageFile(dir.path() + "/usage.json", &warning);
  EXPECT_EQ(warning, "");
  EXPECT_GT(usage.input_tokens.value_or(0), 0);
  EXPECT_EQ(usage.output_tokens, 2 * 40 + 60);  // two changes
  ASSERT_TRUE(usage.cost_usd);
  EXPECT_GT(*usage.cost_usd, 0);
  EXPECT_EQ(usage.model, "stand-in-small");
}

TEST(StandInUsageTest, TheLargeModelCostsMore) {
  TempDir small_dir, large_dir;
  RunStandIn(small_dir, "small");
  RunStandIn(large_dir, "large");
  std::string warning;
  double small = *ReadUsageFile(small_dir.path() + "/usage.json", &warning).cost_usd;
  double large = *ReadUsageFile(large_dir.path() + "/usage.json", &warning).cost_usd;
  EXPECT_NEAR(large, 5 * small, 1e-6);
}

TEST(StandInUsageTest, WithoutTheVariableItWritesNothing) {
  TempDir dir;
  WriteFile(dir.path(), "p.md", "# Task\nAPPEND a.txt: hello\n");
  MustShell("DEMO_AGENT_DELAY=0 sh " + ShellQuote(kStandIn) + " --prompt p.md", dir.path());
  EXPECT_FALSE(FileExists(dir.path() + "/usage.json"));
}

// Gives the record of `phase` in `repo` a usage with `cost` dollars, the way
// a run that read the phase's usage would have stored it.
void RecordCost(const std::string& repo, const std::string& phase, const std::string& cost) {
  MustShell("ref=$(git for-each-ref --format='%(refname)' refs/orchestrate/cache/" + phase +
                "/) && git show $ref:record.json | sed '1a\\  \"usage\": {\"cost_usd\": " + cost +
                "},' > ../record.json && blob=$(git hash-object -w ../record.json) && "
                "tree=$( (git ls-tree $ref | grep -v 'record.json$'; "
                "printf '100644 blob %s\\trecord.json\\n' $blob) | git mktree) && "
                "git update-ref $ref $(git commit-tree $tree -p $ref^ -m record)",
            repo);
}

std::string PlanManifest(const std::string& version) {
  return "version = 1\n"
         "[phase.schema]\nrun = \"echo " +
         version +
         " > schema.txt\"\n"
         "[phase.api]\nrun = \"echo " +
         version +
         " > api.txt\"\n"
         "[phase.docs]\nrun = \"echo " +
         version + " > docs.txt\"\n";
}

TEST(PlanCostTest, PlanSaysWhatThePhasesToRunCostLastTime) {
  Scenario s(PlanManifest("v1"));
  ASSERT_EQ(s.Run("run").status, 0);
  RecordCost(s.repo(), "schema", "2.5");
  RecordCost(s.repo(), "api", "1.6");
  s.SetManifest(PlanManifest("v2"));  // every phase is stale now
  ShellResult r = s.Run("plan");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("plan: 3 to run, about $4.10 by their last runs (1 with no recorded "
                       "cost), 0 fresh (base "),
            std::string::npos)
      << r.out;
  ShellResult j = s.Run("plan --json");
  ASSERT_EQ(j.status, 0) << j.out;
  EXPECT_NE(j.out.find("\"estimate\": {\n    \"cost_usd\": 4.1,\n    \"phases_with_cost\": 2,\n"
                       "    \"phases_without_cost\": 1\n  }"),
            std::string::npos)
      << j.out;
}

TEST(PlanCostTest, NoRecordedCostAddsNothingToTheText) {
  Scenario s(PlanManifest("v1"));
  ShellResult r = s.Run("plan");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("plan: 3 to run, 0 fresh (base "), std::string::npos) << r.out;
  EXPECT_NE(s.Run("plan --json").out.find("\"cost_usd\": null"), std::string::npos);
}

// --- a run reads, keeps and shows usage ---------------------------------------

// Stand-ins for the agent CLIs: each changes a file, then reports its usage
// the way the real one does. `claude -p --output-format json` prints one
// result object; `codex exec --json` prints JSONL events, usage on
// turn.completed; any other command may write ORCHESTRATE_USAGE_FILE.
const char* kClaudeStandIn = R"SH(
echo "$ORCHESTRATE_PHASE" > "$ORCHESTRATE_PHASE.txt"
echo 'Working on it'
printf '%s\n' '{"type":"result","subtype":"success","is_error":false,"duration_ms":3952,"num_turns":4,"result":"Done.","session_id":"0b1c6d2e","total_cost_usd":0.10457895,"usage":{"input_tokens":2,"cache_creation_input_tokens":7924,"cache_read_input_tokens":13368,"output_tokens":9,"service_tier":"standard"},"modelUsage":{"claude-sonnet-4-5-20250929":{"inputTokens":2,"outputTokens":9,"costUSD":0.10457895}},"permission_denials":[]}'
)SH";

const char* kCodexStandIn = R"SH(
echo "$ORCHESTRATE_PHASE" > "$ORCHESTRATE_PHASE.txt"
cat <<'JSONL'
{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}
{"type":"turn.started"}
{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"Done."}}
{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}
{"type":"turn.started"}
{"type":"turn.completed","usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":78}}
JSONL
)SH";

// Writes ORCHESTRATE_USAGE_FILE ($COST dollars, or $USAGE verbatim; only on
// attempt $ONLY_ATTEMPT when set), then exits $EXIT. Refuses to run without
// the variable or with the file inside the worktree.
const char* kFileStandIn = R"SH(
[ -n "$ORCHESTRATE_USAGE_FILE" ] || { echo "ORCHESTRATE_USAGE_FILE is not set"; exit 3; }
case $ORCHESTRATE_USAGE_FILE in "$PWD"/*) echo "usage file inside the worktree"; exit 3 ;; esac
echo "$ORCHESTRATE_PHASE $ORCHESTRATE_ATTEMPT" >> "$ORCHESTRATE_PHASE.txt"
if [ -n "${USAGE:-}" ]; then
  printf '%s\n' "$USAGE" > "$ORCHESTRATE_USAGE_FILE"
elif [ "${ONLY_ATTEMPT:-$ORCHESTRATE_ATTEMPT}" = "$ORCHESTRATE_ATTEMPT" ]; then
  printf '{"input_tokens": 100, "output_tokens": 20, "cost_usd": %s, "model": "stand-in"}\n' "${COST:-0.05}" > "$ORCHESTRATE_USAGE_FILE"
fi
exit "${EXIT:-0}"
)SH";

std::vector<std::pair<std::string, std::string>> StandIns() {
  return {{"tools/claude.sh", kClaudeStandIn},
          {"tools/codex.sh", kCodexStandIn},
          {"tools/filer.sh", kFileStandIn}};
}

std::string Agents(const std::string& phases) {
  return R"(version = 1
[agents.claude]
command = "sh tools/claude.sh"
usage = "claude-json"
[agents.codex]
command = "sh tools/codex.sh"
usage = "codex-json"
[agents.filer]
command = "sh tools/filer.sh"
)" + phases;
}

const nlohmann::json& PhaseOf(const nlohmann::json& status, const std::string& name) {
  for (const auto& p : status["phases"])
    if (p["name"] == name) return p;
  static const nlohmann::json kNone = nlohmann::json::object();
  ADD_FAILURE() << "no phase " << name << " in " << status.dump(2);
  return kNone;
}

// The line of the NDJSON `events` for `event` (of `phase`, when given).
nlohmann::json EventOf(const std::string& events, const std::string& event,
                       const std::string& phase) {
  std::istringstream in(events);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json j = nlohmann::json::parse(line);
    if (j["event"] == event && (phase.empty() || j.value("phase", "") == phase)) return j;
  }
  ADD_FAILURE() << "no " << event << " of " << phase << " in\n" << events;
  return nlohmann::json::object();
}

TEST(RunUsageTest, EachAgentsUsageIsRecordedAndShownEverywhere) {
  Scenario s(Agents(R"(
[phase.reviewer]
agent = "claude"
prompt_text = "review"
[phase.coder]
agent = "codex"
prompt_text = "code"
[phase.writer]
agent = "filer"
prompt_text = "write"
[phase.lint]
run = "true"
deps = ["writer"]
)"),
             StandIns());
  std::string d = s.dir();
  ShellResult r = s.Run("run -j1 --events " + d + "/events.jsonl --junit " + d +
                            "/junit.xml --report " + d + "/report.html",
                        "GITHUB_STEP_SUMMARY=" + d + "/summary.md");
  ASSERT_EQ(r.status, 0) << r.out;

  // status --json, from the state file.
  nlohmann::json status = s.Status();
  const nlohmann::json& reviewer = PhaseOf(status, "reviewer");
  EXPECT_DOUBLE_EQ(reviewer.value("cost_usd", 0.0), 0.10457895);
  EXPECT_EQ(reviewer["tokens"], nlohmann::json({{"input", 21294}, {"output", 9}}));
  EXPECT_EQ(reviewer["model"], "claude-sonnet-4-5-20250929");
  const nlohmann::json& coder = PhaseOf(status, "coder");
  EXPECT_EQ(coder["tokens"], nlohmann::json({{"input", 25763}, {"output", 200}}));
  EXPECT_FALSE(coder.contains("cost_usd"));  // codex reports no cost
  const nlohmann::json& writer = PhaseOf(status, "writer");
  EXPECT_DOUBLE_EQ(writer.value("cost_usd", 0.0), 0.05);
  EXPECT_EQ(writer["model"], "stand-in");
  EXPECT_FALSE(PhaseOf(status, "lint").contains("tokens"));
  EXPECT_DOUBLE_EQ(status["total"].value("cost_usd", 0.0), 0.15457895);
  EXPECT_EQ(status["total"]["tokens"], nlohmann::json({{"input", 47157}, {"output", 229}}));
  // The cache record.
  std::string record = MustShell(
      "git show $(git for-each-ref --format='%(refname)' refs/orchestrate/cache/writer/)"
      ":record.json",
      s.repo());
  EXPECT_TRUE(Has(record, "\"cost_usd\": 0.05")) << record;
  // The usage file is outside the worktree: never committed.
  EXPECT_EQ(s.Files("orchestrate/phase/writer"),
            "orchestrate.toml\ntools/claude.sh\ntools/codex.sh\ntools/filer.sh\nwriter.txt\n");

  // The run's own output: per phase and the total.
  EXPECT_TRUE(Has(r.out, ", $0.10 (21k in / 9 out tokens))\n")) << r.out;
  EXPECT_TRUE(Has(r.out, "\ncost: $0.15 (47k in / 229 out tokens)\n")) << r.out;

  // status text: a USAGE column and a total.
  ShellResult text = s.Run("status");
  EXPECT_TRUE(Has(text.out, "USAGE")) << text.out;
  EXPECT_TRUE(Has(text.out, "$0.05 (100 in / 20 out tokens)")) << text.out;
  EXPECT_TRUE(Has(text.out, "total usage: 47,157 tokens in, 229 out, $0.15")) << text.out;

  // --events: structured fields on phase_finished and run_finished.
  std::string events = ReadFile(d + "/events.jsonl");
  nlohmann::json finished = EventOf(events, "phase_finished", "reviewer");
  EXPECT_DOUBLE_EQ(finished.value("cost_usd", 0.0), 0.10457895);
  EXPECT_EQ(finished["tokens"]["input"], 21294);
  EXPECT_EQ(finished["model"], "claude-sonnet-4-5-20250929");
  EXPECT_FALSE(EventOf(events, "phase_finished", "lint").contains("cost_usd"));
  EXPECT_DOUBLE_EQ(EventOf(events, "run_finished", "").value("cost_usd", 0.0), 0.15457895);

  // JUnit properties.
  std::string junit = ReadFile(d + "/junit.xml");
  EXPECT_TRUE(Has(junit, "<property name=\"orchestrate.cost_usd\" value=\"0.10457895\"/>"))
      << junit;
  EXPECT_TRUE(Has(junit, "<property name=\"orchestrate.input_tokens\" value=\"25763\"/>")) << junit;
  EXPECT_TRUE(Has(junit, "<property name=\"orchestrate.output_tokens\" value=\"20\"/>")) << junit;
  EXPECT_TRUE(Has(junit, "<property name=\"orchestrate.model\" value=\"stand-in\"/>")) << junit;

  // The GitHub step summary: a Cost column and the total.
  std::string summary = ReadFile(d + "/summary.md");
  EXPECT_TRUE(Has(summary, "| Phase | State | Duration | Attempts | Cost | Notes |")) << summary;
  EXPECT_TRUE(Has(summary, "| $0.05 (100 in / 20 out tokens) |")) << summary;
  EXPECT_TRUE(Has(summary, "Cost: $0.15 (47k in / 229 out tokens)")) << summary;

  // The HTML report: a cost column and the total.
  std::string html = ReadFile(d + "/report.html");
  EXPECT_TRUE(Has(html, "<th>cost</th>")) << html;
  EXPECT_TRUE(Has(html, "<td class=\"n\">$0.10</td>")) << html;
  EXPECT_TRUE(Has(html, "<td>total</td><td></td><td></td><td></td><td class=\"n\">$0.15</td>"))
      << html;  // `orchestrate report`, from the state file, has them too.
  ShellResult report = s.Run("report");
  ASSERT_EQ(report.status, 0) << report.out;
  EXPECT_TRUE(Has(report.out, "<td class=\"n\">$0.10</td>")) << report.out;
  EXPECT_TRUE(Has(report.out, "<td class=\"n\">$0.15</td>")) << report.out;
}

TEST(RunUsageTest, WithoutUsageNothingShowsACost) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  std::string d = s.dir();
  ShellResult r = s.Run("run --junit " + d + "/junit.xml", "GITHUB_STEP_SUMMARY=" + d + "/s.md");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(Has(r.out, "cost:")) << r.out;
  EXPECT_FALSE(Has(s.Run("status").out, "USAGE"));
  EXPECT_FALSE(Has(ReadFile(d + "/s.md"), "Cost"));
  EXPECT_FALSE(Has(ReadFile(d + "/junit.xml"), "cost_usd"));
}

TEST(RunUsageTest, AFailedPhasesUsageIsKeptAndEachAttemptStartsWithoutAUsageFile) {
  // Attempt 1 reports $0.30 and fails; the retry reports nothing and fails
  // too: the phase spent $0.30, not $0.60 (the file was not read twice).
  Scenario s(Agents(R"(
[phase.p]
agent = "filer"
prompt_text = "write"
retries = 1
env = { EXIT = "1", COST = "0.30", ONLY_ATTEMPT = "1" }
)"),
             StandIns());
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "  usage: 100 tokens in, 20 out, $0.30, stand-in\n")) << r.out;
  nlohmann::json status = s.Status();
  const nlohmann::json& p = PhaseOf(status, "p");
  EXPECT_EQ(p["state"], "failed");
  EXPECT_EQ(p["attempts"], 2);
  EXPECT_DOUBLE_EQ(p.value("cost_usd", 0.0), 0.30);
}

TEST(RunUsageTest, AMalformedUsageFileIsAWarningNamingTheFile) {
  Scenario s(Agents(R"(
[phase.p]
agent = "filer"
prompt_text = "write"
env = { USAGE = "spent a lot" }
)"),
             StandIns());
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "warning: phase p: ORCHESTRATE_USAGE_FILE /")) << r.out;
  EXPECT_TRUE(Has(r.out, "/usage.json is not valid JSON")) << r.out;
  EXPECT_EQ(CountLines(r.out, "ORCHESTRATE_USAGE_FILE"), 1) << r.out;
  EXPECT_FALSE(PhaseOf(s.Status(), "p").contains("cost_usd"));
}

// --- settings.budget_usd -----------------------------------------------------------

// A chain of agent phases costing $0.60 each (d reports $0.05), and a plain
// phase after b: the budget of $1.00 is reached after b, deterministically.
std::string BudgetManifest() {
  return Agents(R"(
[settings]
budget_usd = 1.00
[phase.a]
agent = "filer"
prompt_text = "a"
env = { COST = "0.60" }
[phase.b]
agent = "filer"
prompt_text = "b"
deps = ["a"]
env = { COST = "0.60" }
[phase.c]
agent = "filer"
prompt_text = "c"
deps = ["b"]
env = { COST = "0.60" }
[phase.d]
agent = "filer"
prompt_text = "d"
deps = ["c"]
[phase.lint]
run = "echo lint > lint.txt"
deps = ["b"]
)");
}

TEST(BudgetTest, OnceSpentNoAgentPhaseStartsPlainPhasesStillRunAndTheNextRunResumes) {
  Scenario s(BudgetManifest(), StandIns());
  std::string d = s.dir();
  ShellResult r = s.Run("run --junit " + d + "/junit.xml");
  ASSERT_EQ(r.status, 1) << r.out;
  std::map<std::string, std::string> states = s.States();
  EXPECT_EQ(states["a"], "succeeded");
  EXPECT_EQ(states["b"], "succeeded");
  EXPECT_EQ(states["c"], "skipped-budget");
  EXPECT_EQ(states["d"], "blocked");
  EXPECT_EQ(states["lint"], "succeeded");
  EXPECT_TRUE(Has(r.out,
                  "skipped-budget c (not started: this run spent $1.20 of "
                  "settings.budget_usd ($1.00))"))
      << r.out;
  EXPECT_TRUE(Has(r.out,
                  "warning: the budget was spent: this run's phases cost $1.20 of "
                  "settings.budget_usd ($1.00), so c was not started (skipped-budget). "
                  "To continue, raise budget_usd in the manifest, or run again: the next "
                  "run starts with a fresh budget"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "\ncost: $1.20 (200 in / 40 out tokens)\n")) << r.out;
  EXPECT_TRUE(Has(ReadFile(d + "/junit.xml"), "<skipped message=\"not started: this run spent"));

  // The next run starts with a fresh budget: a and b are fresh, c and d run.
  ShellResult again = s.Run("run");
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(s.State("c"), "succeeded");
  EXPECT_EQ(s.State("d"), "succeeded");
  EXPECT_TRUE(Has(again.out, "\ncost: $0.65 (200 in / 40 out tokens)\n")) << again.out;
}
}  // namespace
}  // namespace orchestrate::testing
