#include "orchestrate/rare.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchestrate {
namespace {

TEST(RareTest, AnAbsentValueReadsAsEmptyAndIsMadeByItsFirstWrite) {
  Rare<std::vector<std::string>> rare;
  EXPECT_FALSE(rare.made());
  EXPECT_TRUE(rare.get().empty());
  rare.Edit().push_back("x");
  EXPECT_TRUE(rare.made());
  EXPECT_EQ(rare.get(), std::vector<std::string>{"x"});
}

TEST(RareTest, CopiesAreDeepAndMovesTakeTheValue) {
  Rare<std::string> a;
  a.Edit() = "value";
  Rare<std::string> b = a;
  b.Edit() += " changed";
  EXPECT_EQ(a.get(), "value");
  EXPECT_EQ(b.get(), "value changed");
  a = b;
  EXPECT_EQ(a.get(), "value changed");
  a = Rare<std::string>();
  EXPECT_FALSE(a.made());
  Rare<std::string> c = std::move(b);
  EXPECT_EQ(c.get(), "value changed");
  Rare<std::string>& same = c;
  c = same;  // self-assignment keeps it
  EXPECT_EQ(c.get(), "value changed");
}

TEST(RareTest, EqualityComparesValuesAnAbsentOneBeingEmpty) {
  Rare<std::string> absent, made_empty, set;
  made_empty.Edit();
  set.Edit() = "x";
  EXPECT_EQ(absent, made_empty);
  EXPECT_NE(absent, set);
  Rare<std::string> other;
  other.Edit() = "x";
  EXPECT_EQ(set, other);
}

TEST(RareTest, SettingAnEmptyValueFreesIt) {
  Rare<std::string> rare;
  rare.Set("x");
  EXPECT_TRUE(rare.made());
  EXPECT_EQ(rare.get(), "x");
  rare.Set("");
  EXPECT_FALSE(rare.made());
  EXPECT_EQ(rare.get(), "");
}

}  // namespace
}  // namespace orchestrate
