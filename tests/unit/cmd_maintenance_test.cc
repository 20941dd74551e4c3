#include <gtest/gtest.h>

#include "orchestrate/commands.h"

namespace orchestrate {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST(ParseAgeTest, AcceptsDaysAloneOrBeforeADuration) {
  EXPECT_EQ(ParseAge("7d"), hours(7 * 24));
  EXPECT_EQ(ParseAge("1d12h"), hours(36));
  EXPECT_EQ(ParseAge("0d30m"), minutes(30));
}

TEST(ParseAgeTest, AcceptsEveryDurationForm) {
  EXPECT_EQ(ParseAge("168h"), hours(168));
  EXPECT_EQ(ParseAge("30m"), minutes(30));
}

TEST(ParseAgeTest, RejectsWhatIsNotAnAge) {
  for (const char* text : {"", "d", "7days", "7dd", "1.5d", "-1d", "d7", "7d12", "12h7d"})
    EXPECT_EQ(ParseAge(text), std::nullopt) << text;
}

}  // namespace
}  // namespace orchestrate
