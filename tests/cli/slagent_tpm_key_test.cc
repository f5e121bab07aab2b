// End to end (issue 12): slagent with its device key in a TPM (--key-provider tpm2, or
// SLAGENT_KEY_PROVIDER as a systemd drop-in sets it), OpenSSL's tpm2 provider over
// swtpm, against the real mock-cssm. The key is created in the TPM at registration, every
// later command loads it from the state's reference (with or without the option), status
// says where it lives, no file of the state or key directory holds private key material,
// and a TPM that cannot be reached is a local problem (exit 5) that changes nothing.
// This process never loads the tpm2 provider: swtpm serves one connection at a time,
// and slagent needs it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/key_material.h"
#include "testing/swtpm_process.h"
#include "testing/tinyproxy_process.h"
#include "slagent_fixture.h"
#include "smartlicensing/licensing_terms.h"

namespace sl {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
namespace st = terms;

class SlagentTpmKeyTest : public SlagentTest {
 protected:
  void SetUp() override {
    // Sets TPM2OPENSSL_TCTI for the slagent processes this test starts.
    ASSERT_NE(test::SharedSwtpm(), nullptr) << "the TPM tests need swtpm";
    SlagentTest::SetUp();
  }
  std::vector<std::string> KeyDirs() { return {dir_.File("state"), dir_.File("state.keys")}; }
};

TEST_F(SlagentTpmKeyTest, RegistersAndRenewsWithTheKeyInTheTpmAndNoKeyIsOnDisk) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  test::CommandResult r = Run({"--key-provider", "tpm2", "register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Without the option: the key loads from the state's reference.
  r = Run({"renew", "id"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Run({"renew", "auth"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Run({"status"});
  EXPECT_THAT(r.out, HasSubstr("Device key:"));
  EXPECT_THAT(r.out, HasSubstr("TPM (tpm2 provider)"));
  rapidjson::Document status = Status();
  EXPECT_EQ(Str(status, "registration_status"), st::kRegistered);
  EXPECT_EQ(Str(status, "device_key"), "TPM (tpm2 provider)");
  EXPECT_EQ(Str(status, "last_error"), "");
  EXPECT_THAT(test::FilesWithPrivateKeys(KeyDirs()), IsEmpty());
}

TEST_F(SlagentTpmKeyTest, TheEnvironmentVariableChoosesTheProviderAsASystemdDropInWould) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  std::vector<std::string> argv = {SL_SLAGENT_BINARY, "--state-dir", dir_.File("state"), "register", "--token",
                                   "TEST-TOKEN-EXPRESSWAY"};
  test::CommandResult r = test::RunCommand(argv, {"SLAGENT_KEY_PROVIDER=tpm2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Str(Status(), "device_key"), "TPM (tpm2 provider)");
  EXPECT_THAT(test::FilesWithPrivateKeys(KeyDirs()), IsEmpty());
}

TEST_F(SlagentTpmKeyTest, AnUnreachableTpmIsALocalProblemThatChangesNothing) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  test::CommandResult r = Run({"--key-provider", "tpm2", "register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string before = test::ReadFile(dir_.File("state/state"));

  // The TPM is not where TPM2OPENSSL_TCTI says (removed, or another machine's disk).
  const std::string nowhere = "TPM2OPENSSL_TCTI=swtpm:host=127.0.0.1,port=" + std::to_string(test::FreeLoopbackPort());
  std::vector<std::string> argv = {SL_SLAGENT_BINARY, "--state-dir", dir_.File("state"), "renew", "auth"};
  r = test::RunCommand(argv, {nowhere});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("TPM (tpm2 provider)"));
  EXPECT_THAT(r.err, HasSubstr("TPM2OPENSSL_TCTI"));
  EXPECT_THAT(r.err, Not(HasSubstr("internal")));
  EXPECT_EQ(test::ReadFile(dir_.File("state/state")), before);

  // With the TPM back, the same key signs again.
  r = Run({"renew", "auth"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace sl
