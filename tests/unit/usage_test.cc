// Usage: ORCHESTRATE_USAGE_FILE and the JSON output of the agent CLIs, in
// the shapes the CLIs print (Claude Code's `claude -p --output-format json`
// result object; codex-rs/exec/src/exec_events.rs of openai/codex for
// `codex exec --json`).
#include "orchestrate/usage.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "orchestrate/cache.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

// `claude -p --output-format json`: one result object on one line.
constexpr const char* kClaudeResult =
    R"({"type":"result","subtype":"success","is_error":false,"duration_ms":3952,)"
    R"("duration_api_ms":12932,"num_turns":4,"result":"Added the user model.",)"
    R"("session_id":"0b1c6d2e-5f7a-4c8e-9d3b-1a2b3c4d5e6f","total_cost_usd":0.10457895,)"
    R"("usage":{"input_tokens":2,"cache_creation_input_tokens":7924,)"
    R"("cache_read_input_tokens":13368,"output_tokens":9,)"
    R"("server_tool_use":{"web_search_requests":0},"service_tier":"standard"},)"
    R"("modelUsage":{"claude-sonnet-4-5-20250929":{"inputTokens":2,"outputTokens":9,)"
    R"("costUSD":0.10457895}},"permission_denials":[]})";

// `codex exec --json`: JSONL thread events; usage on turn.completed.
constexpr const char* kCodexEvents =
    R"({"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}
{"type":"turn.started"}
{"type":"item.completed","item":{"id":"item_0","type":"reasoning","text":"**Reading the tests**"}}
{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"src\n","exit_code":0,"status":"completed"}}
{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}
{"type":"turn.started"}
{"type":"turn.completed","usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":78}}
)";

// A Usage with the figures given; std::nullopt for the unknown ones.
Usage MakeUsage(std::optional<int64_t> in, std::optional<int64_t> out,
                std::optional<double> cost = std::nullopt,
                std::optional<std::string> model = std::nullopt) {
  Usage usage;
  usage.input_tokens = in;
  usage.output_tokens = out;
  usage.cost_usd = cost;
  usage.model = std::move(model);
  return usage;
}

TEST(UsageTest, AddSumsKnownFiguresAndListsModels) {
  Usage total;
  total.Add(MakeUsage(100, std::nullopt, 0.5, "sonnet"));
  total.Add(MakeUsage(20, 7, std::nullopt, "opus"));
  total.Add(MakeUsage(std::nullopt, std::nullopt, 0.25, "sonnet"));
  EXPECT_EQ(total.input_tokens, 120);
  EXPECT_EQ(total.output_tokens, 7);
  EXPECT_DOUBLE_EQ(*total.cost_usd, 0.75);
  EXPECT_EQ(total.model, "sonnet, opus");
  Usage none;
  none.Add(Usage{});
  EXPECT_TRUE(none.Empty());
}

TEST(UsageTest, UsageFileWithEveryField) {
  std::string warning;
  Usage u = ParseUsageFile(
      R"({"input_tokens": 1200, "output_tokens": 300, "cost_usd": 0.05, "model": "m"})", &warning);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(u, MakeUsage(1200, 300, 0.05, "m"));
}

TEST(UsageTest, UsageFileWithASubset) {
  std::string warning;
  Usage u = ParseUsageFile(R"({"cost_usd": 2})", &warning);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(u, MakeUsage(std::nullopt, std::nullopt, 2.0));
}

TEST(UsageTest, MalformedUsageFileIsAWarningNotACrash) {
  std::string warning;
  EXPECT_TRUE(ParseUsageFile("{\"cost_usd\": 0.5", &warning).Empty());
  EXPECT_EQ(warning,
            "is not valid JSON (write {\"input_tokens\": 1200, \"output_tokens\": 300, "
            "\"cost_usd\": 0.05, \"model\": \"NAME\"}, any subset); usage not recorded");
  EXPECT_TRUE(ParseUsageFile("[1, 2]", &warning).Empty());
  EXPECT_EQ(warning.rfind("is not a JSON object (write", 0), 0u) << warning;
}

TEST(UsageTest, BadFieldsAreIgnoredAndNamed) {
  std::string warning;
  Usage u = ParseUsageFile(
      R"({"input_tokens": -3, "output_tokens": "many", "cost_usd": 0.1, "model": 4, "cost": 1})",
      &warning);
  EXPECT_EQ(u, MakeUsage(std::nullopt, std::nullopt, 0.1));
  EXPECT_EQ(warning,
            "\"input_tokens\" is not a non-negative integer; \"output_tokens\" is not a "
            "non-negative integer; \"model\" is not a string; unknown field \"cost\": ignored");
}

TEST(UsageTest, ReadUsageFileMissingIsNoUsageAndNoWarning) {
  testing::TempDir dir;
  std::string warning = "stale";
  EXPECT_TRUE(ReadUsageFile(dir.path() + "/usage.json", &warning).Empty());
  EXPECT_EQ(warning, "");
  testing::WriteFile(dir.path(), "usage.json", R"({"output_tokens": 9})");
  EXPECT_EQ(ReadUsageFile(dir.path() + "/usage.json", &warning), MakeUsage(std::nullopt, 9));
}

TEST(UsageTest, ClaudeJsonResultAfterOtherOutput) {
  std::string log = "setting up\nsome warning on stderr\n" + std::string(kClaudeResult) + "\n";
  Usage u = UsageFromClaudeJson(log);
  EXPECT_EQ(u.input_tokens, 2 + 7924 + 13368);
  EXPECT_EQ(u.output_tokens, 9);
  EXPECT_DOUBLE_EQ(*u.cost_usd, 0.10457895);
  EXPECT_EQ(u.model, "claude-sonnet-4-5-20250929");
}

TEST(UsageTest, ClaudeJsonPrettyPrintedAtTheEnd) {
  nlohmann::json result = nlohmann::json::parse(kClaudeResult);
  Usage u = UsageFromClaudeJson("[orchestrate] attempt 1\n" + result.dump(2) + "\n");
  EXPECT_DOUBLE_EQ(*u.cost_usd, 0.10457895);
  EXPECT_EQ(u.output_tokens, 9);
}

TEST(UsageTest, ClaudeJsonOneResultPerAttemptIsSummed) {
  std::string log = std::string(kClaudeResult) + "\nverify failed\n" + kClaudeResult + "\n";
  Usage u = UsageFromClaudeJson(log);
  EXPECT_DOUBLE_EQ(*u.cost_usd, 2 * 0.10457895);
  EXPECT_EQ(u.output_tokens, 18);
  EXPECT_EQ(u.model, "claude-sonnet-4-5-20250929");
}

TEST(UsageTest, ClaudeJsonAbsentOrOtherObjects) {
  EXPECT_TRUE(UsageFromClaudeJson("").Empty());
  EXPECT_TRUE(UsageFromClaudeJson("I wrote the code:\n{ not json\n").Empty());
  EXPECT_TRUE(UsageFromClaudeJson(R"({"type":"system","subtype":"init"})").Empty());
}

TEST(UsageTest, CodexJsonSumsTurnCompletedEvents) {
  Usage u = UsageFromCodexJson(kCodexEvents);
  EXPECT_EQ(u, MakeUsage(25763, 200));
  EXPECT_TRUE(
      UsageFromCodexJson("{\"type\":\"turn.failed\",\"error\":{\"message\":\"x\"}}\n").Empty());
}

TEST(UsageTest, PhaseUsagePrefersTheAgentsJsonThenTheFile) {
  testing::TempDir dir;
  std::string file = dir.path() + "/usage.json", warning;
  testing::WriteFile(dir.path(), "usage.json", R"({"cost_usd": 1.5, "model": "stand-in"})");
  EXPECT_EQ(*PhaseUsage(UsageFormat::kClaudeJson, file, kClaudeResult, &warning).cost_usd,
            0.10457895);
  EXPECT_EQ(PhaseUsage(UsageFormat::kCodexJson, file, kCodexEvents, &warning).output_tokens, 200);
  EXPECT_EQ(PhaseUsage(UsageFormat::kFile, file, kClaudeResult, &warning),
            MakeUsage(std::nullopt, std::nullopt, 1.5, "stand-in"));
  EXPECT_EQ(PhaseUsage(UsageFormat::kClaudeJson, file, "no json here", &warning).model, "stand-in");
  testing::WriteFile(dir.path(), "usage.json", "oops");
  EXPECT_TRUE(PhaseUsage(UsageFormat::kFile, file, "", &warning).Empty());
  EXPECT_EQ(warning.rfind("ORCHESTRATE_USAGE_FILE " + file + " is not valid JSON", 0), 0u)
      << warning;
}

TEST(UsageTest, FormatUsageShowsKnownFigures) {
  EXPECT_EQ(FormatUsage(MakeUsage(1234567, 2001, 0.42, "sonnet")),
            "1,234,567 tokens in, 2,001 out, $0.42, sonnet");
  EXPECT_EQ(FormatUsage(MakeUsage(std::nullopt, 12)), "12 tokens out");
  EXPECT_EQ(FormatUsage(MakeUsage(std::nullopt, std::nullopt, 0.0042)), "$0.0042");
  EXPECT_EQ(FormatUsage({}), "");
  EXPECT_EQ(FormatCost(4.1), "$4.10");
}

TEST(UsageTest, FormatSpentIsTheCostThenRoundedTokens) {
  EXPECT_EQ(FormatSpent(MakeUsage(120400, 8000, 1.234, "sonnet")),
            "$1.23 (120k in / 8.0k out tokens)");
  EXPECT_EQ(FormatSpent(MakeUsage(2500000, std::nullopt)), "2.5M in tokens");
  EXPECT_EQ(FormatSpent(MakeUsage(std::nullopt, 950)), "950 out tokens");
  EXPECT_EQ(FormatSpent(MakeUsage(std::nullopt, std::nullopt, 0.5, "m")), "$0.50");
  EXPECT_EQ(FormatSpent(MakeUsage(std::nullopt, std::nullopt, std::nullopt, "m")), "");
  EXPECT_EQ(FormatTokens(999), "999");
  EXPECT_EQ(FormatTokens(1500), "1.5k");
  EXPECT_EQ(FormatTokens(47157), "47k");
}

TEST(UsageTest, UsageFieldsAsStatusAndEventsShowThem) {
  nlohmann::json j = nlohmann::json::object();
  PutUsageFields(MakeUsage(10, std::nullopt, 0.5, "m"), &j);
  EXPECT_EQ(j.dump(), R"({"cost_usd":0.5,"model":"m","tokens":{"input":10}})");
  nlohmann::json none = nlohmann::json::object();
  PutUsageFields({}, &none);
  EXPECT_EQ(none.dump(), "{}");
}

TEST(UsageTest, JsonRoundTripKeepsOnlyKnownFigures) {
  Usage u = MakeUsage(std::nullopt, 5, 0.25);
  nlohmann::json j = u;
  EXPECT_EQ(j.dump(), R"({"cost_usd":0.25,"output_tokens":5})");
  EXPECT_EQ(j.get<Usage>(), u);
  EXPECT_TRUE(nlohmann::json::parse(R"({"cost_usd":"x"})").get<Usage>().Empty());
}

TEST(UsageTest, RecordJsonKeepsUsageAndOmitsItWhenUnknown) {
  Record record;
  record.phase = "api";
  record.key = "k1";
  EXPECT_EQ(RecordToJson(record).find("\"usage\""), std::string::npos);
  record.usage = MakeUsage(10, 3, 0.02, "m");
  std::string json = RecordToJson(record);
  EXPECT_NE(json.find("\"usage\": {"), std::string::npos) << json;
  EXPECT_EQ(RecordFromJson(json, "refs/orchestrate/cache/api/k1").usage, record.usage);
}

}  // namespace
}  // namespace orchestrate
