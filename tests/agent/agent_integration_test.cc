// Integration: the agent against the real mock-cssm binary over TLS on loopback,
// through the real libcurl transport; and what an operator must fix told apart from an
// outage, end to end (issue 11): a wrong URL path, a redirect, the TLS CA configured as
// the trust anchor, a CA bundle that does not trust the server.
// Real clocks: the mock checks freshness against its own wall clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smartlicensing/agent.h"
#include "smartlicensing/curl_transport.h"
#include "smartlicensing/device_directory.h"
#include "testing/device_in_temp_dir.h"
#include "testing/mock_cssm_process.h"
#include "testing/stub_http_server.h"
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

// --- Issue 11: configuration and trust problems, retried but told apart -------------

// Registers through `agent` and expects the attempt to fail with `problem`, saying
// `says`, the registration pending and its retry scheduled.
void ExpectRegistrationRetriedWith(Agent& agent, CommunicationProblem problem, const std::string& says) {
  ASSERT_TRUE(agent.Enable().ok());
  Status s = agent.Register("TEST-TOKEN-EXPRESSWAY", false);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  AgentStatus status = agent.GetStatus();
  EXPECT_EQ(status.communication_problem, problem) << CommunicationProblemName(status.communication_problem);
  EXPECT_THAT(status.last_error, HasSubstr(says));
  EXPECT_EQ(status.registration_status, st::kRegistrationPending);
  EXPECT_TRUE(status.next_communication_attempt.has_value()) << "no retry scheduled";
}

TEST_F(AgentIntegrationTest, AWrongUrlPathIsAConfigurationProblemThatSaysToCheckThePath) {
  ASSERT_TRUE(mock_.running());
  std::unique_ptr<Agent> agent = device_.OpenAgent(mock_.base_url() + "/licservice/licence", 2, 5);
  ASSERT_TRUE(agent);
  ExpectRegistrationRetriedWith(*agent, CommunicationProblem::kConfiguration,
                                "HTTP 404 (Not Found) without a licensing message: no licensing service answers at "
                                "the configured URL; check the URL path");
}

TEST_F(AgentIntegrationTest, ACaBundleThatDoesNotTrustTheServerIsATrustProblem) {
  ASSERT_TRUE(mock_.running());
  std::unique_ptr<Agent> agent = Open();
  ASSERT_TRUE(agent);
  TransportSettings settings = agent->GetStatus().transport;
  settings.ca_bundle_path = test::PkiPath("other-ca.crt");
  ASSERT_TRUE(agent->SetTransportSettings(settings).ok());
  ExpectRegistrationRetriedWith(*agent, CommunicationProblem::kTrust,
                                "check that the CA bundle '" + settings.ca_bundle_path + "' holds the CA");
}

TEST(AgentRedirectIntegrationTest, ARedirectIsAConfigurationProblemNamingItsTarget) {
  test::StubHttpServer server;
  ASSERT_TRUE(server.running());
  server.status = 301;
  server.headers = {{"Location", "https://cssm.example.com/SmartTransport"}};
  test::DeviceInTempDir device{Udi{"EXPWY-VE-L", "INTEG0002"}, "exp-redirect.example.com"};
  std::unique_ptr<Agent> agent = device.OpenAgent(server.Url("/licservice/license"), 2, 5);
  ASSERT_TRUE(agent);
  ExpectRegistrationRetriedWith(*agent, CommunicationProblem::kConfiguration,
                                "answered with a redirect (HTTP 301) to https://cssm.example.com/SmartTransport; "
                                "the agent does not follow redirects: set the URL to the final one");
}

// Issue 11, defect 3, as an operator makes it: the TLS CA given as the trust anchor.
TEST(AgentTrustAnchorIntegrationTest, TheTlsCaAsTrustAnchorIsATrustProblemNamingIt) {
  test::MockCssmProcess mock(test::TestSeedPath());
  ASSERT_TRUE(mock.running());
  test::TempDir state_dir;
  test::TempDir key_dir;
  DeviceDirectoryOptions options;
  options.state_dir = state_dir.path();
  options.key_dir = key_dir.path();
  options.udi = Udi{"EXPWY-VE-L", "INTEG0003"};
  options.hostname = "exp-anchor.example.com";
  options.trust_anchor_pem = test::ReadPki("tls-ca.crt");
  options.transport_factory = CurlTransportFactory();
  Result<std::unique_ptr<DeviceDirectory>> device = DeviceDirectory::Open(std::move(options));
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  Result<std::unique_ptr<Agent>> agent = Agent::Open((*device)->Environment());
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  TransportSettings settings;
  settings.url = mock.direct_url();
  settings.ca_bundle_path = test::PkiPath("tls-ca.crt");
  settings.connect_timeout_seconds = 2;
  settings.total_timeout_seconds = 5;
  ASSERT_TRUE((*agent)->SetTransportSettings(settings).ok());
  ExpectRegistrationRetriedWith(**agent, CommunicationProblem::kTrust,
                                "the response signature does not verify against the CSSM trust anchor \"Test TLS "
                                "CA\": the trust anchor must be the CSSM signing certificate");
}

}  // namespace
}  // namespace sl
