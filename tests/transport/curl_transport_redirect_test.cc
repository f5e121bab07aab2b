// CurlTransport and redirects (issue 11): a 3xx is never followed and never a reply
// for the agent to judge, but a kRedirected failure that says where the server points,
// without the credentials or the query a Location may carry, and that the URL must be
// the final one. Against a stub HTTPS server on loopback (testing/stub_http_server.h):
// the mock CSSM never redirects.
#include "testing/stub_http_server.h"
#include "transport_fixture.h"

namespace sl::transport_test {
namespace {

using test::StubHttpServer;
using ::testing::HasSubstr;
using ::testing::Not;

TransportReply SendTo(const StubHttpServer& server, const std::string& path = "/licservice/license") {
  auto transport = MustCreate(DirectTo(server.Url(path)));
  if (transport == nullptr) return TransportReply{};
  return transport->Send("{}");
}

TEST(CurlTransportRedirectTest, ARedirectIsAFailureNamingItsTargetWithoutCredentials) {
  StubHttpServer server;
  ASSERT_TRUE(server.running());
  server.status = 302;
  server.headers = {{"Location", "https://alice:S3cr3t-pw@cssm.example.com:8443/SmartTransport?sig=T0ken-xyz#top"}};
  server.body = "<html>moved</html>";
  TransportReply r = SendTo(server);
  EXPECT_FALSE(r.delivered());
  EXPECT_EQ(r.failure, TransportFailure::kRedirected) << r.error;
  EXPECT_EQ(r.http_status, 302);
  EXPECT_TRUE(r.body.empty());
  EXPECT_THAT(r.error, HasSubstr(server.Url("/licservice/license") + " answered with a redirect (HTTP 302) to "
                                 "https://cssm.example.com:8443/SmartTransport?..."));
  EXPECT_THAT(r.error, HasSubstr("the agent does not follow redirects: set the URL to the final one"));
  for (const char* secret : {"alice", "S3cr3t-pw", "sig=", "T0ken-xyz", "#top"}) {
    EXPECT_THAT(r.error, Not(HasSubstr(secret)));
  }
}

TEST(CurlTransportRedirectTest, ARelativeLocationIsShownAsTheAbsoluteUrl) {
  StubHttpServer server;
  ASSERT_TRUE(server.running());
  server.status = 301;
  server.headers = {{"Location", "/SmartTransport"}};
  TransportReply r = SendTo(server);
  EXPECT_EQ(r.failure, TransportFailure::kRedirected) << r.error;
  EXPECT_EQ(r.http_status, 301);
  EXPECT_THAT(r.error, HasSubstr("(HTTP 301) to " + server.Url("/SmartTransport") + ";"));
}

TEST(CurlTransportRedirectTest, ARedirectToPlainHttpSaysTheAgentSpeaksHttpsOnly) {
  StubHttpServer server;
  ASSERT_TRUE(server.running());
  server.status = 307;
  server.headers = {{"Location", "http://cssm.example.com/licservice/license"}};
  TransportReply r = SendTo(server);
  EXPECT_EQ(r.failure, TransportFailure::kRedirected) << r.error;
  EXPECT_THAT(r.error, HasSubstr("to http://cssm.example.com/licservice/license;"));
  EXPECT_THAT(r.error, HasSubstr("HTTPS only"));
}

TEST(CurlTransportRedirectTest, ARedirectWithoutALocationIsStillARedirect) {
  StubHttpServer server;
  ASSERT_TRUE(server.running());
  server.status = 303;
  TransportReply r = SendTo(server);
  EXPECT_EQ(r.failure, TransportFailure::kRedirected) << r.error;
  EXPECT_THAT(r.error, HasSubstr("(HTTP 303) without a usable location"));
}

// Other statuses stay replies: a 404 may be CSSM's signed unknown_instance refusal, which
// only the agent can tell from a wrong URL path.
TEST(CurlTransportRedirectTest, A404IsStillAReplyForTheAgentToJudge) {
  StubHttpServer server;
  ASSERT_TRUE(server.running());
  server.status = 404;
  server.body = R"({"error":"not found"})";
  TransportReply r = SendTo(server);
  ASSERT_TRUE(r.delivered()) << r.error;
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.body, server.body);
}

}  // namespace
}  // namespace sl::transport_test
