// What the Agent asks of its seams, checked with StrictMocks: any call a test does not
// expect fails it. The store is loaded once per Open and never written by the local
// queries; a failed save comes back to the caller; a stored state is verified through
// the device secret; a registration is exactly two messages, and the local queries send
// none.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "agent/agent_state.h"
#include "base/json.h"
#include "protocol/envelope.h"
#include "protocol/messages.h"
#include "testing/agent_harness.h"
#include "testing/mocks.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kStart;
using test::kToken;
using ::testing::_;
using ::testing::DoAll;
using ::testing::HasSubstr;
using ::testing::InSequence;
using ::testing::Return;
using ::testing::SaveArg;
using ::testing::StrictMock;
namespace st = terms;

// The envelope seals a request of `type`, decoded the way CSSM decodes it.
MATCHER_P(SealsRequestOf, type, std::string("seals a '") + MessageTypeName(type) + "' request") {
  Result<SignedMessage> message = OpenEnvelope(arg);
  if (!message.ok()) {
    *result_listener << "which is not an envelope: " << message.status().ToString();
    return false;
  }
  Result<Request> request = DecodeRequest(message->body);
  if (!request.ok()) {
    *result_listener << "which holds no request: " << request.status().ToString();
    return false;
  }
  *result_listener << "which seals a '" << MessageTypeName(request->type) << "' request";
  return request->type == type;
}

// A state this device (the harness's secret) sealed earlier: Smart Licensing enabled,
// ten days of evaluation used.
AgentState StoredState(const AgentHarness& h) {
  AgentState s;
  s.udi = h.udi_;
  s.mode = LicensingMode::kSmart;
  s.agent_time = kStart;
  s.last_wall = kStart;
  s.evaluation_used = 10 * kDay;
  return s;
}

// --- StateStore -----------------------------------------------------------------------

TEST(AgentStoreContractTest, OpenLoadsTheStateExactlyOnceAndWritesNothing) {
  {
    SCOPED_TRACE("a factory-new device");
    StrictMock<test::MockStateStore> store;
    EXPECT_CALL(store, Load()).WillOnce(Return(NotFound("no state yet")));
    AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store);
    EXPECT_EQ(h.Open().GetStatus().mode, LicensingMode::kPak);
  }
  {
    SCOPED_TRACE("a stored state");
    StrictMock<test::MockStateStore> store;
    AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store);
    std::string record = SealState(StoredState(h), h.secret).value();
    EXPECT_CALL(store, Load()).WillOnce(Return(record));
    AgentStatus s = h.Open().GetStatus();
    EXPECT_EQ(s.mode, LicensingMode::kSmart);
    EXPECT_EQ(s.evaluation_remaining_seconds, 80 * kDay);
  }
}

TEST(AgentStoreContractTest, StatusDeadlinesAndUsageNeverSave) {
  StrictMock<test::MockStateStore> store;
  EXPECT_CALL(store, Load()).WillOnce(Return(NotFound("no state yet")));
  EXPECT_CALL(store, Save(_)).WillOnce(Return(Status::Ok()));  // Enable() below
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store);
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  ::testing::Mock::VerifyAndClearExpectations(&store);

  EXPECT_CALL(store, Save(_)).Times(0);
  for (int hour = 1; hour <= 48; ++hour) {
    h.clock.Advance(kHour);  // time passes: the views move with it, the record does not
    EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 90 * kDay - hour * kHour);
    EXPECT_EQ(agent.NextDeadline(), kStart + 90 * kDay);
    ASSERT_TRUE(agent.SetUsage("rms", hour).ok());
    (void)agent.MayChangeClusterConfiguration();
    (void)agent.MayRegisterNewDevices();
  }
}

TEST(AgentStoreContractTest, AFailedSaveIsReturnedWithTheStoresMessageAndTheStateStaysCurrent) {
  StrictMock<test::MockStateStore> store;
  EXPECT_CALL(store, Load()).WillOnce(Return(NotFound("no state yet")));
  AgentHarness h(Udi{"EXPWY-VE-L", "SN0001"}, &store);
  Agent& agent = h.Open();

  EXPECT_CALL(store, Save(_)).WillOnce(Return(Internal("/var/lib/licensing: No space left on device")));
  Status enabled = agent.Enable();
  EXPECT_EQ(enabled.code(), StatusCode::kInternal);
  EXPECT_THAT(enabled.message(), HasSubstr("could not be saved"));
  EXPECT_THAT(enabled.message(), HasSubstr("/var/lib/licensing: No space left on device"));
  // The operation happened in memory all the same ...
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kSmart);
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode);
  ::testing::Mock::VerifyAndClearExpectations(&store);

  // ... and the next save writes the current state, the earlier change included.
  std::string saved;
  EXPECT_CALL(store, Save(_)).WillOnce(DoAll(SaveArg<0>(&saved), Return(Status::Ok())));
  ASSERT_TRUE(agent.SetPrivacy(true).ok());
  Result<AgentState> written = OpenState(saved, h.secret);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->mode, LicensingMode::kSmart);
  EXPECT_TRUE(written->privacy);
}

// --- DeviceSecret ---------------------------------------------------------------------

TEST(AgentSecretContractTest, OpeningAStoredStateAsksTheSecretForTheMacOfTheRecordsBody) {
  AgentHarness h;
  AgentState stored = StoredState(h);
  h.memory_store.record = SealState(stored, h.secret).value();
  h.memory_store.has_record = true;
  // The MAC covers the exact bytes of the record's "state" member (agent_state.h), and
  // the key of the secret fields is the MAC of a fixed label (state_secrets.h): a
  // DeviceSecret that only computes MACs (a TPM) serves both.
  Result<rapidjson::Document> record = ParseJson(h.memory_store.record);
  ASSERT_TRUE(record.ok());
  const std::string body = (*record)["state"].GetString();

  StrictMock<test::MockDeviceSecret> secret;
  {
    InSequence in_order;
    EXPECT_CALL(secret, Mac(std::string_view(body))).WillOnce(Return(h.secret.Mac(body)));
    EXPECT_CALL(secret, Mac(std::string_view("sl-agent-state field key v1")))
        .WillOnce(Return(h.secret.Mac("sl-agent-state field key v1")));
  }
  AgentEnvironment env = h.Environment();
  env.secret = &secret;
  Agent& agent = h.OpenWith(std::move(env));
  EXPECT_EQ(agent.GetStatus().mode, LicensingMode::kSmart);
}

TEST(AgentSecretContractTest, AMacErrorIsReturnedByOpen) {
  AgentHarness h;
  h.memory_store.record = SealState(StoredState(h), h.secret).value();
  h.memory_store.has_record = true;

  StrictMock<test::MockDeviceSecret> secret;
  EXPECT_CALL(secret, Mac(_)).WillOnce(Return(Unavailable("the secure element does not answer")));
  AgentEnvironment env = h.Environment();
  env.secret = &secret;
  Result<std::unique_ptr<Agent>> opened = Agent::Open(std::move(env));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(opened.status().message(), HasSubstr("the secure element does not answer"));
}

// --- Transport ------------------------------------------------------------------------

class AgentTransportContractTest : public ::testing::Test {
 protected:
  AgentTransportContractTest() {
    AgentEnvironment env = h_.Environment();
    env.transport_factory = test::ForwardingTransportFactory(&transport_);
    agent_ = &h_.OpenWith(std::move(env));
  }
  // What CSSM would answer.
  auto Answer() {
    return [this](std::string_view envelope) { return h_.cssm.Handle(envelope); };
  }

  StrictMock<test::MockTransport> transport_;  // outlives the agent in h_
  AgentHarness h_;
  Agent* agent_ = nullptr;
};

TEST_F(AgentTransportContractTest, RegisterSendsARegistrationThenAnAuthorizationAndNothingElse) {
  ASSERT_TRUE(agent_->Enable().ok());
  {
    InSequence in_order;
    EXPECT_CALL(transport_, Send(SealsRequestOf(MessageType::kRegister))).WillOnce(Answer());
    EXPECT_CALL(transport_, Send(SealsRequestOf(MessageType::kAuthorize))).WillOnce(Answer());
  }
  Status s = agent_->Register(kToken, false);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(agent_->GetStatus().registration_status, st::kRegistered);
}

TEST_F(AgentTransportContractTest, StatusAndDeadlinesSendNothingEvenWhenAReportIsDue) {
  ASSERT_TRUE(agent_->Enable().ok());
  EXPECT_CALL(transport_, Send(_)).Times(2).WillRepeatedly(Answer());
  ASSERT_TRUE(agent_->Register(kToken, false).ok());
  ::testing::Mock::VerifyAndClearExpectations(&transport_);

  EXPECT_CALL(transport_, Send(_)).Times(0);
  h_.clock.Advance(7 * kHour);  // the 6-hour usage report is due now
  std::optional<UnixSeconds> next = agent_->NextDeadline();
  ASSERT_TRUE(next.has_value());
  EXPECT_LE(*next, h_.Now()) << "the report is due: only RunDue() may send it";
  EXPECT_EQ(agent_->GetStatus().registration_status, st::kRegistered);
  EXPECT_TRUE(agent_->MayChangeClusterConfiguration());
  EXPECT_TRUE(agent_->MayRegisterNewDevices());
  ::testing::Mock::VerifyAndClearExpectations(&transport_);

  // RunDue() is what sends it.
  EXPECT_CALL(transport_, Send(SealsRequestOf(MessageType::kReportUsage))).WillOnce(Answer());
  EXPECT_TRUE(agent_->RunDue().ok());
}

}  // namespace
}  // namespace sl
