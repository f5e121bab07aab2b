// ApplyUsage against a StrictMock agent: it hands the agent every count exactly once,
// and stops at (and returns) the first error the agent gives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smartlicensing/expressway/license_types.h"
#include "smartlicensing/expressway/usage.h"
#include "testing/mocks.h"

namespace sl::expressway {
namespace {

using ::testing::InSequence;
using ::testing::Return;
using ::testing::StrictMock;

TEST(ApplyUsageTest, SetsEachTagsCountExactlyOnce) {
  StrictMock<test::MockAgent> agent;
  EXPECT_CALL(agent, SetUsage(kDesktopTag, 3)).WillOnce(Return(Status::Ok()));
  EXPECT_CALL(agent, SetUsage(kRmsTag, 12)).WillOnce(Return(Status::Ok()));
  EXPECT_CALL(agent, SetUsage(kRoomTag, 0)).WillOnce(Return(Status::Ok()));  // 0 clears a type no longer used
  UsageByTag usage = {{kRmsTag, 12}, {kRoomTag, 0}, {kDesktopTag, 3}};
  EXPECT_TRUE(ApplyUsage(usage, agent).ok());
}

TEST(ApplyUsageTest, NoUsageCallsNothing) {
  StrictMock<test::MockAgent> agent;
  EXPECT_TRUE(ApplyUsage(UsageByTag{}, agent).ok());
}

TEST(ApplyUsageTest, StopsAtAndReturnsTheAgentsError) {
  StrictMock<test::MockAgent> agent;
  UsageByTag usage = {{kDesktopTag, 3}, {kRmsTag, 12}, {kRoomTag, 4}};  // applied in this (the map's) order
  {
    InSequence in_order;
    EXPECT_CALL(agent, SetUsage(kDesktopTag, 3)).WillOnce(Return(Status::Ok()));
    EXPECT_CALL(agent, SetUsage(kRmsTag, 12))
        .WillOnce(Return(FailedPrecondition("at most 256 license types are tracked")));
  }
  EXPECT_CALL(agent, SetUsage(kRoomTag, ::testing::_)).Times(0);
  Status s = ApplyUsage(usage, agent);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "at most 256 license types are tracked");
}

}  // namespace
}  // namespace sl::expressway
