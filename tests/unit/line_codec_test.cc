#include "../../src/line_codec.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>

namespace orchestrate {
namespace {

std::optional<std::string> Unescaped(std::string_view field) {
  std::string out;
  if (!AppendUnescaped(field, &out)) return std::nullopt;
  return out;
}

TEST(LineCodecTest, EscapesBackslashTabNewlineAndCarriageReturn) {
  EXPECT_EQ(Escaped("a\\b"), "a\\\\b");
  EXPECT_EQ(Escaped("a\tb"), "a\\tb");
  EXPECT_EQ(Escaped("a\nb"), "a\\nb");
  EXPECT_EQ(Escaped("a\rb"), "a\\rb");
  EXPECT_EQ(Escaped("\\t"), "\\\\t");  // a backslash and a t stay two characters
  EXPECT_EQ(Escaped(""), "");
}

TEST(LineCodecTest, LeavesEveryOtherByteAsItIs) {
  constexpr char kBytes[] = "plain text, \0 NUL, \x7f DEL, \xc3\xa9 UTF-8, \xff";
  std::string text(kBytes, sizeof kBytes - 1);
  ASSERT_EQ(text.size(), 37u);
  EXPECT_EQ(Escaped(text), text);
}

TEST(LineCodecTest, EscapedTextHoldsNoTabNewlineOrCarriageReturn) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  std::string escaped = Escaped(all);
  EXPECT_EQ(escaped.find_first_of("\t\n\r"), std::string::npos);
}

TEST(LineCodecTest, EveryByteRoundTrips) {
  for (int c = 0; c < 256; ++c) {
    std::string one(1, static_cast<char>(c));
    EXPECT_EQ(Unescaped(Escaped(one)), one) << c;
    // In every position of a word, where the eight-byte path copies or stops.
    for (size_t at = 0; at < 20; ++at) {
      std::string text(20, 'x');
      text[at] = static_cast<char>(c);
      EXPECT_EQ(Unescaped(Escaped(text)), text) << c << " at " << at;
    }
  }
}

TEST(LineCodecTest, RunsOfSpecialBytesRoundTrip) {
  for (std::string text : {"\\\\\\", "\t\t\n\n\r\r", "\\n", "\\\n", "x\\", "\\", "\r\n",
                           "a long field of plain text\twith a tab after sixteen bytes\\"}) {
    EXPECT_EQ(Unescaped(Escaped(text)), text) << text;
  }
}

TEST(LineCodecTest, AppendsAfterWhatIsThere) {
  std::string out = "key\t";
  AppendEscaped("a\tb", &out);
  EXPECT_EQ(out, "key\ta\\tb");
  ASSERT_TRUE(AppendUnescaped("\\n!", &out));
  EXPECT_EQ(out, "key\ta\\tb\n!");
}

TEST(LineCodecTest, EscapeFieldWritesAtMostTwiceTheInput) {
  std::string text(33, '\\');
  std::string buffer(MaxEscapedSize(text.size()), '?');
  char* end = EscapeField(text, buffer.data());
  EXPECT_EQ(end, buffer.data() + buffer.size());
  EXPECT_EQ(buffer, std::string(66, '\\'));
}

TEST(LineCodecTest, RejectsABackslashAtTheEndOrBeforeAnotherLetter) {
  for (std::string_view field : {"\\", "ab\\", "\\x", "a\\0", "\\T", "\\\\\\"})
    EXPECT_EQ(Unescaped(field), std::nullopt) << field;
}

TEST(LineCodecTest, NeedsEscapeNamesTheFourBytes) {
  int count = 0;
  for (int c = 0; c < 256; ++c) count += NeedsEscape(static_cast<char>(c));
  EXPECT_EQ(count, 4);
  EXPECT_TRUE(NeedsEscape('\r'));
}

TEST(LineCodecTest, SplitFieldsWantsExactlyTheCount) {
  std::array<std::string_view, 3> f;
  ASSERT_TRUE(SplitFields("a\t\tc", f));
  EXPECT_EQ(f[0], "a");
  EXPECT_EQ(f[1], "");
  EXPECT_EQ(f[2], "c");
  EXPECT_FALSE(SplitFields("a\tb", f));
  EXPECT_FALSE(SplitFields("a\tb\tc\td", f));
  std::array<std::string_view, 1> one;
  ASSERT_TRUE(SplitFields("", one));
  EXPECT_EQ(one[0], "");
}

TEST(LineCodecTest, EscapedFieldsSplitBackIntoTheirValues) {
  std::string line = Escaped("phase\twith tab") + "\t" + Escaped("line\nbreak");
  std::array<std::string_view, 2> f;
  ASSERT_TRUE(SplitFields(line, f));
  EXPECT_EQ(Unescaped(f[0]), "phase\twith tab");
  EXPECT_EQ(Unescaped(f[1]), "line\nbreak");
}

}  // namespace
}  // namespace orchestrate
