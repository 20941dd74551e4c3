// --junit FILE: one <testcase> per phase, for CI systems that render test
// reports. Failures of the phase's own work are <failure>, machinery errors
// and interruptions <error>, blocked and skipped-budget phases <skipped>.
// The usage a phase reported is in its properties. Written at Close().
#include <fmt/format.h>

#include <cstdint>
#include <mutex>

#include "orchestrate/events.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsAllowedAscii(unsigned char c) { return c >= 0x20 || c == '\t' || c == '\n' || c == '\r'; }

// Length of the UTF-8 sequence at `i` when it encodes a character XML 1.0
// allows; 0 for invalid UTF-8 or a forbidden character.
size_t XmlCharLength(std::string_view text, size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return IsAllowedAscii(c) ? 1 : 0;
  if (c < 0xC2 || c > 0xF4) return 0;
  size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (i + length > text.size()) return 0;
  uint32_t code = c & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    code = code << 6 | (b & 0x3F);
  }
  constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter is overlong
  bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (code < kSmallest[length] || code > 0x10FFFF || surrogate || code == 0xFFFE ||
      code == 0xFFFF) {
    return 0;
  }
  return length;
}

std::string_view Entity(char c, bool attribute) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&apos;";
    case '\n':
      return attribute ? "&#10;" : "";
    case '\r':
      return "&#13;";
    case '\t':
      return attribute ? "&#9;" : "";
    default:
      return "";
  }
}

// Escapes markup characters and replaces what XML 1.0 cannot hold (control
// characters, invalid UTF-8) with U+FFFD.
std::string XmlEscape(std::string_view text, bool attribute = false) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t length = XmlCharLength(text, i);
    if (length == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    std::string_view entity = length == 1 ? Entity(text[i], attribute) : "";
    out += entity.empty() ? text.substr(i, length) : entity;
    i += length;
  }
  return out;
}

std::string Attr(std::string_view text) { return XmlEscape(text, true); }

// "<failed command> <describe>", or the reason when no command failed.
std::string FailureMessage(const Event& e) {
  if (e.failed_command.empty()) return DescribeFailure(e);
  for (auto it = e.commands.rbegin(); it != e.commands.rend(); ++it) {
    if (it->command == e.failed_command && !it->describe.empty()) {
      return e.failed_command + " " + it->describe;
    }
  }
  return e.reason.empty() ? e.failed_command : e.failed_command + ": " + e.reason;
}

std::string Properties(const Event& e) {
  std::string xml = "      <properties>\n";
  auto property = [&](std::string_view name, std::string_view value) {
    xml += fmt::format("        <property name=\"{}\" value=\"{}\"/>\n", name, Attr(value));
  };
  property("orchestrate.state", ToString(e.state));
  if (e.attempts > 0) property("orchestrate.attempts", std::to_string(e.attempts));
  if (!e.result.empty()) property("orchestrate.result", e.result.hex());
  if (e.usage.cost_usd) property("orchestrate.cost_usd", fmt::format("{}", *e.usage.cost_usd));
  if (e.usage.input_tokens)
    property("orchestrate.input_tokens", std::to_string(*e.usage.input_tokens));
  if (e.usage.output_tokens)
    property("orchestrate.output_tokens", std::to_string(*e.usage.output_tokens));
  if (e.usage.model) property("orchestrate.model", *e.usage.model);
  return xml + "      </properties>\n";
}

// Blocked phases never ran, nor did those skipped for the budget; one
// awaiting approval ran but is not in the target.
bool Skipped(PhaseState state) {
  return state == PhaseState::kBlocked || state == PhaseState::kAwaitingApproval ||
         state == PhaseState::kSkippedBudget;
}

// The <failure>, <error> or <skipped> element of a phase; empty on success.
std::string Verdict(const Event& e) {
  if (Skipped(e.state)) {
    return fmt::format("      <skipped message=\"{}\"/>\n", Attr(e.reason));
  }
  if (!IsFailure(e.state)) return "";
  bool error = e.state == PhaseState::kError || e.state == PhaseState::kInterrupted;
  std::string body = StripTerminalControls(e.log_tail);
  if (body.empty()) body = e.reason;
  return fmt::format("      <{0} message=\"{1}\" type=\"{2}\">{3}</{0}>\n",
                     error ? "error" : "failure", Attr(FailureMessage(e)), ToString(e.state),
                     XmlEscape(body));
}

std::string TestCase(const Event& e) {
  return fmt::format(
      "    <testcase name=\"{}\" classname=\"orchestrate\" time=\"{:.3f}\">\n{}{}"
      "    </testcase>\n",
      Attr(e.phase), PhaseDuration(e), Properties(e), Verdict(e));
}

std::string Document(const std::vector<Event>& outcomes, double duration_s) {
  int failures = 0, errors = 0, skipped = 0;
  std::string cases;
  for (const Event& e : outcomes) {
    bool error = e.state == PhaseState::kError || e.state == PhaseState::kInterrupted;
    errors += error;
    failures += IsFailure(e.state) && !error;
    skipped += Skipped(e.state);
    cases += TestCase(e);
  }
  std::string counts =
      fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\"",
                  outcomes.size(), failures, errors, skipped, duration_s);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"orchestrate\" {0}>\n"
      "  <testsuite name=\"orchestrate\" {0}>\n{1}  </testsuite>\n</testsuites>\n",
      counts, cases);
}

}  // namespace

std::unique_ptr<EventSink> MakeJunitWriter(const std::string& path) {
  return std::make_unique<RunReportSink>(
      path, "w", [](const RunRecord& r) { return Document(r.Outcomes(), r.duration_s()); });
}

}  // namespace orchestrate
