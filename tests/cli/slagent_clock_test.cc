// End-to-end: the real slagent under libfaketime against the real mock CSSM, for the
// ways appliance clocks fail (docs/time.md) and for a reply lost after CSSM acted on the
// request. Each case here once cost a device its licensing time or its registration.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "base/iso8601.h"
#include "smartlicensing/time_source.h"
#include "testing/bounded_wait.h"
#include "slagent_fixture.h"

namespace sl {
namespace {

using test::CommandResult;

constexpr int64_t kTwentyYears = 20 * 365 * kDay;
constexpr const char* kFlatRtcBattery = "@2000-01-01 00:00:00";

class SlagentClockTest : public SlagentTest {
 protected:
  void Register() {
    ASSERT_EQ(Run({"enable"}).exit_code, 0);
    ASSERT_EQ(Run({"usage", "set", "expressway_rms", "3"}).exit_code, 0);
    CommandResult r = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string CertificateSerialOnCssm(const std::string& instance) {
    test::HttpResult pi = mock_.Admin("GET", "/admin/v1/product-instances/" + instance);
    Result<rapidjson::Document> doc = ParseJson(pi.body);
    return doc.ok() ? Str(*doc, "id_certificate_serial") : "<unreadable>";
  }
  // Seconds from the real now until `field` of a status document.
  static int64_t SecondsUntil(const rapidjson::Document& status, const char* field) {
    Result<UnixSeconds> t = ParseIso8601(Str(status, field));
    return t.ok() ? *t - SystemTimeSource().Now() : -1;
  }
  // The device is registered and authorized with all of its 90-day authorization and
  // evaluation left (but the few minutes the test itself takes).
  void ExpectAuthorizedWithAlmostAllOfItsTime(const char* when) {
    rapidjson::Document s = Status();
    EXPECT_EQ(Str(s, "registration_status"), "Registered") << when;
    EXPECT_EQ(Str(s, "authorization_status"), "Authorized") << when;
    EXPECT_GT(SecondsUntil(s, "authorization_expires"), 90 * kDay - 10 * kMinute) << when;
    ASSERT_TRUE(s["evaluation_remaining_seconds"].IsInt64());
    EXPECT_GT(s["evaluation_remaining_seconds"].GetInt64(), 90 * kDay - 10 * kMinute) << when;
  }
};

TEST_F(SlagentClockTest, AClockSetBackThenCorrectedCostsNoAuthorizationTime) {
  Register();
  EXPECT_EQ(Run({"usage", "set", "expressway_rms", "4"}, -30 * kDay).exit_code, 0);
  (void)Run({"run", "--once"}, -30 * kDay);
  ExpectAuthorizedWithAlmostAllOfItsTime("after a command with the clock 30 days back");
  CommandResult events = Run({"events"});
  EXPECT_NE(events.out.find("clock moved backwards"), std::string::npos) << events.out;
}

TEST_F(SlagentClockTest, AClockSetBackThenCorrectedCostsNoEvaluationTime) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  EXPECT_EQ(Run({"usage", "set", "expressway_rms", "4"}, -30 * kDay).exit_code, 0);
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s, "authorization_status"), "Evaluation Mode");
  EXPECT_GT(s["evaluation_remaining_seconds"].GetInt64(), 90 * kDay - 10 * kMinute);
}

TEST_F(SlagentClockTest, AFlatRtcBatteryThenNtpKeepsTheRegistration) {
  Register();
  (void)RunFaked({"run", "--once"}, kFlatRtcBattery);
  (void)RunFaked({"renew", "auth"}, kFlatRtcBattery);  // refused by CSSM as stale: harmless
  rapidjson::Document in_2000 = StatusFaked(kFlatRtcBattery);
  EXPECT_EQ(Str(in_2000, "registration_status"), "Registered");
  EXPECT_NE(Str(in_2000, "clock_note").find("behind the latest time already counted"), std::string::npos)
      << Str(in_2000, "clock_note");
  ExpectAuthorizedWithAlmostAllOfItsTime("after NTP set the real time");
  EXPECT_EQ(Str(Status(), "clock_note"), "");
}

TEST_F(SlagentClockTest, AFlatRtcBatteryThenNtpKeepsTheEvaluation) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  EXPECT_EQ(RunFaked({"usage", "set", "expressway_rms", "2"}, kFlatRtcBattery).exit_code, 0);
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s, "authorization_status"), "Evaluation Mode");
  EXPECT_GT(s["evaluation_remaining_seconds"].GetInt64(), 90 * kDay - 10 * kMinute);
}

TEST_F(SlagentClockTest, OneBogusFarFutureTimeIsNotPermanent) {
  Register();
  // A bad NTP answer: one local command and one run of the daemon's loop, twenty years
  // ahead. On that clock even CSSM's TLS certificate has expired, which says nothing
  // about CSSM: the jump stays held, and the error names the clock.
  EXPECT_EQ(Run({"usage", "set", "expressway_rms", "5"}, kTwentyYears).exit_code, 0);
  rapidjson::Document ahead = Status(kTwentyYears);
  EXPECT_EQ(Str(ahead, "registration_status"), "Registered");
  EXPECT_EQ(Str(ahead, "authorization_status"), "Authorized");
  EXPECT_NE(Str(ahead, "clock_note").find("wait for CSSM to confirm"), std::string::npos) << Str(ahead, "clock_note");
  (void)Run({"run", "--once"}, kTwentyYears);
  ahead = Status(kTwentyYears);
  EXPECT_EQ(Str(ahead, "registration_status"), "Registered");
  EXPECT_NE(Str(ahead, "last_error").find("check the system clock"), std::string::npos) << Str(ahead, "last_error");
  ExpectAuthorizedWithAlmostAllOfItsTime("after the clock was corrected");
  EXPECT_EQ(Run({"renew", "auth"}).exit_code, 0);
}

TEST_F(SlagentClockTest, AJumpThatWouldExpireTheAuthorizationIsRefutedByCssmsSignedTime) {
  Register();
  // 200 days ahead: TLS still works, and CSSM refuses the stale request with its time.
  constexpr int64_t kAhead = 200 * kDay;
  (void)Run({"run", "--once"}, kAhead);
  CommandResult events = Run({"events"}, kAhead);
  EXPECT_NE(events.out.find("ahead of CSSM's time"), std::string::npos) << events.out;
  EXPECT_EQ(Str(Status(kAhead), "authorization_status"), "Authorized");
  ExpectAuthorizedWithAlmostAllOfItsTime("after the clock was corrected");
}

TEST_F(SlagentClockTest, ALostRenewIdReplyKeepsTheRegistration) {
  Register();
  // CSSM renews the ID certificate, but its answer comes after the agent gave up.
  CommandResult t = Run({"transport", "direct", "--url", mock_.direct_url(), "--ca-bundle",
                         test::PkiPath("tls-ca.crt"), "--connect-timeout", "1", "--timeout", "1"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"delay","delay_ms":2500,"count":1})").status, 201);
  std::string instance = Str(Status(), "instance_id");
  std::string before = CertificateSerialOnCssm(instance);
  CommandResult renew = Run({"renew", "id"});
  EXPECT_NE(renew.exit_code, 0) << "the reply was lost";
  // CSSM renews once its delay is over, after the agent gave up.
  auto deadline = std::chrono::steady_clock::now() + test::kHangLimit;
  while (CertificateSerialOnCssm(instance) == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(CertificateSerialOnCssm(instance), before) << "CSSM never renewed the certificate";
  CommandResult auth = Run({"renew", "auth"});
  EXPECT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s, "registration_status"), "Registered");
  EXPECT_EQ(Str(s, "authorization_status"), "Authorized");
  // Both the retried renewal and what follows it work.
  EXPECT_EQ(Run({"renew", "id"}).exit_code, 0);
  EXPECT_EQ(Run({"renew", "auth"}).exit_code, 0);
  EXPECT_EQ(Str(Status(), "registration_status"), "Registered") << all_output_;
}

}  // namespace
}  // namespace sl
