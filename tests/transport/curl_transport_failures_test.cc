// CurlTransport failures that are not replies: TLS trust (untrusted CA, wrong host,
// expired certificate), a closed port, a name that does not resolve (under .invalid,
// which resolvers answer at once without looking it up anywhere), a stalled server,
// and the reply size cap.
#include <chrono>

#include "testing/tinyproxy_process.h"
#include "transport_fixture.h"

namespace sl::transport_test {
namespace {

using test::MockCssmProcess;
using test::PkiPath;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// TLS trust

TEST(CurlTransportTest, ServerCertificateFromAnUntrustedCaIsTlsFailure) {
  MockCssmProcess mock(test::TestSeedPath());
  TransportSettings s = DirectTo(mock.direct_url());
  s.ca_bundle_path = PkiPath("other-ca.crt");
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTls) << r.error;
  EXPECT_EQ(r.http_status, 0);
  EXPECT_THAT(r.error, HasSubstr("TLS certificate verification of " + HostPort(mock.port()) + " failed"));
  EXPECT_THAT(r.error, HasSubstr("local issuer"));
}

TEST(CurlTransportTest, CertificateForAnotherHostIsTlsFailureNamingTheHost) {
  MockCssmProcess mock(test::TestSeedPath(), {}, "wrong-host");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTls) << r.error;
  EXPECT_THAT(r.error, HasSubstr(HostPort(mock.port())));
  EXPECT_THAT(r.error, HasSubstr("127.0.0.1'"));  // libcurl: "... does not match target host name '127.0.0.1'"
}

TEST(CurlTransportTest, ExpiredServerCertificateIsTlsFailure) {
  MockCssmProcess mock(test::TestSeedPath(), {}, "expired");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTls) << r.error;
  EXPECT_THAT(r.error, HasSubstr("expired"));
}

// ---------------------------------------------------------------------------
// Network failures

TEST(CurlTransportTest, ClosedPortIsConnectFailureNamingTheServer) {
  int port = test::FreeLoopbackPort();
  auto transport = MustCreate(DirectTo("https://127.0.0.1:" + std::to_string(port) + "/licservice/license"));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kConnect) << r.error;
  EXPECT_THAT(r.error, HasSubstr("cannot connect to " + HostPort(port)));
}

TEST(CurlTransportTest, UnresolvableHostIsDnsFailure) {
  auto transport = MustCreate(DirectTo("https://cssm.invalid/licservice/license"));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kDns) << r.error;
  EXPECT_THAT(r.error, HasSubstr("cssm.invalid"));
}

TEST(CurlTransportTest, StalledServerIsTimeoutWithinTheTotalTimeout) {
  MockCssmProcess mock(test::TestSeedPath());
  InjectFault(mock, R"({"kind":"delay","delay_ms":3000})");
  TransportSettings s = DirectTo(mock.direct_url());
  s.connect_timeout_seconds = 1;
  s.total_timeout_seconds = 1;
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  auto start = std::chrono::steady_clock::now();
  TransportReply r = transport->Send("{}");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.failure, TransportFailure::kTimeout) << r.error;
  EXPECT_THAT(r.error, HasSubstr("no answer from " + mock.direct_url() + " within 1 s"));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));  // gave up, did not wait for the 3 s reply
}

TEST(CurlTransportTest, ReplyOverTheCapIsResponseTooLarge) {
  MockCssmProcess mock(test::TestSeedPath());
  CurlTransportOptions options;
  options.max_response_bytes = 64;  // the signed refusal of "{}" is a few hundred bytes
  auto transport = MustCreate(DirectTo(mock.direct_url()), options);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kResponseTooLarge) << r.error;
  EXPECT_TRUE(r.body.empty());
  EXPECT_THAT(r.error, HasSubstr("64 bytes"));
}

TEST(CurlTransportTest, ReplyExactlyAtTheCapIsDelivered) {
  MockCssmProcess mock(test::TestSeedPath());
  test::HttpResult reference = mock.Request("POST", "/licservice/license", "{}", /*auth=*/false);
  ASSERT_EQ(reference.status, 400);
  CurlTransportOptions options;
  options.max_response_bytes = reference.body.size();
  auto transport = MustCreate(DirectTo(mock.direct_url()), options);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  ASSERT_TRUE(r.delivered()) << r.error;
  EXPECT_EQ(r.body.size(), reference.body.size());
}

}  // namespace
}  // namespace sl::transport_test
