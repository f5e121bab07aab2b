// Integration tests: the real mock-cssm binary over real TLS on loopback.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/wait.h>

#include "base/json.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_device.h"
#include "testing/test_util.h"

namespace sl::mock {
namespace {

using test::HttpResult;
using test::MockCssmProcess;

test::TestDevice DeviceOn(const MockCssmProcess& mock, const std::string& sn = "SN1",
                          const std::string& path = "/licservice/license") {
  return test::TestDevice(
      [&mock, path](const std::string& envelope) {
        HttpResult r = mock.Request("POST", path, envelope, /*auth=*/false);
        return std::make_pair(r.status, r.body);
      },
      Udi{"EXPWY-VE-L", sn});
}

std::string JsonString(const std::string& json, const char* field) {
  auto doc = ParseJson(json);
  if (!doc.ok()) return "";
  JsonReader r(*doc, "");
  return r.OptionalString(field).value_or("");
}

const char* kVa = "/admin/v1/accounts/Acme%20Video/virtual-accounts/Expressway";

class MockServerTest : public ::testing::Test {
 protected:
  MockCssmProcess mock_{test::TestSeedPath()};
};

TEST_F(MockServerTest, RegisterAuthorizeRenewDeregisterOverTls) {
  ASSERT_TRUE(mock_.running());
  test::TestDevice device = DeviceOn(mock_);
  test::Exchange reg = device.Register("TEST-TOKEN-EXPRESSWAY");
  ASSERT_TRUE(reg.verified.ok()) << reg.verified.ToString() << " " << reg.raw;
  ASSERT_TRUE(reg.response.ok) << reg.response.error_message;
  EXPECT_EQ(reg.response.smart_account, "Acme Video");
  EXPECT_EQ(reg.response.virtual_account, "Expressway");
  EXPECT_TRUE(reg.response.export_controlled);

  test::Exchange auth = device.Authorize({{"expressway_rms", 7}});
  ASSERT_TRUE(auth.response.ok);
  EXPECT_EQ(auth.response.authorization_status, "Authorized");

  HttpResult pi = mock_.Admin("GET", "/admin/v1/product-instances/" + device.instance_id());
  EXPECT_EQ(pi.status, 200);
  EXPECT_NE(pi.body.find(R"("usage":[{"tag":"expressway_rms","count":7}])"), std::string::npos) << pi.body;
  EXPECT_NE(pi.body.find(R"("hostname":"exp1.example.com")"), std::string::npos);
  HttpResult pool = mock_.Admin("GET", std::string(kVa) + "/licenses");
  EXPECT_NE(pool.body.find(R"({"tag":"expressway_rms","owned":100,"in_use":7,"status":"Authorized"})"),
            std::string::npos) << pool.body;

  ASSERT_TRUE(device.RenewId().response.ok);
  ASSERT_TRUE(device.Authorize({{"expressway_rms", 7}}).response.ok);
  ASSERT_TRUE(device.Deregister().response.ok);
  pool = mock_.Admin("GET", std::string(kVa) + "/licenses");
  EXPECT_NE(pool.body.find(R"("in_use":0)"), std::string::npos) << pool.body;
  EXPECT_EQ(mock_.Admin("GET", "/admin/v1/product-instances/" + device.instance_id()).status, 404);
}

TEST_F(MockServerTest, UsageOverThePoolIsOutOfCompliance) {
  test::TestDevice a = DeviceOn(mock_, "A");
  test::TestDevice b = DeviceOn(mock_, "B");
  ASSERT_TRUE(a.Register("TEST-TOKEN-LAB").response.ok);
  ASSERT_TRUE(b.Register("TEST-TOKEN-LAB").response.ok);
  EXPECT_EQ(a.Authorize({{"expressway_rms", 2}}).response.authorization_status, "Authorized");
  test::Exchange over = b.Authorize({{"expressway_rms", 1}, {"no_such_license", 1}});
  EXPECT_EQ(over.response.authorization_status, "Out-of-compliance");
  ASSERT_EQ(over.response.licenses.size(), 2u);
  EXPECT_EQ(over.response.licenses[0].status, "Out of compliance");
  EXPECT_EQ(over.response.licenses[1].status, "Invalid-tag");
}

TEST_F(MockServerTest, TokenRefusalsAreSignedAndClear) {
  test::TestDevice device = DeviceOn(mock_);
  test::Exchange invalid = device.Register("NOT-A-REAL-TOKEN");
  ASSERT_TRUE(invalid.verified.ok());
  EXPECT_EQ(invalid.http_status, 403);
  EXPECT_EQ(invalid.response.error_code, "token_invalid");

  ASSERT_TRUE(device.Register("TEST-TOKEN-ONE-USE").response.ok);
  test::Exchange used = DeviceOn(mock_, "SN2").Register("TEST-TOKEN-ONE-USE");
  EXPECT_EQ(used.response.error_code, "token_used_up");

  // Tokens expire by the server's clock, which the admin API moves.
  std::string token = mock_.CreateToken("Acme Video", "Expressway", false, /*expires_in_days=*/1);
  HttpResult moved = mock_.Admin("POST", "/admin/v1/clock", R"({"offset_seconds":90000})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  test::Exchange expired = DeviceOn(mock_, "SN3").Register(token);
  // The device's own clock is now behind the server's by 25 hours.
  EXPECT_EQ(expired.response.error_code, "stale_message");
}

TEST_F(MockServerTest, ServerClockExpiresTokensAndRegistrations) {
  std::string token = mock_.CreateToken("Acme Video", "Expressway", false, 1);
  int64_t offset = 0;
  auto device_clock = [&offset] { return SystemTimeSource().Now() + offset; };
  auto post = [this](const std::string& envelope) {
    HttpResult r = mock_.Request("POST", "/licservice/license", envelope, false);
    return std::make_pair(r.status, r.body);
  };
  test::TestDevice late(post, Udi{"EXPWY-VE-L", "LATE"}, device_clock);
  test::TestDevice early(post, Udi{"EXPWY-VE-L", "EARLY"}, device_clock);
  ASSERT_TRUE(early.Register("TEST-TOKEN-EXPRESSWAY").response.ok);

  offset = 2 * kDay;
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/clock", R"({"offset_seconds":172800})").status, 200);
  EXPECT_EQ(late.Register(token).response.error_code, "token_expired");

  offset = 366 * kDay;
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/clock", R"({"offset_seconds":31622400})").status, 200);
  EXPECT_EQ(early.Authorize({}).response.error_code, "registration_expired");
  HttpResult clock = mock_.Admin("GET", "/admin/v1/clock");
  EXPECT_NE(clock.body.find(R"("offset_seconds":31622400)"), std::string::npos);
}

TEST_F(MockServerTest, ManuallyRemovedInstanceIsUnknownAfterwards) {
  test::TestDevice device = DeviceOn(mock_);
  ASSERT_TRUE(device.Register("TEST-TOKEN-EXPRESSWAY").response.ok);
  EXPECT_EQ(mock_.Admin("DELETE", "/admin/v1/product-instances/" + device.instance_id()).status, 204);
  test::Exchange e = device.Authorize({});
  EXPECT_EQ(e.response.error_code, "unknown_instance");
  EXPECT_EQ(e.http_status, 404);
}

TEST_F(MockServerTest, AdminViewShowsThePreviousCertificateUntilTheDeviceUsesTheNewOne) {
  test::TestDevice device = DeviceOn(mock_);
  ASSERT_TRUE(device.Register("TEST-TOKEN-EXPRESSWAY").response.ok);
  std::string held = device.cert_serial();
  ASSERT_TRUE(device.RenewId().response.ok);  // as if lost: the device may still hold `held`
  std::string path = "/admin/v1/product-instances/" + device.instance_id();
  HttpResult pi = mock_.Admin("GET", path);
  EXPECT_EQ(JsonString(pi.body, "id_certificate_serial"), device.cert_serial()) << pi.body;
  EXPECT_EQ(JsonString(pi.body, "previous_id_certificate_serial"), held) << pi.body;
  ASSERT_TRUE(device.Authorize({}).response.ok);
  pi = mock_.Admin("GET", path);
  EXPECT_EQ(pi.body.find("previous_id_certificate_serial"), std::string::npos) << pi.body;
}

TEST_F(MockServerTest, AdminApiRefusesMissingOrWrongToken) {
  HttpResult none = mock_.Request("GET", "/admin/v1/accounts", "", /*auth=*/false);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("Bearer"), std::string::npos);
  httplib::SSLClient client("127.0.0.1", mock_.port());
  client.set_ca_cert_path(test::PkiPath("tls-ca.crt").c_str());
  client.enable_server_certificate_verification(true);
  auto wrong = client.Post("/admin/v1/accounts", {{"Authorization", "Bearer wrong-token-000000"}},
                           R"({"name":"Evil"})", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(mock_.Admin("GET", "/admin/v1/accounts").body.find("Evil"), std::string::npos);
}

TEST_F(MockServerTest, AdminApiBuildsAccountsPoolsAndTokens) {
  EXPECT_EQ(mock_.Admin("POST", "/admin/v1/accounts", R"({"name":"Globex"})").status, 201);
  EXPECT_EQ(mock_.Admin("POST", "/admin/v1/accounts", R"({"name":"Globex"})").status, 409);
  EXPECT_EQ(mock_.Admin("POST", "/admin/v1/accounts/Globex/virtual-accounts",
                        R"({"name":"Default","export_controlled_allowed":false})").status, 201);
  EXPECT_EQ(mock_.Admin("PUT", "/admin/v1/accounts/Globex/virtual-accounts/Default/licenses/expressway_rms",
                        R"({"count":3})").status, 200);
  HttpResult ec = mock_.Admin("POST", "/admin/v1/accounts/Globex/virtual-accounts/Default/tokens",
                              R"({"export_controlled":true,"expires_in_days":30,"max_uses":1})");
  EXPECT_EQ(ec.status, 403) << ec.body;
  HttpResult token = mock_.Admin("POST", "/admin/v1/accounts/Globex/virtual-accounts/Default/tokens",
                                 R"({"export_controlled":false,"expires_in_days":30,"max_uses":1})");
  ASSERT_EQ(token.status, 201);
  test::Exchange reg = DeviceOn(mock_).Register(JsonString(token.body, "token"));
  ASSERT_TRUE(reg.response.ok);
  EXPECT_EQ(reg.response.smart_account, "Globex");
  EXPECT_FALSE(reg.response.export_controlled);
  EXPECT_EQ(mock_.Admin("POST", "/admin/v1/accounts/Nobody/virtual-accounts", R"({"name":"x"})").status, 404);
}

TEST_F(MockServerTest, MalformedAndWronglyTypedAdminBodiesGet400NamingTheProblem) {
  HttpResult bad = mock_.Admin("POST", "/admin/v1/accounts", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("malformed JSON"), std::string::npos);
  HttpResult typed = mock_.Admin("PUT", std::string(kVa) + "/licenses/expressway_rms", R"({"count":"ten"})");
  EXPECT_EQ(typed.status, 400);
  EXPECT_NE(typed.body.find("field 'license.count' must be an integer"), std::string::npos) << typed.body;
  HttpResult array = mock_.Admin("POST", "/admin/v1/accounts", "[]");
  EXPECT_EQ(array.status, 400);
  HttpResult fault = mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"meteor"})");
  EXPECT_EQ(fault.status, 400);
  HttpResult clock = mock_.Admin("POST", "/admin/v1/clock", R"({"offset_seconds":1.5})");
  EXPECT_EQ(clock.status, 400);
}

TEST_F(MockServerTest, OversizedBodiesAreRefused) {
  std::string big(70 * 1024, 'a');
  HttpResult licensing = mock_.Request("POST", "/licservice/license", big, false);
  EXPECT_EQ(licensing.status, 413);
  test::TestDevice device = DeviceOn(mock_);
  test::Exchange e = device.SendRaw(big);
  ASSERT_TRUE(e.verified.ok()) << "a refused oversized request still gets a signed answer";
  EXPECT_EQ(e.response.error_code, "payload_too_large");
  EXPECT_EQ(mock_.Admin("POST", "/admin/v1/accounts", big).status, 413);
}

TEST_F(MockServerTest, MalformedLicensingRequestGetsSigned400) {
  test::Exchange e = DeviceOn(mock_).SendRaw("{{{{");
  ASSERT_TRUE(e.verified.ok());
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.response.error_code, "malformed_request");
}

TEST_F(MockServerTest, StatusFaultWithRetryAfterAppliesToTheNextNRequests) {
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":503,"retry_after":120,"count":2})").status, 201);
  test::TestDevice device = DeviceOn(mock_);
  std::string envelope = "{}";
  HttpResult first = mock_.Request("POST", "/licservice/license", envelope, false);
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(first.retry_after, "120");
  EXPECT_EQ(mock_.Request("POST", "/SmartTransport", envelope, false).status, 503);
  EXPECT_EQ(mock_.Request("POST", "/licservice/license", envelope, false).status, 400);  // faults used up
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":429,"retry_after":5})").status, 201);
  HttpResult throttled = mock_.Request("POST", "/licservice/license", envelope, false);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.retry_after, "5");
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":500})").status, 201);
  EXPECT_EQ(mock_.Request("POST", "/licservice/license", envelope, false).status, 500);
}

TEST_F(MockServerTest, FaultsCanTargetOnePath) {
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":500,"path":"/SmartTransport"})").status, 201);
  EXPECT_EQ(mock_.Request("POST", "/licservice/license", "{}", false).status, 400);
  EXPECT_EQ(mock_.Request("POST", "/SmartTransport", "{}", false).status, 500);
}

TEST_F(MockServerTest, DropFaultCutsTheConnection) {
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"drop"})").status, 201);
  HttpResult dropped = mock_.Request("POST", "/licservice/license", "{}", false);
  EXPECT_EQ(dropped.status, 0);
  EXPECT_FALSE(dropped.error.empty());
}

TEST_F(MockServerTest, MalformedFaultSendsAnUnparseableBody) {
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"malformed"})").status, 201);
  test::Exchange e = DeviceOn(mock_).Register("TEST-TOKEN-EXPRESSWAY");
  EXPECT_EQ(e.http_status, 200);
  EXPECT_EQ(e.verified.code(), StatusCode::kInvalidArgument);
}

TEST_F(MockServerTest, BadSignatureFaultFailsVerification) {
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"bad_signature"})").status, 201);
  test::Exchange e = DeviceOn(mock_).Register("TEST-TOKEN-EXPRESSWAY");
  EXPECT_EQ(e.http_status, 200);
  EXPECT_EQ(e.verified.code(), StatusCode::kUnauthenticated);
}

TEST_F(MockServerTest, DelayFaultHoldsTheResponse) {
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"delay","delay_ms":3000})").status, 201);
  HttpResult slow = mock_.Request("POST", "/licservice/license", "{}", false, /*read_timeout_seconds=*/1);
  EXPECT_EQ(slow.status, 0) << "the client should time out before the delayed answer";
  EXPECT_EQ(mock_.Request("POST", "/licservice/license", "{}", false).status, 400);
}

TEST_F(MockServerTest, FaultsAreListedAndCleared) {
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"malformed","count":3})").status, 201);
  EXPECT_NE(mock_.Admin("GET", "/admin/v1/faults").body.find(R"("remaining":3)"), std::string::npos);
  EXPECT_EQ(mock_.Admin("DELETE", "/admin/v1/faults").status, 204);
  EXPECT_EQ(mock_.Admin("GET", "/admin/v1/faults").body, R"({"faults":[]})");
}

TEST_F(MockServerTest, UnknownPathsGetJson404) {
  HttpResult r = mock_.Request("GET", "/nothing/here", "", false);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("no such endpoint"), std::string::npos);
}

TEST_F(MockServerTest, RefusesTlsOlderThan12) {
  httplib::SSLClient client("127.0.0.1", mock_.port());
  client.set_ca_cert_path(test::PkiPath("tls-ca.crt").c_str());
  client.enable_server_certificate_verification(true);
  SSL_CTX_set_min_proto_version(client.ssl_context(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(client.ssl_context(), TLS1_1_VERSION);
  EXPECT_FALSE(client.Get("/nothing"));
}

TEST_F(MockServerTest, SigtermStopsCleanly) { EXPECT_EQ(mock_.Stop(), 0); }

TEST(MockServerModesTest, OnPremOnlyServesSmartTransportOnly) {
  MockCssmProcess mock(test::TestSeedPath(), {"--endpoints", "onprem"});
  ASSERT_TRUE(mock.running());
  EXPECT_EQ(mock.Request("POST", "/licservice/license", "{}", false).status, 404);
  test::TestDevice device = DeviceOn(mock, "SN1", "/SmartTransport");
  EXPECT_TRUE(device.Register("TEST-TOKEN-EXPRESSWAY").response.ok);
}

TEST(MockServerModesTest, DirectOnlyServesLicserviceOnly) {
  MockCssmProcess mock(test::TestSeedPath(), {"--endpoints", "direct"});
  ASSERT_TRUE(mock.running());
  EXPECT_EQ(mock.Request("POST", "/SmartTransport", "{}", false).status, 404);
  EXPECT_EQ(mock.Request("POST", "/licservice/license", "{}", false).status, 400);
}

// Runs mock-cssm with `args`; returns its exit status and stderr.
std::pair<int, std::string> RunMock(const std::string& args) {
  test::TempDir dir;
  std::string cmd = std::string(SL_MOCK_CSSM_BINARY) + " " + args + " >/dev/null 2>" + dir.File("err");
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::ReadFile(dir.File("err"))};
}

TEST(MockCliTest, BadArgumentsAreUsageErrors) {
  std::string pki = " --cert " + test::PkiPath("server.crt") + " --key " + test::PkiPath("server.key") +
                    " --signing-key " + test::PkiPath("cssm-signing.key") + " --signing-cert " +
                    test::PkiPath("cssm-signing.crt");
  EXPECT_EQ(RunMock("--bogus x").first, 2);
  EXPECT_EQ(RunMock("--listen 127.0.0.1:0" + pki).first, 2);  // no admin token
  EXPECT_EQ(RunMock("--listen 127.0.0.1:99999 --admin-token abcdefgh12" + pki).first, 2);
  EXPECT_EQ(RunMock("--listen 10.1.2.3:0 --admin-token abcdefgh12" + pki).first, 2);
  EXPECT_EQ(RunMock("--listen 127.evil.example:0 --admin-token abcdefgh12" + pki).first, 2);
  EXPECT_EQ(RunMock("--listen 1270.0.0.1:0 --admin-token abcdefgh12" + pki).first, 2);
  EXPECT_EQ(RunMock("--listen 127.0.0.1:0 --admin-token abcdefgh12 --endpoints sideways" + pki).first, 2);
  auto [code, err] = RunMock("--listen 127.0.0.1:0 --admin-token abcdefgh12 --seed /nonexistent.json" + pki);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("seed"), std::string::npos) << err;
  auto [code2, err2] = RunMock("--listen 127.0.0.1:0 --admin-token abcdefgh12 --cert /nonexistent --key /x"
                               " --signing-key " + test::PkiPath("cssm-signing.key") + " --signing-cert " +
                               test::PkiPath("cssm-signing.crt"));
  EXPECT_EQ(code2, 1);
  EXPECT_NE(err2.find("TLS certificate"), std::string::npos) << err2;
}

TEST(MockCliTest, AdminTokenNeverAppearsInOutput) {
  auto [code, err] = RunMock("--listen 127.0.0.1:99999 --admin-token super-secret-admin-token");
  EXPECT_EQ(code, 2);
  EXPECT_EQ(err.find("super-secret-admin-token"), std::string::npos);
}

}  // namespace
}  // namespace sl::mock
