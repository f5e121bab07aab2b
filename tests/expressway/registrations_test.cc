#include "smartlicensing/expressway/registrations.h"

#include <gtest/gtest.h>

#include "smartlicensing/expressway/usage.h"

namespace sl::expressway {
namespace {

RegistrationRequest Sip(const std::string& alias, const std::string& model, const std::string& version = "",
                        RegistrationKind kind = RegistrationKind::kLocal) {
  return {alias, Signaling::kSip, model, version, kind};
}

struct Classification {
  const char* model;
  const char* version;
  Signaling signaling;
  LicenseType expected;
};

class RegistrationRulesTest : public ::testing::TestWithParam<Classification> {};

TEST_P(RegistrationRulesTest, ModelVersionAndProtocolDecideRoomOrDesktop) {
  const Classification& c = GetParam();
  RegistrationRequest r{"alias", c.signaling, c.model, c.version, RegistrationKind::kLocal};
  EXPECT_EQ(LicenseFor(r), c.expected) << c.model << " " << c.version;
}

INSTANTIATE_TEST_SUITE_P(
    Specification, RegistrationRulesTest,
    ::testing::Values(Classification{"EX60", "TC7.3.6", Signaling::kSip, LicenseType::kDesktopSystem},
                      Classification{"EX90", "TC7.3.7", Signaling::kSip, LicenseType::kDesktopSystem},
                      Classification{"EX90", "TC7.3.5", Signaling::kSip, LicenseType::kRoomSystem},
                      Classification{"EX60", "TC7.2", Signaling::kSip, LicenseType::kRoomSystem},
                      Classification{"EX60", "CE9.1", Signaling::kSip, LicenseType::kDesktopSystem},
                      Classification{"DX70", "CE8.2", Signaling::kSip, LicenseType::kDesktopSystem},
                      Classification{"DX80", "CE8.2.1", Signaling::kSip, LicenseType::kDesktopSystem},
                      Classification{"DX80", "CE8.1.9", Signaling::kSip, LicenseType::kRoomSystem},
                      Classification{"DX80", "", Signaling::kSip, LicenseType::kRoomSystem},
                      Classification{"Movi", "4.8", Signaling::kSip, LicenseType::kDesktopSystem},
                      Classification{"Webex Room Kit", "CE9.1", Signaling::kSip, LicenseType::kRoomSystem},
                      Classification{"DX80", "CE9.1", Signaling::kH323, LicenseType::kRoomSystem},
                      Classification{"EX60", "TC7.3.6", Signaling::kH323, LicenseType::kRoomSystem},
                      Classification{"Movi", "4.8", Signaling::kH323, LicenseType::kRoomSystem}));

TEST(RegistrationsTest, ProxyRegistrationsOnExpresswayEConsumeNothing) {
  EXPECT_FALSE(LicenseFor(Sip("a", "DX80", "CE9.1", RegistrationKind::kProxyOnE)).has_value());
  EXPECT_EQ(LicenseFor(Sip("a", "DX80", "CE9.1", RegistrationKind::kProxied)), LicenseType::kDesktopSystem);
  RegistrationTable table(LargeVm(), 10, 10);
  RegistrationRequest h323{"a", Signaling::kH323, "", "", RegistrationKind::kProxyOnE};
  EXPECT_EQ(table.Register(h323).code(), StatusCode::kInvalidArgument);
}

TEST(RegistrationsTest, LicensesAreCountedPerAliasNotPerDevice) {
  RegistrationTable table(LargeVm(), 10, 10);
  for (const char* alias : {"mcu-1@example.com", "mcu-2@example.com", "mcu-3@example.com"}) {
    ASSERT_TRUE(table.Register({alias, Signaling::kH323, "MCU", "", RegistrationKind::kLocal}).ok());
  }
  EXPECT_EQ(table.InUse(LicenseType::kRoomSystem), 3);
  EXPECT_EQ(table.Register({"mcu-1@example.com", Signaling::kH323, "MCU", ""}).code(), StatusCode::kAlreadyExists);
}

TEST(RegistrationsTest, DeviceRegisteredOverSipAndH323ConsumesTwoLicenses) {
  RegistrationTable table(LargeVm(), 10, 10);
  ASSERT_TRUE(table.Register(Sip("dx80@example.com", "DX80", "CE9.1")).ok());
  ASSERT_TRUE(table.Register({"dx80@example.com", Signaling::kH323, "DX80", "CE9.1"}).ok());
  EXPECT_EQ(table.InUse(LicenseType::kDesktopSystem), 1);
  EXPECT_EQ(table.InUse(LicenseType::kRoomSystem), 1);
  ASSERT_TRUE(table.Unregister("dx80@example.com", Signaling::kH323).ok());
  EXPECT_EQ(table.InUse(LicenseType::kRoomSystem), 0);
}

TEST(RegistrationsTest, RoomAndDesktopLicensesAreNotInterchangeable) {
  RegistrationTable table(LargeVm(), /*room=*/1, /*desktop=*/5);
  ASSERT_TRUE(table.Register(Sip("room1", "Room Kit", "CE9.1")).ok());
  Status refused = table.Register(Sip("room2", "Room Kit", "CE9.1"));
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("not interchangeable"), std::string::npos);
  EXPECT_TRUE(table.Register(Sip("desk1", "DX80", "CE9.1")).ok());
}

TEST(RegistrationsTest, UnitRegistrationAndMraLimitsIncludeEveryKind) {
  PlatformCapacity small{"small", 10, 4, 2};
  RegistrationTable table(small, std::nullopt, std::nullopt);
  ASSERT_TRUE(table.Register(Sip("a", "Room Kit")).ok());
  ASSERT_TRUE(table.Register(Sip("b", "Room Kit", "", RegistrationKind::kProxyOnE)).ok());
  ASSERT_TRUE(table.Register(Sip("c", "Jabber", "", RegistrationKind::kMra)).ok());
  ASSERT_TRUE(table.Register(Sip("d", "Jabber", "", RegistrationKind::kMra)).ok());
  EXPECT_EQ(table.Register(Sip("e", "Room Kit")).code(), StatusCode::kResourceExhausted);
  RegistrationTable mra(small, std::nullopt, std::nullopt);
  ASSERT_TRUE(mra.Register(Sip("c", "Jabber", "", RegistrationKind::kMra)).ok());
  ASSERT_TRUE(mra.Register(Sip("d", "Jabber", "", RegistrationKind::kMra)).ok());
  Status third = mra.Register(Sip("e", "Jabber", "", RegistrationKind::kMra));
  EXPECT_NE(third.message().find("MRA"), std::string::npos);
  EXPECT_EQ(mra.InUse(LicenseType::kRoomSystem), 0);  // MRA registrations are licensed on Unified CM
}

TEST(RegistrationsTest, UsageIsReportedPerTag) {
  SimulatedTimeSource clock(0);
  Cluster cluster(clock, Cluster::Role::kExpresswayE);
  ASSERT_TRUE(cluster.AddPeer("e1", LargeVm(), 10).ok());
  CallTracker calls(cluster);
  ASSERT_TRUE(calls.Begin("e1", CallScenario{Registration::kExpresswayC, Registration::kExternal}, true).ok());
  RegistrationTable table(LargeVm(), 10, 10);
  ASSERT_TRUE(table.Register(Sip("room", "Room Kit")).ok());
  ASSERT_TRUE(table.Register(Sip("desk", "DX80", "CE9.1")).ok());
  ASSERT_TRUE(table.Register(Sip("desk2", "EX60", "TC7.3.6")).ok());
  UsageByTag usage = CollectUsage(calls, table);
  EXPECT_EQ(usage.at(kRmsTag), 1);
  EXPECT_EQ(usage.at(kRoomTag), 1);
  EXPECT_EQ(usage.at(kDesktopTag), 2);
}

}  // namespace
}  // namespace sl::expressway
