// CurlTransport against real parts on loopback: the mock-cssm binary over TLS
// (Direct and On-Prem), a real tinyproxy with Basic authentication, and the mock's
// injected faults. Nothing here leaves 127.0.0.1 (the DNS test asks for a name under
// .invalid, which resolvers answer at once without looking it up anywhere).
#include "smartlicensing/curl_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "testing/mock_cssm_process.h"
#include "testing/test_device.h"
#include "testing/test_util.h"
#include "testing/tinyproxy_process.h"
#include "transport/retry_after.h"

namespace sl {
namespace {

using test::MockCssmProcess;
using test::PkiPath;
using test::TinyproxyProcess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kToken = "TEST-TOKEN-EXPRESSWAY";
constexpr const char* kProxyUser = "licensing";
constexpr const char* kProxyPassword = "Hunter2-pr0xy-s3cret";

TransportSettings DirectTo(const std::string& url) {
  TransportSettings s;
  s.mode = TransportMode::kDirect;
  s.url = url;
  s.ca_bundle_path = PkiPath("tls-ca.crt");
  s.connect_timeout_seconds = 5;
  s.total_timeout_seconds = 10;
  return s;
}

TransportSettings OnPremAt(const std::string& url) {
  TransportSettings s = DirectTo(url);
  s.mode = TransportMode::kOnPrem;
  return s;
}

ProxySettings Proxy(int port, const std::string& user = kProxyUser, const std::string& password = kProxyPassword) {
  return ProxySettings{"127.0.0.1", port, user, password};
}

std::unique_ptr<CurlTransport> MustCreate(const TransportSettings& settings, CurlTransportOptions options = {}) {
  Result<std::unique_ptr<CurlTransport>> t = CurlTransport::Create(settings, options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

// A protocol device whose every exchange goes through `transport`; a transport
// failure shows up as status 0 with the failure's message as the body.
test::TestDevice DeviceThrough(Transport& transport, const std::string& serial = "SN1") {
  return test::TestDevice(
      [&transport](const std::string& envelope) {
        TransportReply r = transport.Send(envelope);
        return r.delivered() ? std::make_pair(r.http_status, r.body) : std::make_pair(0, r.error);
      },
      Udi{"EXPWY-VE-L", serial});
}

void ExpectRegisterAndAuthorize(Transport& transport) {
  test::TestDevice device = DeviceThrough(transport);
  test::Exchange reg = device.Register(kToken);
  ASSERT_EQ(reg.http_status, 200) << reg.raw;
  ASSERT_TRUE(reg.verified.ok()) << reg.verified.ToString();
  ASSERT_TRUE(reg.response.ok) << reg.raw;
  EXPECT_FALSE(device.instance_id().empty());
  test::Exchange auth = device.Authorize({{"expressway_rms", 3}});
  ASSERT_EQ(auth.http_status, 200) << auth.raw;
  ASSERT_TRUE(auth.verified.ok()) << auth.verified.ToString();
  EXPECT_EQ(auth.response.authorization_status, "Authorized") << auth.raw;
}

void InjectFault(const MockCssmProcess& mock, const std::string& json) {
  test::HttpResult r = mock.Admin("POST", "/admin/v1/faults", json);
  ASSERT_EQ(r.status, 201) << r.body << r.error;
}

std::string HostPort(int port) { return "127.0.0.1:" + std::to_string(port); }

// Sets environment variables for one test and puts the old values back.
class ScopedEnv {
 public:
  void Set(const char* name, const std::string& value) {
    if (saved_.count(name) == 0) {
      const char* old = getenv(name);
      saved_[name] = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
    }
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

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

// ---------------------------------------------------------------------------
// Through a real tinyproxy with Basic authentication

TEST(CurlTransportProxyTest, GoodCredentialsTunnelTheExchangeThroughTheProxy) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(proxy.port());
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
  EXPECT_THAT(proxy.Log(), HasSubstr("CONNECT " + HostPort(mock.port())));
}

TEST(CurlTransportProxyTest, OnPremThroughTheProxy) {
  MockCssmProcess mock(test::TestSeedPath(), {"--endpoints", "onprem"});
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  TransportSettings s = OnPremAt(mock.onprem_url());
  s.proxy = Proxy(proxy.port());
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
  EXPECT_THAT(proxy.Log(), HasSubstr("CONNECT " + HostPort(mock.port())));
}

TEST(CurlTransportProxyTest, ConsecutiveSendsReuseOneTunnel) {
  MockCssmProcess mock(test::TestSeedPath());
  TinyproxyProcess proxy(mock.port(), kProxyUser, kProxyPassword);
  ASSERT_TRUE(proxy.running());
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(proxy.port());
  auto transport = MustCreate(s);
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
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(proxy.port());  // kProxyPassword, which is wrong
  auto transport = MustCreate(s);
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
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(proxy.port());
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kProxy) << r.error;
  EXPECT_THAT(r.error, HasSubstr("proxy " + HostPort(proxy.port()) + " refused to open a tunnel to " +
                                 HostPort(mock.port())));
}

TEST(CurlTransportProxyTest, ProxyThatIsDownIsProxyFailureNamingTheProxy) {
  MockCssmProcess mock(test::TestSeedPath());
  int dead = test::FreeLoopbackPort();
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(dead);
  auto transport = MustCreate(s);
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
  EXPECT_EQ(replies[2].failure, TransportFailure::kTls) << replies[2].error;
}

// ---------------------------------------------------------------------------
// Environment proxy variables do not override the configured transport

TEST(CurlTransportEnvironmentTest, ProxyVariablesDoNotDivertADirectTransport) {
  MockCssmProcess mock(test::TestSeedPath());
  const std::string dead = "http://" + HostPort(test::FreeLoopbackPort());
  ScopedEnv env;
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) env.Set(name, dead);
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
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) env.Set(name, dead);
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(proxy.port());
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  ExpectRegisterAndAuthorize(*transport);
  EXPECT_THAT(proxy.Log(), HasSubstr("CONNECT " + HostPort(mock.port())));
}

TEST(CurlTransportEnvironmentTest, NoProxyVariableDoesNotBypassTheConfiguredProxy) {
  MockCssmProcess mock(test::TestSeedPath());
  int dead = test::FreeLoopbackPort();
  ScopedEnv env;
  for (const char* name : {"NO_PROXY", "no_proxy"}) env.Set(name, "*");
  TransportSettings s = DirectTo(mock.direct_url());
  s.proxy = Proxy(dead);
  auto transport = MustCreate(s);
  ASSERT_NE(transport, nullptr);
  // Were NO_PROXY honoured, the request would go straight to the mock and succeed.
  TransportReply r = transport->Send("{}");
  EXPECT_EQ(r.failure, TransportFailure::kProxy) << r.error;
}

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

}  // namespace
}  // namespace sl
