#include "base/iso8601.h"
#include "smartlicensing/time_source.h"

#include <gtest/gtest.h>

namespace sl {
namespace {

TEST(ClockTest, SimulatedClockMovesOnlyWhenTold) {
  SimulatedTimeSource clock(1000);
  EXPECT_EQ(clock.Now(), 1000);
  clock.Advance(90 * kDay);
  EXPECT_EQ(clock.Now(), 1000 + 90 * kDay);
  clock.Set(5);
  EXPECT_EQ(clock.Now(), 5);
}

TEST(ClockTest, OffsetClockAddsItsOffset) {
  SimulatedTimeSource base(1000);
  OffsetTimeSource clock(base);
  clock.SetOffset(-400);
  EXPECT_EQ(clock.Now(), 600);
  base.Advance(10);
  EXPECT_EQ(clock.Now(), 610);
}

TEST(ClockTest, SystemClockIsAfter2024) {
  EXPECT_GT(SystemTimeSource().Now(), 1704067200);
}

TEST(ClockTest, Iso8601RoundTrips) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1795851683), "2026-11-28T07:41:23Z");
  Result<UnixSeconds> t = ParseIso8601("2026-11-28T07:41:23Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, 1795851683);
}

TEST(ClockTest, Iso8601RejectsOtherForms) {
  for (const char* bad : {"", "2026-11-28", "2026-11-28T07:41:23", "2026-11-28T07:41:23+01:00",
                          "2026-02-30T00:00:00Z", "2026-11-28T25:00:00Z", "x026-11-28T07:41:23Z"}) {
    EXPECT_FALSE(ParseIso8601(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sl
