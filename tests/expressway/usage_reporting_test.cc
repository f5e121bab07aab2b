// Integration: the usage this module computes is exactly what the agent reports to
// CSSM, through the real libcurl transport and the real mock CSSM over TLS.
#include <gtest/gtest.h>

#include "smartlicensing/agent.h"
#include "smartlicensing/expressway/usage.h"
#include "testing/device_in_temp_dir.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_util.h"

namespace sl::expressway {
namespace {

constexpr const char* kVideoSdp = "v=0\r\nm=audio 1 RTP/AVP 0\r\nm=video 2 RTP/AVP 99\r\n";

class UsageReportingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.running());
    agent_ = device_.OpenAgent(mock_.direct_url());
    ASSERT_TRUE(agent_);
    ASSERT_TRUE(agent_->Enable().ok());
  }

  test::MockCssmProcess mock_{test::TestSeedPath()};
  test::DeviceInTempDir device_{Udi{"EXPWY-VE-L", "0A1B2C3D"}, "exp-e1.example.com"};
  SystemTimeSource clock_;
  std::unique_ptr<Agent> agent_;
};

TEST_F(UsageReportingTest, ComputedUsageIsReportedAndJudgedAgainstThePool) {
  // An Expressway-E with three business-to-business calls and three registrations.
  Cluster cluster(clock_, Cluster::Role::kExpresswayE);
  ASSERT_TRUE(cluster.AddPeer("e1", LargeVm()).ok());
  cluster.set_mode(LicensingMode::kSmart);
  CallTracker calls(cluster);
  for (int i = 0; i < 3; ++i) {
    CallId id = calls.Begin("e1", CallScenario{Registration::kExpresswayC, Registration::kExternal}, true).value();
    ASSERT_TRUE(calls.SetupComplete(id, kVideoSdp).ok());
  }
  RegistrationTable registrations(LargeVm(), std::nullopt, std::nullopt);
  ASSERT_TRUE(registrations.Register({"dx80@example.com", Signaling::kSip, "DX80", "CE9.1"}).ok());
  ASSERT_TRUE(registrations.Register({"dx80@example.com", Signaling::kH323, "DX80", "CE9.1"}).ok());
  ASSERT_TRUE(registrations.Register({"room@example.com", Signaling::kSip, "Room Kit", "CE9.1"}).ok());
  UsageByTag usage = CollectUsage(calls, registrations);
  ASSERT_EQ(usage.at(kRmsTag), 3);

  ASSERT_TRUE(ApplyUsage(usage, *agent_).ok());
  // The Lab virtual account owns 2 RMS licenses and no room or desktop licenses.
  ASSERT_TRUE(agent_->Register("TEST-TOKEN-LAB", false).ok());
  AgentStatus status = agent_->GetStatus();
  EXPECT_EQ(status.authorization_status, "Out-of-compliance");
  std::map<std::string, std::pair<int64_t, std::string>> reported;
  for (const LicenseStatus& l : status.licenses) reported[l.tag] = {l.count, l.status};
  EXPECT_EQ(reported[kRmsTag], std::make_pair(int64_t{3}, std::string("Out of compliance")));
  EXPECT_EQ(reported[kRoomTag].first, 2);
  EXPECT_EQ(reported[kDesktopTag].first, 1);

  // CSSM holds exactly the computed counts.
  test::HttpResult pi = mock_.Admin("GET", "/admin/v1/product-instances/" + status.instance_id);
  EXPECT_NE(pi.body.find(R"({"tag":"expressway_rms","count":3})"), std::string::npos) << pi.body;
  EXPECT_NE(pi.body.find(R"({"tag":"expressway_room","count":2})"), std::string::npos) << pi.body;
  EXPECT_NE(pi.body.find(R"({"tag":"expressway_desktop","count":1})"), std::string::npos) << pi.body;

  // Calls end: the usage falls within the pool and the next report is compliant.
  CallTracker quiet(cluster);
  ASSERT_TRUE(quiet.Begin("e1", CallScenario{Registration::kExpresswayC, Registration::kExternal}, true).ok());
  RegistrationTable none(LargeVm(), std::nullopt, std::nullopt);
  ASSERT_TRUE(ApplyUsage(CollectUsage(quiet, none), *agent_).ok());
  ASSERT_TRUE(agent_->RenewAuthorization().ok());
  status = agent_->GetStatus();
  EXPECT_EQ(status.authorization_status, "Authorized");
  pi = mock_.Admin("GET", "/admin/v1/product-instances/" + status.instance_id);
  EXPECT_NE(pi.body.find(R"("usage":[{"tag":"expressway_rms","count":1}])"), std::string::npos) << pi.body;
}

}  // namespace
}  // namespace sl::expressway
