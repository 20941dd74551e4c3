// What a phase's agent consumed: tokens, cost and model (SPEC section 8),
// read from ORCHESTRATE_USAGE_FILE or from the agent CLI's JSON output.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "orchestrate/manifest.h"

namespace orchestrate {

/// Tokens and cost of one phase (or a total). Every figure is optional: a
/// command may report any subset, and an unknown figure is not zero.
struct Usage {
  std::optional<int64_t> input_tokens;  ///< every input token, cached ones included
  std::optional<int64_t> output_tokens;
  std::optional<double> cost_usd;
  std::optional<std::string> model;

  /// Whether no figure is known.
  bool Empty() const { return !input_tokens && !output_tokens && !cost_usd && !model; }
  /// Adds `other` into this total: a figure known on either side is the sum
  /// of the known ones; different models are listed as "a, b".
  void Add(const Usage& other);

  bool operator==(const Usage&) const = default;
};

/// Parses the JSON a command wrote to ORCHESTRATE_USAGE_FILE: an object with
/// any of "input_tokens", "output_tokens" (non-negative integers),
/// "cost_usd" (a non-negative number) and "model" (a string). A malformed
/// file or field never throws: what can be read is returned and `*warning`
/// says, in one line, what was ignored and why ("" when nothing was).
Usage ParseUsageFile(std::string_view text, std::string* warning);

/// Reads ORCHESTRATE_USAGE_FILE at `path` with ParseUsageFile. A file that
/// does not exist is no usage and no warning (the command reported none).
Usage ReadUsageFile(const std::string& path, std::string* warning);

/// The usage in the output of `claude -p --output-format json`: the result
/// object(s) `{"type": "result", "total_cost_usd": …, "usage": {…}}`, found
/// among any other lines of `log`. Input tokens are `input_tokens` plus the
/// cache creation and cache read tokens; the model is the first key of
/// `modelUsage`. Several result objects (one per attempt) are summed.
Usage UsageFromClaudeJson(std::string_view log);

/// The usage in the JSONL of `codex exec --json`: the sum of every
/// `{"type": "turn.completed", "usage": {"input_tokens", "cached_input_tokens",
/// "output_tokens"}}` line of `log` (input_tokens already counts the cached
/// ones). Codex reports no cost.
Usage UsageFromCodexJson(std::string_view log);

/// The usage of a finished phase, the entry point for the run: the agent's
/// JSON output in `log` when `format` names one, else (or when that output
/// holds none) ORCHESTRATE_USAGE_FILE at `usage_file`. `*warning` as for
/// ParseUsageFile, naming the file.
Usage PhaseUsage(UsageFormat format, const std::string& usage_file, std::string_view log,
                 std::string* warning);

/// "12,345 tokens in, 2,001 out, $0.42, sonnet": the known figures only;
/// "" when none is known.
std::string FormatUsage(const Usage& usage);

/// "$1.23 (120k in / 8k out tokens)", the run summary's form: the cost,
/// then the token counts rounded (FormatTokens); the known figures only, ""
/// when none is known. The model is left out.
std::string FormatSpent(const Usage& usage);

/// "950", "12k", "1.5M": a token count for a glance.
std::string FormatTokens(int64_t tokens);

/// "$4.10": dollars with two decimals, or four below a cent ("$0.0042").
std::string FormatCost(double usd);

/// Adds the known figures to the JSON object `object` as `status --json` and
/// `--events` show them: "cost_usd", "tokens": {"input", "output"}, "model".
void PutUsageFields(const Usage& usage, nlohmann::json* object);

/// The JSON of a record's or a report's usage: only the known figures.
void to_json(nlohmann::json& j, const Usage& usage);
/// The inverse; figures of the wrong type are left unknown, never thrown.
void from_json(const nlohmann::json& j, Usage& usage);

}  // namespace orchestrate
