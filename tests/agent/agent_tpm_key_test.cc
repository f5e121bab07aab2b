// Integration (issue 12): the device key inside a TPM. An agent whose key store is
// OpenSSL's tpm2 provider (tpm2-openssl) over swtpm registers and renews against the
// real mock-cssm binary (TLS on loopback, the libcurl transport), and afterwards no
// file of its state or key directory holds private key material: the state keeps the
// TPM's wrapped key, which OpenSSL cannot load without the tpm2 provider and that TPM,
// where a software key's reference loads with OpenSSL alone (the control). Also: a
// fixed persistent key named by a key URI, keys that load whatever the option says
// now, and a key URI that names nothing.
// Real clocks: the mock checks freshness against its own wall clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "protocol/crypto.h"
#include "protocol/key_provider.h"
#include "smartlicensing/agent.h"
#include "smartlicensing/device_key_store.h"
#include "testing/device_in_temp_dir.h"
#include "testing/key_material.h"
#include "testing/mock_cssm_process.h"
#include "testing/swtpm_process.h"
#include "testing/test_util.h"

namespace sl {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
namespace st = terms;

constexpr const char* kPersistentHandle = "0x81000001";
constexpr const char* kTssHeader = "-----BEGIN TSS2 PRIVATE KEY-----";

// Records the references the keys it creates get, to look at what the state keeps.
class RecordingKeyStore final : public DeviceKeyStore {
 public:
  explicit RecordingKeyStore(std::unique_ptr<DeviceKeyStore> inner) : inner_(std::move(inner)) {}
  Result<std::string> CreateKey() override {
    Result<std::string> reference = inner_->CreateKey();
    if (reference.ok()) created.push_back(*reference);
    return reference;
  }
  Result<std::unique_ptr<DeviceKey>> LoadKey(const std::string& reference) const override {
    return inner_->LoadKey(reference);
  }
  std::string DescribeKey(const std::string& reference) const override { return inner_->DescribeKey(reference); }

  std::vector<std::string> created;

 private:
  std::unique_ptr<DeviceKeyStore> inner_;
};

std::unique_ptr<RecordingKeyStore> TpmKeys(const std::string& key_uri = "") {
  return std::make_unique<RecordingKeyStore>(NewProviderKeyStore({"tpm2", key_uri}).value());
}

class AgentTpmKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Not in SetUpTestSuite: gtest reports a failure there as skipped tests, and ctest
    // counts those as passed. Once per process, before it loads the tpm2 provider,
    // which then holds swtpm's one connection: tpm2-tools need it to persist the key.
    static bool persisted = [] {
      test::SwtpmProcess* swtpm = test::SharedSwtpm();
      return swtpm != nullptr && swtpm->PersistSigningKey(kPersistentHandle);
    }();
    ASSERT_NE(test::SharedSwtpm(), nullptr) << "the TPM tests need swtpm";
    ASSERT_TRUE(persisted) << "the persistent TPM key could not be made";
    ASSERT_TRUE(mock_.running());
  }

  std::unique_ptr<Agent> Open(DeviceKeyStore* keys) {
    device_.set_key_store(keys);
    return device_.OpenAgent(mock_.direct_url(), 2, 10);
  }
  void ExpectNoPrivateKeyOnDisk() {
    EXPECT_THAT(test::FilesWithPrivateKeys({device_.state_dir(), device_.key_dir()}), IsEmpty());
  }

  test::MockCssmProcess mock_{test::TestSeedPath()};
  test::DeviceInTempDir device_{Udi{"EXPWY-VE-L", "TPM00001"}, "exp-tpm.example.com"};
};

TEST_F(AgentTpmKeyTest, RegistersAndRenewsWithTheKeyInsideTheTpmAndNoKeyIsOnDisk) {
  std::unique_ptr<RecordingKeyStore> keys = TpmKeys();
  std::unique_ptr<Agent> agent = Open(keys.get());
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  Status s = agent->Register("TEST-TOKEN-EXPRESSWAY", false);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(agent->GetStatus().last_error, "");
  EXPECT_TRUE(agent->RenewRegistration().ok()) << agent->GetStatus().last_error;
  EXPECT_TRUE(agent->RenewAuthorization().ok()) << agent->GetStatus().last_error;
  EXPECT_EQ(agent->GetStatus().registration_status, st::kRegistered);
  EXPECT_EQ(agent->GetStatus().device_key, "TPM (tpm2 provider)");

  ASSERT_EQ(keys->created.size(), 1u);
  const std::string& reference = keys->created[0];
  ASSERT_THAT(reference, StartsWith(std::string("provider: tpm2\n") + kTssHeader));
  const std::string wrapped = reference.substr(reference.find('\n') + 1);
  // OpenSSL alone cannot use the key; the tpm2 provider, with this TPM, can.
  EXPECT_FALSE(test::LoadsWithoutProvider(wrapped));
  Result<PrivateKey> in_tpm = KeyProvider::Load("tpm2").value()->FromPem(wrapped);
  ASSERT_TRUE(in_tpm.ok()) << in_tpm.status().ToString();
  EXPECT_TRUE(in_tpm->Public().Verify("data", in_tpm->Sign("data").value()).ok());
  agent.reset();
  ExpectNoPrivateKeyOnDisk();
}

TEST_F(AgentTpmKeyTest, ControlASoftwareKeysReferenceLoadsWithOpenSslAlone) {
  RecordingKeyStore keys(NewSoftwareKeyStore());
  std::unique_ptr<Agent> agent = Open(&keys);
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  ASSERT_TRUE(agent->Register("TEST-TOKEN-EXPRESSWAY", false).ok()) << agent->GetStatus().last_error;
  EXPECT_EQ(agent->GetStatus().device_key, "software (in the sealed state)");
  ASSERT_EQ(keys.created.size(), 1u);
  EXPECT_THAT(keys.created[0], StartsWith("-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(test::LoadsWithoutProvider(keys.created[0]));
}

TEST_F(AgentTpmKeyTest, AKeyAlreadyCreatedLoadsWhateverStoreIsConfiguredNow) {
  std::unique_ptr<RecordingKeyStore> tpm = TpmKeys();
  std::unique_ptr<Agent> agent = Open(tpm.get());
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  ASSERT_TRUE(agent->Register("TEST-TOKEN-EXPRESSWAY", false).ok()) << agent->GetStatus().last_error;
  agent.reset();

  // The operator drops the provider option: the TPM key still signs.
  RecordingKeyStore software(NewSoftwareKeyStore());
  agent = Open(&software);
  ASSERT_TRUE(agent);
  EXPECT_TRUE(agent->RenewRegistration().ok()) << agent->GetStatus().last_error;
  EXPECT_TRUE(agent->RenewAuthorization().ok()) << agent->GetStatus().last_error;
  EXPECT_EQ(agent->GetStatus().device_key, "TPM (tpm2 provider)");
  EXPECT_THAT(software.created, IsEmpty());
  agent.reset();
  ExpectNoPrivateKeyOnDisk();
}

TEST_F(AgentTpmKeyTest, AKeyUriNamesTheOneKeyEveryRegistrationUses) {
  const std::string uri = std::string("handle:") + kPersistentHandle;
  std::unique_ptr<RecordingKeyStore> keys = TpmKeys(uri);
  std::unique_ptr<Agent> agent = Open(keys.get());
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  ASSERT_TRUE(agent->Register("TEST-TOKEN-EXPRESSWAY", false).ok()) << agent->GetStatus().last_error;
  EXPECT_TRUE(agent->RenewRegistration().ok()) << agent->GetStatus().last_error;
  ASSERT_TRUE(agent->Register("TEST-TOKEN-EXPRESSWAY", /*reregister=*/true).ok()) << agent->GetStatus().last_error;
  EXPECT_TRUE(agent->RenewAuthorization().ok()) << agent->GetStatus().last_error;
  const std::string reference = "provider: tpm2\nuri: " + uri + "\n";
  EXPECT_THAT(keys->created, ElementsAre(reference, reference));
  EXPECT_EQ(agent->GetStatus().device_key, "TPM (tpm2 provider), key " + uri);
  agent.reset();
  ExpectNoPrivateKeyOnDisk();
}

TEST_F(AgentTpmKeyTest, AKeyUriThatNamesNothingFailsTheRegistrationClearlyAndChangesNothing) {
  std::unique_ptr<RecordingKeyStore> keys = TpmKeys("handle:0x81000099");
  std::unique_ptr<Agent> agent = Open(keys.get());
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Enable().ok());
  Status s = agent->Register("TEST-TOKEN-EXPRESSWAY", false);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("handle:0x81000099"));
  EXPECT_THAT(s.message(), HasSubstr("TPM (tpm2 provider)"));
  AgentStatus status = agent->GetStatus();
  EXPECT_EQ(status.registration_status, st::kUnregistered);
  EXPECT_EQ(status.device_key, "");  // no registration began
}

// The scan above can fail: it finds a software key in any file, in clear or in JSON.
TEST(KeyMaterialScanTest, FindsASoftwareKeyInAnyFileAndNotAWrappedOne) {
  test::TempDir dir;
  const std::string pem = PrivateKey::Generate()->ToPem();
  std::string in_json = pem;
  for (size_t nl = in_json.find('\n'); nl != std::string::npos; nl = in_json.find('\n', nl)) {
    in_json.replace(nl, 1, "\\n");
  }
  {
    std::ofstream(dir.File("plain")) << pem;
    std::ofstream(dir.File("record.json")) << "{\"device_key\":\"" << in_json << "\"}";
  }
  std::vector<std::string> found = test::FilesWithPrivateKeys({dir.path()});
  EXPECT_THAT(found, Contains(HasSubstr("/plain: BEGIN PRIVATE KEY")));
  EXPECT_THAT(found, Contains(HasSubstr("/record.json: a loadable PRIVATE KEY")));
  // A block OpenSSL cannot load alone (here: not a key any provider knows) is not key material.
  std::string relabeled = pem;
  relabeled.replace(relabeled.find("BEGIN PRIVATE"), 13, "BEGIN TSS2 PRIVATE");
  relabeled.replace(relabeled.find("END PRIVATE"), 11, "END TSS2 PRIVATE");
  test::TempDir other;
  std::ofstream(other.File("wrapped")) << relabeled;
  EXPECT_THAT(test::FilesWithPrivateKeys({other.path()}), IsEmpty());
}

}  // namespace
}  // namespace sl
