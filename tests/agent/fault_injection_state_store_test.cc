// The fault-injecting wrapper the agent tests put around the real FileStateStore:
// failures come when asked for, as many times as asked for, never reach the wrapped
// store, and every call is counted.
#include "testing/fault_injection_state_store.h"

#include <gtest/gtest.h>

#include <string>

#include "smartlicensing/state_store.h"
#include "testing/test_util.h"

namespace sl {
namespace {

class FaultInjectionStateStoreTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  FileStateStore disk_{dir_.File("state.json")};
  test::FaultInjectionStateStore store_{&disk_};
};

TEST_F(FaultInjectionStateStoreTest, WithoutFaultsEveryCallReachesTheWrappedStore) {
  EXPECT_EQ(store_.Load().status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_.Save("one").ok());
  EXPECT_EQ(test::ReadFile(disk_.path()), "one");
  EXPECT_EQ(store_.Load().value(), "one");
  ASSERT_TRUE(store_.Erase().ok());
  EXPECT_EQ(disk_.Load().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.loads(), 2);
  EXPECT_EQ(store_.saves(), 1);
  EXPECT_EQ(store_.erases(), 1);
  EXPECT_EQ(store_.injected_failures(), 0);
}

TEST_F(FaultInjectionStateStoreTest, TheNextNSavesFailWithTheGivenStatusAndLeaveTheRecord) {
  ASSERT_TRUE(store_.Save("old").ok());
  store_.FailSaves(Internal("disk full (injected)"), 2);
  for (int i = 0; i < 2; ++i) {
    Status s = store_.Save("new");
    EXPECT_EQ(s.code(), StatusCode::kInternal);
    EXPECT_EQ(s.message(), "disk full (injected)");
    EXPECT_EQ(disk_.Load().value(), "old") << "a failed save never reaches the file";
  }
  EXPECT_TRUE(store_.Save("new").ok()) << "only two were to fail";
  EXPECT_EQ(disk_.Load().value(), "new");
  EXPECT_EQ(store_.saves(), 4);
  EXPECT_EQ(store_.injected_failures(), 2);
}

TEST_F(FaultInjectionStateStoreTest, EveryCallFailsUntilHealed) {
  ASSERT_TRUE(store_.Save("record").ok());
  store_.FailLoads(Unavailable("I/O error (injected)"));
  store_.FailErases(PermissionDenied("read-only (injected)"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(store_.Load().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_.Erase().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(store_.Save("saves still work").ok()) << "only loads and erases were to fail";
  store_.Heal();
  EXPECT_EQ(store_.Load().value(), "saves still work");
  EXPECT_TRUE(store_.Erase().ok());
  EXPECT_EQ(store_.loads(), 6);
  EXPECT_EQ(store_.erases(), 2);
  EXPECT_EQ(store_.injected_failures(), 6);
}

TEST_F(FaultInjectionStateStoreTest, AfterAPowerCutNothingReachesTheStoreUntilHealed) {
  ASSERT_TRUE(store_.Save("before").ok());
  store_.CutPower();
  EXPECT_TRUE(store_.power_cut());
  EXPECT_EQ(store_.Save("after").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_.Erase().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_.Load().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(disk_.Load().value(), "before") << "the record on disk is the one from before the cut";
  EXPECT_EQ(store_.save_requests(), (std::vector<std::string>{"before", "after"}))
      << "every record asked for is kept, reached the disk or not";
  store_.Heal();
  EXPECT_EQ(store_.Load().value(), "before");
  EXPECT_EQ(store_.injected_failures(), 3);
}

}  // namespace
}  // namespace sl
