#include "smartlicensing/expressway/calls.h"

#include <gtest/gtest.h>

namespace sl::expressway {
namespace {

using R = Registration;

// The specification's RMS consumption table, transcribed independently of the code:
// calling, called, licenses on Expressway-C, on Expressway-E, on the Lync gateway.
struct Expected {
  R calling;
  R called;
  int c, e, gateway;
};
const Expected kSpecificationRows[] = {
    {R::kUnifiedCm, R::kExpresswayCLync, 0, 0, 1},
    {R::kUnifiedCm, R::kExternal, 0, 1, 0},
    {R::kUnifiedCm, R::kThirdPartyGatekeeper, 1, 0, 0},
    {R::kExpresswayC, R::kExternal, 0, 1, 0},
    {R::kExpresswayCRemoteSipProxy, R::kExternal, 0, 1, 0},
    {R::kExpresswayCSip, R::kThirdPartyGatekeeper, 1, 0, 0},
    {R::kExpresswayCH323, R::kThirdPartyGatekeeper, 1, 0, 0},
    {R::kExpresswayCRemoteSipProxy, R::kThirdPartyGatekeeper, 1, 0, 0},
    {R::kExpresswayC, R::kExpresswayCLync, 0, 0, 1},
    {R::kExpresswayCRemoteSipProxy, R::kExpresswayCLync, 0, 0, 1},
    {R::kExpresswayCSip, R::kThirdPartySipServer, 1, 0, 0},
    {R::kExpresswayCH323, R::kThirdPartySipServer, 1, 0, 0},
    {R::kExpresswayESip, R::kExternal, 0, 1, 0},
    {R::kExpresswayEH323, R::kExternal, 0, 1, 0},
};

class RmsTableTest : public ::testing::TestWithParam<Expected> {};

TEST_P(RmsTableTest, EveryRowOfTheSpecificationChargesTheRightNode) {
  const Expected& row = GetParam();
  CallScenario s;
  s.calling = row.calling;
  s.called = row.called;
  Result<RmsCharge> charge = ChargeFor(s);
  ASSERT_TRUE(charge.ok()) << charge.status().ToString();
  EXPECT_EQ(charge->on_expressway_c, row.c) << RegistrationName(row.calling) << " -> " << RegistrationName(row.called);
  EXPECT_EQ(charge->on_expressway_e, row.e);
  EXPECT_EQ(charge->on_lync_gateway, row.gateway);
  EXPECT_EQ(charge->total(), 1) << "every table call takes exactly one RMS license somewhere";
}

INSTANTIATE_TEST_SUITE_P(Specification, RmsTableTest, ::testing::ValuesIn(kSpecificationRows));

TEST(RmsTableTest, TableHasExactlyTheSpecificationsRows) {
  EXPECT_EQ(kRmsConsumptionTable.size(), std::size(kSpecificationRows));
  EXPECT_TRUE(FindRmsRow(R::kExpresswayESip, R::kExternal)->expressway_c_not_applicable);
}

TEST(CallsTest, ProtocolSpecificExpresswayCFallsBackToTheGeneralRow) {
  CallScenario s{R::kExpresswayCSip, R::kExternal};
  EXPECT_EQ(ChargeFor(s)->on_expressway_e, 1);
}

TEST(CallsTest, CallsTheTableDoesNotGiveAreReportedNotGuessed) {
  CallScenario s{R::kExternal, R::kThirdPartyGatekeeper};
  EXPECT_EQ(ChargeFor(s).status().code(), StatusCode::kNotFound);
}

TEST(CallsTest, RegisteredCallsAndCallsToCiscoInfrastructureUseNoRms) {
  for (Destination d : {Destination::kRegisteredEndpoint, Destination::kCiscoInfrastructure,
                        Destination::kCollaborationCloud}) {
    CallScenario s;
    s.destination = d;
    EXPECT_EQ(ChargeFor(s)->total(), 0);
  }
}

TEST(CallsTest, McuNotManagedByConductorUsesRms) {
  CallScenario s;
  s.destination = Destination::kUnmanagedMcu;
  EXPECT_EQ(ChargeFor(s)->total(), 1);
}

TEST(CallsTest, CloudCmrCallsBypassRmsOnlyWhenTheDialStringIsUntransformed) {
  CallScenario s;
  s.destination = Destination::kCloudCmr;
  EXPECT_EQ(ChargeFor(s)->total(), 0);
  s.dial_string_transformed = true;
  EXPECT_EQ(ChargeFor(s)->total(), 1);
}

TEST(CallsTest, InterworkingWithANonCiscoEndpointUsesOneRmsOnTheInterworkingNode) {
  CallScenario s;
  s.destination = Destination::kRegisteredEndpoint;
  s.interworked_with_non_cisco_endpoint = true;
  EXPECT_EQ(ChargeFor(s)->on_expressway_c, 1);
  s.interworking_on_expressway_e = true;
  EXPECT_EQ(ChargeFor(s)->on_expressway_e, 1);
  EXPECT_EQ(ChargeFor(s)->total(), 1);
}

TEST(CallsTest, IntraclusterCallsUseRmsUnlessBothEndsAreCiscoRegistered) {
  EXPECT_EQ(IntraclusterRms(true), 0);
  EXPECT_EQ(IntraclusterRms(false), 1);
}

TEST(CallsTest, CountsMediaLines) {
  EXPECT_EQ(CountMediaLines("v=0\r\nm=audio 49170 RTP/AVP 0\r\n"), 1);
  EXPECT_EQ(CountMediaLines("v=0\r\nm=audio 49170 RTP/AVP 0\r\nm=video 51372 RTP/AVP 99\r\n"), 2);
  EXPECT_EQ(CountMediaLines("v=0\na=m=fake\n"), 0);
  EXPECT_EQ(CountMediaLines("m=audio 1 RTP/AVP 0"), 1);
  EXPECT_EQ(CountMediaLines(""), 0);
}

}  // namespace
}  // namespace sl::expressway
