// ParseRetryAfter, the transport's one Retry-After parser, and TrackRetryAfter,
// which picks the header out of the reply's header lines.
#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>

#include "transport/retry_after.h"

namespace sl::transport_test {
namespace {

// ---------------------------------------------------------------------------
// Retry-After

TEST(ParseRetryAfterTest, ReadsDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", 0), std::optional<int64_t>(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", 0), std::optional<int64_t>(0));
}

TEST(ParseRetryAfterTest, ReadsAnHttpDateRelativeToNow) {
  // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480.
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 90), std::optional<int64_t>(90));
}

TEST(ParseRetryAfterTest, DateInThePastMeansRetryNow) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 500), std::optional<int64_t>(0));
}

TEST(ParseRetryAfterTest, RejectsGarbageAndSaturatesHugeValues) {
  EXPECT_EQ(ParseRetryAfter("", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", 0), std::optional<int64_t>(999999999));
}

// The header lines as libcurl hands them to the header callback, CR LF included.
std::optional<std::string> RetryAfterOf(std::initializer_list<const char*> header_lines) {
  std::optional<std::string> value;
  for (const char* line : header_lines) TrackRetryAfter(line, value);
  return value;
}

TEST(TrackRetryAfterTest, KeepsTheTrimmedValueWhateverTheCase) {
  EXPECT_EQ(RetryAfterOf({"HTTP/1.1 503 Service Unavailable\r\n", "retry-after:  120 \r\n", "\r\n"}),
            std::optional<std::string>("120"));
  EXPECT_EQ(RetryAfterOf({"HTTP/1.1 200 OK\r\n", "Content-Type: application/json\r\n"}), std::nullopt);
}

TEST(TrackRetryAfterTest, OnlyTheFinalResponseCounts) {
  EXPECT_EQ(RetryAfterOf({"HTTP/1.1 100 Continue\r\n", "Retry-After: 5\r\n", "\r\n",
                          "HTTP/1.1 200 OK\r\n", "\r\n"}),
            std::nullopt);
}

TEST(TrackRetryAfterTest, IgnoresAValueTooLongToBeOne) {
  std::string line = "Retry-After: " + std::string(65, '1') + "\r\n";
  EXPECT_EQ(RetryAfterOf({"HTTP/1.1 503 Service Unavailable\r\n", line.c_str()}), std::nullopt);
}

}  // namespace
}  // namespace sl::transport_test
