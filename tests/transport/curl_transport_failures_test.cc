// CurlTransport failures that are not replies: TLS trust (untrusted CA, wrong host, an
// unusable CA bundle) apart from certificate dates (which may be the clock) and from a
// handshake that cannot work (a plain HTTP port), a closed port, a name that does not resolve (under .invalid,
// which resolvers answer at once without looking it up anywhere), a stalled server,
// and the reply size cap.
#include <chrono>

#include "testing/stub_http_server.h"
#include "testing/tinyproxy_process.h"
#include "transport_fixture.h"

namespace sl::transport_test {
namespace {

using test::MockCssmProcess;
using test::PkiPath;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// TLS trust

// A certificate the CA bundle does not vouch for stays so until someone acts: its own
// kind, with what to check.
TEST(CurlTransportTest, ServerCertificateFromAnUntrustedCaIsUntrustedNamingTheCaBundle) {
  MockCssmProcess mock(test::TestSeedPath());
  TransportSettings s = DirectTo(mock.direct_url());
  s.ca_bundle_path = PkiPath("other-ca.crt");
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTlsUntrusted) << r.error;
  EXPECT_EQ(r.http_status, 0);
  EXPECT_THAT(r.error, HasSubstr("TLS certificate verification of " + HostPort(mock.port()) + " failed"));
  EXPECT_THAT(r.error, HasSubstr("local issuer"));
  EXPECT_THAT(r.error, HasSubstr("check that the CA bundle '" + s.ca_bundle_path + "' holds the CA that issued it"));
}

TEST(CurlTransportTest, CertificateForAnotherHostIsUntrustedNamingTheHost) {
  MockCssmProcess mock(test::TestSeedPath(), {}, "wrong-host");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTlsUntrusted) << r.error;
  EXPECT_THAT(r.error, HasSubstr(HostPort(mock.port())));
  EXPECT_THAT(r.error, HasSubstr("127.0.0.1'"));  // libcurl: "... does not match target host name '127.0.0.1'"
  EXPECT_THAT(r.error, HasSubstr("the URL names the host it was issued for"));
}

// Dates may be this system's clock: a kind of their own, which the agent retries as an
// outage (and which does not settle a held clock jump).
TEST(CurlTransportTest, ExpiredServerCertificateIsACertificateDatesFailure) {
  MockCssmProcess mock(test::TestSeedPath(), {}, "expired");
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTlsCertificateDates) << r.error;
  EXPECT_THAT(r.error, HasSubstr("expired"));
  EXPECT_THAT(r.error, HasSubstr("check the system clock"));
}

TEST(CurlTransportTest, ACaBundleThatIsNoCertificateIsUntrustedNamingTheBundle) {
  MockCssmProcess mock(test::TestSeedPath());
  test::TempDir dir;
  const std::string bundle = dir.File("not-a-bundle.pem");
  {
    FILE* f = fopen(bundle.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("this is not a certificate\n", f);
    fclose(f);
  }
  TransportSettings s = DirectTo(mock.direct_url());
  s.ca_bundle_path = bundle;
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTlsUntrusted) << r.error;
  EXPECT_THAT(r.error, HasSubstr("the CA bundle '" + bundle + "'"));
}

// HTTPS to a port that speaks plain HTTP: the handshake cannot work with these settings.
TEST(CurlTransportTest, AServerThatDoesNotSpeakTlsIsAHandshakeFailureNamingThePort) {
  test::StubHttpServer plain(test::StubHttpServer::Protocol::kPlainHttp);
  ASSERT_TRUE(plain.running());
  auto transport = MustCreate(DirectTo("https://127.0.0.1:" + std::to_string(plain.port()) + "/licservice/license"));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kTls) << r.error;
  EXPECT_THAT(r.error, HasSubstr("TLS handshake with " + HostPort(plain.port()) + " failed"));
  EXPECT_THAT(r.error, HasSubstr("check that the URL's port is the server's HTTPS port"));
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
