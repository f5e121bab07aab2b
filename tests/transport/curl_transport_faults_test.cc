// CurlTransport against the mock's injected faults: statuses with and without
// Retry-After are replies, a dropped connection is a failure the next Send recovers
// from, a malformed body and a bad signature are delivered for the agent to reject.
#include "transport_fixture.h"

namespace sl::transport_test {
namespace {

using test::MockCssmProcess;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// The mock's injected faults

TEST(CurlTransportTest, Injected503IsAReplyCarryingRetryAfter) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"status","status":503,"retry_after":120})");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  ASSERT_TRUE(r.delivered()) << r.error;
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.retry_after_seconds, std::optional<int64_t>(120));
  EXPECT_THAT(r.body, HasSubstr("injected_fault"));
}

TEST(CurlTransportTest, Injected429IsAReplyCarryingRetryAfter) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"status","status":429,"retry_after":5})");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  ASSERT_TRUE(r.delivered()) << r.error;
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.retry_after_seconds, std::optional<int64_t>(5));
}

TEST(CurlTransportTest, Injected500IsAReplyWithoutRetryAfter) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"status","status":500})");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  ASSERT_TRUE(r.delivered()) << r.error;
  EXPECT_EQ(r.http_status, 500);
  EXPECT_FALSE(r.retry_after_seconds.has_value());
}

TEST(CurlTransportTest, RetryAfterOfAnEarlierReplyDoesNotLeakIntoTheNext) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"status","status":503,"retry_after":60})");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  ASSERT_EQ(transport->Send("{}").retry_after_seconds, std::optional<int64_t>(60));
  TransportReply next = transport->Send("{}");
  ASSERT_TRUE(next.delivered()) << next.error;
  EXPECT_EQ(next.http_status, 400);
  EXPECT_FALSE(next.retry_after_seconds.has_value());
}

TEST(CurlTransportTest, DroppedConnectionIsConnectionLostAndTheNextSendRecovers) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"drop"})");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kConnectionLost) << r.error;
  EXPECT_THAT(r.error, HasSubstr(HostPort(mock.port())));
  ExpectRegisterAndAuthorize(*transport);  // the same handle, a fresh connection
}

TEST(CurlTransportTest, MalformedBodyIsDeliveredForTheAgentToReject) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"malformed"})");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  ASSERT_TRUE(r.delivered()) << r.error;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_THAT(r.body, HasSubstr("<html>"));
}

TEST(CurlTransportTest, BadSignatureIsDeliveredAndFailsTheDevicesVerification) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"bad_signature"})");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  test::TestDevice device = DeviceThrough(*transport);
  test::Exchange reg = device.Register(kToken);
  EXPECT_EQ(reg.http_status, 200) << reg.raw;
  EXPECT_FALSE(reg.verified.ok());
}

}  // namespace
}  // namespace sl::transport_test
