// CurlTransport against the real mock-cssm binary over TLS on loopback, Direct and
// On-Prem, and what Create() refuses. The other subjects are in their own files:
// TLS and network failures (curl_transport_failures_test.cc), the mock's injected
// faults (curl_transport_faults_test.cc), proxies and the environment
// (curl_transport_proxy_test.cc), Retry-After (retry_after_test.cc). Nothing here
// leaves 127.0.0.1.
#include "transport_fixture.h"

namespace sl::transport_test {
namespace {

using test::MockCssmProcess;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// Direct and On-Prem against the real mock CSSM over TLS

TEST(CurlTransportTest, DirectRegistersAndAuthorizesOverTls) {
  MockCssmProcess mock(test::TestSeedPath());
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
}

TEST(CurlTransportTest, OnPremRegistersAndAuthorizesAtSmartTransport) {
  MockCssmProcess mock(test::TestSeedPath());
  auto transport = MustCreate(OnPremAt(mock.onprem_url()));
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
}

TEST(CurlTransportTest, OnPremOnlyServerAnswersSmartTransportAndRefusesTheDirectPath) {
  MockCssmProcess mock(test::TestSeedPath(), {"--endpoints", "onprem"});
  auto on_prem = MustCreate(OnPremAt(mock.onprem_url()));
  ASSERT_NE(on_prem, nullptr);
  ExpectRegisterAndAuthorize(*on_prem);

  auto direct = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(direct, nullptr);
  TransportReply r = direct->Send("{}");
  ASSERT_TRUE(r.delivered()) << r.error;  // an HTTP status is a reply for the agent to judge
  EXPECT_EQ(r.http_status, 404);
}

TEST(CurlTransportTest, SendsTheEnvelopeAsJsonAndReturnsTheBodyUnchanged) {
  MockCssmProcess mock(test::TestSeedPath());
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");  // not an envelope: the mock refuses it, signed
  ASSERT_TRUE(r.delivered()) << r.error;
  EXPECT_EQ(r.http_status, 400);
  test::HttpResult same = mock.Request("POST", "/licservice/license", "{}", /*auth=*/false);
  EXPECT_EQ(r.body.substr(0, 20), same.body.substr(0, 20));
  EXPECT_FALSE(r.retry_after_seconds.has_value());
}

TEST(CurlTransportTest, CreateRejectsHttpUrlShowingTheExpectedForm) {
  Result<std::unique_ptr<CurlTransport>> direct = CurlTransport::Create(DirectTo("http://127.0.0.1:1/licservice/license"));
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(direct.status().message(), HasSubstr("https://<host>[:port]/<path>"));

  Result<std::unique_ptr<CurlTransport>> on_prem = CurlTransport::Create(OnPremAt("http://127.0.0.1:1/SmartTransport"));
  ASSERT_FALSE(on_prem.ok());
  EXPECT_THAT(on_prem.status().message(), HasSubstr("https://<host>[:port]/SmartTransport"));

  Result<std::unique_ptr<CurlTransport>> wrong_path = CurlTransport::Create(OnPremAt("https://127.0.0.1:1/licservice/license"));
  ASSERT_FALSE(wrong_path.ok());
  EXPECT_THAT(wrong_path.status().message(), HasSubstr("https://<host>[:port]/SmartTransport"));
}

TEST(CurlTransportTest, CreateRejectsAnUnreadableCaBundle) {
  TransportSettings s = DirectTo("https://127.0.0.1:1/licservice/license");
  s.ca_bundle_path = "/nonexistent/ca.pem";
  Result<std::unique_ptr<CurlTransport>> t = CurlTransport::Create(s);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("/nonexistent/ca.pem"));
}

}  // namespace
}  // namespace sl::transport_test
