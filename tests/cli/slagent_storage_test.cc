// End-to-end, the real slagent binary: when the machine cannot keep its state (issue
// 12, defect 7 and "crash consistency"). A full disk, a read-only state directory, a
// state file or device key the user running slagent cannot read: exit 5 (a local
// state problem, README and cli/exit_codes.h), never 1 (an internal error), with a
// one-line error that names the file and why; and nothing lost: the previous state is
// still there, opens, and takes the change once the disk is fixed.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "slagent_offline_fixture.h"

namespace sl {
namespace {

class SlagentStorageTest : public SlagentOfflineTest {
 protected:
  void TearDown() override {
    for (const std::string& mount_point : mounts_) umount2(mount_point.c_str(), MNT_DETACH);
  }

  // Mounts a tmpfs of `bytes` as the state directory (before it exists). False, and the
  // reason in `why`, when this process may not mount.
  bool MountSmallStateDirectory(size_t bytes, std::string& why) {
    if (geteuid() != 0) {
      why = "needs root to mount a small tmpfs as the state directory (CI runs as root)";
      return false;
    }
    if (mkdir(StateDir().c_str(), 0700) != 0) return false;
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
    if (mount("tmpfs", StateDir().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      why = std::string("cannot mount a tmpfs (") + std::strerror(errno) + "): no CAP_SYS_ADMIN here";
      return false;
    }
    mounts_.push_back(StateDir());
    return true;
  }

  // Makes the state directory read-only by bind-mounting it read-only over itself
  // (root ignores chmod).
  bool RemountStateDirectoryReadOnly(std::string& why) {
    if (geteuid() != 0) {
      why = "needs root to remount the state directory read-only (CI runs as root)";
      return false;
    }
    if (mount(StateDir().c_str(), StateDir().c_str(), nullptr, MS_BIND, nullptr) != 0) {
      why = std::string("cannot bind-mount (") + std::strerror(errno) + "): no CAP_SYS_ADMIN here";
      return false;
    }
    mounts_.push_back(StateDir());
    if (mount(nullptr, StateDir().c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      why = std::string("cannot remount read-only (") + std::strerror(errno) + ")";
      return false;
    }
    return true;
  }

  // Fills the file system of the state directory until a write fails.
  void FillStateFileSystem() {
    std::ofstream filler(StateDir() + "/filler", std::ios::binary);
    const std::string block(4096, 'x');
    for (int i = 0; i < 1 << 20 && filler.write(block.data(), block.size()); ++i) filler.flush();
    std::ofstream tail(StateDir() + "/filler.tail", std::ios::binary);
    for (int i = 0; i < 4096 && tail.put('x'); ++i) tail.flush();
  }

  // The contents of the files that hold the device's configuration and state.
  std::map<std::string, std::string> Snapshot() {
    std::map<std::string, std::string> files;
    for (const char* name : {"state", "identity.json", "cssm-signing.crt"}) {
      files[name] = test::ReadFile(StateDir() + "/" + name);
    }
    return files;
  }

  // `status --json`'s mode, or "" when it fails.
  std::string Mode() {
    test::CommandResult r = Run({"status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Result<rapidjson::Document> doc = ParseJson(r.out);
    if (!doc.ok() || !doc->IsObject() || !doc->HasMember("mode") || !(*doc)["mode"].IsString()) return "";
    return (*doc)["mode"].GetString();
  }

  // Commands that save, each of which must fail with exit 5 and leave everything.
  static std::vector<std::vector<std::string>> SavingCommands() {
    return {{"privacy", "on"},
            {"transport", "direct", "--url", "https://127.0.0.1:10/licservice"},
            {"identity", "--product-id", "EXPWY-VE-L", "--serial", "FFFF0000"},
            {"usage", "set", "rms", "3"}};
  }

  void ExpectEachSavingCommandFailsWithExitFive(const std::string& reason) {
    const std::map<std::string, std::string> before = Snapshot();
    const std::string mode = Mode();
    for (const std::vector<std::string>& command : SavingCommands()) {
      test::CommandResult r = Run(command);
      EXPECT_EQ(r.exit_code, 5) << command[0] << ": " << r.out << r.err;
      EXPECT_TRUE(Mentions(r.err, reason)) << command[0] << ": " << r.err;
      EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << command[0] << ": not one line: " << r.err;
      EXPECT_EQ(Snapshot(), before) << command[0] << " changed the stored state";
    }
    EXPECT_EQ(Mode(), mode) << "the previous state does not open as it was";
  }

  std::vector<std::string> mounts_;
};

TEST_F(SlagentStorageTest, AFullDiskOnSaveExitsFiveAndLosesNothing) {
  std::string why;
  if (!MountSmallStateDirectory(256 * 1024, why)) GTEST_SKIP() << why;
  Configure();
  FillStateFileSystem();
  ExpectEachSavingCommandFailsWithExitFive("No space left on device");
  // Space again: the same command now takes.
  ASSERT_EQ(unlink((StateDir() + "/filler").c_str()), 0);
  const std::string state = test::ReadFile(StateDir() + "/state");
  test::CommandResult privacy = Run({"privacy", "on"});
  EXPECT_EQ(privacy.exit_code, 0) << privacy.err;
  EXPECT_NE(test::ReadFile(StateDir() + "/state"), state);
  EXPECT_EQ(Mode(), "smart");
}

TEST_F(SlagentStorageTest, AReadOnlyStateDirectoryExitsFiveAndLosesNothing) {
  Configure();
  std::string why;
  if (!RemountStateDirectoryReadOnly(why)) GTEST_SKIP() << why;
  ExpectEachSavingCommandFailsWithExitFive("Read-only file system");
}

// The files belong to root (an earlier `sudo slagent` of a version that did not give
// them away) and slagent runs as the daemon's user, which cannot read them.
TEST_F(SlagentStorageTest, AStateFileTheUserCannotReadExitsFive) {
  Configure();
  const std::string state = StateDir() + "/state";
  int user = -1;
  if (geteuid() == 0) {
    GiveEverythingTo(kOtherUser);
    ASSERT_EQ(chown(state.c_str(), 0, 0), 0);
    user = kOtherUser;
  } else {
    ASSERT_EQ(chmod(state.c_str(), 0), 0);
  }
  for (const char* command : {"status", "enable"}) {
    test::CommandResult r = RunAs(user, {command});
    EXPECT_EQ(r.exit_code, 5) << command << ": " << r.out << r.err;
    EXPECT_TRUE(Mentions(r.err, state)) << command << ": " << r.err;
    EXPECT_TRUE(Mentions(r.err, "Permission denied")) << command << ": " << r.err;
  }
}

TEST_F(SlagentStorageTest, ADeviceKeyTheUserCannotReadExitsFive) {
  Configure();
  const std::string key = KeyDir() + "/device.key";
  int user = -1;
  if (geteuid() == 0) {
    GiveEverythingTo(kOtherUser);
    ASSERT_EQ(chown(key.c_str(), 0, 0), 0);
    user = kOtherUser;
  } else {
    ASSERT_EQ(chmod(key.c_str(), 0), 0);
  }
  for (const char* command : {"status", "enable"}) {
    test::CommandResult r = RunAs(user, {command});
    EXPECT_EQ(r.exit_code, 5) << command << ": " << r.out << r.err;
    EXPECT_TRUE(Mentions(r.err, key)) << command << ": " << r.err;
    EXPECT_TRUE(Mentions(r.err, "Permission denied")) << command << ": " << r.err;
  }
}

}  // namespace
}  // namespace sl
