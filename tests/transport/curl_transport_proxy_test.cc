// CurlTransport through a real tinyproxy with Basic authentication (Debian package
// "tinyproxy"): tunnels, credentials, a proxy that refuses or is down, the password
// kept out of every message, and proxy environment variables that must not override
// the configured transport.
#include <vector>

#include "testing/tinyproxy_process.h"
#include "transport_fixture.h"

namespace sl::transport_test {
namespace {

using test::MockCssmProcess;
using test::PkiPath;
using test::TinyproxyProcess;
using ::testing::HasSubstr;
using ::testing::Not;

// What libcurl would read to pick a proxy for an https URL, were it allowed to.
constexpr const char* kProxyVariables[] = {"https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"};

// ---------------------------------------------------------------------------
// Through a real tinyproxy with Basic authentication

TEST(CurlTransportProxyTest, GoodCredentialsTunnelTheExchangeThroughTheProxy) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  auto transport = MustCreate(ThroughProxy(DirectTo(mock.direct_url()), proxy.port()));
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
  EXPECT_THAT(proxy.Log(), HasSubstr("CONNECT " + HostPort(mock.port())));
}

TEST(CurlTransportProxyTest, OnPremThroughTheProxy) {
  MockCssmProcess mock(test::TestSeedPath(), {"--endpoints", "onprem"});
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  auto transport = MustCreate(ThroughProxy(OnPremAt(mock.onprem_url()), proxy.port()));
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
  EXPECT_THAT(proxy.Log(), HasSubstr("CONNECT " + HostPort(mock.port())));
}

TEST(CurlTransportProxyTest, ConsecutiveSendsReuseOneTunnel) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  auto transport = MustCreate(ThroughProxy(DirectTo(mock.direct_url()), proxy.port()));
  ASSERT_NE(transport, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(transport->Send("{}").delivered());
  std::string log = proxy.Log();
  const std::string connect = "CONNECT " + HostPort(mock.port());
  size_t first = log.find(connect);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(connect, first + 1), std::string::npos) << log;
}

TEST(CurlTransportProxyTest, WrongPasswordIsProxyAuthenticationFailureWithoutThePassword) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, "the-right-one");
  ASSERT_TRUE(proxy.running());
  // The transport sends kProxyPassword, which is wrong.
  auto transport = MustCreate(ThroughProxy(DirectTo(mock.direct_url()), proxy.port()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kProxyAuthentication) << r.error;
  EXPECT_THAT(r.error, HasSubstr("proxy authentication to " + HostPort(proxy.port()) + " failed"));
  EXPECT_THAT(r.error, HasSubstr("check the proxy username and password"));
  EXPECT_THAT(r.error, Not(HasSubstr(kProxyPassword)));
  EXPECT_EQ(r.http_status, 0);
}

TEST(CurlTransportProxyTest, MissingCredentialsIsProxyAuthenticationFailure) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(proxy.port(), "", "");
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kProxyAuthentication) << r.error;
  EXPECT_THAT(r.error, HasSubstr("HTTP 407"));
  EXPECT_THAT(r.error, HasSubstr("configure the proxy username and password"));
}

TEST(CurlTransportProxyTest, ProxyThatRefusesTheTunnelIsProxyFailure) {
  MockCssmProcess mock(test::TestSeedPath());
  // Tunnels allowed to another port only: tinyproxy refuses CONNECT to the mock.
  TinyproxyProcess proxy(mock.port() == 65535 ? 65534 : mock.port() + 1, kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  auto transport = MustCreate(ThroughProxy(DirectTo(mock.direct_url()), proxy.port()));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kProxy) << r.error;
  EXPECT_THAT(r.error, HasSubstr("proxy " + HostPort(proxy.port()) + " refused to open a tunnel to " +
                                 HostPort(mock.port())));
}

TEST(CurlTransportProxyTest, ProxyThatIsDownIsProxyFailureNamingTheProxy) {
  MockCssmProcess mock(test::TestSeedPath());
  int dead = test::FreeLoopbackPort();
  auto transport = MustCreate(ThroughProxy(DirectTo(mock.direct_url()), dead));
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kProxy) << r.error;
  EXPECT_THAT(r.error, HasSubstr("cannot connect to proxy " + HostPort(dead)));
  EXPECT_THAT(r.error, Not(HasSubstr(kProxyPassword)));
}

TEST(CurlTransportProxyTest, UnresolvableProxyIsDnsFailureNamingTheProxy) {
  TransportSettings s = DirectTo("https://127.0.0.1:1/licservice/license");
  s.proxy = ProxySettings{"proxy.invalid", 3128, kProxyUser, kProxyPassword};
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kDns) << r.error;
  EXPECT_THAT(r.error, HasSubstr("proxy.invalid:3128"));
}

TEST(CurlTransportProxyTest, ProxyPasswordAppearsInNoFailureMessage) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  // A password that libcurl would mangle in CURLOPT_PROXYUSERPWD, and that shows up
  // URL-encoded if anything ever put it in a URL.
  const std::string tricky = "p@ss:w%rd/Hunter2";
  std::vector<TransportReply> replies;
  {
    TransportSettings s = DirectTo(mock.direct_url());
    s.proxy = Proxy(proxy.port(), kProxyUser, tricky);  // wrong for this proxy
    replies.push_back(MustCreate(s)->Send("{}"));
  }
  {
    TransportSettings s = DirectTo(mock.direct_url());
    s.proxy = Proxy(test::FreeLoopbackPort(), kProxyUser, tricky);  // proxy down
    replies.push_back(MustCreate(s)->Send("{}"));
  }
  {
    TransportSettings s = DirectTo(mock.direct_url());
    s.ca_bundle_path = PkiPath("other-ca.crt");  // TLS fails inside a good tunnel
    s.proxy = Proxy(proxy.port());
    replies.push_back(MustCreate(s)->Send("{}"));
  }
  for (const TransportReply& r : replies) {
    EXPECT_FALSE(r.delivered());
    EXPECT_THAT(r.error, Not(HasSubstr(tricky)));
    EXPECT_THAT(r.error, Not(HasSubstr("Hunter2")));
    EXPECT_THAT(r.error, Not(HasSubstr(kProxyPassword)));
  }
  EXPECT_EQ(replies[2].failure, TransportFailure::kTlsUntrusted) << replies[2].error;
}

// ---------------------------------------------------------------------------
// Environment proxy variables do not override the configured transport

TEST(CurlTransportEnvironmentTest, ProxyVariablesDoNotDivertADirectTransport) {
  MockCssmProcess mock(test::TestSeedPath());
  const std::string dead = "http://" + HostPort(test::FreeLoopbackPort());
  ScopedEnv env;
  for (const char* name : kProxyVariables) env.Set(name, dead);
  auto transport = MustCreate(DirectTo(mock.direct_url()));
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
}

TEST(CurlTransportEnvironmentTest, ProxyVariablesDoNotReplaceTheConfiguredProxy) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  const std::string dead = "http://" + HostPort(test::FreeLoopbackPort());
  ScopedEnv env;
  for (const char* name : kProxyVariables) env.Set(name, dead);
  auto transport = MustCreate(ThroughProxy(DirectTo(mock.direct_url()), proxy.port()));
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
  EXPECT_THAT(proxy.Log(), HasSubstr("CONNECT " + HostPort(mock.port())));
}

TEST(CurlTransportEnvironmentTest, NoProxyVariableDoesNotBypassTheConfiguredProxy) {
  MockCssmProcess mock(test::TestSeedPath());
  int dead = test::FreeLoopbackPort();
  ScopedEnv env;
  for (const char* name : {"NO_PROXY", "no_proxy"}) env.Set(name, "*");
  auto transport = MustCreate(ThroughProxy(DirectTo(mock.direct_url()), dead));
  ASSERT_NE(transport, nullptr);
  // Were NO_PROXY honoured, the request would go straight to the mock and succeed.
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kProxy) << r.error;
}

}  // namespace
}  // namespace sl::transport_test
