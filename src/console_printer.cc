// Human output. On a terminal: Ninja's single status line redrawn in place
// ("[3/8] running: api 1m12s, ui 20s") under the permanent lines; elsewhere
// plain lines only. Every permanent line goes through Line(), and Render()
// writes them and redraws the status line.
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <mutex>

#include "orchestrate/events.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kEraseToEnd = "\x1b[K";
constexpr size_t kPendingLimit = 64 * 1024;  ///< bytes of lines held back at most
constexpr size_t kDefaultWidth = 80;

size_t TerminalWidth(std::FILE* out) {
  struct winsize size {};
  int fd = fileno(out);
  if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) return size.ws_col;
  return kDefaultWidth;
}

// The first `size` bytes of `text`, without splitting a UTF-8 character.
std::string CutAtCharacter(const std::string& text, size_t size) {
  if (size >= text.size()) return text;
  while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) --size;
  return text.substr(0, size);
}

// A failed phase's log tail is for a person to glance at: a line longer than
// this (minified JSON, a progress bar without newlines) is cut.
constexpr size_t kTailLineBytes = 400;

// `line`, cut to kTailLineBytes with a note of how much was left out.
std::string CapTailLine(const std::string& line) {
  if (line.size() <= kTailLineBytes) return line;
  std::string kept = CutAtCharacter(line, kTailLineBytes);
  return kept + fmt::format(" [... {} more bytes in the log]", line.size() - kept.size());
}

// `prefix` and as many `items` as fit in width - 1 columns (so the cursor
// never wraps), then ", +N more" for the rest; at least the first item, cut.
std::string FitStatusLine(const std::string& prefix, const std::vector<std::string>& items,
                          size_t width) {
  auto line_with = [&](size_t shown) {
    std::string line = prefix;
    for (size_t i = 0; i < shown; ++i) line += (i ? ", " : "") + items[i];
    if (shown < items.size()) line += fmt::format(", +{} more", items.size() - shown);
    return line;
  };
  for (size_t shown = items.size(); shown > 1; --shown) {
    std::string line = line_with(shown);
    if (line.size() < width) return line;
  }
  return CutAtCharacter(line_with(std::min<size_t>(1, items.size())), width - 1);
}

std::string_view ColorFor(PhaseState state) {
  if (state == PhaseState::kSucceeded) return kGreen;
  if (IsFailure(state)) return kRed;
  if (state == PhaseState::kBlocked || state == PhaseState::kAwaitingApproval ||
      state == PhaseState::kSkippedBudget)
    return kYellow;
  if (state == PhaseState::kFresh) return kDim;
  return "";
}

std::string UpperCase(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// A phase on the status line.
struct RunningPhase {
  std::string phase;
  double started_s = 0;
  double waiting_until_s = -1;  ///< requeued: waiting until then
};

class ConsolePrinter : public EventSink {
 public:
  ConsolePrinter(std::FILE* out, bool live, bool color, Verbosity verbosity)
      // Like Ninja's --quiet, quiet means no status line either.
      : out_(out),
        live_(live && verbosity != Verbosity::kQuiet),
        color_(color),
        verbosity_(verbosity) {}

  void OnEvent(const Event& event) override {
    std::lock_guard lock(mutex_);
    now_ = std::max(now_, event.time_s);
    Handle(event);
    // A fresh phase's line waits for the next other event, tick or the close:
    // a no-op run finds thousands at once, and one write each cost more than
    // the rest of their output.
    if (event.type != Event::Type::kPhaseFresh || pending_.size() >= kPendingLimit) Render();
  }

  void OnTick(double time_s) override {
    std::lock_guard lock(mutex_);
    now_ = std::max(now_, time_s);
    if (!pending_.empty() || (live_ && !running_.empty())) Render();
  }

  void Close() override {
    std::lock_guard lock(mutex_);
    running_.clear();
    Render();
  }

 private:
  void Handle(const Event& e) {
    switch (e.type) {
      case Event::Type::kRunStarted:
        return OnRunStarted(e);
      case Event::Type::kPhaseFresh:
        return OnPhaseFresh(e);
      case Event::Type::kPhaseStarted:
        return OnPhaseStarted(e);
      case Event::Type::kCommandStarted:
        return OnCommandStarted(e);
      case Event::Type::kPhaseRequeued:
        return OnPhaseRequeued(e);
      case Event::Type::kPhaseFinished:
        return OnPhaseFinished(e);
      case Event::Type::kTargetUpdated:
        return OnTargetUpdated(e);
      case Event::Type::kMessage:
        return OnMessage(e);
      case Event::Type::kRunFinished:
        return OnRunFinished(e);
    }
  }

  void OnRunStarted(const Event& e) {
    total_ = e.total;
    if (!Shows(Verbosity::kVerbose)) return;
    Line(fmt::format("orchestrate: {} phases from {}, {} jobs", e.total, e.base, e.jobs));
  }

  void OnPhaseFresh(const Event& e) {
    ++fresh_;  // counted, not kept: a no-op run has thousands
    if (!Shows(Verbosity::kNormal)) return;
    // Straight into the pending text: thousands of these in a no-op run.
    if (color_) pending_ += kDim;
    AppendCounter(pending_);
    pending_.append("fresh ").append(e.phase);
    if (color_) pending_ += kReset;
    pending_ += '\n';
  }

  // A phase left out of the target finished earlier as succeeded or fresh.
  void Supersede(const std::string& phase) {
    if (std::erase_if(finished_, [&](const Event& f) { return f.phase == phase; }) == 0) --fresh_;
  }

  void OnPhaseStarted(const Event& e) {
    if (RunningPhase* running = FindRunning(e.phase)) {
      running->waiting_until_s = -1;
    } else {
      running_.push_back({e.phase, e.time_s});
    }
    if (!Shows(Verbosity::kVerbose)) return;
    Line(Counter() + "started " + e.phase + (e.reason.empty() ? "" : " (" + e.reason + ")"));
  }

  void OnCommandStarted(const Event& e) {
    if (RunningPhase* running = FindRunning(e.phase)) running->waiting_until_s = -1;
    if (Shows(Verbosity::kVerbose)) Line("  " + e.phase + " $ " + e.text);
  }

  void OnPhaseRequeued(const Event& e) {
    if (RunningPhase* running = FindRunning(e.phase)) {
      running->waiting_until_s = e.time_s + e.backoff_s;
    }
    if (!Shows(Verbosity::kNormal)) return;
    Line(fmt::format("{}{} {}: output matched \"{}\"; retrying in {}", Counter(),
                     Paint("requeued", kYellow), e.phase, e.text, FormatDuration(e.backoff_s)));
  }

  void OnPhaseFinished(const Event& e) {
    std::erase_if(running_, [&](const RunningPhase& r) { return r.phase == e.phase; });
    if (e.state == PhaseState::kMergeConflict) Supersede(e.phase);
    finished_.push_back(e);
    if (IsFailure(e.state)) return PrintFailure(e);
    // Waiting for a person is shown even with -q: someone has to act.
    if (!Shows(Verbosity::kNormal) && e.state != PhaseState::kAwaitingApproval) return;
    std::string line = Counter() + Paint(ToString(e.state), ColorFor(e.state)) + " " + e.phase;
    if (e.state == PhaseState::kSucceeded) {
      line += " (" + FormatDuration(PhaseDuration(e)) +
              (e.attempts > 1 ? fmt::format(", {} attempts", e.attempts) : "") +
              (e.usage.Empty() ? "" : ", " + FormatSpent(e.usage)) + ")";
    } else if (!e.reason.empty()) {
      line += " (" + e.reason + ")";
    }
    Line(line);
  }

  // The headline, then what the user needs to act: the failed command, the
  // end of the log, where the log and the worktree are.
  void PrintFailure(const Event& e) {
    std::string reason = DescribeFailure(e);
    Line(fmt::format("{}{} {} ({}){}", Counter(), Paint(UpperCase(ToString(e.state)), kRed),
                     e.phase, FormatDuration(PhaseDuration(e)),
                     reason.empty() ? "" : ": " + reason));
    if (!e.failed_command.empty()) Line("  command: " + e.failed_command);
    for (const std::string& line : SplitLines(StripTerminalControls(e.log_tail))) {
      Line("    " + CapTailLine(line));
    }
    if (!e.log_path.empty()) Line("  log: " + e.log_path);
    if (!e.worktree.empty()) Line("  worktree: " + e.worktree);
    if (!e.usage.Empty()) Line("  usage: " + FormatUsage(e.usage));
  }

  void OnTargetUpdated(const Event& e) {
    target_ = e.text;
    target_commit_ = e.result;
  }

  void OnMessage(const Event& e) {
    if (e.warning) return Line("orchestrate: " + Paint("warning:", kYellow) + " " + e.text);
    if (Shows(Verbosity::kNormal)) Line("orchestrate: " + e.text);
  }

  void OnRunFinished(const Event& e) {
    running_.clear();
    std::string summary;
    for (const auto& [text, state] : SummarizeOutcomes(finished_, total_, fresh_)) {
      summary += (summary.empty() ? "" : ", ") + Paint(text, ColorFor(state));
    }
    if (summary.empty()) summary = "nothing ran";
    Line(summary + " in " + FormatDuration(e.duration_s));
    if (!e.usage.Empty()) Line("cost: " + FormatSpent(e.usage));
    if (!target_.empty()) Line("target " + target_ + " -> " + ShortId(target_commit_));
  }

  RunningPhase* FindRunning(const std::string& phase) {
    auto it = std::find_if(running_.begin(), running_.end(),
                           [&](const RunningPhase& r) { return r.phase == phase; });
    return it == running_.end() ? nullptr : &*it;
  }

  bool Shows(Verbosity least) const {
    return static_cast<int>(verbosity_) >= static_cast<int>(least);
  }

  std::string Counter() const {
    std::string counter;
    AppendCounter(counter);
    return counter;
  }

  // "[3/8] "
  void AppendCounter(std::string& out) const {
    int finished = static_cast<int>(finished_.size()) + fresh_;
    fmt::format_to(std::back_inserter(out), "[{}/{}] ", finished, std::max(total_, finished));
  }

  std::string Paint(std::string_view text, std::string_view color) const {
    if (!color_ || color.empty()) return std::string(text);
    return fmt::format("{}{}{}", color, text, kReset);
  }

  void Line(const std::string& text) { pending_ += text + "\n"; }

  // "[3/8] running: api 1m12s, ui (waiting 30s)", longest-running first.
  std::string StatusLine() const {
    std::vector<RunningPhase> order = running_;
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.started_s < b.started_s; });
    std::vector<std::string> items;
    for (const RunningPhase& r : order) {
      if (r.waiting_until_s > now_) {
        items.push_back(r.phase + " (waiting " + FormatDuration(r.waiting_until_s - now_) + ")");
      } else {
        items.push_back(r.phase + " " + FormatDuration(now_ - r.started_s));
      }
    }
    return FitStatusLine(Counter() + "running: ", items, TerminalWidth(out_));
  }

  // Writes the pending permanent lines above the status line, then redraws
  // (or clears) the status line.
  void Render() {
    std::string text;
    if (!pending_.empty()) {
      if (status_shown_) text += "\r" + std::string(kEraseToEnd);
      status_shown_ = false;
      text += pending_;
      pending_.clear();
    }
    if (live_ && !running_.empty()) {
      text += "\r" + StatusLine() + std::string(kEraseToEnd);
      status_shown_ = true;
    } else if (status_shown_) {
      text += "\r" + std::string(kEraseToEnd);
      status_shown_ = false;
    }
    if (text.empty()) return;
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
  }

  std::FILE* out_;
  bool live_;
  bool color_;
  Verbosity verbosity_;
  std::mutex mutex_;
  double now_ = 0;
  int total_ = 0;
  std::vector<RunningPhase> running_;  ///< in start order
  std::vector<Event> finished_;        ///< finished (not fresh), in order
  int fresh_ = 0;                      ///< phases found fresh
  std::string target_;
  ObjectId target_commit_;
  std::string pending_;        ///< permanent lines not yet written
  bool status_shown_ = false;  ///< the cursor is at the end of the status line
};

}  // namespace

std::unique_ptr<EventSink> MakeConsolePrinter(std::FILE* out, bool live, bool color,
                                              Verbosity verbosity) {
  return std::make_unique<ConsolePrinter>(out, live, color, verbosity);
}

}  // namespace orchestrate
