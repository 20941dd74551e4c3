// The HTML report built from a run's events: tries, requeue waits, failures.
#include <gtest/gtest.h>

#include "orchestrate/report.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::ReadFile;
using testing::TempDir;

Event Make(Event::Type type, double t, const std::string& phase, int slot = 0) {
  Event e;
  e.type = type;
  e.time_s = t;
  e.phase = phase;
  e.slot = slot;
  return e;
}

ReportModel Skeleton() {
  ReportModel m;
  m.target = "orchestrate/integration";
  m.phases = {{"gen", "", {}, "stale", "", 0, 0, {}, "", ""},
              {"api", "", {"gen"}, "stale", "", 0, 0, {}, "", ""}};
  return m;
}

TEST(HtmlReportWriterTest, DrawsEachTryAndTheWaitBetween) {
  TempDir dir;
  std::string path = dir.path() + "/r.html";
  {
    auto writer = MakeHtmlReportWriter(path, Skeleton());
    Event start = Make(Event::Type::kRunStarted, 0, "");
    start.jobs = 2;
    writer->OnEvent(start);
    writer->OnEvent(Make(Event::Type::kPhaseStarted, 0, "gen"));
    Event requeued = Make(Event::Type::kPhaseRequeued, 1, "gen");
    requeued.backoff_s = 10;
    writer->OnEvent(requeued);
    writer->OnEvent(Make(Event::Type::kPhaseStarted, 11, "gen", 1));
    Event done = Make(Event::Type::kPhaseFinished, 12, "gen", 1);
    done.state = PhaseState::kFailed;
    done.log_tail = "boom <here>\n";
    done.attempts = 2;
    writer->OnEvent(done);
    Event blocked = Make(Event::Type::kPhaseFinished, 12, "api");
    blocked.state = PhaseState::kBlocked;
    blocked.reason = "blocked by gen";
    writer->OnEvent(blocked);
    writer->Close();
  }
  std::string page = ReadFile(path);
  EXPECT_NE(page.find("gen: requeued, 0.0s to 1.0s"), std::string::npos) << page;
  EXPECT_NE(page.find("gen (waiting): requeued, 1.0s to 11.0s"), std::string::npos) << page;
  EXPECT_NE(page.find("fill=\"url(#wait)\""), std::string::npos);
  EXPECT_NE(page.find("gen: failed, 11.0s to 12.0s"), std::string::npos) << page;
  EXPECT_NE(page.find("boom &lt;here&gt;"), std::string::npos) << "log tail, escaped";
  EXPECT_NE(page.find("blocked by gen"), std::string::npos);
  EXPECT_NE(page.find(">job 2<"), std::string::npos);
}

TEST(HtmlReportWriterTest, ShowsCostOnlyWhenKnown) {
  ReportModel m = Skeleton();
  EXPECT_EQ(RenderHtmlReport(m).find("<th>cost</th>"), std::string::npos);
  m.phases[0].cost_usd = 0.125;
  std::string page = RenderHtmlReport(m);
  EXPECT_NE(page.find("<th>cost</th>"), std::string::npos);
  EXPECT_NE(page.find("$0.12"), std::string::npos) << page;
}

TEST(HtmlReportWriterTest, AnUnwritablePathIsAUsageError) {
  EXPECT_THROW(MakeHtmlReportWriter("/nonexistent/dir/r.html", Skeleton()), std::exception);
}

}  // namespace
}  // namespace orchestrate
