#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "orchestrate/events.h"
#include "support/event_builders.h"
#include "support/text.h"

namespace orchestrate {
namespace {
using namespace testing::event_builders;
using testing::Has;

// Collects what a printer writes.
class Output {
 public:
  Output() : file_(open_memstream(&buffer_, &size_)) {}
  ~Output() {
    std::fclose(file_);
    std::free(buffer_);
  }
  std::FILE* file() { return file_; }
  std::string Text() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

// The printer's failure: ui's verify step failed, with a log tail.
Event FailedUi(double time_s) {
  Event e = PhaseFinished("ui", PhaseState::kFailed, time_s, 20);
  e.failed_command = "make test";
  e.commands = {{"run", "make ui", 0, "exit status 0", 5},
                {"verify", "make test", 2, "exit status 2", 15}};
  e.log_tail = "FAIL ui_test.cc:12\n\x1b[31mexpected 3, got 4\x1b[0m\n";
  e.log_path = "/repo/.orchestrate/logs/ui.log";
  e.worktree = "/repo/.orchestrate/worktrees/ui";
  return e;
}

// schema fresh, api succeeds, ui fails, docs blocked by ui, db succeeds.
void FeedRun(EventSink& sink) {
  sink.OnEvent(RunStartedEvent(5, 2));
  sink.OnEvent(PhaseFresh("schema"));
  sink.OnEvent(PhaseStarted("api", 0, 0));
  sink.OnEvent(PhaseStarted("ui", 1, 52));
  sink.OnTick(60);
  sink.OnEvent(PhaseFinished("api", PhaseState::kSucceeded, 72, 72));
  sink.OnEvent(FailedUi(72));
  sink.OnEvent(PhaseBlocked("docs", "ui", 72));
  sink.OnEvent(PhaseStarted("db", 0, 73));
  sink.OnEvent(MessageEvent("pruned 2 worktrees", false));
  sink.OnEvent(PhaseFinished("db", PhaseState::kSucceeded, 90, 17));
  sink.OnEvent(TargetUpdated("orchestrate/integration", "abc1234def5678"));
  sink.OnEvent(RunFinishedEvent(92, 1));
  sink.Close();
}

std::string RunPrinter(bool live, bool color, Verbosity verbosity) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), live, color, verbosity);
  FeedRun(*printer);
  return out.Text();
}

TEST(ConsolePrinterTest, APhaseThatNeverStartedTookNoTime) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kNormal);
  Event conflict = PhaseFinished("merge", PhaseState::kInputConflict, 3, 1004.9);
  conflict.started_at = 0;  // an input conflict ends the phase before it starts
  conflict.reason = "a and b conflict in x.txt";
  printer->OnEvent(conflict);
  EXPECT_NE(out.Text().find("INPUT-CONFLICT merge (0s): a and b conflict in x.txt"),
            std::string::npos)
      << out.Text();
}

// One 64 KiB line (the tail of a 100 MB line) prints as a short one.
TEST(ConsolePrinterTest, LongLogTailLinesAreCutByBytes) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(1, 2));
  Event e = FailedUi(1);
  e.log_tail = "short line\n" + std::string(399, 'x') + "\xC3\xA9" + std::string(65536, 'y') + "\n";
  printer->OnEvent(e);
  printer->Close();
  std::string text = out.Text();
  EXPECT_NE(text.find("    short line\n"), std::string::npos) << text;
  // Cut before the two-byte character that would straddle the limit.
  EXPECT_NE(text.find("    " + std::string(399, 'x') + " [... 65538 more bytes in the log]\n"),
            std::string::npos);
  EXPECT_LT(text.size(), 2000u);
}

TEST(ConsolePrinterTest, PlainModeWritesLinesWithoutEscapeCodes) {
  std::string text = RunPrinter(false, false, Verbosity::kNormal);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_NE(text.find("[1/5] fresh schema\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[2/5] succeeded api (1m12s)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[3/5] FAILED ui (20s): verify `make test` exit status 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[4/5] blocked docs (blocked by ui)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("orchestrate: pruned 2 worktrees\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("running:"), std::string::npos) << text;
}

// A no-op run finds thousands of fresh phases at once: their lines go out
// together, with the next other event, tick or the close.
TEST(ConsolePrinterTest, FreshLinesWaitForTheNextOtherEventTickOrClose) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(4, 2));
  printer->OnEvent(PhaseFresh("a"));
  printer->OnEvent(PhaseFresh("b"));
  EXPECT_EQ(out.Text(), "");
  printer->OnEvent(PhaseStarted("c", 0, 1));
  EXPECT_EQ(out.Text(), "[1/4] fresh a\n[2/4] fresh b\n");
  printer->OnEvent(PhaseFresh("d"));
  printer->OnTick(2);
  EXPECT_EQ(out.Text(), "[1/4] fresh a\n[2/4] fresh b\n[3/4] fresh d\n");
  printer->OnEvent(PhaseFresh("e"));
  printer->Close();
  EXPECT_TRUE(Has(out.Text(), "[3/4] fresh d\n[4/4] fresh e\n")) << out.Text();
}

// The held-back lines stay bounded: past 64 KiB they go out without waiting.
TEST(ConsolePrinterTest, ManyFreshLinesAreWrittenBeforeTheyPassALimit) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(5000, 2));
  for (int i = 0; i < 5000; ++i) printer->OnEvent(PhaseFresh("phase-" + std::to_string(i)));
  std::string written = out.Text();
  EXPECT_GE(written.size(), 64u * 1024) << "held back instead of written";
  EXPECT_TRUE(Has(written, "[1/5000] fresh phase-0\n")) << written.substr(0, 200);
  printer->Close();
  EXPECT_TRUE(Has(out.Text(), "[5000/5000] fresh phase-4999\n"));
}

TEST(ConsolePrinterTest, FailureShowsCommandLogTailAndPaths) {
  std::string text = RunPrinter(false, false, Verbosity::kNormal);
  EXPECT_NE(text.find("FAILED ui (20s): verify `make test` exit status 2\n"
                      "  command: make test\n"
                      "    FAIL ui_test.cc:12\n"
                      "    expected 3, got 4\n"
                      "  log: /repo/.orchestrate/logs/ui.log\n"
                      "  worktree: /repo/.orchestrate/worktrees/ui\n"),
            std::string::npos)
      << text;
}

TEST(ConsolePrinterTest, SummaryCountsStatesNamesFailuresAndTarget) {
  std::string text = RunPrinter(false, false, Verbosity::kNormal);
  EXPECT_NE(text.find("2 succeeded, 1 fresh, 1 failed (ui), 1 blocked (docs) in 1m32s\n"
                      "target orchestrate/integration -> abc1234\n"),
            std::string::npos)
      << text;
}

TEST(ConsolePrinterTest, QuietShowsOnlyFailuresWarningsAndSummary) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kQuiet);
  printer->OnEvent(MessageEvent("disk almost full", true));
  FeedRun(*printer);
  std::string text = out.Text();
  EXPECT_EQ(text.find("succeeded api"), std::string::npos) << text;
  EXPECT_EQ(text.find("fresh schema"), std::string::npos) << text;
  EXPECT_EQ(text.find("pruned"), std::string::npos) << text;
  EXPECT_NE(text.find("orchestrate: warning: disk almost full\n"), std::string::npos) << text;
  EXPECT_NE(text.find("FAILED ui"), std::string::npos) << text;
  EXPECT_NE(text.find("2 succeeded, 1 fresh"), std::string::npos) << text;
}

TEST(ConsolePrinterTest, VerboseShowsStartedPhasesAndCommands) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kVerbose);
  printer->OnEvent(RunStartedEvent(3, 2));
  printer->OnEvent(PhaseStarted("api", 0, 0));
  printer->OnEvent(CommandStarted("api", "verify", "make test-api"));
  std::string text = out.Text();
  EXPECT_NE(text.find("orchestrate: 3 phases from " + PaddedId("abc1234").hex() + ", 2 jobs\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[0/3] started api (never run)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  api $ make test-api\n"), std::string::npos) << text;
}

TEST(ConsolePrinterTest, NormalVerbosityHidesCommands) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kNormal);
  printer->OnEvent(PhaseStarted("api", 0, 0));
  printer->OnEvent(CommandStarted("api", "run", "make api"));
  EXPECT_EQ(out.Text(), "");
}

TEST(ConsolePrinterTest, LiveModeRedrawsStatusLineInPlace) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), true, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(8, 2));
  printer->OnEvent(PhaseStarted("api", 0, 0));
  printer->OnEvent(PhaseStarted("ui", 1, 52));
  printer->OnTick(72);
  std::string text = out.Text();
  EXPECT_NE(text.find("\r[0/8] running: api 1m12s, ui 20s\x1b[K"), std::string::npos) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
}

TEST(ConsolePrinterTest, LiveModeClearsStatusLineAroundPermanentLines) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), true, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(8, 2));
  printer->OnEvent(PhaseStarted("api", 0, 0));
  printer->OnEvent(PhaseStarted("ui", 1, 52));
  printer->OnEvent(PhaseFinished("api", PhaseState::kSucceeded, 72, 72));
  std::string text = out.Text();
  EXPECT_NE(text.find("\r\x1b[K[1/8] succeeded api (1m12s)\n\r[1/8] running: ui 20s\x1b[K"),
            std::string::npos)
      << text;
  printer->OnEvent(PhaseFinished("ui", PhaseState::kSucceeded, 80, 28));
  printer->Close();
  text = out.Text();
  EXPECT_TRUE(text.ends_with("[2/8] succeeded ui (28s)\n")) << text;
}

TEST(ConsolePrinterTest, LiveStatusLineShowsRequeuedPhaseWaiting) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), true, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(2, 2));
  printer->OnEvent(PhaseStarted("api", 0, 0));
  printer->OnEvent(PhaseRequeued("api", "rate limit", 30, 5));
  std::string text = out.Text();
  EXPECT_NE(text.find("[0/2] requeued api: output matched \"rate limit\"; retrying in 30s\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\r[0/2] running: api (waiting 30s)\x1b[K"), std::string::npos) << text;
}

TEST(ConsolePrinterTest, LiveStatusLineFitsTheWidthAndCountsTheRest) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), true, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(10, 2));
  for (int i = 0; i < 10; ++i) {
    printer->OnEvent(PhaseStarted("a-rather-long-phase-name-" + std::to_string(i), i, i));
  }
  std::string text = out.Text();
  std::string last = text.substr(text.rfind('\r') + 1);
  ASSERT_TRUE(last.ends_with("\x1b[K")) << last;
  std::string line = last.substr(0, last.size() - 3);
  EXPECT_LT(line.size(), 80u) << line;
  EXPECT_TRUE(line.starts_with("[0/10] running: a-rather-long-phase-name-0 9s")) << line;
  EXPECT_TRUE(line.ends_with("9s, +9 more")) << line;
}

TEST(ConsolePrinterTest, LiveStatusLineNeverSplitsAUtf8Character) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), true, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(1, 2));
  printer->OnEvent(PhaseStarted(std::string(63, 'a') + "\xC3\xA9\xC3\xA9", 0, 0));
  std::string text = out.Text();
  std::string line = text.substr(text.rfind('\r') + 1);
  // 15 bytes of "[0/1] running: " and 63 of 'a' leave one byte of 79 for é.
  EXPECT_EQ(line, "[0/1] running: " + std::string(63, 'a') + "\x1b[K");
}

TEST(ConsolePrinterTest, QuietHasNoStatusLine) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), true, false, Verbosity::kQuiet);
  printer->OnEvent(RunStartedEvent(2, 2));
  printer->OnEvent(PhaseStarted("api", 0, 0));
  printer->OnTick(5);
  EXPECT_EQ(out.Text(), "");
}

TEST(ConsolePrinterTest, ColorPaintsStatesWhenAsked) {
  std::string text = RunPrinter(false, true, Verbosity::kNormal);
  EXPECT_NE(text.find("\x1b[32msucceeded\x1b[0m api"), std::string::npos) << text;
  EXPECT_NE(text.find("\x1b[31mFAILED\x1b[0m ui"), std::string::npos) << text;
  EXPECT_NE(text.find("\x1b[33mblocked\x1b[0m docs"), std::string::npos) << text;
  EXPECT_NE(text.find("\x1b[2m[1/5] fresh schema\x1b[0m"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
}

TEST(ConsolePrinterTest, SucceededAfterRetriesShowsAttempts) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kNormal);
  printer->OnEvent(PhaseFinished("api", PhaseState::kSucceeded, 10, 10).Attempts(3));
  EXPECT_EQ(out.Text(), "[1/1] succeeded api (10s, 3 attempts)\n");
}

TEST(ConsolePrinterTest, UsageEndsAPhasesLineAndTheSummaryHasTheTotal) {
  Output out;
  auto printer = MakeConsolePrinter(out.file(), false, false, Verbosity::kNormal);
  printer->OnEvent(RunStartedEvent(3, 2));
  Event api = PhaseFinished("api", PhaseState::kSucceeded, 10, 10);
  api.usage.cost_usd = 0.6;
  api.usage.input_tokens = 21294;
  api.usage.output_tokens = 900;
  printer->OnEvent(api);
  Event ui = FailedUi(12);
  ui.usage.cost_usd = 0.05;
  printer->OnEvent(ui);
  printer->OnEvent(PhaseFinished("docs", PhaseState::kSkippedBudget, 12, 0)
                       .Reason("not started: this run spent $0.65 of settings.budget_usd ($0.50)"));
  Event end = RunFinishedEvent(12, 1);
  end.usage.cost_usd = 0.65;
  end.usage.input_tokens = 21294;
  end.usage.output_tokens = 900;
  printer->OnEvent(end);
  std::string text = out.Text();
  EXPECT_TRUE(Has(text, "[1/3] succeeded api (10s, $0.60 (21k in / 900 out tokens))\n")) << text;
  EXPECT_TRUE(Has(text, "  worktree: /repo/.orchestrate/worktrees/ui\n  usage: $0.05\n")) << text;
  EXPECT_TRUE(Has(text,
                  "[3/3] skipped-budget docs (not started: this run spent $0.65 of "
                  "settings.budget_usd ($0.50))\n"))
      << text;
  EXPECT_TRUE(Has(text, "1 skipped-budget (docs) in 12s\ncost: $0.65 (21k in / 900 out tokens)\n"))
      << text;
}

TEST(ConsolePrinterTest, NoUsageNoCostLine) {
  EXPECT_FALSE(Has(RunPrinter(false, false, Verbosity::kNormal), "cost"));
}

}  // namespace
}  // namespace orchestrate
