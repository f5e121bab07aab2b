#include "base/text.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/files.h"
#include "base/json.h"
#include "base/secrets.h"
#include "testing/test_util.h"

namespace sl {
namespace {

TEST(MaskSecretTest, MasksEveryOccurrence) {
  EXPECT_EQ(MaskSecret("pw=hunter2 again hunter2", "hunter2"), "pw=<redacted> again <redacted>");
  EXPECT_EQ(MaskSecret("nothing here", ""), "nothing here");
}

TEST(MaskSecretTest, ASecretInsideTheMaskDoesNotLoop) {
  EXPECT_EQ(MaskSecret("acted", "acted"), "<redacted>");
  EXPECT_EQ(MaskSecret("redacted redacted", "redacted"), "<redacted> <redacted>");
  EXPECT_EQ(MaskSecret("xax", "a", "aaa"), "xaaax");
}

TEST(MaskSecretTest, ShortSecretsAreMaskedToo) {
  EXPECT_EQ(MaskSecret("a1b", "1"), "a<redacted>b");
}

TEST(ParseDecimalTest, AcceptsOnlyPlainDigitsInRange) {
  EXPECT_EQ(ParseDecimal("0", 0, 10), 0);
  EXPECT_EQ(ParseDecimal("65535", 1, 65535), 65535);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1e3", "0x10", "65536", "999999999999999999999"}) {
    EXPECT_FALSE(ParseDecimal(bad, 0, 65535).has_value()) << bad;
  }
}

TEST(SanitizeForDisplayTest, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(SanitizeForDisplay("a\x1b[2Jb\x07\x7f" "c"), "a [2Jb  c");
  EXPECT_EQ(SanitizeForDisplay(std::string("nul\0!", 5)), "nul !");
  // C1 controls in UTF-8 (CSI, NEL) and the Unicode line separators.
  EXPECT_EQ(SanitizeForDisplay("csi \xC2\x9B" "31m nel \xC2\x85 ls \xE2\x80\xA8."), "csi  31m nel   ls  .");
  EXPECT_EQ(SanitizeForDisplay("caf\xC3\xA9 \xF0\x9F\x98\x80 \xC2\xA0ok"), "caf\xC3\xA9 \xF0\x9F\x98\x80 \xC2\xA0ok");
}

TEST(SanitizeForDisplayTest, BytesThatAreNotUtf8BecomeQuestionMarks) {
  EXPECT_EQ(SanitizeForDisplay("\xED\xA0\x80"), "???") << "a surrogate";
  EXPECT_EQ(SanitizeForDisplay("\xC0\xAF"), "??") << "an overlong '/'";
  EXPECT_EQ(SanitizeForDisplay("\x9B" "2J"), "?2J") << "an 8-bit CSI";
  EXPECT_EQ(SanitizeForDisplay("caf\xC3"), "caf?") << "a character cut short";
  EXPECT_EQ(SanitizeForDisplay("\xF4\x90\x80\x80"), "????") << "past U+10FFFF";
}

TEST(SanitizeForDisplayTest, TheLimitNeverCutsACharacter) {
  EXPECT_EQ(SanitizeForDisplay("abc", 3), "abc");
  EXPECT_EQ(SanitizeForDisplay("abcd", 3), "abc...");
  EXPECT_EQ(SanitizeForDisplay("ab\xC3\xA9", 3), "ab...");
  EXPECT_EQ(SanitizeForDisplay("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 6), "\xF0\x9F\x98\x80...");
  std::string long_text = "x";
  for (int i = 0; i < 400; ++i) long_text += "\xC3\xA9";
  std::string shown = SanitizeForDisplay(long_text);
  EXPECT_EQ(shown.size(), 299u + 3u);
  EXPECT_EQ(shown.substr(shown.size() - 5), "\xC3\xA9...");
}

// Whatever goes in, what comes out is text a JSON record holds and reads back, and that
// a terminal shows rather than obeys.
TEST(SanitizeForDisplayTest, TheResultIsAlwaysPrintableUtf8) {
  for (std::string hostile : {std::string("\xED\xB0\x80"), std::string("a\0b", 3), std::string("\x1b]0;x\x07"),
                              std::string("\xC2\x9B\xC2\x9D\x9B\x9D"), std::string("\xC0\x80\xE0\x80\x80"),
                              std::string("\xFF\xFE"), std::string("\xE2\x80")}) {
    std::string shown = SanitizeForDisplay(hostile, 5);
    EXPECT_FALSE(HasControlCharacter(shown)) << shown;
    JsonWriter w;
    w.StartObject().Field("s", shown).EndObject();
    Result<rapidjson::Document> doc = ParseJson(w.str());
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    EXPECT_EQ(std::string((*doc)["s"].GetString(), (*doc)["s"].GetStringLength()), shown);
  }
}

TEST(HasControlCharacterTest, FindsC0DelAndC1) {
  EXPECT_FALSE(HasControlCharacter("Authorized caf\xC3\xA9 \xE2\x80\xA8 \xC2\xA0"));
  EXPECT_TRUE(HasControlCharacter("a\x1b" "b"));
  EXPECT_TRUE(HasControlCharacter(std::string("a\0", 2)));
  EXPECT_TRUE(HasControlCharacter("\x7f"));
  EXPECT_TRUE(HasControlCharacter("\xC2\x80"));
  EXPECT_TRUE(HasControlCharacter("\xC2\x9F"));
  EXPECT_TRUE(HasControlCharacter("\x9B")) << "a stray 8-bit CSI";
}

TEST(HexTest, DecodesEitherCaseAndRejectsJunk) {
  EXPECT_EQ(HexDecode("00ff10").value(), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(HexDecode("ABcd").value(), "\xab\xcd");
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_TRUE(IsHex("0123456789abcdefABCDEF"));
  EXPECT_FALSE(IsHex("g"));
}

TEST(ReadFileCappedTest, ReadsMissingAndOversizedFilesClearly) {
  test::TempDir dir;
  {
    std::FILE* f = std::fopen(dir.File("f").c_str(), "w");
    std::fputs("hello", f);
    std::fclose(f);
  }
  EXPECT_EQ(ReadFileCapped(dir.File("f"), 5).value(), "hello");
  EXPECT_EQ(ReadFileCapped(dir.File("f"), 4).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFileCapped(dir.File("missing"), 4).status().code(), StatusCode::kNotFound);
  // A local storage problem, never PermissionDenied (a refusal by CSSM to this project).
  EXPECT_EQ(ReadFileCapped(dir.path(), 4).status().code(), StatusCode::kDataLoss);  // a directory
}

TEST(StatusSlugTest, IsTheLowerCaseName) {
  EXPECT_EQ(StatusCodeSlug(StatusCode::kInvalidArgument), "invalid_argument");
}

}  // namespace
}  // namespace sl
