#include "smartlicensing/status.h"

#include <gtest/gtest.h>

#include <string>

namespace sl {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(InvalidArgument("field 'x' is missing").ToString(), "INVALID_ARGUMENT: field 'x' is missing");
}

TEST(StatusTest, OnlyTransientCodesAreRetryable) {
  EXPECT_TRUE(Unavailable("down").IsRetryable());
  EXPECT_TRUE(DeadlineExceeded("slow").IsRetryable());
  EXPECT_TRUE(ResourceExhausted("busy").IsRetryable());
  EXPECT_FALSE(PermissionDenied("refused").IsRetryable());
  EXPECT_FALSE(InvalidArgument("bad").IsRetryable());
  EXPECT_FALSE(DataLoss("corrupt").IsRetryable());
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good(42);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad(NotFound("no such thing"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

// value() on an error is a programming error: it stops the program with the status
// instead of reading an empty value (undefined behaviour).
TEST(ResultDeathTest, ValueOnAnErrorAbortsWithTheStatus) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Result<int> bad(NotFound("no such thing"));
  EXPECT_DEATH((void)bad.value(), "Result::value\\(\\) called on an error: NOT_FOUND: no such thing");
  const Result<std::string> const_bad(DataLoss("record truncated"));
  EXPECT_DEATH((void)const_bad.value(), "Result::value\\(\\) called on an error: DATA_LOSS: record truncated");
  EXPECT_DEATH((void)Result<std::string>(Unavailable("down")).value(),
               "Result::value\\(\\) called on an error: UNAVAILABLE: down");
  Result<int> good(7);
  EXPECT_EQ(good.value(), 7) << "a value is returned as before";
}

Status FailsThenSucceeds(bool fail) {
  SL_RETURN_IF_ERROR(fail ? Unavailable("x") : Status::Ok());
  return FailedPrecondition("reached the end");
}

TEST(StatusTest, ReturnIfErrorReturnsEarly) {
  EXPECT_EQ(FailsThenSucceeds(true).code(), StatusCode::kUnavailable);
  EXPECT_EQ(FailsThenSucceeds(false).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sl
