#include "smartlicensing/expressway/capacity.h"

#include <gtest/gtest.h>

namespace sl::expressway {
namespace {

constexpr const char* kAudioSdp = "v=0\r\nm=audio 49170 RTP/AVP 0\r\n";
constexpr const char* kVideoSdp = "v=0\r\nm=audio 49170 RTP/AVP 0\r\nm=video 51372 RTP/AVP 99\r\n";

// A business-to-business call through an Expressway-E: one RMS on E.
CallScenario B2b() { return CallScenario{Registration::kExpresswayC, Registration::kExternal}; }

class CapacityTest : public ::testing::Test {
 protected:
  SimulatedTimeSource clock_{1795851683};
  Cluster cluster_{clock_, Cluster::Role::kExpresswayE};
};

TEST_F(CapacityTest, HundredRmsCarry90VideoAnd20AudioOnlyCalls) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 100).ok());
  CallTracker calls(cluster_);
  for (int i = 0; i < 20; ++i) {
    Result<CallId> id = calls.Begin("e1", B2b(), /*sip=*/true);
    ASSERT_TRUE(id.ok()) << "audio call " << i << ": " << id.status().ToString();
    ASSERT_TRUE(calls.SetupComplete(*id, kAudioSdp).ok());
  }
  for (int i = 0; i < 90; ++i) {
    Result<CallId> id = calls.Begin("e1", B2b(), true);
    ASSERT_TRUE(id.ok()) << "video call " << i << ": " << id.status().ToString();
    ASSERT_TRUE(calls.SetupComplete(*id, kVideoSdp).ok());
  }
  EXPECT_EQ(calls.RmsInUse(), 100);
  Result<CallId> more = calls.Begin("e1", B2b(), true);
  EXPECT_EQ(more.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(more.status().message().find("Rich Media Session"), std::string::npos);
}

TEST_F(CapacityTest, NearTheLimitAnAudioOnlyCallCannotStartBecauseSetupCountsAsVideo) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 100).ok());
  CallTracker calls(cluster_);
  for (int i = 0; i < 90; ++i) ASSERT_TRUE(calls.SetupComplete(calls.Begin("e1", B2b(), true).value(), kVideoSdp).ok());
  for (int i = 0; i < 19; ++i) ASSERT_TRUE(calls.SetupComplete(calls.Begin("e1", B2b(), true).value(), kAudioSdp).ok());
  // 199 of 200 half licenses are used: the 20th audio-only call would need a whole
  // license while it is set up, so it is refused (the specification's caveat).
  EXPECT_EQ(calls.Begin("e1", B2b(), true).status().code(), StatusCode::kResourceExhausted);
}

TEST_F(CapacityTest, AudioOnlyCallCountsAsVideoUntilSetupCompletes) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 1).ok());
  CallTracker calls(cluster_);
  Result<CallId> first = calls.Begin("e1", B2b(), true);
  ASSERT_TRUE(first.ok());
  // Still being set up: it holds a whole license, so a second call cannot start.
  EXPECT_FALSE(calls.Begin("e1", B2b(), true).ok());
  ASSERT_TRUE(calls.SetupComplete(*first, kAudioSdp).ok());
  Result<CallId> second = calls.Begin("e1", B2b(), true);
  EXPECT_FALSE(second.ok()) << "a new call is licensed as video while it is set up";
  EXPECT_EQ(calls.RmsInUse(), 1);
}

TEST_F(CapacityTest, TwoAudioOnlyCallsShareOneLicense) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 2).ok());
  CallTracker calls(cluster_);
  CallId a = calls.Begin("e1", B2b(), true).value();
  ASSERT_TRUE(calls.SetupComplete(a, kAudioSdp).ok());
  CallId b = calls.Begin("e1", B2b(), true).value();
  ASSERT_TRUE(calls.SetupComplete(b, kAudioSdp).ok());
  EXPECT_EQ(calls.RmsInUse(), 1);
  CallId c = calls.Begin("e1", B2b(), true).value();
  ASSERT_TRUE(calls.SetupComplete(c, kAudioSdp).ok());
  EXPECT_EQ(calls.RmsInUse(), 2);  // three half licenses round up to two
}

TEST_F(CapacityTest, OnlySipCallsCanBeAudioOnlyAndThereIsNoMidCallOptimisation) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 10).ok());
  CallTracker calls(cluster_);
  CallId h323 = calls.Begin("e1", B2b(), /*sip=*/false).value();
  ASSERT_TRUE(calls.SetupComplete(h323, kAudioSdp).ok());
  EXPECT_EQ(calls.RmsInUse(), 1);
  CallId sip = calls.Begin("e1", B2b(), true).value();
  ASSERT_TRUE(calls.SetupComplete(sip, kVideoSdp).ok());
  ASSERT_TRUE(calls.SetupComplete(sip, kAudioSdp).ok());  // video dropped mid-call
  EXPECT_EQ(calls.RmsInUse(), 2);
  ASSERT_TRUE(calls.End(sip).ok());
  ASSERT_TRUE(calls.End(h323).ok());
  EXPECT_EQ(calls.RmsInUse(), 0);
  EXPECT_EQ(calls.End(h323).code(), StatusCode::kNotFound);
}

TEST_F(CapacityTest, RegisteredCallsUseNoLicenseButCountAgainstPhysicalCapacity) {
  PlatformCapacity tiny{"tiny", 2, 10, 10};
  ASSERT_TRUE(cluster_.AddPeer("e1", tiny, 0).ok());
  CallTracker calls(cluster_);
  CallScenario registered;
  registered.destination = Destination::kRegisteredEndpoint;
  ASSERT_TRUE(calls.Begin("e1", registered, true).ok());
  ASSERT_TRUE(calls.Begin("e1", registered, true).ok());
  EXPECT_EQ(calls.RmsInUse(), 0);
  Result<CallId> third = calls.Begin("e1", registered, true);
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(third.status().message().find("physical capacity"), std::string::npos);
}

TEST_F(CapacityTest, ClusterOfTwo300LicenseLargeVmsCarries600) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 300).ok());
  ASSERT_TRUE(cluster_.AddPeer("e2", LargeVm(), 300).ok());
  EXPECT_EQ(cluster_.LicensedRms(), 600);
  EXPECT_EQ(cluster_.ClusterCapacity(), 600);
  CallTracker calls(cluster_);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(calls.Begin("e1", B2b(), true).ok()) << i;
  // e1 is full physically, yet the pool lets e2 use e1's licenses.
  EXPECT_FALSE(calls.Begin("e1", B2b(), true).ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(calls.Begin("e2", B2b(), true).ok()) << i;
  EXPECT_EQ(calls.Begin("e2", B2b(), true).status().message(),
            "all 600 Rich Media Session licenses of the cluster are in use");
}

TEST_F(CapacityTest, LostPeersLicensesStayPooledFor14DaysThenGo) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 300).ok());
  ASSERT_TRUE(cluster_.AddPeer("e2", LargeVm(), 300).ok());
  ASSERT_TRUE(cluster_.MarkLost("e2").ok());
  EXPECT_EQ(cluster_.LicensedRms(), 600);
  // The remaining peer keeps all 600 licenses but carries at most its own 500 calls.
  EXPECT_EQ(cluster_.ClusterCapacity(), 500);
  CallTracker calls(cluster_);
  EXPECT_EQ(calls.Begin("e2", B2b(), true).status().code(), StatusCode::kFailedPrecondition);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(calls.Begin("e1", B2b(), true).ok());
  EXPECT_FALSE(calls.Begin("e1", B2b(), true).ok());

  clock_.Advance(14 * kDay - 1);
  EXPECT_EQ(cluster_.LicensedRms(), 600);
  clock_.Advance(1);
  EXPECT_EQ(cluster_.LicensedRms(), 300);
  EXPECT_EQ(cluster_.ClusterCapacity(), 300);
  ASSERT_TRUE(cluster_.MarkRestored("e2").ok());
  EXPECT_EQ(cluster_.LicensedRms(), 600);
}

TEST_F(CapacityTest, SmartModeDoesNotEnforceLicensesLocally) {
  ASSERT_TRUE(cluster_.AddPeer("e1", PlatformCapacity{"small", 5, 10, 10}, 0).ok());
  cluster_.set_mode(LicensingMode::kSmart);
  EXPECT_FALSE(cluster_.LicensedRms().has_value());
  CallTracker calls(cluster_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(calls.Begin("e1", B2b(), true).ok());
  EXPECT_EQ(calls.RmsInUse(), 5);
  EXPECT_FALSE(calls.Begin("e1", B2b(), true).ok());  // physical capacity still applies
}

TEST_F(CapacityTest, ExpresswayCClusterCountsItsOwnColumn) {
  Cluster c_cluster(clock_, Cluster::Role::kExpresswayC);
  ASSERT_TRUE(c_cluster.AddPeer("c1", LargeVm(), 10).ok());
  CallTracker calls(c_cluster);
  ASSERT_TRUE(calls.Begin("c1", B2b(), true).ok());  // consumed on E, not here
  EXPECT_EQ(calls.RmsInUse(), 0);
  ASSERT_TRUE(calls.Begin("c1", CallScenario{Registration::kUnifiedCm, Registration::kThirdPartyGatekeeper}, false).ok());
  EXPECT_EQ(calls.RmsInUse(), 1);
}

TEST_F(CapacityTest, AlarmsAt90PercentOfClusterOrOfOneUnit) {
  ASSERT_TRUE(cluster_.AddPeer("e1", PlatformCapacity{"u", 10, 100, 100}, 100).ok());
  ASSERT_TRUE(cluster_.AddPeer("e2", PlatformCapacity{"u", 10, 100, 100}, 100).ok());
  CallTracker calls(cluster_);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(calls.Begin("e1", B2b(), true).ok());
  EXPECT_TRUE(calls.Alarms().empty());
  ASSERT_TRUE(calls.Begin("e1", B2b(), true).ok());  // 9 of 10 on e1: 90% of the unit
  std::vector<Alarm> alarms = calls.Alarms();
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].id, "capacity.unit.e1");
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(calls.Begin("e2", B2b(), true).ok());
  alarms = calls.Alarms();  // 18 of 20: 90% of the cluster, and both units
  ASSERT_EQ(alarms.size(), 3u);
  EXPECT_EQ(alarms[0].id, "capacity.cluster");
}

TEST_F(CapacityTest, ClusterAlarmUsesLicensedCapacityInPak) {
  ASSERT_TRUE(cluster_.AddPeer("e1", LargeVm(), 10).ok());
  CallTracker calls(cluster_);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(calls.Begin("e1", B2b(), true).ok());
  std::vector<Alarm> alarms = calls.Alarms();
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].id, "capacity.cluster");
}

TEST_F(CapacityTest, PlatformFiguresFromTheSpecification) {
  EXPECT_EQ(LargeVm().concurrent_video_calls, 500);
  EXPECT_EQ(LargeVm().registrations, 5000);
  EXPECT_EQ(LargeVm().mra_registrations, 2500);
  EXPECT_EQ(Ce1100().mra_registrations, 2500);
  EXPECT_EQ(Ce1200().mra_registrations, 5000);
  EXPECT_EQ(Ce1200().registrations, 5000);
}

}  // namespace
}  // namespace sl::expressway
