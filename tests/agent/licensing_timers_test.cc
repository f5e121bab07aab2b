#include "agent/licensing_timers.h"

#include <gtest/gtest.h>

#include <set>

namespace sl {
namespace {

TEST(AgentLicensingTimersTest, JitterStaysWithinItsBounds) {
  Udi udi{"EXPWY-VE-L", "SN0001"};
  for (uint64_t seq = 0; seq < 2000; ++seq) {
    int64_t j = CommunicationJitter(udi, seq);
    ASSERT_GE(j, 0);
    ASSERT_LT(j, kMaxJitter);
  }
}

TEST(AgentLicensingTimersTest, JitterChangesOnEveryCycleAndIsDeterministic) {
  Udi udi{"EXPWY-VE-L", "SN0001"};
  std::set<int64_t> seen;
  for (uint64_t seq = 0; seq < 50; ++seq) seen.insert(CommunicationJitter(udi, seq));
  EXPECT_GT(seen.size(), 25u);
  EXPECT_EQ(CommunicationJitter(udi, 7), CommunicationJitter(udi, 7));
}

TEST(AgentLicensingTimersTest, ClonesWithDifferentSerialNumbersDoNotRetryInLockstep) {
  Udi a{"EXPWY-VE-L", "SN0001"};
  Udi b{"EXPWY-VE-L", "SN0002"};
  int same = 0;
  for (uint64_t seq = 0; seq < 100; ++seq) same += CommunicationJitter(a, seq) == CommunicationJitter(b, seq);
  EXPECT_LT(same, 10);
}

TEST(AgentLicensingTimersTest, TimersAreTheSpecifications) {
  EXPECT_EQ(kEvaluationPeriod, 90 * kDay);
  EXPECT_EQ(kAuthorizationRenewalInterval, 30 * kDay);
  EXPECT_EQ(kRegistrationRenewalInterval, 180 * kDay);
  EXPECT_EQ(kRetryInterval, 15 * kMinute);
  EXPECT_EQ(kUsageReportInterval, 6 * kHour);
}

}  // namespace
}  // namespace sl
