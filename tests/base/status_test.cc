#include "smartlicensing/status.h"

#include <gtest/gtest.h>

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
