#include "base/text.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/files.h"
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
  EXPECT_EQ(ReadFileCapped(dir.path(), 4).status().code(), StatusCode::kPermissionDenied);  // a directory
}

TEST(StatusSlugTest, IsTheLowerCaseName) {
  EXPECT_EQ(StatusCodeSlug(StatusCode::kInvalidArgument), "invalid_argument");
}

}  // namespace
}  // namespace sl
