#include "smartlicensing/device_secret.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "protocol/crypto.h"
#include "testing/bounded_wait.h"
#include "testing/test_util.h"

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

// Processes started at once (slagent commands, a daemon) must agree on one key, and
// none may see the file before its key is in it (an empty file is DataLoss for good).
TEST(AgentDeviceSecretTest, ConcurrentCreatorsAllEndWithTheSameKey) {
  constexpr int kThreads = 6;
  for (int round = 0; round < 40; ++round) {
    test::TempDir dir;
    const std::string path = dir.File("device.key");
    std::vector<std::string> macs(kThreads);
    std::vector<Status> errors(kThreads);
    std::atomic<int> ready{0};
    std::vector<std::unique_ptr<test::BackgroundCall>> creators;
    for (int i = 0; i < kThreads; ++i) {
      creators.push_back(std::make_unique<test::BackgroundCall>("LoadOrCreateDeviceSecretFile", [&, i] {
        ++ready;
        while (ready.load() < kThreads) std::this_thread::yield();
        auto secret = LoadOrCreateDeviceSecretFile(path);
        if (secret.ok()) {
          macs[i] = (*secret)->Mac("x").value();
        } else {
          errors[i] = secret.status();
        }
      }));
    }
    for (const auto& creator : creators) {
      ASSERT_TRUE(creator->Wait(test::kHangLimit)) << "round " << round << ": a creator did not return";
    }
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(errors[i].ok()) << "round " << round << ": " << errors[i].ToString();
      ASSERT_EQ(macs[i], macs[0]) << "round " << round;
    }
    EXPECT_EQ(test::DirectoryEntries(dir.path()), std::set<std::string>{"device.key"}) << "temporary file left behind";
  }
}

TEST(AgentDeviceSecretTest, LoadingOnlyNeverCreatesTheKeyFile) {
  test::TempDir dir;
  const std::string path = dir.File("device.key");
  auto missing = LoadDeviceSecretFile(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(test::DirectoryEntries(dir.path()).empty()) << "a read-only caller created something";

  auto created = LoadOrCreateDeviceSecretFile(path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto loaded = LoadDeviceSecretFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->Mac("x").value(), (*created)->Mac("x").value());

  std::ofstream(path, std::ios::trunc) << std::string(4096, 'a');
  EXPECT_EQ(LoadDeviceSecretFile(path).status().code(), StatusCode::kDataLoss) << "oversized";
  std::ofstream(path, std::ios::trunc) << "";
  EXPECT_EQ(LoadDeviceSecretFile(path).status().code(), StatusCode::kDataLoss) << "empty";
  EXPECT_EQ(LoadOrCreateDeviceSecretFile(path).status().code(), StatusCode::kDataLoss)
      << "an existing empty file is never silently replaced";
}

TEST(AgentDeviceSecretTest, ADamagedKeyFileIsDataLoss) {
  test::TempDir dir;
  std::ofstream(dir.File("device.key")) << "not a key\n";
  auto secret = LoadOrCreateDeviceSecretFile(dir.File("device.key"));
  EXPECT_EQ(secret.status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sl
