// Secrets at rest (issue 12, defect 1): the state record the store writes holds the
// device's private key, a pending registration's key and token and the proxy password
// only encrypted (state_secrets.h), and a record of the previous version, which held
// them in clear, still opens and is written again sealed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/agent_state.h"
#include "agent/state_secrets.h"
#include "smartlicensing/agent.h"
#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kToken;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassword = "proxy-Pa55word-xyz";

// What of a PEM would show in a file that holds it in clear, however the file escapes
// line breaks: each of its Base64 lines.
std::vector<std::string> PemLines(const std::string& pem) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < pem.size()) {
    size_t end = pem.find('\n', start);
    if (end == std::string::npos) end = pem.size();
    std::string line = pem.substr(start, end - start);
    if (line.size() >= 16 && line.rfind("-----", 0) != 0) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

void ExpectNoneIn(const std::string& bytes, const std::vector<std::string>& secrets) {
  ASSERT_FALSE(secrets.empty());
  for (const std::string& secret : secrets) {
    ASSERT_FALSE(secret.empty());
    EXPECT_THAT(bytes, Not(HasSubstr(secret)));
  }
}

TransportSettings ThroughAProxy() {
  TransportSettings t;
  t.proxy = ProxySettings{"proxy.example.com", 3128, "alice", kPassword};
  return t;
}

TEST(AgentSecretsAtRestTest, TheStoredRecordHoldsNoKeyTokenOrProxyPasswordInClear) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  ASSERT_TRUE(agent.SetTransportSettings(ThroughAProxy()).ok());
  // CSSM unreachable: the registration is pending, its token and key kept for the retry.
  h.GoOffline();
  EXPECT_FALSE(agent.Register(kToken, false).ok());
  AgentState pending = OpenState(h.memory_store.record, h.secret).value();
  ASSERT_EQ(pending.pending_token, kToken);
  ASSERT_EQ(pending.transport.proxy->password, kPassword);
  std::vector<std::string> secrets = PemLines(pending.pending_key_pem);
  secrets.push_back(kToken);
  secrets.push_back(kPassword);
  ExpectNoneIn(h.memory_store.record, secrets);

  h.GoOnline();
  ASSERT_TRUE(agent.Register(kToken, false).ok());
  AgentState registered = OpenState(h.memory_store.record, h.secret).value();
  ASSERT_EQ(registered.registration, RegistrationState::kRegistered);
  secrets = PemLines(registered.device_key_pem);
  secrets.push_back(kPassword);
  ExpectNoneIn(h.memory_store.record, secrets);
}

TEST(AgentSecretsAtRestTest, EachSaveSealsWithFreshNoncesAndTheRecordStillOpens) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  std::string first = h.memory_store.record;
  ASSERT_TRUE(agent.SetPrivacy(true).ok());
  ASSERT_TRUE(agent.SetPrivacy(false).ok());
  AgentState a = OpenState(first, h.secret).value();
  AgentState b = OpenState(h.memory_store.record, h.secret).value();
  EXPECT_EQ(a.device_key_pem, b.device_key_pem);
  // The same key sealed twice: no two ciphertexts alike.
  size_t at = first.find("sealed_device_key");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(h.memory_store.record.find(first.substr(at, 80)), std::string::npos);
}

TEST(AgentSecretsAtRestTest, ARecordOfThePreviousVersionOpensAndIsWrittenAgainSealed) {
  AgentHarness h;
  h.OpenRegistered();
  ASSERT_TRUE(h.agent->SetTransportSettings(ThroughAProxy()).ok());
  AgentState state = OpenState(h.memory_store.record, h.secret).value();
  h.agent.reset();
  // What the previous version wrote: version 1, the secret fields in clear.
  h.memory_store.record = SealPortableState(state, h.secret).value();
  ASSERT_THAT(h.memory_store.record, HasSubstr("\"version\":1"));
  ASSERT_THAT(h.memory_store.record, HasSubstr(PemLines(state.device_key_pem)[0]));
  ASSERT_THAT(h.memory_store.record, HasSubstr(kPassword));

  Agent& agent = h.Open();
  EXPECT_EQ(agent.GetStatus().registration_status, terms::kRegistered);
  EXPECT_THAT(h.memory_store.record, HasSubstr("\"version\":2")) << "written again at once";
  std::vector<std::string> secrets = PemLines(state.device_key_pem);
  secrets.push_back(kPassword);
  ExpectNoneIn(h.memory_store.record, secrets);
  AgentState sealed = OpenState(h.memory_store.record, h.secret).value();
  EXPECT_EQ(sealed.device_key_pem, state.device_key_pem);
  EXPECT_EQ(sealed.transport.proxy->password, kPassword);
  EXPECT_TRUE(agent.RenewAuthorization().ok()) << "the key still signs";
}

TEST(AgentSecretsAtRestTest, ASealedValueOpensOnlyAsItsFieldOfItsDevice) {
  HmacDeviceSecret secret(std::string(32, 's'));
  StateFieldCipher cipher = StateFieldCipher::ForDevice(secret).value();
  const Udi udi{"EXPWY-VE-L", "SN0001"};
  std::string sealed = cipher.Seal("pending_token", udi, "TOKEN-A").value();
  EXPECT_EQ(cipher.Open("pending_token", udi, sealed).value(), "TOKEN-A");
  EXPECT_EQ(cipher.Open("pending_key", udi, sealed).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(cipher.Open("pending_token", Udi{"EXPWY-VE-L", "SN0002"}, sealed).status().code(),
            StatusCode::kDataLoss);
  StateFieldCipher other = StateFieldCipher::ForDevice(HmacDeviceSecret(std::string(32, 't'))).value();
  EXPECT_EQ(other.Open("pending_token", udi, sealed).status().code(), StatusCode::kDataLoss);
  for (const char* bad : {"", "AAAA", "not base64!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    EXPECT_EQ(cipher.Open("pending_token", udi, bad).status().code(), StatusCode::kDataLoss) << bad;
  }
}

TEST(AgentSecretsAtRestTest, AnotherDevicesStateFileIsNotABackup) {
  HmacDeviceSecret secret(std::string(32, 's'));
  AgentState s;
  s.udi = Udi{"EXPWY-VE-L", "SN0001"};
  s.pending_token = "TOKEN-A";
  std::string record = SealState(s, secret).value();
  Result<AgentState> unverified = OpenStateUnverified(record);
  EXPECT_EQ(unverified.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(unverified.status().message(), HasSubstr("not a backup"));
  EXPECT_EQ(OpenStateUnverified(SealPortableState(s, secret).value())->pending_token, "TOKEN-A");
}

}  // namespace
}  // namespace sl
