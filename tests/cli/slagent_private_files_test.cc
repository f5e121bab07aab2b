// End-to-end, the real slagent binary: its state and key directories stay private
// (issue 12, defect 5). In a state directory another user can write, that user could
// plant `events.jsonl -> /a/root-owned/file` and have `sudo slagent enable` append to
// it; slagent refuses such a directory with the chmod that fixes it, never follows a
// link planted in its directories (even the daemon user's own, when run as root),
// refuses a device key others may read, and creates every file 0600 in 0700
// directories whatever the umask.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <string>

#include "slagent_offline_fixture.h"

namespace sl {
namespace {

class SlagentPrivateFilesTest : public SlagentOfflineTest {
 protected:
  // A file root owns outside the state directory, the target of planted links.
  std::string RootOwnedTarget() {
    const std::string target = elsewhere_.File("root-owned");
    std::ofstream(target) << "untouched\n";
    EXPECT_EQ(chmod(target.c_str(), 0644), 0);
    return target;
  }

  static mode_t ModeOf(const std::string& path, bool* regular = nullptr) {
    struct stat st{};
    EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
    if (regular != nullptr) *regular = S_ISREG(st.st_mode);
    return st.st_mode & 07777;
  }

  test::TempDir elsewhere_;
};

// The scenario: a 0777 state directory that belongs to another user, a link
// planted in it, `slagent enable` run as root.
TEST_F(SlagentPrivateFilesTest, AStateDirectoryOthersCanWriteIsRefusedAndNoPlantedLinkIsFollowed) {
  ASSERT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "0A1B2C3D"}).exit_code, 0);
  ASSERT_EQ(Run({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
  ASSERT_EQ(Run({"transport", "direct", "--url", "https://127.0.0.1:9/licservice"}).exit_code, 0);
  const std::string target = RootOwnedTarget();
  const std::string state = test::ReadFile(StateDir() + "/state");
  ASSERT_EQ(chmod(StateDir().c_str(), 0777), 0);
  if (geteuid() == 0) {
    ASSERT_EQ(chown(StateDir().c_str(), kOtherUser, kOtherUser), 0);
  }
  ASSERT_EQ(symlink(target.c_str(), (StateDir() + "/events.jsonl").c_str()), 0);

  for (const char* command : {"enable", "status", "run"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "run") args.push_back("--once");
    test::CommandResult r = Run(args);
    EXPECT_EQ(r.exit_code, 5) << command << ": " << r.out << r.err;
    EXPECT_TRUE(Mentions(r.err, "writable by group or others")) << command << ": " << r.err;
    EXPECT_TRUE(Mentions(r.err, "chmod 700 " + StateDir())) << command << ": " << r.err;
  }
  EXPECT_EQ(test::ReadFile(target), "untouched\n");
  EXPECT_EQ(ModeOf(target), 0644u);
  EXPECT_EQ(test::ReadFile(StateDir() + "/state"), state) << "a refused command saved the state";

  // Fixed as the message says: it works, and the link is still not followed.
  ASSERT_EQ(chmod(StateDir().c_str(), 0700), 0);
  test::CommandResult fixed = Run({"enable"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(test::ReadFile(target), "untouched\n");
}

TEST_F(SlagentPrivateFilesTest, AKeyDirectoryOthersCanWriteIsRefused) {
  Configure();
  ASSERT_EQ(chmod(KeyDir().c_str(), 0777), 0);
  test::CommandResult r = Run({"status"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_TRUE(Mentions(r.err, "the key directory")) << r.err;
  EXPECT_TRUE(Mentions(r.err, "chmod 700 " + KeyDir())) << r.err;
}

// Root using the daemon user's directory (sudo slagent ...) accepts its owner, but a
// link that user planted is never followed.
TEST_F(SlagentPrivateFilesTest, AsRootNoLinkPlantedInTheDaemonUsersDirectoryIsFollowed) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to act as root in another user's directory (CI runs as root)";
  Configure();
  GiveEverythingTo(kOtherUser);
  const std::string target = RootOwnedTarget();
  for (const char* planted : {"lock", "state", "identity.json", "cssm-signing.crt", "usage.pending"}) {
    const std::string path = StateDir() + "/" + planted;
    const std::string kept = path + ".kept";
    if (access(path.c_str(), F_OK) == 0) {
      ASSERT_EQ(rename(path.c_str(), kept.c_str()), 0) << planted;
    }
    ASSERT_EQ(symlink(target.c_str(), path.c_str()), 0) << planted;
    test::CommandResult r = Run({"run", "--once"});
    EXPECT_EQ(r.exit_code, 5) << planted << ": " << r.out << r.err;
    EXPECT_TRUE(Mentions(r.err, "symbolic link")) << planted << ": " << r.err;
    ASSERT_EQ(unlink(path.c_str()), 0);
    if (access(kept.c_str(), F_OK) == 0) {
      ASSERT_EQ(rename(kept.c_str(), path.c_str()), 0) << planted;
    }
  }
  // The event log is best effort: a link there loses the event, and nothing else.
  ASSERT_EQ(symlink(target.c_str(), (StateDir() + "/events.jsonl.tmp").c_str()), 0);
  ASSERT_EQ(rename((StateDir() + "/events.jsonl.tmp").c_str(), (StateDir() + "/events.jsonl").c_str()), 0);
  test::CommandResult privacy = Run({"privacy", "on"});
  EXPECT_EQ(privacy.exit_code, 0) << privacy.err;
  EXPECT_EQ(test::ReadFile(target), "untouched\n");
  struct stat st{};
  ASSERT_EQ(stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u) << "root gave away a file a link pointed at";
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(SlagentPrivateFilesTest, ADeviceKeyOthersCanReadIsRefusedWithTheFix) {
  Configure();
  const std::string key = KeyDir() + "/device.key";
  const std::string before = test::ReadFile(key);
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  for (const char* command : {"status", "privacy"}) {
    std::vector<std::string> args = {command};
    if (args[0] == "privacy") args.push_back("on");
    test::CommandResult r = Run(args);
    EXPECT_EQ(r.exit_code, 5) << command << ": " << r.out << r.err;
    EXPECT_TRUE(Mentions(r.err, "chmod 600 " + key)) << command << ": " << r.err;
    EXPECT_FALSE(Mentions(r.out + r.err, before.substr(0, 64))) << "the key in the output";
  }
  EXPECT_EQ(test::ReadFile(key), before) << "a refused key was replaced";
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  test::CommandResult fixed = Run({"status", "--json"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
}

TEST_F(SlagentPrivateFilesTest, EverythingSlagentCreatesIsOwnerOnlyWhateverTheUmask) {
  const mode_t old = umask(0);  // slagent inherits it
  Configure();
  {
    // usage.pending: usage set while another command holds the lock.
    int lock = open((StateDir() + "/lock").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(lock, 0);
    ASSERT_EQ(flock(lock, LOCK_EX), 0);
    test::CommandResult queued = Run({"usage", "set", "rms", "3"});
    close(lock);
    EXPECT_EQ(queued.exit_code, 0) << queued.err;
    EXPECT_EQ(ModeOf(StateDir() + "/usage.pending"), 0600u);  // the next command applies and removes it
  }
  const std::string backup = dir_.File("backup");
  const std::string passphrase = dir_.File("passphrase");
  std::ofstream(passphrase) << "correct horse battery staple\n";
  test::CommandResult b = Run({"backup", backup, "--passphrase-file", passphrase});
  umask(old);
  EXPECT_EQ(b.exit_code, 0) << b.err;

  const std::set<std::string> state = test::DirectoryEntries(StateDir());
  for (const char* expected : {"state", "identity.json", "cssm-signing.crt", "events.jsonl", "lock"}) {
    EXPECT_EQ(state.count(expected), 1u) << expected << " was not made, so its mode is not checked";
  }
  bool ca_bundle_copy = false;
  for (const std::string& name : state) ca_bundle_copy |= name.rfind("ca-bundle.", 0) == 0;
  EXPECT_TRUE(ca_bundle_copy) << "no copy of the CA bundle was made, so its mode is not checked";
  EXPECT_EQ(test::DirectoryEntries(KeyDir()), (std::set<std::string>{"device.key", "state.witness"}));
  for (const std::string& d : {StateDir(), KeyDir()}) {
    EXPECT_EQ(ModeOf(d), 0700u) << d;
    for (const std::string& name : test::DirectoryEntries(d)) {
      bool regular = false;
      EXPECT_EQ(ModeOf(d + "/" + name, &regular), 0600u) << name;
      EXPECT_TRUE(regular) << name;
    }
  }
  EXPECT_EQ(ModeOf(backup), 0600u);
}

}  // namespace
}  // namespace sl
