// graph --status and the HTML report (run --report, orchestrate report),
// the report loaded in headless Chromium when it is installed.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kManifest =
    "version = 1\n"
    "[phase.schema]\ndescription = \"Define the schema\"\nrun = \"echo schema > s.txt\"\n"
    "[phase.api]\ndeps = [\"schema\"]\nrun = \"echo api > a.txt\"\n"
    "[phase.broken]\ndeps = [\"schema\"]\nrun = \"echo the-last-words; exit 3\"\n"
    "[phase.after]\ndeps = [\"broken\"]\nrun = \"true\"\n";

TEST(ReportTest, GraphStatusColoursPhasesByState) {
  Scenario s(kManifest);
  s.Run("run");
  std::string dot = s.Run("graph --format dot --status").out;
  EXPECT_TRUE(Has(dot, "\"broken\" [style=filled, fillcolor=\"#f08080\", xlabel=\"failed\"]"))
      << dot;
  EXPECT_TRUE(Has(dot, "xlabel=\"blocked\"")) << dot;
  EXPECT_TRUE(Has(dot, "xlabel=\"succeeded\"")) << dot;
  std::string mermaid = s.Run("graph --format mermaid --status").out;
  EXPECT_TRUE(Has(mermaid, "classDef s_failed fill:#f08080")) << mermaid;
  EXPECT_TRUE(Has(mermaid, "broken (failed)")) << mermaid;
  EXPECT_FALSE(Has(s.Run("graph --format dot").out, "fillcolor")) << "only with --status";
}

// Every phase and the things a reader looks for, in `page` (HTML or the
// text of the page as a browser shows it).
void ExpectReport(const std::string& page) {
  for (const char* phase : {"schema", "api", "broken", "after"})
    EXPECT_TRUE(Has(page, phase)) << phase;
  for (const char* text :
       {"Timeline", "job 1", "failed", "blocked", "the-last-words", "orchestrate/integration"})
    EXPECT_TRUE(Has(page, text)) << text << "\n" << page;
}

TEST(ReportTest, RunWritesASelfContainedReport) {
  Scenario s(kManifest);
  ShellResult r = s.Run("run --report ../run.html");
  EXPECT_EQ(r.status, 1) << r.out;
  std::string page = ReadFile(s.dir() + "/run.html");
  ExpectReport(page);
  EXPECT_FALSE(Has(page, "<script")) << "no scripts";
  EXPECT_FALSE(Has(page, "src=\"http")) << "nothing from the network";
  EXPECT_FALSE(Has(page, "href=\"http")) << "nothing from the network";
  EXPECT_TRUE(Has(page, s.Rev("orchestrate/integration"))) << "the target's commit";
}

TEST(ReportTest, ReportCommandDrawsTheLastRun) {
  Scenario s(kManifest);
  s.Run("run");
  ShellResult r = s.Run("report -o ../last.html");
  EXPECT_EQ(r.status, 0) << r.out;
  ExpectReport(ReadFile(s.dir() + "/last.html"));
  EXPECT_TRUE(Has(s.Run("report").out, "<!DOCTYPE html>"));
}

TEST(ReportTest, ReportToAnUnwritableFileIsAUsageError) {
  Scenario s(kManifest);
  for (const char* command :
       {"report -o /nonexistent/dir/r.html", "run --report /nonexistent/dir/r.html"}) {
    ShellResult r = s.Run(command);
    EXPECT_EQ(r.status, 2) << command << "\n" << r.out;
    EXPECT_TRUE(Has(r.out, "cannot open '/nonexistent/dir/r.html' for writing")) << r.out;
  }
  EXPECT_EQ(s.Rev("orchestrate/integration"), "") << "nothing ran";
}

TEST(ReportTest, ChromiumShowsEveryPhase) {
  if (Shell("command -v chromium >/dev/null").status != 0)
    GTEST_SKIP() << "chromium is not installed (scripts/deps.sh --test-tools)";
  Scenario s(kManifest);
  s.Run("run --report ../run.html");
  std::string chromium =
      "chromium --headless --no-sandbox --disable-gpu --no-first-run "
      "--user-data-dir=" +
      ShellQuote(s.dir() + "/profile") + " ";
  ShellResult dom = Shell(chromium + "--dump-dom " + ShellQuote("file://" + s.dir() + "/run.html") +
                          " 2>/dev/null");
  EXPECT_EQ(dom.status, 0);
  ExpectReport(dom.out);
  ShellResult shot =
      Shell(chromium + "--window-size=1100,900 --screenshot=" + ShellQuote(s.dir() + "/run.png") +
            " " + ShellQuote("file://" + s.dir() + "/run.html") + " 2>&1");
  EXPECT_EQ(shot.status, 0) << shot.out;
  EXPECT_GT(ReadFile(s.dir() + "/run.png").size(), 10000u) << "a screenshot with something in it";
}

}  // namespace
}  // namespace orchestrate::testing
