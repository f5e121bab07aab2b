#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <set>

#include "base/files.h"
#include "smartlicensing/state_store.h"
#include "testing/test_util.h"

namespace sl {
namespace {

void WriteRaw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// While alive, writes beyond `bytes` into any file fail with EFBIG, like a full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = old_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  struct rlimit old_ {};
  void (*old_handler_)(int) = SIG_DFL;
};

TEST(AgentFileStateStoreTest, NothingSavedIsNotFound) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  EXPECT_EQ(store.Load().status().code(), StatusCode::kNotFound);
}

TEST(AgentFileStateStoreTest, SaveReplacesTheRecordAndIsOwnerOnly) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("first").ok());
  ASSERT_TRUE(store.Save("second").ok());
  EXPECT_EQ(store.Load().value(), "second");
  struct stat st;
  ASSERT_EQ(stat(dir.File("state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(stat(dir.File("state.tmp").c_str(), &st), 0) << "temporary file left behind";
  EXPECT_EQ(test::DirectoryEntries(dir.path()), std::set<std::string>{"state"}) << "temporary file left behind";
}

TEST(AgentFileStateStoreTest, ACrashMidWriteLeavesTheOldRecord) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("old record").ok());
  // Power lost while writing the temporary file: it is half written, never renamed.
  WriteRaw(dir.File("state.tmp.a1B2c3"), "new rec");
  EXPECT_EQ(store.Load().value(), "old record");
  // The next save overwrites the leftover.
  ASSERT_TRUE(store.Save("newer").ok());
  EXPECT_EQ(store.Load().value(), "newer");
}

TEST(AgentFileStateStoreTest, AFailedSaveLeavesTheOldRecordAndNoTemporaryFile) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("old record").ok());
  Status s;
  {
    FileSizeLimit disk_full(4);  // the write of the temporary file fails part-way
    s = store.Save("new record");
  }
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(store.Load().value(), "old record");
  EXPECT_EQ(test::DirectoryEntries(dir.path()), std::set<std::string>{"state"}) << "temporary file left behind";
}

// In a shared directory another user may plant "<path>.tmp" (a symlink to a file of
// theirs, or a world-readable file they keep open) to receive the next save, which
// holds the device's private key.
TEST(AgentFileStateStoreTest, APlantedTemporarySymlinkIsNotWrittenThrough) {
  test::TempDir dir;
  test::TempDir elsewhere;
  const std::string target = elsewhere.File("stolen");
  WriteRaw(target, "untouched");
  ASSERT_EQ(symlink(target.c_str(), dir.File("state.tmp").c_str()), 0);
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("secret record").ok());
  EXPECT_EQ(test::ReadFile(target), "untouched");
  struct stat st;
  ASSERT_EQ(lstat(dir.File("state").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode)) << "the state must be a file of its own, not the planted link";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store.Load().value(), "secret record");
}

TEST(AgentFileStateStoreTest, APlantedWorldReadableTemporaryFileReceivesNothing) {
  test::TempDir dir;
  int planted = open(dir.File("state.tmp").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  ASSERT_GE(planted, 0);
  ASSERT_EQ(fchmod(planted, 0666), 0);
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("secret record").ok());
  struct stat st;
  ASSERT_EQ(fstat(planted, &st), 0);
  EXPECT_EQ(st.st_size, 0) << "the planted file received the record";
  close(planted);
  ASSERT_EQ(stat(dir.File("state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store.Load().value(), "secret record");
}

TEST(AgentFileStateStoreTest, EraseAlsoRemovesTemporaryFilesACrashLeftBehind) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("record").ok());
  WriteRaw(dir.File("state.tmp.Ab12Cd"), "half a record with a private key");
  WriteRaw(dir.File("state.backup"), "not the store's");
  ASSERT_TRUE(store.Erase().ok());
  EXPECT_EQ(test::DirectoryEntries(dir.path()), std::set<std::string>{"state.backup"});
}

TEST(AgentFileStateStoreTest, SaveRemovesTemporaryFilesAKilledWriterLeftBehind) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"), dir.File("state.witness"));
  ASSERT_TRUE(store.Save("record").ok());
  WriteRaw(dir.File("state.tmp.Ab12Cd"), "half a record with a private key");
  WriteRaw(dir.File("state.tmp.9zY8xW"), "another");
  WriteRaw(dir.File("state.witness.tmp.QQ11rr"), "half a witness");
  // Names that only look alike are not the store's.
  WriteRaw(dir.File("state.tmp.toolong1"), "x");
  WriteRaw(dir.File("other.tmp.Ab12Cd"), "x");
  WriteRaw(dir.File("state.tmp.short"), "x");
  // Reading never cleans: a reader does not hold the writer's lock.
  ASSERT_EQ(store.Load().value(), "record");
  EXPECT_EQ(test::DirectoryEntries(dir.path()).count("state.tmp.Ab12Cd"), 1u);
  EXPECT_EQ(test::DirectoryEntries(dir.path()).count("state.witness.tmp.QQ11rr"), 1u);
  ASSERT_TRUE(store.Save("record 2").ok());
  EXPECT_EQ(test::DirectoryEntries(dir.path()),
            (std::set<std::string>{"state", "state.witness", "state.tmp.toolong1", "state.tmp.short",
                                   "other.tmp.Ab12Cd"}));
  EXPECT_EQ(store.Load().value(), "record 2");
}

TEST(AgentFileStateStoreTest, CreatingAFileNeverReplacesOne) {
  test::TempDir dir;
  ASSERT_TRUE(CreateFileAtomically(dir.File("key"), "first").ok());
  Status again = CreateFileAtomically(dir.File("key"), "second");
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(test::ReadFile(dir.File("key")), "first");
  struct stat st;
  ASSERT_EQ(stat(dir.File("key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(test::DirectoryEntries(dir.path()), std::set<std::string>{"key"}) << "temporary file left behind";
}

TEST(AgentFileStateStoreTest, AnOversizedRecordIsALocalLimitNotACommunicationProblem) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  EXPECT_EQ(store.Save(std::string(kMaxStateBytes + 1, 'x')).code(), StatusCode::kFailedPrecondition);
}

TEST(AgentFileStateStoreTest, ADeletedStateIsReportedWhenAWitnessExists) {
  test::TempDir state_dir;
  test::TempDir other_dir;
  FileStateStore store(state_dir.File("state"), other_dir.File("witness"));
  ASSERT_TRUE(store.Save("record").ok());
  ASSERT_EQ(unlink(state_dir.File("state").c_str()), 0);
  Result<std::string> loaded = store.Load();
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(loaded.status().message().find("missing"), std::string::npos);
}

TEST(AgentFileStateStoreTest, EraseForgetsEverythingIncludingTheWitness) {
  test::TempDir state_dir;
  test::TempDir other_dir;
  FileStateStore store(state_dir.File("state"), other_dir.File("witness"));
  ASSERT_TRUE(store.Save("record").ok());
  ASSERT_TRUE(store.Erase().ok());
  EXPECT_EQ(store.Load().status().code(), StatusCode::kNotFound);
}

TEST(AgentFileStateStoreTest, AnOversizedFileIsDataLoss) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  WriteRaw(dir.File("state"), std::string(kMaxStateBytes + 10, 'x'));
  EXPECT_EQ(store.Load().status().code(), StatusCode::kDataLoss);
}

TEST(AgentFileStateStoreTest, RootWritesFilesThatBelongToTheDirectorysOwner) {
  // `sudo slagent ...` must leave files the daemon, running as the directory's owner,
  // can read and replace.
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CI runs as root)";
  test::TempDir dir;
  const uid_t nobody = 65534;
  ASSERT_EQ(chown(dir.path().c_str(), nobody, nobody), 0);
  FileStateStore store(dir.File("state"), dir.File("state.witness"));
  ASSERT_TRUE(store.Save("record").ok());
  ASSERT_TRUE(CreateFileAtomically(dir.File("device.key"), "secret").ok());
  for (const char* name : {"state", "state.witness", "device.key"}) {
    struct stat st{};
    ASSERT_EQ(stat(dir.File(name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, nobody) << name;
    EXPECT_EQ(st.st_gid, nobody) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  // A directory root owns keeps root's files.
  test::TempDir own;
  ASSERT_TRUE(CreateFileAtomically(own.File("f"), "x").ok());
  struct stat st{};
  ASSERT_EQ(stat(own.File("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
}

}  // namespace
}  // namespace sl
