// Lost replies: CSSM acts on a request and its answer never reaches the device (the
// server is slower than the agent's timeout, a NAT drops the connection, the process is
// killed while waiting). For every exchange of a device's licensing life, one run loses
// exactly that reply; afterwards the device must be registered and authorized again
// after one retry with nothing but RunDue() (what `slagent run --once` and the daemon
// call), without a new token.
//
// Real parts: the mock CSSM in process over TLS on loopback, the libcurl transport, and
// one simulated clock for both sides, so the 15-minute retry passes without sleeping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "smartlicensing/agent.h"
#include "smartlicensing/curl_transport.h"
#include "smartlicensing/mock_cssm.h"
#include "testing/fakes.h"
#include "testing/mock_cssm_process.h"
#include "testing/mocks.h"
#include "testing/test_util.h"

namespace sl {
namespace {

namespace st = terms;
constexpr UnixSeconds kStart = 1767225600;  // 2026-01-01T00:00:00Z
constexpr const char* kOneUseToken = "TEST-TOKEN-ONE-USE";
constexpr const char* kLabToken = "TEST-TOKEN-LAB";

// Forwards every request to the real transport; for the requests `lose` names (by their
// 0-based number), the server's answer is dropped and the agent sees a timeout.
class LosingTransport : public Transport {
 public:
  LosingTransport(std::unique_ptr<Transport> real, const std::vector<int>* lose, int* sent)
      : real_(std::move(real)), lose_(lose), sent_(sent) {}
  TransportReply Send(std::string_view envelope) override {
    TransportReply reply = real_->Send(envelope);
    int number = (*sent_)++;
    if (std::find(lose_->begin(), lose_->end(), number) == lose_->end()) return reply;
    TransportReply lost;
    lost.failure = TransportFailure::kTimeout;
    lost.error = "no answer within the timeout (reply lost by the test)";
    return lost;
  }

 private:
  std::unique_ptr<Transport> real_;
  const std::vector<int>* lose_;
  int* sent_;
};

// One device and its own mock CSSM on one simulated clock.
class LostReplyWorld {
 public:
  explicit LostReplyWorld(std::vector<int> lose) : lose_(std::move(lose)) {
    mock::ServerOptions options;
    options.tls_cert_path = test::PkiPath("server.crt");
    options.tls_key_path = test::PkiPath("server.key");
    options.signing_key_path = test::PkiPath("cssm-signing.key");
    options.signing_cert_path = test::PkiPath("cssm-signing.crt");
    options.admin_token = "lost-reply-admin-token";
    options.seed_path = test::TestSeedPath();
    server_ = mock::MockCssmServer::Create(options, clock_).value();
    port_ = server_->Bind().value();
    serving_ = std::thread([this] { server_->Serve(); });
    ON_CALL(identity_, GetUdi()).WillByDefault(::testing::Return(Udi{"EXPWY-VE-L", "LOST0001"}));
    ON_CALL(identity_, Hostname()).WillByDefault(::testing::Return("exp-lost.example.com"));
  }
  ~LostReplyWorld() {
    agent.reset();
    server_->Stop();
    serving_.join();
  }

  // The device, enabled and configured for this mock (no exchange yet).
  Agent& Open() {
    AgentEnvironment env;
    env.time = &clock_;
    env.store = &store_;
    env.identity = &identity_;
    env.secret = &secret_;
    env.transport_factory = [this](const TransportSettings& settings) -> std::unique_ptr<Transport> {
      std::unique_ptr<Transport> real = CurlTransportFactory()(settings);
      return std::make_unique<LosingTransport>(std::move(real), &lose_, &sent_);
    };
    env.trust_anchor_pem = test::ReadPki("cssm-signing.crt");
    agent = Agent::Open(std::move(env)).value();
    EXPECT_TRUE(agent->Enable().ok());
    TransportSettings settings;
    settings.url = "https://127.0.0.1:" + std::to_string(port_) + "/licservice/license";
    settings.ca_bundle_path = test::PkiPath("tls-ca.crt");
    settings.connect_timeout_seconds = 2;
    settings.total_timeout_seconds = 5;
    EXPECT_TRUE(agent->SetTransportSettings(settings).ok());
    EXPECT_TRUE(agent->SetUsage("expressway_rms", 2).ok());
    return *agent;
  }

  void Advance(int64_t seconds) { clock_.Advance(seconds); }
  int sent() const { return sent_; }

  std::unique_ptr<Agent> agent;

 private:
  SimulatedTimeSource clock_{kStart};
  std::vector<int> lose_;
  int sent_ = 0;
  std::unique_ptr<mock::MockCssmServer> server_;
  int port_ = 0;
  std::thread serving_;
  test::MemoryStateStore store_;
  ::testing::NiceMock<test::MockDeviceIdentity> identity_;
  HmacDeviceSecret secret_{std::string(32, 'k')};
};

// A device's licensing life, one operation per step; each sends one or two requests.
struct Step {
  const char* name;
  std::function<void(Agent&, LostReplyWorld&)> run;
};
const std::vector<Step>& Life() {
  static const std::vector<Step> life = {
      {"register (and its first authorization)", [](Agent& a, LostReplyWorld&) { (void)a.Register(kOneUseToken, false); }},
      {"usage update", [](Agent& a, LostReplyWorld&) {
         (void)a.SetUsage("expressway_rms", 1);
         (void)a.UpdateUsage();
       }},
      {"renew authorization", [](Agent& a, LostReplyWorld&) { (void)a.RenewAuthorization(); }},
      {"renew registration", [](Agent& a, LostReplyWorld&) { (void)a.RenewRegistration(); }},
      {"renew authorization", [](Agent& a, LostReplyWorld&) { (void)a.RenewAuthorization(); }},
      {"re-register (and authorize)", [](Agent& a, LostReplyWorld&) { (void)a.Register(kLabToken, true); }},
      {"renew registration", [](Agent& a, LostReplyWorld&) { (void)a.RenewRegistration(); }},
      {"the 30-day renewal", [](Agent& a, LostReplyWorld& w) {
         w.Advance(31 * kDay);
         (void)a.RunDue();
       }},
  };
  return life;
}

// Runs the life until the step in which the last of the `lost` requests went out, then
// one retry, and checks that the device is licensed and agrees with CSSM again.
void LiveLosing(std::vector<int> lost, const std::string& what) {
  SCOPED_TRACE(what);
  LostReplyWorld world(lost);
  Agent& agent = world.Open();
  for (const Step& step : Life()) {
    step.run(agent, world);
    if (world.sent() > lost.back()) break;
  }
  world.Advance(20 * kMinute);  // the 15-minute retry, plus its jitter
  ASSERT_TRUE(agent.RunDue().ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered) << s.last_error;
  EXPECT_EQ(s.authorization_status, st::kAuthorized) << s.last_error;
  // CSSM and the device agree on the certificate: every exchange works from here.
  Status auth = agent.RenewAuthorization();
  EXPECT_TRUE(auth.ok()) << auth.ToString();
  Status id = agent.RenewRegistration();
  EXPECT_TRUE(id.ok()) << id.ToString();
  auth = agent.RenewAuthorization();
  EXPECT_TRUE(auth.ok()) << auth.ToString();
}

int RequestsOfAWholeLife() {
  LostReplyWorld world({-1});
  Agent& agent = world.Open();
  for (const Step& step : Life()) step.run(agent, world);
  EXPECT_EQ(agent.GetStatus().authorization_status, st::kAuthorized);
  return world.sent();
}

TEST(AgentLostReplyTest, EveryExchangeOfALifeConvergesAfterItsReplyIsLost) {
  int requests = RequestsOfAWholeLife();
  ASSERT_GE(requests, 10);
  for (int lost = 0; lost < requests; ++lost) {
    LiveLosing({lost}, "the reply to request #" + std::to_string(lost) + " is lost");
  }
}

TEST(AgentLostReplyTest, TwoRenewalsInARowWithTheirRepliesLostConverge) {
  // Requests: 0 register, 1 authorize, 2 usage, 3 authorize, 4 renew_id, then the test
  // repeats the renewal by hand (5) before the retry.
  SCOPED_TRACE("renew_id lost twice");
  LostReplyWorld world({4, 5});
  Agent& agent = world.Open();
  for (size_t i = 0; i < 4; ++i) Life()[i].run(agent, world);
  ASSERT_EQ(world.sent(), 5);
  (void)agent.RenewRegistration();
  ASSERT_EQ(world.sent(), 6);
  world.Advance(20 * kMinute);
  ASSERT_TRUE(agent.RunDue().ok());
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
  EXPECT_TRUE(agent.RenewAuthorization().ok());
  EXPECT_TRUE(agent.RenewRegistration().ok());
}

TEST(AgentLostReplyTest, ALostDeregistrationReplyLeavesBothSidesDeregistered) {
  LostReplyWorld world({2});  // 0 register, 1 authorize, 2 deregister
  Agent& agent = world.Open();
  ASSERT_TRUE(agent.Register(kOneUseToken, false).ok());
  Result<Deregistration> d = agent.Deregister();
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->released_on_server) << "the agent cannot know";
  EXPECT_EQ(agent.GetStatus().registration_status, st::kUnregistered);
  // CSSM did release it: the device registers afresh with a new token as usual.
  Status again = agent.Register("TEST-TOKEN-EXPRESSWAY", false);
  EXPECT_TRUE(again.ok()) << again.ToString();
}

}  // namespace
}  // namespace sl
