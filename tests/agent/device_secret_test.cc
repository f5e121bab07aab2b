#include "agent/device_secret.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "protocol/crypto.h"
#include "tests/support/test_util.h"

namespace sl {
namespace {

TEST(AgentDeviceSecretTest, MacIsHmacSha256) {
  // RFC 4231, test case 1.
  HmacDeviceSecret secret(std::string(20, '\x0b'));
  EXPECT_EQ(HexEncode(secret.Mac("Hi There").value()),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(AgentDeviceSecretTest, TheKeyFileIsCreatedOnceOwnerOnlyAndReused) {
  test::TempDir dir;
  auto first = LoadOrCreateDeviceSecretFile(dir.File("device.key"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = LoadOrCreateDeviceSecretFile(dir.File("device.key"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*first)->Mac("x").value(), (*again)->Mac("x").value());
  struct stat st;
  ASSERT_EQ(stat(dir.File("device.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  test::TempDir other;
  auto different = LoadOrCreateDeviceSecretFile(other.File("device.key"));
  EXPECT_NE((*first)->Mac("x").value(), (*different)->Mac("x").value());
}

TEST(AgentDeviceSecretTest, ADamagedKeyFileIsDataLoss) {
  test::TempDir dir;
  std::ofstream(dir.File("device.key")) << "not a key\n";
  auto secret = LoadOrCreateDeviceSecretFile(dir.File("device.key"));
  EXPECT_EQ(secret.status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sl
