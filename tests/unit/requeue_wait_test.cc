#include "orchestrate/requeue_wait.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace orchestrate {
namespace {

// 2026-12-01 10:00:00 in the test's time zone (UTC).
std::time_t Morning() {
  setenv("TZ", "UTC", 1);
  tzset();
  std::tm t{};
  t.tm_year = 126, t.tm_mon = 11, t.tm_mday = 1, t.tm_hour = 10, t.tm_isdst = -1;
  return std::mktime(&t);
}

TEST(RequeueWaitTest, RetryAfterSecondsAndUnits) {
  std::time_t now = Morning();
  EXPECT_EQ(WaitNamedIn("429 Too Many Requests, retry after 120s", now), 120);
  EXPECT_EQ(WaitNamedIn("Please retry after 30 seconds.", now), 30);
  EXPECT_EQ(WaitNamedIn("HTTP/1.1 429\nRetry-After: 120\n", now), 120);
  EXPECT_EQ(WaitNamedIn("rate limited; try again in 2m", now), 120);
  EXPECT_EQ(WaitNamedIn("try again in 1h", now), 3600);
}

TEST(RequeueWaitTest, ClaudeUsageLimitResetTimes) {
  std::time_t now = Morning();
  EXPECT_EQ(WaitNamedIn("You've hit your limit · resets 1pm", now), 3 * 3600);
  EXPECT_EQ(WaitNamedIn("You've hit your limit · resets 4:20am", now), 18 * 3600 + 20 * 60)
      << "4:20am has passed today: tomorrow's";
  EXPECT_EQ(WaitNamedIn("limit resets at 10:30", now), 30 * 60);
  EXPECT_EQ(WaitNamedIn("resets 12am", now), 14 * 3600);
}

TEST(RequeueWaitTest, NothingNamedOrNonsense) {
  std::time_t now = Morning();
  EXPECT_FALSE(WaitNamedIn("rate_limit_error", now));
  EXPECT_FALSE(WaitNamedIn("retry after a while", now));
  EXPECT_FALSE(WaitNamedIn("resets 25:00", now));
  EXPECT_FALSE(WaitNamedIn("resets 13pm", now));
}

TEST(RequeueWaitTest, TheLastPhraseWins) {
  EXPECT_EQ(WaitNamedIn("retry after 5s\n...\nretry after 60s", Morning()), 60);
}

TEST(RequeueWaitTest, BackoffDoublesUpToItsCap) {
  EXPECT_EQ(Backoff(1, 10, 600), 10);
  EXPECT_EQ(Backoff(3, 10, 600), 40);
  EXPECT_EQ(Backoff(20, 10, 600), 600);
}

}  // namespace
}  // namespace orchestrate
