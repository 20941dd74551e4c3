// Usage: reading tokens and cost from ORCHESTRATE_USAGE_FILE and from the
// agent CLIs' JSON output, adding them up and printing them.
#include "orchestrate/usage.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "file_io.h"

namespace orchestrate {
namespace {

using nlohmann::json;

void AddOptional(std::optional<int64_t>* total, const std::optional<int64_t>& part) {
  if (part) *total = total->value_or(0) + *part;
}

void AddModel(std::optional<std::string>* total, const std::optional<std::string>& part) {
  if (!part || part->empty()) return;
  if (!*total || (*total)->empty()) {
    *total = part;
    return;
  }
  std::string listed = ", " + **total + ", ";
  if (listed.find(", " + *part + ", ") == std::string::npos) **total += ", " + *part;
}

// A non-negative integer at `field`, or nullopt with a note in `problems`.
std::optional<int64_t> TokenCount(const json& object, const char* field,
                                  std::vector<std::string>* problems) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer() && it->get<int64_t>() >= 0) return it->get<int64_t>();
  problems->push_back(std::string("\"") + field + "\" is not a non-negative integer");
  return std::nullopt;
}

std::optional<double> Cost(const json& object, const char* field,
                           std::vector<std::string>* problems) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_number() && it->get<double>() >= 0) return it->get<double>();
  problems->push_back(std::string("\"") + field + "\" is not a non-negative number");
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

// Every line of `log` that is a JSON object, parsed, in order.
std::vector<json> JsonLines(std::string_view log) {
  std::vector<json> objects;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string_view::npos) end = log.size();
    std::string_view line = log.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] == '{') {
      json parsed = json::parse(line.substr(first), nullptr, false);
      if (parsed.is_object()) objects.push_back(std::move(parsed));
    }
    start = end + 1;
  }
  return objects;
}

// The last JSON object that starts at the beginning of a line and runs to
// the end of `log` (pretty-printed output), or null.
json TrailingObject(std::string_view log) {
  for (size_t pos = log.rfind("\n{"); pos != std::string_view::npos;
       pos = pos == 0 ? std::string_view::npos : log.rfind("\n{", pos - 1)) {
    json parsed = json::parse(log.substr(pos + 1), nullptr, false);
    if (parsed.is_object()) return parsed;
  }
  json parsed = json::parse(log, nullptr, false);
  return parsed.is_object() ? parsed : json();
}

bool IsClaudeResult(const json& object) {
  return object.is_object() && object.value("type", "") == "result" &&
         (object.contains("total_cost_usd") || object.contains("usage"));
}

Usage ClaudeResultUsage(const json& result) {
  std::vector<std::string> ignored;
  Usage usage;
  usage.cost_usd = Cost(result, "total_cost_usd", &ignored);
  auto tokens = result.find("usage");
  if (tokens != result.end() && tokens->is_object()) {
    for (const char* field :
         {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"})
      AddOptional(&usage.input_tokens, TokenCount(*tokens, field, &ignored));
    usage.output_tokens = TokenCount(*tokens, "output_tokens", &ignored);
  }
  auto models = result.find("modelUsage");
  if (models != result.end() && models->is_object() && !models->empty())
    usage.model = models->begin().key();
  return usage;
}

}  // namespace

void Usage::Add(const Usage& other) {
  AddOptional(&input_tokens, other.input_tokens);
  AddOptional(&output_tokens, other.output_tokens);
  if (other.cost_usd) cost_usd = cost_usd.value_or(0) + *other.cost_usd;
  AddModel(&model, other.model);
}

Usage ParseUsageFile(std::string_view text, std::string* warning) {
  warning->clear();
  json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_object()) {
    *warning = parsed.is_discarded() ? "is not valid JSON" : "is not a JSON object";
    *warning +=
        " (write {\"input_tokens\": 1200, \"output_tokens\": 300, \"cost_usd\": 0.05, "
        "\"model\": \"NAME\"}, any subset); usage not recorded";
    return {};
  }
  std::vector<std::string> problems;
  Usage usage;
  usage.input_tokens = TokenCount(parsed, "input_tokens", &problems);
  usage.output_tokens = TokenCount(parsed, "output_tokens", &problems);
  usage.cost_usd = Cost(parsed, "cost_usd", &problems);
  auto model = parsed.find("model");
  if (model != parsed.end() && model->is_string()) usage.model = model->get<std::string>();
  if (model != parsed.end() && !model->is_string() && !model->is_null())
    problems.push_back("\"model\" is not a string");
  for (const auto& [key, value] : parsed.items())
    if (key != "input_tokens" && key != "output_tokens" && key != "cost_usd" && key != "model")
      problems.push_back("unknown field \"" + key + "\"");
  if (!problems.empty()) *warning = Join(problems) + ": ignored";
  return usage;
}

Usage ReadUsageFile(const std::string& path, std::string* warning) {
  warning->clear();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::optional<std::string> text = ReadWholeFile(path);
  if (!text) {
    *warning = "cannot be read; usage not recorded";
    return {};
  }
  return ParseUsageFile(*text, warning);
}

Usage UsageFromClaudeJson(std::string_view log) {
  Usage total;
  for (const json& object : JsonLines(log))
    if (IsClaudeResult(object)) total.Add(ClaudeResultUsage(object));
  if (!total.Empty()) return total;
  json trailing = TrailingObject(log);  // --output-format json printed over several lines
  return IsClaudeResult(trailing) ? ClaudeResultUsage(trailing) : Usage{};
}

Usage UsageFromCodexJson(std::string_view log) {
  Usage total;
  std::vector<std::string> ignored;
  for (const json& object : JsonLines(log)) {
    if (object.value("type", "") != "turn.completed") continue;
    auto usage = object.find("usage");
    if (usage == object.end() || !usage->is_object()) continue;
    Usage turn;
    turn.input_tokens = TokenCount(*usage, "input_tokens", &ignored);
    turn.output_tokens = TokenCount(*usage, "output_tokens", &ignored);
    total.Add(turn);
  }
  return total;
}

Usage PhaseUsage(UsageFormat format, const std::string& usage_file, std::string_view log,
                 std::string* warning) {
  warning->clear();
  Usage usage;
  if (format == UsageFormat::kClaudeJson) usage = UsageFromClaudeJson(log);
  if (format == UsageFormat::kCodexJson) usage = UsageFromCodexJson(log);
  if (!usage.Empty()) return usage;
  usage = ReadUsageFile(usage_file, warning);
  if (!warning->empty()) *warning = "ORCHESTRATE_USAGE_FILE " + usage_file + " " + *warning;
  return usage;
}

std::string FormatCost(double usd) {
  char text[32];
  std::snprintf(text, sizeof text, usd > 0 && usd < 0.01 ? "$%.4f" : "$%.2f", usd);
  return text;
}

namespace {

// 1234567 -> "1,234,567".
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string FormatUsage(const Usage& usage) {
  std::vector<std::string> parts;
  if (usage.input_tokens) parts.push_back(Grouped(*usage.input_tokens) + " tokens in");
  if (usage.output_tokens)
    parts.push_back(Grouped(*usage.output_tokens) + (usage.input_tokens ? " out" : " tokens out"));
  if (usage.cost_usd) parts.push_back(FormatCost(*usage.cost_usd));
  if (usage.model && !usage.model->empty()) parts.push_back(*usage.model);
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

std::string FormatTokens(int64_t tokens) {
  char text[32];
  if (tokens < 1000) return std::to_string(tokens);
  if (tokens < 10'000)
    std::snprintf(text, sizeof text, "%.1fk", tokens / 1e3);
  else if (tokens < 1'000'000)
    std::snprintf(text, sizeof text, "%.0fk", tokens / 1e3);
  else
    std::snprintf(text, sizeof text, "%.1fM", tokens / 1e6);
  return text;
}

std::string FormatSpent(const Usage& usage) {
  std::string tokens;
  if (usage.input_tokens) tokens = FormatTokens(*usage.input_tokens) + " in";
  if (usage.output_tokens)
    tokens += (tokens.empty() ? "" : " / ") + FormatTokens(*usage.output_tokens) + " out";
  if (!tokens.empty()) tokens += " tokens";
  if (!usage.cost_usd) return tokens;
  return FormatCost(*usage.cost_usd) + (tokens.empty() ? "" : " (" + tokens + ")");
}

void PutUsageFields(const Usage& usage, json* object) {
  if (usage.cost_usd) (*object)["cost_usd"] = *usage.cost_usd;
  if (usage.input_tokens || usage.output_tokens) {
    json tokens = json::object();
    if (usage.input_tokens) tokens["input"] = *usage.input_tokens;
    if (usage.output_tokens) tokens["output"] = *usage.output_tokens;
    (*object)["tokens"] = tokens;
  }
  if (usage.model) (*object)["model"] = *usage.model;
}

void to_json(json& j, const Usage& usage) {
  j = json::object();
  if (usage.input_tokens) j["input_tokens"] = *usage.input_tokens;
  if (usage.output_tokens) j["output_tokens"] = *usage.output_tokens;
  if (usage.cost_usd) j["cost_usd"] = *usage.cost_usd;
  if (usage.model) j["model"] = *usage.model;
}

void from_json(const json& j, Usage& usage) {
  std::vector<std::string> ignored;
  usage = Usage{};
  if (!j.is_object()) return;
  usage.input_tokens = TokenCount(j, "input_tokens", &ignored);
  usage.output_tokens = TokenCount(j, "output_tokens", &ignored);
  usage.cost_usd = Cost(j, "cost_usd", &ignored);
  auto model = j.find("model");
  if (model != j.end() && model->is_string()) usage.model = model->get<std::string>();
}

}  // namespace orchestrate
