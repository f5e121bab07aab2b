// Integration: the agent against the real mock-cssm binary over TLS on loopback,
// through the real libcurl transport.
// Real clocks: the mock checks freshness against its own wall clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smartlicensing/agent.h"
#include "testing/device_in_temp_dir.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_util.h"

namespace sl {
namespace {

using ::testing::HasSubstr;
namespace st = terms;

class AgentIntegrationTest : public ::testing::Test {
 protected:
  std::unique_ptr<Agent> Open() { return device_.OpenAgent(mock_.direct_url(), 2, 5); }

  test::MockCssmProcess mock_{test::TestSeedPath()};
  test::DeviceInTempDir device_{Udi{"EXPWY-VE-L", "INTEG0001"}, "exp-integration.example.com"};
};

TEST_F(AgentIntegrationTest, RegisterAuthorizeReregisterAndDeregisterAgainstTheMock) {
  ASSERT_TRUE(mock_.running());
  std::unique_ptr<Agent> agent = Open();
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  ASSERT_TRUE(agent->SetUsage("expressway_rms", 2).ok());
  Status s = agent->Register("TEST-TOKEN-EXPRESSWAY", false);
  ASSERT_TRUE(s.ok()) << s.ToString();
  AgentStatus status = agent->GetStatus();
  EXPECT_EQ(status.registration_status, st::kRegistered);
  EXPECT_EQ(status.authorization_status, st::kAuthorized) << status.last_error;
  EXPECT_EQ(status.smart_account, "Acme Video");
  EXPECT_EQ(status.virtual_account, "Expressway");
  EXPECT_EQ(status.export_controlled, st::kExportAllowed);

  EXPECT_TRUE(agent->RenewRegistration().ok()) << agent->GetStatus().last_error;
  EXPECT_TRUE(agent->RenewAuthorization().ok()) << agent->GetStatus().last_error;
  EXPECT_TRUE(agent->UpdateUsage().ok()) << agent->GetStatus().last_error;

  // Move to the Lab virtual account, which owns only 2 licenses.
  ASSERT_TRUE(agent->SetUsage("expressway_rms", 5).ok());
  ASSERT_TRUE(agent->Register("TEST-TOKEN-LAB", /*reregister=*/true).ok());
  status = agent->GetStatus();
  EXPECT_EQ(status.virtual_account, "Lab");
  EXPECT_EQ(status.export_controlled, st::kExportNotAllowed);
  EXPECT_EQ(status.authorization_status, st::kOutOfCompliance);

  Result<Deregistration> d = agent->Deregister();
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->released_on_server) << d->message;
  EXPECT_EQ(agent->GetStatus().authorization_status, st::kEvaluationMode);
}

TEST_F(AgentIntegrationTest, AnUnknownTokenFailsTheRegistration) {
  ASSERT_TRUE(mock_.running());
  std::unique_ptr<Agent> agent = Open();
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  Status s = agent->Register("NO-SUCH-TOKEN", false);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(agent->GetStatus().registration_status, st::kRegistrationFailed);
}

TEST_F(AgentIntegrationTest, AStoppedServerIsOfflineAndTheRegistrationStaysPending) {
  ASSERT_TRUE(mock_.running());
  std::unique_ptr<Agent> agent = Open();
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  mock_.Stop();
  Status s = agent->Register("TEST-TOKEN-EXPRESSWAY", false);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("is in progress because of the following reason"));
  EXPECT_EQ(agent->GetStatus().registration_status, st::kRegistrationPending);
}

}  // namespace
}  // namespace sl
