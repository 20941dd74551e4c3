// Phase state names, durations and the pieces the event sinks share.
#include "orchestrate/events.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <map>

#include "file_io.h"
#include "orchestrate/error.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

constexpr std::array<std::pair<PhaseState, std::string_view>, 14> kStateNames{{
    {PhaseState::kFresh, "fresh"},
    {PhaseState::kStale, "stale"},
    {PhaseState::kRunning, "running"},
    {PhaseState::kRequeued, "requeued"},
    {PhaseState::kSucceeded, "succeeded"},
    {PhaseState::kFailed, "failed"},
    {PhaseState::kTimedOut, "timed-out"},
    {PhaseState::kInputConflict, "input-conflict"},
    {PhaseState::kMergeConflict, "merge-conflict"},
    {PhaseState::kBlocked, "blocked"},
    {PhaseState::kAwaitingApproval, "awaiting-approval"},
    {PhaseState::kInterrupted, "interrupted"},
    {PhaseState::kError, "error"},
    {PhaseState::kSkippedBudget, "skipped-budget"},
}};

// The order in which the summary lists its groups.
constexpr std::array<PhaseState, 11> kSummaryOrder{
    PhaseState::kSucceeded,     PhaseState::kFresh,
    PhaseState::kFailed,        PhaseState::kTimedOut,
    PhaseState::kInputConflict, PhaseState::kMergeConflict,
    PhaseState::kError,         PhaseState::kInterrupted,
    PhaseState::kBlocked,       PhaseState::kAwaitingApproval,
    PhaseState::kSkippedBudget,
};

constexpr size_t kMaxNamesInSummary = 5;

// Index of the last character of the escape sequence starting at `start`.
size_t EndOfEscape(std::string_view text, size_t start) {
  if (start + 1 >= text.size()) return start;
  char kind = text[start + 1];
  size_t i = start + 2;
  if (kind == '[') {  // CSI: parameters, then a final byte in 0x40..0x7e
    while (i < text.size() && (text[i] < 0x40 || text[i] > 0x7e)) ++i;
    return std::min(i, text.size() - 1);
  }
  if (kind == ']') {  // OSC: ends with BEL or ESC backslash
    while (i < text.size() && text[i] != '\a' && text[i] != '\x1b') ++i;
    if (i < text.size() && text[i] == '\x1b') ++i;
    return std::min(i, text.size() - 1);
  }
  return start + 1;
}

bool IsDroppedControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t' && c != '\n') || u == 0x7f;
}

std::string NameList(const std::vector<std::string>& names) {
  std::string list;
  for (size_t i = 0; i < names.size() && i < kMaxNamesInSummary; ++i) {
    list += (i ? ", " : "") + names[i];
  }
  if (names.size() > kMaxNamesInSummary) {
    list += fmt::format(", +{} more", names.size() - kMaxNamesInSummary);
  }
  return list;
}

}  // namespace

std::string_view ToString(PhaseState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<PhaseState> ParsePhaseState(std::string_view text) {
  for (const auto& [state, name] : kStateNames) {
    if (name == text) return state;
  }
  return std::nullopt;
}

bool IsSuccess(PhaseState state) {
  return state == PhaseState::kSucceeded || state == PhaseState::kFresh;
}

bool IsFailure(PhaseState state) {
  switch (state) {
    case PhaseState::kFailed:
    case PhaseState::kTimedOut:
    case PhaseState::kInputConflict:
    case PhaseState::kMergeConflict:
    case PhaseState::kError:
    case PhaseState::kInterrupted:
      return true;
    default:
      return false;
  }
}

double PhaseDuration(const Event& event) {
  bool never_started = event.type == Event::Type::kPhaseFinished && event.started_at == 0;
  return never_started ? 0 : event.duration_s;
}

std::string StripTerminalControls(std::string_view text) {
  std::string out;
  std::string line;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\x1b') {
      i = EndOfEscape(text, i);
    } else if (c == '\r') {
      // "\r\n" ends the line; a lone "\r" starts it over, as on a terminal.
      if (i + 1 < text.size() && text[i + 1] != '\n') line.clear();
    } else if (c == '\n') {
      out += line + '\n';
      line.clear();
    } else if (!IsDroppedControl(c)) {
      line += c;
    }
  }
  return out + line;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<SummaryPart> SummarizeOutcomes(const std::vector<Event>& finished, int total,
                                           int fresh) {
  std::map<PhaseState, std::vector<std::string>> names;
  for (const Event& e : finished) names[e.state].push_back(e.phase);
  std::vector<SummaryPart> parts;
  for (PhaseState state : kSummaryOrder) {
    auto it = names.find(state);
    size_t count = (it == names.end() ? 0 : it->second.size()) +
                   (state == PhaseState::kFresh ? static_cast<size_t>(fresh) : 0);
    if (count == 0) continue;
    std::string text = fmt::format("{} {}", count, ToString(state));
    if (!IsSuccess(state)) text += " (" + NameList(it->second) + ")";
    parts.emplace_back(text, state);
  }
  int not_run = total - static_cast<int>(finished.size()) - fresh;
  if (not_run > 0) parts.emplace_back(fmt::format("{} not run", not_run), PhaseState::kStale);
  return parts;
}

std::string JoinSummary(const std::vector<SummaryPart>& parts) {
  if (parts.empty()) return "nothing ran";
  std::string joined;
  for (const auto& [text, state] : parts) joined += (joined.empty() ? "" : ", ") + text;
  return joined;
}

std::string DescribeFailure(const Event& finished) {
  if (!finished.reason.empty()) return finished.reason;
  for (auto it = finished.commands.rbegin(); it != finished.commands.rend(); ++it) {
    if (it->exit_code != 0) return fmt::format("{} `{}` {}", it->step, it->command, it->describe);
  }
  return "";
}

std::string ShortId(const ObjectId& commit) { return commit.ShortHex(7); }

Usage TotalUsage(const std::vector<Event>& finished) {
  Usage total;
  for (const Event& e : finished) total.Add(e.usage);
  return total;
}

void RunRecord::Add(const Event& e) {
  now_ = std::max(now_, e.time_s);
  auto same_phase = [&](const Event& r) { return r.phase == e.phase; };
  switch (e.type) {
    case Event::Type::kRunStarted:
      total_ = e.total;
      break;
    case Event::Type::kPhaseFresh:
      finished_.push_back(e);
      finished_.back().state = PhaseState::kFresh;
      break;
    case Event::Type::kPhaseStarted:
      if (std::none_of(running_.begin(), running_.end(), same_phase)) running_.push_back(e);
      break;
    case Event::Type::kPhaseFinished:
      std::erase_if(running_, same_phase);
      if (e.state == PhaseState::kMergeConflict) std::erase_if(finished_, same_phase);
      finished_.push_back(e);
      break;
    case Event::Type::kTargetUpdated:
      target_ = e.text;
      target_commit_ = e.result;
      break;
    case Event::Type::kRunFinished:
      run_finished_ = true;
      duration_s_ = e.duration_s;
      break;
    default:
      break;
  }
}

void RunRecord::Tick(double time_s) { now_ = std::max(now_, time_s); }

std::vector<Event> RunRecord::Outcomes() const {
  std::vector<Event> outcomes = finished_;
  for (const Event& started : running_) {
    Event stopped = started;
    stopped.type = Event::Type::kPhaseFinished;
    stopped.state = PhaseState::kInterrupted;
    stopped.reason = "still running when the run stopped";
    stopped.duration_s = now_ - started.time_s;
    outcomes.push_back(stopped);
  }
  return outcomes;
}

SinkFile::SinkFile(const std::string& path, const char* mode) : path_(path) {
  file_ = std::fopen(path.c_str(), mode);
  if (!file_) {
    throw UsageError(fmt::format(
        "cannot open '{}' for writing: {}; check that its directory exists and is writable", path,
        ErrnoText(errno)));
  }
}

SinkFile::~SinkFile() { Close(); }

void SinkFile::Write(std::string_view text) {
  if (!file_ || text.empty()) return;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) Fail();
}

void SinkFile::Flush() {
  if (file_ && std::fflush(file_) != 0) Fail();
}

void SinkFile::Close() {
  if (!file_) return;
  if (std::fflush(file_) != 0 || std::ferror(file_)) Fail();
  if (std::fclose(file_) != 0) Fail();
  file_ = nullptr;
  if (error_ != 0) {
    spdlog::warn("could not write '{}': {}", path_, ErrnoText(error_));
  }
}

void SinkFile::Fail() {
  if (error_ == 0) error_ = errno != 0 ? errno : EIO;
}

}  // namespace orchestrate
