#include "orchestrate/object_id.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>
#include <unordered_set>

namespace orchestrate {
namespace {

constexpr std::string_view kHex = "0123456789abcdef0123456789abcdef01234567";

TEST(ObjectIdTest, ReadsAndWritesFortyHexDigits) {
  std::optional<ObjectId> id = ObjectId::FromHex(kHex);
  ASSERT_TRUE(id);
  EXPECT_FALSE(id->empty());
  EXPECT_EQ(id->hex(), kHex);
  EXPECT_EQ(id->data()[0], 0x01);
  EXPECT_EQ(id->data()[19], 0x67);
  EXPECT_EQ(id->ShortHex(12), "0123456789ab");
  EXPECT_EQ(id->ShortHex(99), kHex);
  EXPECT_EQ(ObjectId::FromBytes(id->data()), *id);
}

TEST(ObjectIdTest, UpperCaseReadsAsTheSameId) {
  EXPECT_EQ(ObjectId::FromHex("0123456789ABCDEF0123456789ABCDEF01234567"), ObjectId::FromHex(kHex));
}

TEST(ObjectIdTest, TheEmptyTextIsTheNullIdAndWritesAsEmpty) {
  std::optional<ObjectId> id = ObjectId::FromHex("");
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->empty());
  EXPECT_EQ(*id, ObjectId());
  EXPECT_EQ(id->hex(), "");
  EXPECT_EQ(id->ShortHex(12), "");
  EXPECT_EQ(fmt::format("[{}]", *id), "[]");
}

TEST(ObjectIdTest, AnythingElseIsNoId) {
  for (std::string_view bad :
       {"0123", "0123456789abcdef0123456789abcdef0123456",
        "0123456789abcdef0123456789abcdef012345678", "0123456789abcdef0123456789abcdef0123456g",
        "result-of-a", " 123456789abcdef0123456789abcdef01234567"})
    EXPECT_FALSE(ObjectId::FromHex(bad)) << bad;
}

TEST(ObjectIdTest, PrintsAsHexEverywhere) {
  ObjectId id = *ObjectId::FromHex(kHex);
  EXPECT_EQ(fmt::format("{}", id), kHex);
  std::ostringstream out;
  out << id;
  EXPECT_EQ(out.str(), kHex);
  std::string text = "id ";
  AppendHex(id, &text);
  AppendHex(ObjectId(), &text);
  EXPECT_EQ(text, "id " + std::string(kHex));
  EXPECT_EQ(HexOr(id, "none"), kHex);
  EXPECT_EQ(HexOr(std::nullopt, "none"), "none");
}

TEST(ObjectIdTest, OrdersLikeItsHexAndHashes) {
  ObjectId low = *ObjectId::FromHex("00000000000000000000000000000000000000ff");
  ObjectId high = *ObjectId::FromHex("0100000000000000000000000000000000000000");
  EXPECT_LT(low, high);
  EXPECT_LT(low.hex(), high.hex());
  std::unordered_set<ObjectId> set = {low, high, low};
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace orchestrate
