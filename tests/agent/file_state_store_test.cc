#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "agent/state_store.h"
#include "tests/support/test_util.h"

namespace sl {
namespace {

void WriteRaw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

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
}

TEST(AgentFileStateStoreTest, ACrashMidWriteLeavesTheOldRecord) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("old record").ok());
  // Power lost while writing the temporary file: it is half written, never renamed.
  WriteRaw(dir.File("state.tmp"), "new rec");
  EXPECT_EQ(store.Load().value(), "old record");
  // The next save overwrites the leftover.
  ASSERT_TRUE(store.Save("newer").ok());
  EXPECT_EQ(store.Load().value(), "newer");
}

TEST(AgentFileStateStoreTest, AFailedSaveLeavesTheOldRecord) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  ASSERT_TRUE(store.Save("old record").ok());
  // A directory where the temporary file should go makes the write fail.
  ASSERT_EQ(mkdir(dir.File("state.tmp").c_str(), 0700), 0);
  Status s = store.Save("new record");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(store.Load().value(), "old record");
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

}  // namespace
}  // namespace sl
