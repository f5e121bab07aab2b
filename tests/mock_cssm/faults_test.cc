#include "mock_cssm/faults.h"

#include <gtest/gtest.h>

namespace sl::mock {
namespace {

TEST(FaultsTest, ParsesEachKind) {
  Fault status = ParseFault(R"({"kind":"status","status":503,"retry_after":120,"count":2})").value();
  EXPECT_EQ(status.kind, FaultKind::kStatus);
  EXPECT_EQ(status.http_status, 503);
  EXPECT_EQ(status.retry_after_seconds.value_or(0), 120);
  EXPECT_EQ(status.remaining, 2);
  EXPECT_EQ(ParseFault(R"({"kind":"delay","delay_ms":1500})")->delay_ms, 1500);
  EXPECT_EQ(ParseFault(R"({"kind":"drop","path":"/SmartTransport"})")->path, "/SmartTransport");
  EXPECT_EQ(ParseFault(R"({"kind":"malformed"})")->kind, FaultKind::kMalformed);
  EXPECT_EQ(ParseFault(R"({"kind":"bad_signature"})")->kind, FaultKind::kBadSignature);
}

TEST(FaultsTest, RejectsBadFaults) {
  EXPECT_EQ(ParseFault(R"({"kind":"explode"})").status().message(),
            "field 'fault.kind' must be one of delay, status, drop, malformed, bad_signature");
  EXPECT_FALSE(ParseFault(R"({"kind":"status","status":200})").ok());
  EXPECT_FALSE(ParseFault(R"({"kind":"status"})").ok());
  EXPECT_FALSE(ParseFault(R"({"kind":"delay","delay_ms":0})").ok());
  EXPECT_FALSE(ParseFault(R"({"kind":"drop","path":"/admin/v1/clock"})").ok());
  EXPECT_FALSE(ParseFault(R"({"kind":"drop","count":0})").ok());
  EXPECT_FALSE(ParseFault("[]").ok());
}

TEST(FaultsTest, FaultsApplyToTheNextNMatchingRequestsInOrder) {
  FaultPlan plan;
  Fault onprem = ParseFault(R"({"kind":"drop","path":"/SmartTransport"})").value();
  Fault any = ParseFault(R"({"kind":"status","status":500,"count":2})").value();
  plan.Add(onprem);
  plan.Add(any);
  EXPECT_EQ(plan.Take("/licservice/license")->kind, FaultKind::kStatus);
  EXPECT_EQ(plan.Take("/SmartTransport")->kind, FaultKind::kDrop);
  EXPECT_EQ(plan.Take("/SmartTransport")->kind, FaultKind::kStatus);
  EXPECT_FALSE(plan.Take("/SmartTransport").has_value());
  EXPECT_TRUE(plan.List().empty());
}

TEST(FaultsTest, ClearRemovesEverything) {
  FaultPlan plan;
  plan.Add(ParseFault(R"({"kind":"malformed","count":5})").value());
  plan.Clear();
  EXPECT_FALSE(plan.Take("/licservice/license").has_value());
}

TEST(FaultsTest, JsonRoundTrip) {
  Fault f = ParseFault(R"({"kind":"status","status":429,"retry_after":30})").value();
  EXPECT_EQ(FaultToJson(f), R"({"kind":"status","remaining":1,"status":429,"retry_after":30})");
}

}  // namespace
}  // namespace sl::mock
