// $GITHUB_STEP_SUMMARY: the run's summary as markdown, appended at Close()
// (the file collects every step's summary, so it is never truncated).
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "orchestrate/events.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

size_t LongestBacktickRun(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// Inline code that survives backticks inside `text`.
std::string CodeSpan(std::string_view text) {
  std::string ticks(LongestBacktickRun(text) + 1, '`');
  bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fmt::format("{0}{1}{2}{1}{0}", ticks, pad ? " " : "", text);
}

std::string FencedBlock(std::string_view text) {
  std::string fence(std::max<size_t>(3, LongestBacktickRun(text) + 1), '`');
  bool newline = !text.empty() && text.back() == '\n';
  return fmt::format("{0}text\n{1}{2}{0}\n", fence, text, newline ? "" : "\n");
}

// A table cell holds one line and no column separator.
std::string Cell(std::string_view text) {
  std::string cell;
  for (char c : text) {
    if (c == '|')
      cell += "\\|";
    else if (c == '\n' || c == '\r')
      cell += ' ';
    else
      cell += c;
  }
  return cell;
}

std::string Notes(const Event& e) {
  if (IsFailure(e.state)) return DescribeFailure(e);
  if (e.state == PhaseState::kFresh) return "cached " + ShortId(e.result);
  return e.reason;
}

// The table has a Cost column only when some phase reported usage.
std::string Table(const std::vector<Event>& outcomes) {
  bool costs = !TotalUsage(outcomes).Empty();
  std::string table =
      costs ? "| Phase | State | Duration | Attempts | Cost | Notes |\n"
              "|---|---|---|---|---|---|\n"
            : "| Phase | State | Duration | Attempts | Notes |\n|---|---|---|---|---|\n";
  for (const Event& e : outcomes) {
    table += fmt::format("| {} | {} | {} | {} |", Cell(e.phase), ToString(e.state),
                         FormatDuration(PhaseDuration(e)),
                         e.attempts > 0 ? std::to_string(e.attempts) : "");
    if (costs) table += " " + Cell(FormatSpent(e.usage)) + " |";
    table += " " + Cell(Notes(e)) + " |\n";
  }
  return table;
}

std::string FailureSection(const Event& e) {
  std::string text = fmt::format("#### {} ({})\n\n", e.phase, ToString(e.state));
  std::string reason = DescribeFailure(e);
  if (!reason.empty()) text += reason + "\n\n";
  if (!e.failed_command.empty()) text += "Command: " + CodeSpan(e.failed_command) + "\n\n";
  std::string tail = StripTerminalControls(e.log_tail);
  if (!tail.empty()) text += FencedBlock(tail) + "\n";
  return text;
}

std::string Markdown(const RunRecord& record) {
  std::vector<Event> outcomes = record.Outcomes();
  std::string text = "## orchestrate\n\n";
  text += JoinSummary(SummarizeOutcomes(outcomes, record.total())) + " in " +
          FormatDuration(record.duration_s()) + "\n\n";
  if (Usage spent = TotalUsage(outcomes); !spent.Empty())
    text += "Cost: " + FormatSpent(spent) + "\n\n";
  if (!record.target().empty()) {
    text += fmt::format("Target {} is at {}\n\n", CodeSpan(record.target()),
                        CodeSpan(ShortId(record.target_commit())));
  }
  if (!outcomes.empty()) text += Table(outcomes) + "\n";
  std::string failures;
  for (const Event& e : outcomes) {
    if (IsFailure(e.state)) failures += FailureSection(e);
  }
  if (!failures.empty()) text += "### Failures\n\n" + failures;
  return text;
}

}  // namespace

std::unique_ptr<EventSink> MakeStepSummaryWriter(const std::string& path) {
  return std::make_unique<RunReportSink>(path, "a", Markdown);
}

}  // namespace orchestrate
