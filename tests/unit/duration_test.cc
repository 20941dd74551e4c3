#include <gtest/gtest.h>

#include <cmath>

#include "orchestrate/events.h"
#include "orchestrate/manifest.h"

namespace orchestrate {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDurationTest, AcceptsUnitsInDecreasingOrder) {
  EXPECT_EQ(ParseDuration("90s"), seconds(90));
  EXPECT_EQ(ParseDuration("30m"), minutes(30));
  EXPECT_EQ(ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(ParseDuration("2h"), hours(2));
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("1h2m3s"), seconds(3723));
  EXPECT_EQ(ParseDuration("1m500ms"), milliseconds(60'500));
  EXPECT_EQ(ParseDuration("0s"), milliseconds(0));
}

TEST(ParseDurationTest, AcceptsDecimalFractions) {
  EXPECT_EQ(ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(ParseDuration("0.5h"), minutes(30));
}

TEST(ParseDurationTest, RejectsMalformedText) {
  for (const char* text : {"", "5", "-1s", "5 minutes", "1x", "s", "1h 30m", "1.s", ".5s", "1s1s",
                           "30m1h", "1ms1s", "1hh", "99999999999999999h"}) {
    EXPECT_EQ(ParseDuration(text), std::nullopt) << text;
  }
}

TEST(FormatDurationTest, ShowsHoursMinutesSecondsWithoutZeroParts) {
  EXPECT_EQ(FormatDuration(seconds(72)), "1m12s");
  EXPECT_EQ(FormatDuration(seconds(45)), "45s");
  EXPECT_EQ(FormatDuration(minutes(90)), "1h30m");
  EXPECT_EQ(FormatDuration(hours(1)), "1h");
  EXPECT_EQ(FormatDuration(seconds(3601)), "1h00m01s");
  EXPECT_EQ(FormatDuration(hours(30)), "30h");
}

TEST(FormatDurationTest, WritesUnitsAfterTheFirstInTwoDigits) {
  EXPECT_EQ(FormatDuration(seconds(1262)), "21m02s");
  EXPECT_EQ(FormatDuration(seconds(65)), "1m05s");
  EXPECT_EQ(FormatDuration(seconds(7500)), "2h05m");
  EXPECT_EQ(FormatDuration(seconds(36'005)), "10h00m05s");
}

TEST(FormatDurationTest, TruncatesToWholeSecondsFromTenSeconds) {
  EXPECT_EQ(FormatDuration(milliseconds(59'999)), "59s");
  EXPECT_EQ(FormatDuration(milliseconds(10'000)), "10s");
}

TEST(FormatDurationTest, ShowsOneDecimalBelowTenSecondsWhenNotWhole) {
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatDuration(milliseconds(2000)), "2s");
  EXPECT_EQ(FormatDuration(milliseconds(2049)), "2s");
  EXPECT_EQ(FormatDuration(milliseconds(2050)), "2.1s");
  EXPECT_EQ(FormatDuration(milliseconds(9960)), "10s");
}

TEST(FormatDurationTest, ShowsMillisecondsBelowOneSecondAndZeroAsSeconds) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(FormatDuration(milliseconds(999)), "999ms");
  EXPECT_EQ(FormatDuration(milliseconds(-1500)), "-1.5s");
}

TEST(FormatDurationTest, OutputParsesBack) {
  for (long long ms : {1LL, 500LL, 1500LL, 45'000LL, 72'000LL, 5'400'000LL, 3'723'000LL,
                       1'262'000LL, 3'601'000LL}) {
    std::string text = FormatDuration(milliseconds(ms));
    EXPECT_EQ(ParseDuration(text), milliseconds(ms)) << text;
  }
}

// FormatDuration of seconds (events.h): the same formatter, rounded to milliseconds.
TEST(FormatDurationTest, SecondsUseTheOneFormatter) {
  EXPECT_EQ(FormatDuration(0.44), "440ms");
  EXPECT_EQ(FormatDuration(9.94), "9.9s");
  EXPECT_EQ(FormatDuration(20.7), "20s");
  EXPECT_EQ(FormatDuration(72), "1m12s");
  EXPECT_EQ(FormatDuration(1262), "21m02s");
  EXPECT_EQ(FormatDuration(7500), "2h05m");
}

TEST(FormatDurationTest, NegativeOrNotANumberSecondsPrintAsZero) {
  EXPECT_EQ(FormatDuration(-3.0), "0s");
  EXPECT_EQ(FormatDuration(std::nan("")), "0s");
}

}  // namespace
}  // namespace orchestrate
