// The device key seam (smartlicensing/device_key_store.h, issue 12): the software
// store's references, what a provider's reference says when it cannot be loaded, and
// what the agent asks of a DeviceKeyStore and a DeviceKey (StrictMocks): one key per
// registration, loaded once per agent and reference, its errors returned as they are
// with nothing sent and nothing changed.
#include "smartlicensing/device_key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/crypto.h"
#include "smartlicensing/device_directory.h"
#include "testing/agent_harness.h"
#include "testing/mocks.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kToken;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Return;
using ::testing::StartsWith;
using ::testing::StrictMock;
namespace st = terms;

TEST(SoftwareKeyStoreTest, TheReferenceIsThePkcs8KeyAndItSigns) {
  std::unique_ptr<DeviceKeyStore> store = NewSoftwareKeyStore();
  Result<std::string> reference = store->CreateKey();
  ASSERT_TRUE(reference.ok());
  EXPECT_THAT(*reference, StartsWith("-----BEGIN PRIVATE KEY-----"));
  EXPECT_NE(store->CreateKey().value(), *reference);  // a new key each time
  Result<std::unique_ptr<DeviceKey>> key = store->LoadKey(*reference);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  PublicKey public_key = PublicKey::FromPem((*key)->PublicKeyPem()).value();
  EXPECT_TRUE(public_key.SameKeyAs(PrivateKey::FromPem(*reference)->Public()));
  EXPECT_TRUE(public_key.Verify("body", (*key)->Sign("body").value()).ok());
  EXPECT_EQ(store->DescribeKey(*reference), "software (in the sealed state)");
}

TEST(SoftwareKeyStoreTest, AnUnreadableReferenceIsDataLossAndQuotesNothing) {
  Result<std::unique_ptr<DeviceKey>> key = NewSoftwareKeyStore()->LoadKey("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n");
  EXPECT_EQ(key.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(key.status().message(), Not(HasSubstr("c2VjcmV0")));
}

TEST(ProviderKeyStoreTest, AReferenceToAProviderThatIsNotInstalledIsNotFoundAndNamesIt) {
  // Loaded by whatever store is configured: here the software one.
  Result<std::unique_ptr<DeviceKey>> key =
      NewSoftwareKeyStore()->LoadKey("provider: no-such-provider\n-----BEGIN X PRIVATE KEY-----\n");
  EXPECT_EQ(key.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(key.status().message(), HasSubstr("OpenSSL provider 'no-such-provider'"));
  EXPECT_EQ(NewSoftwareKeyStore()->DescribeKey("provider: tpm2\nuri: handle:0x81000001\n"),
            "TPM (tpm2 provider), key handle:0x81000001");
}

TEST(ProviderKeyStoreTest, ANewKeyInAProviderThatIsNotInstalledIsNotFound) {
  std::unique_ptr<DeviceKeyStore> store = NewProviderKeyStore({"no-such-provider", ""}).value();
  EXPECT_EQ(store->CreateKey().status().code(), StatusCode::kNotFound);
}

TEST(ProviderKeyStoreTest, OptionsMustNameAProviderOnOneLine) {
  EXPECT_EQ(NewProviderKeyStore({"", ""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NewProviderKeyStore({"tpm2", "handle:1\nprovider: x"}).status().code(), StatusCode::kInvalidArgument);
  DeviceDirectoryOptions options;
  options.key_uri = "handle:0x81000001";  // without key_provider
  EXPECT_EQ(DeviceDirectory::Open(options).status().code(), StatusCode::kInvalidArgument);
}

// A DeviceKey the agent can use: a software key behind the interface.
Result<std::unique_ptr<DeviceKey>> SoftwareKey(const std::string& pem) { return NewSoftwareKeyStore()->LoadKey(pem); }

class AgentKeyStoreContractTest : public ::testing::Test {
 protected:
  AgentKeyStoreContractTest() {
    EXPECT_CALL(keys_, DescribeKey(_)).WillRepeatedly(Return("HSM slot 3"));
  }
  Agent& Open() {
    AgentEnvironment env = h_.Environment();
    env.key_store = &keys_;
    return h_.OpenWith(env);
  }

  const std::string pem_ = NewSoftwareKeyStore()->CreateKey().value();
  AgentHarness h_;
  StrictMock<test::MockDeviceKeyStore> keys_;
};

TEST_F(AgentKeyStoreContractTest, ARegistrationCreatesOneKeyThatIsLoadedOncePerAgent) {
  EXPECT_CALL(keys_, CreateKey()).WillOnce(Return(std::string("ref-1")));
  EXPECT_CALL(keys_, LoadKey("ref-1")).Times(2).WillRepeatedly([this](const std::string&) { return SoftwareKey(pem_); });
  Agent& agent = Open();
  ASSERT_TRUE(agent.Enable().ok());
  Status s = agent.Register(kToken, false);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(agent.RenewRegistration().ok());
  EXPECT_TRUE(agent.RenewAuthorization().ok());
  EXPECT_EQ(agent.GetStatus().device_key, "HSM slot 3");
  h_.agent.reset();
  // A new agent loads the key again, from the reference in the state.
  EXPECT_TRUE(Open().RenewAuthorization().ok());
}

TEST_F(AgentKeyStoreContractTest, AKeyThatCannotBeCreatedFailsTheRegistrationAndChangesNothing) {
  EXPECT_CALL(keys_, CreateKey()).WillOnce(Return(NotFound("the HSM is not connected")));
  Agent& agent = Open();
  ASSERT_TRUE(agent.Enable().ok());
  int sends = h_.sends;
  Status s = agent.Register(kToken, false);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "the HSM is not connected");
  EXPECT_EQ(h_.sends, sends);
  EXPECT_EQ(agent.GetStatus().registration_status, st::kUnregistered);
  EXPECT_EQ(agent.GetStatus().device_key, "");
}

TEST_F(AgentKeyStoreContractTest, AKeyThatCannotBeLoadedIsReturnedAsItIsAndNothingIsSent) {
  EXPECT_CALL(keys_, CreateKey()).WillOnce(Return(std::string("ref-1")));
  EXPECT_CALL(keys_, LoadKey("ref-1"))
      .WillOnce([this](const std::string&) { return SoftwareKey(pem_); })
      .WillOnce(Return(NotFound("the HSM is not connected")));
  Agent& agent = Open();
  ASSERT_TRUE(agent.Enable().ok());
  ASSERT_TRUE(agent.Register(kToken, false).ok());
  h_.agent.reset();
  Agent& reopened = Open();
  int sends = h_.sends;
  Status s = reopened.RenewAuthorization();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "the HSM is not connected");
  EXPECT_EQ(h_.sends, sends);
  EXPECT_EQ(reopened.GetStatus().registration_status, st::kRegistered);
}

// The daemon must not spin on a job it cannot do: a key that cannot be loaded is
// retried after the retry interval, as an outage is, and the status says why.
TEST_F(AgentKeyStoreContractTest, ADueJobWhoseKeyCannotBeLoadedIsRetriedLaterNotAtOnce) {
  EXPECT_CALL(keys_, CreateKey()).WillOnce(Return(std::string("ref-1")));
  EXPECT_CALL(keys_, LoadKey("ref-1"))
      .WillOnce([this](const std::string&) { return SoftwareKey(pem_); })
      .WillRepeatedly([](const std::string&) -> Result<std::unique_ptr<DeviceKey>> {
        return NotFound("the HSM is not connected");
      });
  Agent& agent = Open();
  ASSERT_TRUE(agent.Enable().ok());
  ASSERT_TRUE(agent.Register(kToken, false).ok());
  h_.agent.reset();
  Agent& reopened = Open();
  // The first usage report is due after 6 hours; then a retry every 15 minutes.
  const int runs = h_.RunUntil(test::kStart + kDay);
  EXPECT_LE(runs, 18 * 4 + 4);
  AgentStatus status = reopened.GetStatus();
  EXPECT_THAT(status.last_error, HasSubstr("the HSM is not connected"));
  EXPECT_EQ(status.communication_problem, CommunicationProblem::kConfiguration);
  ASSERT_TRUE(status.next_communication_attempt.has_value());
  EXPECT_GT(*status.next_communication_attempt, h_.Now());
}

TEST_F(AgentKeyStoreContractTest, EveryRequestIsSignedByTheKeyAndItsPublicKeyIsAskedOnce) {
  PrivateKey real = PrivateKey::FromPem(pem_).value();
  EXPECT_CALL(keys_, CreateKey()).WillOnce(Return(std::string("ref-1")));
  EXPECT_CALL(keys_, LoadKey("ref-1")).WillOnce([&real](const std::string&) {
    auto key = std::make_unique<StrictMock<test::MockDeviceKey>>();
    EXPECT_CALL(*key, PublicKeyPem()).WillOnce(Return(real.Public().ToPem()));
    // The CSR, the registration and the authorization.
    EXPECT_CALL(*key, Sign(_)).Times(3).WillRepeatedly([&real](std::string_view data) { return real.Sign(data); });
    return Result<std::unique_ptr<DeviceKey>>(std::move(key));
  });
  Agent& agent = Open();
  ASSERT_TRUE(agent.Enable().ok());
  Status s = agent.Register(kToken, false);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
}

}  // namespace
}  // namespace sl
