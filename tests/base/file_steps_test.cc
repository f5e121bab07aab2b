// The write steps of base/files.h, each failed and each cut in turn through the test
// hook (testing/file_fault_injector.h): the file is always the old or the new content,
// never a mixture; a failure leaves no temporary file; a cut may leave one, which the
// next writer removes.
#include "base/file_steps.h"

#include <gtest/gtest.h>

#include <string>

#include "base/files.h"
#include "testing/file_fault_injector.h"
#include "testing/test_util.h"

namespace sl {
namespace {

using test::FileFaultInjector;

int TempFiles(const test::TempDir& dir) {
  int n = 0;
  for (const std::string& name : test::DirectoryEntries(dir.path())) n += name.find(".tmp.") != std::string::npos;
  return n;
}

// Step names of one undisturbed replacement of an existing file.
std::vector<std::string> StepsOfAReplacement() {
  test::TempDir dir;
  const std::string path = dir.File("record");
  EXPECT_TRUE(WriteFileAtomically(path, "old").ok());
  FileFaultInjector files;
  EXPECT_TRUE(WriteFileAtomically(path, "new").ok());
  return files.trace();
}

TEST(FileStepsTest, AReplacementHasItsStepsInTheDurableOrder) {
  const std::vector<std::string> steps = StepsOfAReplacement();
  ASSERT_EQ(steps.size(), 5u);
  const char* const order[] = {"create the temporary file", "write the temporary file", "fsync the temporary file",
                               "rename over the file", "fsync the directory"};
  for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].rfind(order[i], 0), 0u) << steps[i];
}

TEST(FileStepsTest, EachStepFailedLeavesTheOldContentAndNoTemporaryFile) {
  const size_t count = StepsOfAReplacement().size();
  for (size_t k = 0; k < count; ++k) {
    test::TempDir dir;
    const std::string path = dir.File("record");
    ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
    FileFaultInjector files;
    files.Arm(static_cast<int>(k), FileFaultInjector::kFail);
    Status s = WriteFileAtomically(path, "new");
    const bool after_rename = k == count - 1;  // only the directory fsync failed: the rename stands
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << "step " << k;  // a storage failure (base/files.h)
    EXPECT_EQ(test::ReadFile(path), after_rename ? "new" : "old") << "step " << k;
    EXPECT_EQ(TempFiles(dir), 0) << "step " << k;
  }
}

TEST(FileStepsTest, APowerCutBeforeEachStepLeavesOldOrNewAndTheNextWriterCleansUp) {
  const size_t count = StepsOfAReplacement().size();
  for (size_t k = 0; k < count; ++k) {
    test::TempDir dir;
    const std::string path = dir.File("record");
    ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
    FileFaultInjector files;
    files.Arm(static_cast<int>(k), FileFaultInjector::kPowerCut);
    EXPECT_FALSE(WriteFileAtomically(path, "new").ok());
    EXPECT_TRUE(files.power_cut());
    const bool renamed = k == count - 1;
    EXPECT_EQ(test::ReadFile(path), renamed ? "new" : "old") << "step " << k;
    EXPECT_EQ(TempFiles(dir), k == 0 || renamed ? 0 : 1) << "a cut leaves the temporary file a kill leaves";
    files.Reset();
    ASSERT_TRUE(RemoveLeftoverTempFiles(path).ok());
    EXPECT_EQ(TempFiles(dir), 0) << "step " << k;
  }
}

TEST(FileStepsTest, WithoutAHookEveryStepRuns) {
  test::TempDir dir;
  { FileFaultInjector files; }  // installed, then removed
  ASSERT_TRUE(WriteFileAtomically(dir.File("record"), "content").ok());
  EXPECT_EQ(test::ReadFile(dir.File("record")), "content");
  ASSERT_TRUE(RemoveFileDurably(dir.File("record")).ok());
  EXPECT_TRUE(RemoveFile(dir.File("record")).ok()) << "removing what is not there is fine";
}

}  // namespace
}  // namespace sl
