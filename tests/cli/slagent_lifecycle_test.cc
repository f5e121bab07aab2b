// End-to-end: the licensing life of a device driven through the real slagent binary
// against the real mock CSSM: enable, register, usage, renewals under faketime,
// privacy, the transports (direct, on-premises, an authenticating proxy), backup and
// restore, and the daemon. The fixture is in slagent_fixture.h.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "base/iso8601.h"
#include "base/json.h"
#include "smartlicensing/time_source.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_util.h"
#include "testing/tinyproxy_process.h"
#include "slagent_fixture.h"

namespace sl {
namespace {

using test::CommandResult;
using test::MockCssmProcess;

TEST_F(SlagentTest, OperatorWalksEnableRegisterUsageRenewDeregister) {
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s, "mode"), "pak");

  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  s = Status();
  EXPECT_EQ(Str(s, "mode"), "smart");
  EXPECT_EQ(Str(s, "authorization_status"), "Evaluation Mode");
  ASSERT_TRUE(s["evaluation_remaining_seconds"].IsInt64());
  EXPECT_GT(s["evaluation_remaining_seconds"].GetInt64(), 89 * kDay);

  ASSERT_EQ(Run({"usage", "set", "expressway_rms", "7"}).exit_code, 0);
  CommandResult reg = Run({"register", "--token-file", WriteFile("token", "TEST-TOKEN-EXPRESSWAY")});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  s = Status();
  EXPECT_EQ(Str(s, "registration_status"), "Registered");
  EXPECT_EQ(Str(s, "authorization_status"), "Authorized");
  EXPECT_EQ(Str(s, "smart_account"), "Acme Video");
  EXPECT_EQ(Str(s, "virtual_account"), "Expressway");
  EXPECT_EQ(Str(s, "export_controlled"), "Allowed");
  EXPECT_NE(Str(s, "registration_expires"), "<missing>");
  ASSERT_TRUE(s["licenses"].IsArray());
  ASSERT_EQ(s["licenses"].Size(), 1u);
  EXPECT_EQ(Str(s["licenses"][0], "tag"), "expressway_rms");
  EXPECT_EQ(s["licenses"][0]["count"].GetInt64(), 7);
  EXPECT_EQ(Str(s["licenses"][0], "status"), "Authorized");
  EXPECT_EQ(Str(s["transport"], "mode"), "direct");

  // The server saw the hostname and the usage.
  std::string instance = Str(s, "instance_id");
  test::HttpResult pi = mock_.Admin("GET", "/admin/v1/product-instances/" + instance);
  EXPECT_NE(pi.body.find("\"hostname\":\"exp1.example.com\""), std::string::npos) << pi.body;
  EXPECT_NE(pi.body.find("{\"tag\":\"expressway_rms\",\"count\":7}"), std::string::npos) << pi.body;

  ASSERT_EQ(Run({"usage", "set", "expressway_rms", "9"}).exit_code, 0);
  ASSERT_EQ(Run({"usage", "update"}).exit_code, 0);
  pi = mock_.Admin("GET", "/admin/v1/product-instances/" + instance);
  EXPECT_NE(pi.body.find("{\"tag\":\"expressway_rms\",\"count\":9}"), std::string::npos) << pi.body;

  EXPECT_EQ(Run({"renew", "auth"}).exit_code, 0);
  EXPECT_EQ(Run({"renew", "id"}).exit_code, 0);

  CommandResult text = Run({"status"});
  EXPECT_NE(text.out.find("Registration status:"), std::string::npos);
  EXPECT_NE(text.out.find("Registered"), std::string::npos);
  EXPECT_NE(text.out.find("Export-Controlled Functionality:"), std::string::npos);
  EXPECT_NE(text.out.find("expressway_rms"), std::string::npos);

  CommandResult events = Run({"events", "--json"});
  Result<rapidjson::Document> ev = ParseJson(events.out, 1 << 20);
  ASSERT_TRUE(ev.ok()) << events.out;
  ASSERT_TRUE((*ev)["events"].IsArray()) << events.out;
  EXPECT_GT((*ev)["events"].Size(), 3u);

  CommandResult dereg = Run({"deregister"});
  EXPECT_EQ(dereg.exit_code, 0) << dereg.err;
  s = Status();
  EXPECT_EQ(Str(s, "registration_status"), "Unregistered");
  EXPECT_EQ(Str(s, "authorization_status"), "Evaluation Mode");
  EXPECT_EQ(mock_.Admin("GET", "/admin/v1/product-instances/" + instance).status, 404);
}

TEST_F(SlagentTest, InvalidTokenIsRegistrationFailed) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  CommandResult r = Run({"register", "--token", "NOT-A-VALID-TOKEN"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one-line error: " << r.err;
  EXPECT_EQ(Str(Status(), "registration_status"), "Unregistered: Registration Failed");
}

TEST_F(SlagentTest, ExpiredTokenIsRegistrationFailed) {
  std::string token = mock_.CreateToken("Acme Video", "Expressway", false, /*expires_in_days=*/1);
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ServerClock(2 * kDay);
  CommandResult r = Run({"register", "--token", token}, 2 * kDay);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("expired"), std::string::npos) << r.err;
  EXPECT_EQ(Str(Status(2 * kDay), "registration_status"), "Unregistered: Registration Failed");
}

TEST_F(SlagentTest, UsageOverThePoolIsOutOfCompliance) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"usage", "set", "expressway_rms", "5"}).exit_code, 0);  // the Lab pool owns 2
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-LAB"}).exit_code, 0);
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s, "authorization_status"), "Out-of-compliance");
  EXPECT_EQ(Str(s, "export_controlled"), "Not Allowed");
  ASSERT_EQ(s["licenses"].Size(), 1u);
  EXPECT_EQ(Str(s["licenses"][0], "status"), "Out of compliance");
}

TEST_F(SlagentTest, TimelineRenewalRetriesExpiryAndRecoveryUnderFaketime) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"usage", "set", "expressway_rms", "3"}).exit_code, 0);
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
  std::string first_expiry = Str(Status(), "authorization_expires");

  // Day 31: the 30-day authorization renewal is due and succeeds.
  int64_t t = 31 * kDay;
  ServerClock(t);
  CommandResult run = Run({"run", "--once"}, t);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  rapidjson::Document s = Status(t);
  EXPECT_EQ(Str(s, "authorization_status"), "Authorized");
  EXPECT_NE(Str(s, "authorization_expires"), first_expiry);
  std::string renewed_expiry = Str(s, "authorization_expires");

  // Day 62: CSSM refuses with 503 from now on; the agent retries every 15 minutes.
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":503,"count":1000})").status, 201);
  t = 62 * kDay;
  ServerClock(t);
  run = Run({"run", "--once"}, t);
  EXPECT_EQ(run.exit_code, 4) << run.out << run.err;
  s = Status(t);
  EXPECT_EQ(Str(s, "authorization_status"), "Authorized") << "offline keeps the grant until its deadline";
  EXPECT_NE(Str(s, "last_error"), "");
  Result<UnixSeconds> next = ParseIso8601(Str(s, "next_communication_attempt"));
  ASSERT_TRUE(next.ok());
  int64_t wait = *next - (SystemTimeSource().Now() + t);
  EXPECT_GE(wait, 15 * kMinute - 5);
  EXPECT_LE(wait, 15 * kMinute + 90) << "retry every 15 minutes plus a small jitter";
  // Before the retry time nothing is sent; after it, one more attempt.
  test::HttpResult faults = mock_.Admin("GET", "/admin/v1/faults");
  run = Run({"run", "--once"}, t + 5 * kMinute);
  EXPECT_EQ(mock_.Admin("GET", "/admin/v1/faults").body, faults.body) << "no attempt before the retry time";
  ServerClock(t + 16 * kMinute);
  run = Run({"run", "--once"}, t + 16 * kMinute);
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(mock_.Admin("GET", "/admin/v1/faults").body, faults.body) << "the retry reached the server";

  // 90 days after the last success, the authorization expires.
  Result<UnixSeconds> expiry = ParseIso8601(renewed_expiry);
  ASSERT_TRUE(expiry.ok());
  t = *expiry - SystemTimeSource().Now() + kHour;
  ServerClock(t);
  (void)Run({"run", "--once"}, t);
  EXPECT_EQ(Str(Status(t), "authorization_status"), "Authorization Expired");

  // CSSM is back: the next attempt recovers.
  ASSERT_EQ(mock_.Admin("DELETE", "/admin/v1/faults").status, 204);
  t += kHour;
  ServerClock(t);
  (void)Run({"run", "--once"}, t);
  (void)Run({"renew", "auth"}, t);
  s = Status(t);
  EXPECT_EQ(Str(s, "registration_status"), "Registered");
  EXPECT_EQ(Str(s, "authorization_status"), "Authorized");
  EXPECT_EQ(Str(s, "last_error"), "");
}

TEST_F(SlagentTest, PrivacyKeepsTheHostnameFromCssm) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"privacy", "on"}).exit_code, 0);
  EXPECT_TRUE(Status()["privacy"].GetBool());
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
  std::string instance = Str(Status(), "instance_id");
  test::HttpResult pi = mock_.Admin("GET", "/admin/v1/product-instances/" + instance);
  ASSERT_EQ(pi.status, 200);
  EXPECT_EQ(pi.body.find("hostname"), std::string::npos) << pi.body;
  // Turned off again, the next registration renewal tells CSSM the hostname.
  ASSERT_EQ(Run({"privacy", "off"}).exit_code, 0);
  ASSERT_EQ(Run({"renew", "id"}).exit_code, 0);
  pi = mock_.Admin("GET", "/admin/v1/product-instances/" + instance);
  EXPECT_NE(pi.body.find("\"hostname\":\"exp1.example.com\""), std::string::npos) << pi.body;
}

TEST_F(SlagentTest, RegistersThroughAnAuthenticatingProxy) {
  const std::string password = "Tunnel-Pa55";
  test::TinyproxyProcess proxy(mock_.port(), "alice", password);
  ASSERT_TRUE(proxy.running());
  CommandResult t = Run({"transport", "proxy", "--address", "127.0.0.1", "--port", std::to_string(proxy.port()),
                         "--username", "alice", "--password-file", WriteFile("pw", password), "--url",
                         mock_.direct_url(), "--ca-bundle", test::PkiPath("tls-ca.crt")});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  CommandResult r = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(proxy.Log().find("CONNECT 127.0.0.1:" + std::to_string(mock_.port())), std::string::npos)
      << "the exchange went through the proxy";
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s["transport"], "mode"), "proxy");
  EXPECT_TRUE(s["transport"]["proxy"]["password_set"].GetBool());
  EXPECT_EQ(all_output_.find(password), std::string::npos);

  // A wrong password is a configuration problem (exit 7, not an outage's 4) that names
  // the proxy, not the password.
  ASSERT_EQ(Run({"transport", "proxy", "--address", "127.0.0.1", "--port", std::to_string(proxy.port()),
                 "--username", "alice", "--password-file", WriteFile("pw2", "wrong-one"), "--url",
                 mock_.direct_url(), "--ca-bundle", test::PkiPath("tls-ca.crt")}).exit_code, 0);
  CommandResult bad = Run({"renew", "auth"});
  EXPECT_EQ(bad.exit_code, 7);
  EXPECT_NE(bad.err.find("proxy"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("wrong-one"), std::string::npos);
}

TEST_F(SlagentTest, OnPremChangeWhileRegisteredIsRefused) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
  CommandResult r = Run({"transport", "onprem", "--url", mock_.onprem_url(), "--ca-bundle", test::PkiPath("tls-ca.crt")});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("deregister"), std::string::npos) << r.err;
}

TEST_F(SlagentTest, OnPremTransportWorksAgainstAnOnPremOnlyServer) {
  MockCssmProcess onprem(test::TestSeedPath(), {"--endpoints", "onprem"});
  ASSERT_EQ(Run({"transport", "onprem", "--url", onprem.onprem_url(), "--ca-bundle", test::PkiPath("tls-ca.crt")}).exit_code, 0);
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  CommandResult r = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s, "registration_status"), "Registered");
  EXPECT_EQ(Str(s["transport"], "mode"), "onprem");
}

TEST_F(SlagentTest, BackupAndRestoreOnTheSameDeviceKeepTheRegistration) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
  std::ofstream(dir_.File("passphrase")) << "a passphrase for the lifecycle test\n";
  ASSERT_EQ(Run({"backup", dir_.File("backup"), "--passphrase-file", dir_.File("passphrase")}).exit_code, 0);
  ASSERT_EQ(Run({"factory-reset", "--yes"}).exit_code, 0);
  EXPECT_EQ(Str(Status(), "mode"), "pak");
  CommandResult r = Run({"restore", dir_.File("backup"), "--passphrase-file", dir_.File("passphrase")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Str(Status(), "registration_status"), "Registered");
}

TEST_F(SlagentTest, DaemonRenewsWhenDueAndStopsOnSigterm) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  ASSERT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
  std::string before = Str(Status(), "authorization_expires");
  // 31 days later the daemon finds the 30-day renewal due as soon as it starts.
  const int64_t t = 31 * kDay;
  ServerClock(t);
  std::string offset = "FAKETIME=+" + std::to_string(t);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    setenv("LD_PRELOAD", kFaketimeLib, 1);
    putenv(offset.data());
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0", 1);
    std::string state = dir_.File("state");
    execl(SL_SLAGENT_BINARY, SL_SLAGENT_BINARY, "--state-dir", state.c_str(), "run", nullptr);
    _exit(127);
  }
  // Wait (bounded) for the daemon's renewal to show in the state; this polls for an
  // event, it does not wait out a licensing timer.
  std::string after = before;
  for (int i = 0; i < 100 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = Str(Status(t), "authorization_expires");
  }
  EXPECT_NE(after, before) << "the daemon renewed the authorization";
  kill(pid, SIGTERM);
  // Bounded: a daemon that ignores SIGTERM fails the test instead of hanging it.
  std::optional<int> status = test::WaitForChild(pid, std::chrono::seconds(10));
  ASSERT_TRUE(status.has_value()) << "the daemon did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace sl
