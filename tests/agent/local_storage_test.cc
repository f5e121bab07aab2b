// The agent's files when the machine lets it down or someone else could write its
// directories (issue 12, defects 5 and 7): the standard store, device secret and
// DeviceDirectory report a storage problem as DataLoss (a local state problem, exit 5
// in slagent), never as Internal or PermissionDenied (which the agent's callers read
// as a refusal by CSSM); they never follow a link planted in their directories, refuse
// directories others may write and a key others may read, and create files 0600.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "smartlicensing/device_directory.h"
#include "smartlicensing/device_secret.h"
#include "smartlicensing/state_store.h"
#include "testing/test_util.h"

namespace sl {
namespace {

bool Mentions(const Status& s, const std::string& part) { return s.message().find(part) != std::string::npos; }

void Write(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::trunc) << text;
  ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
}

const std::string kKeyHex = std::string(64, 'a') + "\n";

TEST(AgentLocalStorageTest, AFullDiskOnSaveIsDataLossAndKeepsTheOldRecord) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"), dir.File("state.witness"));
  ASSERT_TRUE(store.Save("old record").ok());
  Status s;
  {
    // Writes beyond 4 bytes fail (EFBIG), as on a full disk.
    struct rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    auto old_handler = signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = old;
    limit.rlim_cur = 4;
    setrlimit(RLIMIT_FSIZE, &limit);
    s = store.Save("new record");
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
  }
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_TRUE(Mentions(s, dir.File("state"))) << s.message();
  EXPECT_EQ(store.Load().value(), "old record");
}

TEST(AgentLocalStorageTest, AStateThatCannotBeReadIsDataLossNotInternal) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  // A directory where the record should be: it opens, but cannot be read.
  ASSERT_EQ(mkdir(dir.File("state").c_str(), 0700), 0);
  Result<std::string> loaded = store.Load();
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss) << loaded.status().ToString();
  EXPECT_TRUE(Mentions(loaded.status(), dir.File("state"))) << loaded.status().message();
}

TEST(AgentLocalStorageTest, TheStateIsNeverReadThroughALink) {
  test::TempDir dir;
  test::TempDir elsewhere;
  Write(elsewhere.File("other"), "someone else's file");
  ASSERT_EQ(symlink(elsewhere.File("other").c_str(), dir.File("state").c_str()), 0);
  FileStateStore store(dir.File("state"));
  Result<std::string> loaded = store.Load();
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Mentions(loaded.status(), "symbolic link")) << loaded.status().message();
}

TEST(AgentLocalStorageTest, ADeviceSecretThatCannotBeReadIsDataLossNotInternal) {
  test::TempDir dir;
  ASSERT_EQ(mkdir(dir.File("device.key").c_str(), 0700), 0);
  auto secret = LoadOrCreateDeviceSecretFile(dir.File("device.key"));
  EXPECT_EQ(secret.status().code(), StatusCode::kDataLoss) << secret.status().ToString();
  EXPECT_EQ(LoadDeviceSecretFile(dir.File("device.key")).status().code(), StatusCode::kDataLoss);
}

TEST(AgentLocalStorageTest, ADeviceSecretOthersMayReadIsRefusedWithTheFix) {
  test::TempDir dir;
  const std::string key = dir.File("device.key");
  Write(key, kKeyHex, 0644);
  auto secret = LoadOrCreateDeviceSecretFile(key);
  EXPECT_EQ(secret.status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Mentions(secret.status(), "chmod 600 " + key)) << secret.status().message();
  EXPECT_FALSE(Mentions(secret.status(), std::string(64, 'a'))) << "the key in a message";
  EXPECT_EQ(test::ReadFile(key), kKeyHex) << "a refused key is never replaced";
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(LoadOrCreateDeviceSecretFile(key).ok());
}

TEST(AgentLocalStorageTest, TheDeviceSecretIsNeverReadThroughALink) {
  test::TempDir dir;
  test::TempDir elsewhere;
  Write(elsewhere.File("key"), kKeyHex);
  ASSERT_EQ(symlink(elsewhere.File("key").c_str(), dir.File("device.key").c_str()), 0);
  EXPECT_EQ(LoadOrCreateDeviceSecretFile(dir.File("device.key")).status().code(), StatusCode::kDataLoss);
}

class DeviceDirectoryPrivacyTest : public ::testing::Test {
 protected:
  DeviceDirectoryOptions Options() const {
    DeviceDirectoryOptions o;
    o.state_dir = state_.path();
    o.key_dir = keys_.path();
    o.udi = Udi{"EXPWY-VE-L", "SN0001"};
    o.hostname = "h";
    return o;
  }
  test::TempDir state_;
  test::TempDir keys_;
};

TEST_F(DeviceDirectoryPrivacyTest, DirectoriesOthersMayWriteAreRefusedBeforeAnyFileIsTouched) {
  for (const std::string& dir : {state_.path(), keys_.path()}) {
    ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
    for (bool read_only : {false, true}) {
      DeviceDirectoryOptions o = Options();
      o.read_only = read_only;
      Result<std::unique_ptr<DeviceDirectory>> device = DeviceDirectory::Open(o);
      EXPECT_EQ(device.status().code(), StatusCode::kDataLoss) << dir;
      EXPECT_TRUE(Mentions(device.status(), "chmod 700 " + dir)) << device.status().message();
    }
    EXPECT_TRUE(test::DirectoryEntries(keys_.path()).empty()) << "a key was created in a refused directory";
    ASSERT_EQ(chmod(dir.c_str(), 0700), 0);
  }
  ASSERT_TRUE(DeviceDirectory::Open(Options()).ok());
}

TEST_F(DeviceDirectoryPrivacyTest, TheKeyItCreatesIsOwnerOnlyWhateverTheUmask) {
  mode_t old = umask(0);
  Result<std::unique_ptr<DeviceDirectory>> device = DeviceDirectory::Open(Options());
  umask(old);
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  struct stat st{};
  ASSERT_EQ(stat(keys_.File("device.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace sl
