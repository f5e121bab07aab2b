// Backup and restore ("Before You Start" in the specification): on the same system
// the registration is restored; on a different system Smart Licensing stays enabled
// but the product must be registered again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/agent_state.h"
#include "smartlicensing/agent.h"
#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kStart;
using test::kToken;
using ::testing::HasSubstr;
using ::testing::Not;
namespace st = terms;

constexpr const char* kPassphrase = "correct horse battery staple";

TEST(AgentBackupTest, RestoringOnTheSameDeviceKeepsTheRegistration) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  std::string instance = agent.GetStatus().instance_id;
  std::string backup = agent.Backup(kPassphrase).value();
  h.clock.Advance(kDay);
  ASSERT_TRUE(agent.FactoryReset().ok());
  ASSERT_EQ(agent.GetStatus().mode, LicensingMode::kPak);

  ASSERT_TRUE(agent.Restore(backup, kPassphrase).ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kSmart);
  EXPECT_EQ(s.registration_status, st::kRegistered);
  EXPECT_EQ(s.instance_id, instance);
  EXPECT_EQ(s.virtual_account, "VA-One");
  EXPECT_TRUE(h.HasEvent(EventType::kStateRestored));
  // The restored key and certificate still work with CSSM.
  EXPECT_TRUE(agent.RenewAuthorization().ok());
  EXPECT_TRUE(agent.RenewRegistration().ok());
}

TEST(AgentBackupTest, RestoringOnAnotherSystemKeepsSmartLicensingButNeedsRegistration) {
  AgentHarness source;
  Agent& a = source.Open();
  ASSERT_TRUE(a.Enable().ok());
  TransportSettings t;
  t.mode = TransportMode::kOnPrem;
  t.url = "https://onprem.example.com/SmartTransport";
  ASSERT_TRUE(a.SetTransportSettings(t).ok());
  ASSERT_TRUE(a.SetPrivacy(true).ok());
  ASSERT_TRUE(a.Register(kToken, false).ok());
  std::string backup = a.Backup(kPassphrase).value();

  AgentHarness target(Udi{"EXPWY-VE-L", "SN0002"});
  target.secret = HmacDeviceSecret(std::string(32, 'z'));  // another device, another secret
  Agent& b = target.Open();
  ASSERT_TRUE(b.Restore(backup, kPassphrase).ok());
  AgentStatus s = b.GetStatus();
  EXPECT_EQ(s.mode, LicensingMode::kSmart);
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.authorization_status, st::kEvaluationMode);
  EXPECT_EQ(s.transport.mode, TransportMode::kOnPrem);
  EXPECT_TRUE(s.privacy);
  EXPECT_TRUE(s.virtual_account.empty());
  EXPECT_TRUE(b.Register(kToken, false).ok()) << "registers as itself";
  EXPECT_EQ(target.cssm.requests()[0].udi.serial_number, "SN0002");
}

// Another system's backup is not verified (it is sealed with that system's secret), so
// its transport settings are checked like an operator's before they are used.
TEST(AgentBackupTest, AnotherSystemsInvalidTransportSettingsAreNotRestored) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  TransportSettings mine;
  mine.mode = TransportMode::kOnPrem;
  mine.url = "https://onprem.example.com/SmartTransport";
  ASSERT_TRUE(agent.SetTransportSettings(mine).ok());

  AgentState other;
  other.mode = LicensingMode::kSmart;
  other.udi = Udi{"EXPWY-VE-L", "SN0002"};
  other.privacy = true;
  other.transport.mode = TransportMode::kOnPrem;
  other.transport.url = "https://evil.example.com/not-smart-transport";  // On-Prem needs /SmartTransport
  other.transport.connect_timeout_seconds = 0;                           // and 1-600 s
  std::string backup = SealPortableState(other, HmacDeviceSecret(std::string(32, 'z'))).value();
  ASSERT_FALSE(ValidateTransportSettings(other.transport).ok());

  ASSERT_TRUE(agent.Restore(backup, "").ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.transport.url, mine.url) << "the current settings are kept";
  EXPECT_EQ(s.transport.connect_timeout_seconds, mine.connect_timeout_seconds);
  EXPECT_TRUE(s.privacy) << "the rest of the settings are restored";
  bool said_so = false;
  for (const Event& e : h.events) {
    if (e.type == EventType::kStateRestored) {
      EXPECT_THAT(e.message, HasSubstr("transport settings are not valid"));
      EXPECT_THAT(e.message, HasSubstr("current transport settings were kept"));
      said_so = true;
    }
  }
  EXPECT_TRUE(said_so);
}

TEST(AgentBackupTest, ARestoreTakesTheClockAsObservedNowNotAsInTheBackup) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  h.device_clock.SetOffset(20 * 365 * kDay);  // the backup is taken while the clock is wrong
  std::string backup = agent.Backup(kPassphrase).value();
  h.device_clock.SetOffset(0);
  ASSERT_TRUE(agent.Restore(backup, kPassphrase).ok());
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
  AgentState saved = OpenState(h.memory_store.record, h.secret).value();
  EXPECT_EQ(saved.unconfirmed_wall, 0) << "the jump held when the backup was taken is not the clock's state now";
  EXPECT_EQ(saved.wall_reading, h.Now());
}

TEST(AgentBackupTest, RestoringNeverGivesBackEvaluationTime) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.RunUntil(kStart + 10 * kDay);
  std::string early = agent.Backup(kPassphrase).value();
  h.RunUntil(kStart + 60 * kDay);
  ASSERT_TRUE(agent.Restore(early, kPassphrase).ok());
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 30 * kDay);
}

TEST(AgentBackupTest, AnEditedBackupOfThisDeviceIsRefused) {
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  h.RunUntil(kStart + 10 * kDay);
  std::string backup = agent.PlaintextBackup().value();
  size_t at = backup.find("evaluation_used\\\":864000");
  ASSERT_NE(at, std::string::npos);
  backup.replace(at, std::string("evaluation_used\\\":864000").size(), "evaluation_used\\\":000000");
  Status s = agent.Restore(backup, "");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(agent.Restore("not a backup", "").code(), StatusCode::kDataLoss);
  EXPECT_EQ(agent.GetStatus().evaluation_remaining_seconds, 80 * kDay);
}

TEST(AgentBackupTest, APakBackupDoesNotTurnSmartLicensingOff) {
  AgentHarness h;
  Agent& agent = h.Open();
  std::string pak = agent.Backup(kPassphrase).value();
  ASSERT_TRUE(agent.Enable().ok());
  Status s = agent.Restore(pak, kPassphrase);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("factory reset"));
  EXPECT_EQ(agent.GetStatus().mode, LicensingMode::kSmart);
}

TEST(AgentBackupTest, AnotherSystemsBackupIsRefusedWhileRegistered) {
  AgentHarness source(Udi{"EXPWY-VE-L", "SN0002"});
  source.Open();
  ASSERT_TRUE(source.agent->Enable().ok());
  std::string backup = source.agent->Backup(kPassphrase).value();
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  Status s = agent.Restore(backup, kPassphrase);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("deregister"));
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistered);
}

// --- Encrypted backups (issue 12) ------------------------------------------------------

TEST(AgentBackupTest, AnEncryptedBackupHoldsNoSecretInClear) {
  const std::string password = "proxy-Pa55word-xyz";
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  TransportSettings t;
  t.proxy = ProxySettings{"proxy.example.com", 3128, "alice", password};
  ASSERT_TRUE(agent.SetTransportSettings(t).ok());
  h.GoOffline();
  EXPECT_FALSE(agent.Register(kToken, false).ok());  // pending: the token and a key are kept
  AgentState pending = OpenState(h.memory_store.record, h.secret).value();
  ASSERT_EQ(pending.pending_token, kToken);
  std::string pem_line = pending.pending_key_pem.substr(pending.pending_key_pem.find('\n') + 1, 64);

  std::string backup = agent.Backup(kPassphrase).value();
  EXPECT_EQ(backup.rfind("SLBACKUP", 0), 0u);
  for (const std::string& secret : {std::string(kToken), password, pem_line, std::string(kPassphrase)}) {
    EXPECT_THAT(backup, Not(HasSubstr(secret)));
  }
  EXPECT_THAT(backup, Not(HasSubstr("pending"))) << "nothing of the record shows";
  // Restored on this device, the pending registration comes back whole.
  ASSERT_TRUE(agent.FactoryReset().ok());
  ASSERT_TRUE(agent.Restore(backup, kPassphrase).ok());
  AgentState restored = OpenState(h.memory_store.record, h.secret).value();
  EXPECT_EQ(restored.pending_token, kToken);
  EXPECT_EQ(restored.pending_key_pem, pending.pending_key_pem);
  EXPECT_EQ(restored.transport.proxy->password, password);
}

// GCM authenticates the header (salt, parameters, nonce) and the ciphertext: a wrong
// passphrase, any changed byte and any missing byte are refused, and nothing changes.
TEST(AgentBackupTest, AWrongPassphraseOrADamagedBackupChangesNothingAndSaysWhy) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  const std::string backup = agent.Backup(kPassphrase).value();
  ASSERT_TRUE(agent.SetPrivacy(true).ok());  // what a restore would undo
  const std::string stored = h.memory_store.record;
  const int saves = h.memory_store.saves;
  const size_t events = h.events.size();

  auto expect_refused = [&](const std::string& file, const std::string& passphrase, const char* why,
                            const std::string& what) {
    Status s = agent.Restore(file, passphrase);
    EXPECT_FALSE(s.ok()) << what;
    EXPECT_THAT(s.message(), HasSubstr(why)) << what;
    EXPECT_THAT(s.message(), Not(HasSubstr(passphrase))) << what;
    EXPECT_EQ(h.memory_store.record, stored) << what;
    EXPECT_EQ(h.memory_store.saves, saves) << what;
    EXPECT_EQ(h.events.size(), events) << what;
  };
  expect_refused(backup, "correct horse battery stapler", "wrong passphrase or damaged file", "wrong passphrase");
  // The offsets of backup_file.h: version, parameters, salt, nonce, ciphertext, tag.
  for (size_t at : {size_t{8}, size_t{15}, size_t{20}, size_t{35}, size_t{36}, size_t{47}, size_t{48},
                    backup.size() / 2, backup.size() - 17, backup.size() - 1}) {
    std::string tampered = backup;
    tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
    expect_refused(tampered, kPassphrase, at == 8 ? "format version" : "wrong passphrase or damaged file",
                   "byte " + std::to_string(at));
  }
  std::string not_magic = backup;
  not_magic[0] = 'X';  // no longer an encrypted backup, and not a record either
  expect_refused(not_magic, kPassphrase, "the backup cannot be restored", "magic");
  for (size_t length : {size_t{10}, size_t{48}, size_t{63}, backup.size() - 1}) {
    expect_refused(backup.substr(0, length), kPassphrase, "the backup cannot be restored",
                   "first " + std::to_string(length) + " bytes");
  }
  EXPECT_TRUE(agent.GetStatus().privacy);
}

TEST(AgentBackupTest, AnEncryptedBackupNeedsItsPassphraseAndAnEmptyOneIsRefused) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  EXPECT_EQ(agent.Backup("").status().code(), StatusCode::kInvalidArgument);
  std::string backup = agent.Backup(kPassphrase).value();
  Status s = agent.Restore(backup, "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("passphrase"));
}

TEST(AgentBackupTest, APlaintextBackupSaysWhatItIsAndStillRestores) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  std::string instance = agent.GetStatus().instance_id;
  std::string backup = agent.PlaintextBackup().value();
  AgentState inside = OpenState(backup, h.secret).value();
  EXPECT_THAT(backup, HasSubstr(inside.device_key_pem.substr(28, 40))) << "the key in clear, as its name says";
  ASSERT_TRUE(agent.FactoryReset().ok());
  ASSERT_TRUE(agent.Restore(backup, "").ok());
  EXPECT_EQ(agent.GetStatus().instance_id, instance);
  EXPECT_TRUE(agent.RenewAuthorization().ok());
}

}  // namespace
}  // namespace sl
