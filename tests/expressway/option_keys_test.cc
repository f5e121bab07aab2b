#include "smartlicensing/expressway/option_keys.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "protocol/crypto.h"

namespace sl::expressway {
namespace {

constexpr UnixSeconds kNow = 1795851683;

class OptionKeysTest : public ::testing::Test {
 protected:
  std::string Key(OptionKind kind, int64_t quantity = 0, std::optional<UnixSeconds> expires = std::nullopt,
                  const std::string& serial = "0A1B2C3D", bool demo = false, bool fips = false) {
    return IssueOptionKey({kind, quantity, serial, expires, demo, fips}, vendor_.ToPem()).value();
  }
  PrivateKey vendor_ = PrivateKey::Generate().value();
  OptionKeys keys_{vendor_.Public().ToPem(), "0A1B2C3D"};
};

TEST_F(OptionKeysTest, LicenseKeysAddUp) {
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kRichMediaSessions, 100), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kRichMediaSessions, 50), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kRoomSystems, 20), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kDesktopSystems, 30), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kHsm), kNow).ok());
  OptionEntitlements e = keys_.Effective(kNow, LicensingMode::kPak);
  EXPECT_EQ(e.rich_media_sessions, 150);
  EXPECT_EQ(e.room_systems, 20);
  EXPECT_EQ(e.desktop_systems, 30);
  EXPECT_TRUE(e.Has(OptionKind::kHsm));
  EXPECT_FALSE(e.Has(OptionKind::kMicrosoftInteroperability));
}

TEST_F(OptionKeysTest, KeysHaveNoEffectInSmartMode) {
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kRichMediaSessions, 100), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kMicrosoftInteroperability), kNow).ok());
  OptionEntitlements e = keys_.Effective(kNow, LicensingMode::kSmart);
  EXPECT_EQ(e.rich_media_sessions, 0);
  EXPECT_FALSE(e.Has(OptionKind::kMicrosoftInteroperability));
  EXPECT_EQ(keys_.Installed().size(), 2u);  // still listed
}

TEST_F(OptionKeysTest, BadKeysAreRefusedWithTheReason) {
  EXPECT_EQ(keys_.Add("hello", kNow).status().message(),
            "option key is malformed: expected EXP1.<payload>.<signature>");
  EXPECT_EQ(keys_.Add("EXP1.!!!.AAAA", kNow).status().code(), StatusCode::kInvalidArgument);
  Result<InstalledOptionKey> other = keys_.Add(Key(OptionKind::kRichMediaSessions, 5, std::nullopt, "FFFF0000"), kNow);
  EXPECT_EQ(other.status().message(), "option key is for serial number FFFF0000, this system is 0A1B2C3D");
  Result<InstalledOptionKey> expired = keys_.Add(Key(OptionKind::kRichMediaSessions, 5, kNow - 1), kNow);
  EXPECT_EQ(expired.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(expired.status().message().find("expired on"), std::string::npos);
  PrivateKey forger = PrivateKey::Generate().value();
  std::string forged = IssueOptionKey({OptionKind::kRichMediaSessions, 1000, "0A1B2C3D", {}, false, false}, forger.ToPem()).value();
  EXPECT_EQ(keys_.Add(forged, kNow).status().code(), StatusCode::kUnauthenticated);
  // Altering the quantity in a genuine key breaks its signature.
  std::string genuine = Key(OptionKind::kRichMediaSessions, 1);
  std::string payload = Base64Decode(genuine.substr(5, genuine.find('.', 5) - 5)).value();
  payload.replace(payload.find("\"quantity\":1"), 12, "\"quantity\":9");
  std::string altered = "EXP1." + Base64Encode(payload) + genuine.substr(genuine.find('.', 5));
  EXPECT_EQ(keys_.Add(altered, kNow).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(keys_.Installed().empty());
}

TEST_F(OptionKeysTest, TimeLimitedKeysStopCountingWhenTheyExpire) {
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kRichMediaSessions, 10, kNow + 30 * kDay), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kRichMediaSessions, 5), kNow).ok());
  EXPECT_EQ(keys_.Effective(kNow + 30 * kDay - 1, LicensingMode::kPak).rich_media_sessions, 15);
  EXPECT_EQ(keys_.Effective(kNow + 30 * kDay, LicensingMode::kPak).rich_media_sessions, 5);
}

TEST_F(OptionKeysTest, OnlyTheFirst65KeysTakeEffect) {
  for (int i = 0; i < 70; ++i) ASSERT_TRUE(keys_.Add(Key(OptionKind::kRichMediaSessions, 1), kNow).ok());
  EXPECT_EQ(keys_.Installed().size(), 70u);
  EXPECT_EQ(keys_.Installed().back().index, 70);
  EXPECT_EQ(keys_.Effective(kNow, LicensingMode::kPak).rich_media_sessions, 65);
  ASSERT_TRUE(keys_.Remove(1).ok());
  EXPECT_EQ(keys_.Effective(kNow, LicensingMode::kPak).rich_media_sessions, 65);
  for (int i = 2; i <= 7; ++i) ASSERT_TRUE(keys_.Remove(i).ok());
  EXPECT_EQ(keys_.Effective(kNow, LicensingMode::kPak).rich_media_sessions, 63);
}

TEST_F(OptionKeysTest, CliIndexOverwritesAndIsBounded) {
  ASSERT_TRUE(keys_.Set(3, Key(OptionKind::kRichMediaSessions, 10), kNow).ok());
  ASSERT_TRUE(keys_.Set(3, Key(OptionKind::kRoomSystems, 4), kNow).ok());
  OptionEntitlements e = keys_.Effective(kNow, LicensingMode::kPak);
  EXPECT_EQ(e.rich_media_sessions, 0);
  EXPECT_EQ(e.room_systems, 4);
  EXPECT_FALSE(keys_.Set(0, Key(OptionKind::kHsm), kNow).ok());
  EXPECT_FALSE(keys_.Set(65, Key(OptionKind::kHsm), kNow).ok());
  EXPECT_TRUE(keys_.Set(64, Key(OptionKind::kHsm), kNow).ok());
  EXPECT_EQ(keys_.Remove(9).code(), StatusCode::kNotFound);
}

TEST_F(OptionKeysTest, RestartKeysRaiseAnAlarmAndWaitForTheRestart) {
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kTraversalServer), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kExpresswaySeries), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kAdvancedAccountSecurity, 0, {}, "0A1B2C3D", false, /*fips=*/true), kNow).ok());
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kHsm), kNow).ok());
  EXPECT_EQ(keys_.Alarms().size(), 3u);
  OptionEntitlements before = keys_.Effective(kNow, LicensingMode::kPak);
  EXPECT_FALSE(before.Has(OptionKind::kTraversalServer));
  EXPECT_FALSE(before.fips_mode);
  EXPECT_TRUE(before.Has(OptionKind::kHsm));
  keys_.Restarted();
  EXPECT_TRUE(keys_.Alarms().empty());
  OptionEntitlements after = keys_.Effective(kNow, LicensingMode::kPak);
  EXPECT_TRUE(after.Has(OptionKind::kTraversalServer));
  EXPECT_TRUE(after.Has(OptionKind::kExpresswaySeries));
  EXPECT_TRUE(after.fips_mode);
}

TEST_F(OptionKeysTest, AdvancedAccountSecurityWithoutFipsNeedsNoRestart) {
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kAdvancedAccountSecurity), kNow).ok());
  EXPECT_TRUE(keys_.Alarms().empty());
  EXPECT_TRUE(keys_.Effective(kNow, LicensingMode::kPak).Has(OptionKind::kAdvancedAccountSecurity));
}

TEST_F(OptionKeysTest, PermanentKeyBesideADemoKeyWarns) {
  ASSERT_TRUE(keys_.Add(Key(OptionKind::kRichMediaSessions, 10, kNow + 60 * kDay, "0A1B2C3D", /*demo=*/true), kNow).ok());
  Result<InstalledOptionKey> permanent = keys_.Add(Key(OptionKind::kRichMediaSessions, 100), kNow);
  ASSERT_TRUE(permanent.ok());
  EXPECT_NE(permanent->warning.find("demo key"), std::string::npos);
  EXPECT_NE(permanent->warning.find("index 1"), std::string::npos);
  Result<InstalledOptionKey> unrelated = keys_.Add(Key(OptionKind::kRoomSystems, 1), kNow);
  EXPECT_TRUE(unrelated->warning.empty());
}

}  // namespace
}  // namespace sl::expressway
