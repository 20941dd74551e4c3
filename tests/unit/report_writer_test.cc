// The HTML report built from a run's events: tries, requeue waits, failures.
#include <gtest/gtest.h>

#include "orchestrate/report.h"
#include "support/event_builders.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using namespace testing::event_builders;
using testing::ReadFile;
using testing::TempDir;

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
    writer->OnEvent(RunStartedEvent(2, 2));
    writer->OnEvent(PhaseStarted("gen", 0, 0));
    writer->OnEvent(PhaseRequeued("gen", "rate limit", 10, 1));
    writer->OnEvent(PhaseStarted("gen", 1, 11));
    Event done = PhaseFinished("gen", PhaseState::kFailed, 12, 1).Slot(1).Attempts(2);
    done.log_tail = "boom <here>\n";
    writer->OnEvent(done);
    writer->OnEvent(PhaseBlocked("api", "gen", 12));
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
