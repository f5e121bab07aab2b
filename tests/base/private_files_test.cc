// base/private_files.h: the rules for the files of the state and key directories,
// which a process running as root must never let another user steer (issue 12,
// defect 5: a link planted in a state directory that was not private).
#include "base/private_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "testing/test_util.h"

namespace sl {
namespace {

constexpr uid_t kNobody = 65534;

void Write(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::trunc) << text;
  ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
}

mode_t ModeOf(const std::string& path) {
  struct stat st{};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool Mentions(const Status& s, const std::string& part) { return s.message().find(part) != std::string::npos; }

// While alive, the process runs with this umask (restored after).
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(umask(mask)) {}
  ~Umask() { umask(old_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t old_;
};

TEST(PrivateDirectoryTest, OnlyADirectoryGroupAndOthersCannotWriteIsPrivate) {
  test::TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0700), 0);
  EXPECT_TRUE(CheckPrivateDirectory(dir.path(), "the state directory").ok());
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);  // readable is fine: its files are 0600
  EXPECT_TRUE(CheckPrivateDirectory(dir.path(), "the state directory").ok());
  for (mode_t shared : {0777, 0770, 0702, 01777}) {
    ASSERT_EQ(chmod(dir.path().c_str(), shared), 0);
    Status s = CheckPrivateDirectory(dir.path(), "the state directory");
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << std::oct << shared;
    EXPECT_TRUE(Mentions(s, "chmod 700 " + dir.path())) << s.message();
    EXPECT_TRUE(Mentions(s, "the state directory")) << s.message();
  }
  ASSERT_EQ(chmod(dir.path().c_str(), 0700), 0);
  EXPECT_EQ(CheckPrivateDirectory(dir.File("missing"), "the key directory").code(), StatusCode::kNotFound);
  Write(dir.File("file"), "x");
  EXPECT_EQ(CheckPrivateDirectory(dir.File("file"), "the key directory").code(), StatusCode::kDataLoss);
}

TEST(PrivateDirectoryTest, ADirectoryOfAnotherUserIsRefusedUnlessTheCallerIsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make a directory of another user (CI runs as root)";
  test::TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0711), 0);  // so that the other user can reach it
  const std::string theirs = dir.File("theirs");
  ASSERT_EQ(mkdir(theirs.c_str(), 0700), 0);
  ASSERT_EQ(chown(theirs.c_str(), 1234, 1234), 0);
  // Root may use the daemon user's directory (sudo slagent ...): that user receives
  // the files root writes there, and root never follows a link in it.
  EXPECT_TRUE(CheckPrivateDirectory(theirs, "the state directory").ok());
  // Another user may not: the owner could swap its files under them.
  ASSERT_EQ(seteuid(kNobody), 0);
  Status s = CheckPrivateDirectory(theirs, "the state directory");
  ASSERT_EQ(seteuid(0), 0);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Mentions(s, "belongs to user 1234")) << s.message();
  EXPECT_TRUE(Mentions(s, "chown")) << s.message();
  // Root's own directories are anyone's to use (/etc/slagent before sysusers ran).
  ASSERT_EQ(chown(theirs.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(theirs.c_str(), 0711), 0);
  ASSERT_EQ(seteuid(kNobody), 0);
  s = CheckPrivateDirectory(theirs, "the state directory");
  ASSERT_EQ(seteuid(0), 0);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(PrivateFileTest, ReadsARegularFileNeverALinkAFifoOrADirectory) {
  test::TempDir dir;
  test::TempDir elsewhere;
  Write(dir.File("state"), "record");
  EXPECT_EQ(ReadPrivateFile(dir.File("state"), 100).value(), "record");
  EXPECT_EQ(ReadPrivateFile(dir.File("missing"), 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadPrivateFile(dir.File("state"), 3).status().code(), StatusCode::kFailedPrecondition);

  Write(elsewhere.File("secret"), "root's secret");
  ASSERT_EQ(symlink(elsewhere.File("secret").c_str(), dir.File("planted").c_str()), 0);
  Result<std::string> link = ReadPrivateFile(dir.File("planted"), 100);
  EXPECT_EQ(link.status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Mentions(link.status(), "symbolic link")) << link.status().message();

  // A FIFO nobody writes to would block an open for reading for ever.
  ASSERT_EQ(mkfifo(dir.File("fifo").c_str(), 0600), 0);
  EXPECT_EQ(ReadPrivateFile(dir.File("fifo"), 100).status().code(), StatusCode::kDataLoss);
  ASSERT_EQ(mkdir(dir.File("sub").c_str(), 0700), 0);
  EXPECT_EQ(ReadPrivateFile(dir.File("sub"), 100).status().code(), StatusCode::kDataLoss);
}

TEST(PrivateFileTest, AKeyFileGroupOrOthersMayReadIsRefusedWithTheFix) {
  test::TempDir dir;
  const std::string key = dir.File("device.key");
  Write(key, "k", 0600);
  EXPECT_EQ(ReadKeyFile(key, 100).value(), "k");
  Write(key, "k", 0400);
  EXPECT_TRUE(ReadKeyFile(key, 100).ok());
  for (mode_t shared : {0644, 0640, 0604, 0660, 0602}) {
    Write(key, "k", shared);
    Result<std::string> read = ReadKeyFile(key, 100);
    EXPECT_EQ(read.status().code(), StatusCode::kDataLoss) << std::oct << shared;
    EXPECT_TRUE(Mentions(read.status(), "chmod 600 " + key)) << read.status().message();
    EXPECT_FALSE(Mentions(read.status(), "k\n")) << "the key itself in a message";
  }
}

TEST(PrivateFileTest, OpensNewFilesOwnerOnlyWhateverTheUmask) {
  test::TempDir dir;
  Umask open_to_all(0);
  Result<int> fd = OpenPrivateFile(dir.File("lock"), O_RDWR);
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  close(*fd);
  EXPECT_EQ(ModeOf(dir.File("lock")), 0600u);
  ASSERT_TRUE(AppendToPrivateFile(dir.File("events.jsonl"), "{}\n", /*sync=*/false).ok());
  EXPECT_EQ(ModeOf(dir.File("events.jsonl")), 0600u);
}

TEST(PrivateFileTest, NeverWritesThroughAPlantedSymbolicOrHardLink) {
  test::TempDir dir;
  test::TempDir elsewhere;
  const std::string target = elsewhere.File("root-owned");
  Write(target, "untouched\n", 0644);
  ASSERT_EQ(symlink(target.c_str(), dir.File("events.jsonl").c_str()), 0);
  Status appended = AppendToPrivateFile(dir.File("events.jsonl"), "{\"planted\":1}\n", /*sync=*/true);
  EXPECT_EQ(appended.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Mentions(appended, "symbolic link")) << appended.message();
  EXPECT_EQ(OpenPrivateFile(dir.File("events.jsonl"), O_RDWR).status().code(), StatusCode::kDataLoss);

  // A hard link needs no permission on the directory it points into (only
  // fs.protected_hardlinks=0); root would chown or append to the target.
  ASSERT_EQ(link(target.c_str(), dir.File("lock").c_str()), 0);
  Result<int> lock = OpenPrivateFile(dir.File("lock"), O_RDWR);
  EXPECT_EQ(lock.status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Mentions(lock.status(), "hard link")) << lock.status().message();
  EXPECT_EQ(AppendToPrivateFile(dir.File("lock"), "x\n", /*sync=*/false).code(), StatusCode::kDataLoss);

  EXPECT_EQ(test::ReadFile(target), "untouched\n");
  EXPECT_EQ(ModeOf(target), 0644u);
  struct stat st{};
  ASSERT_EQ(stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, geteuid()) << "given away";
}

TEST(PrivateFileTest, AnAppendCutShortByAFullDiskLeavesNoHalfLine) {
  test::TempDir dir;
  const std::string log = dir.File("usage.pending");
  ASSERT_TRUE(AppendToPrivateFile(log, "{\"tag\":\"a\",\"count\":1}\n", /*sync=*/true).ok());
  const std::string before = test::ReadFile(log);
  Status s;
  {
    // Writes past this size fail part-way, as on a full disk.
    struct rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    auto old_handler = signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = old;
    limit.rlim_cur = before.size() + 5;
    setrlimit(RLIMIT_FSIZE, &limit);
    s = AppendToPrivateFile(log, "{\"tag\":\"b\",\"count\":2}\n", /*sync=*/true);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
  }
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(test::ReadFile(log), before) << "half a line left behind";
  ASSERT_TRUE(AppendToPrivateFile(log, "{\"tag\":\"c\",\"count\":3}\n", /*sync=*/true).ok());
  EXPECT_EQ(test::ReadFile(log), before + "{\"tag\":\"c\",\"count\":3}\n");
}

TEST(PrivateFileTest, RootGivesNewFilesToTheDirectorysOwner) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CI runs as root)";
  test::TempDir dir;
  ASSERT_EQ(chown(dir.path().c_str(), kNobody, kNobody), 0);
  ASSERT_TRUE(AppendToPrivateFile(dir.File("events.jsonl"), "{}\n", /*sync=*/false).ok());
  struct stat st{};
  ASSERT_EQ(stat(dir.File("events.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace sl
