// The encrypted backup file (backup_file.h) on its own, with a cheap scrypt so that
// every byte and every length can be tried: nothing changed or missing passes, and a
// crafted header cannot ask for unbounded memory.
#include "agent/backup_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sl {
namespace {

using ::testing::HasSubstr;

constexpr const char* kRecord = "{\"format\":\"sl-agent-state\",\"version\":1,\"state\":\"secret stuff\"}\n";
constexpr const char* kPassphrase = "pass phrase";

ScryptParameters Cheap() {
  ScryptParameters p;
  p.log2_n = 10;
  p.r = 1;
  return p;
}

TEST(BackupFileTest, RoundTripWithFreshSaltAndNonce) {
  std::string a = EncryptBackup(kRecord, kPassphrase, Cheap()).value();
  std::string b = EncryptBackup(kRecord, kPassphrase, Cheap()).value();
  EXPECT_TRUE(IsEncryptedBackup(a));
  EXPECT_EQ(a.size(), kBackupHeaderBytes + std::string(kRecord).size() + 16);
  EXPECT_NE(a.substr(20), b.substr(20)) << "salt, nonce and ciphertext differ each time";
  EXPECT_EQ(DecryptBackup(a, kPassphrase).value(), kRecord);
  EXPECT_EQ(DecryptBackup(b, kPassphrase).value(), kRecord);
  EXPECT_EQ(a.find("secret stuff"), std::string::npos);
}

TEST(BackupFileTest, TheDefaultParametersAreTheDocumentedOnes) {
  std::string file = EncryptBackup(kRecord, kPassphrase).value();
  EXPECT_EQ(file.substr(0, 12), std::string("SLBACKUP\x01\x01\x01\x0f", 12));
  EXPECT_EQ(file.substr(12, 8), std::string("\0\0\0\x08\0\0\0\x01", 8));
  EXPECT_EQ(DecryptBackup(file, kPassphrase).value(), kRecord);
}

TEST(BackupFileTest, AWrongPassphraseIsRefused) {
  std::string file = EncryptBackup(kRecord, kPassphrase, Cheap()).value();
  Result<std::string> r = DecryptBackup(file, "pass phrasf");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "wrong passphrase or damaged file");
  EXPECT_EQ(DecryptBackup(file, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncryptBackup(kRecord, "", Cheap()).status().code(), StatusCode::kInvalidArgument);
}

TEST(BackupFileTest, EveryChangedBitAndEveryTruncationIsRefused) {
  const std::string file = EncryptBackup(kRecord, kPassphrase, Cheap()).value();
  for (size_t at = 0; at < file.size(); ++at) {
    for (int bit : {0, 7}) {
      std::string tampered = file;
      tampered[at] = static_cast<char>(tampered[at] ^ (1 << bit));
      Result<std::string> r = DecryptBackup(tampered, kPassphrase);
      EXPECT_FALSE(r.ok()) << "byte " << at << " bit " << bit;
    }
  }
  for (size_t length = 0; length < file.size(); ++length) {
    Result<std::string> r = DecryptBackup(file.substr(0, length), kPassphrase);
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << length;
  }
  EXPECT_FALSE(DecryptBackup(file + "x", kPassphrase).ok()) << "nor an added byte";
}

// A header is read before any key is derived: one asking for gigabytes is refused at once.
TEST(BackupFileTest, ACraftedHeaderCannotAskForUnboundedMemoryOrWork) {
  const std::string file = EncryptBackup(kRecord, kPassphrase, Cheap()).value();
  struct Case {
    uint8_t log2_n;
    uint32_t r;
    uint32_t p;
  };
  for (Case c : {Case{30, 1, 1}, Case{21, 8, 1}, Case{15, 8, 1000}, Case{15, 0xffffffffu, 1}, Case{15, 8, 0},
                 Case{3, 8, 1}, Case{255, 8, 1}}) {
    std::string crafted = file;
    crafted[11] = static_cast<char>(c.log2_n);
    for (int i = 0; i < 4; ++i) {
      crafted[12 + i] = static_cast<char>(c.r >> (24 - 8 * i));
      crafted[16 + i] = static_cast<char>(c.p >> (24 - 8 * i));
    }
    Result<std::string> r = DecryptBackup(crafted, kPassphrase);
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << int{c.log2_n} << " " << c.r << " " << c.p;
    EXPECT_THAT(r.status().message(), HasSubstr("parameters")) << int{c.log2_n} << " " << c.r << " " << c.p;
  }
  ScryptParameters greedy;
  greedy.log2_n = 22;
  EXPECT_EQ(EncryptBackup(kRecord, kPassphrase, greedy).status().code(), StatusCode::kInvalidArgument);
}

TEST(BackupFileTest, ANewerFormatSaysSo) {
  std::string file = EncryptBackup(kRecord, kPassphrase, Cheap()).value();
  file[8] = 2;
  Result<std::string> r = DecryptBackup(file, kPassphrase);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("format version 2"));
  EXPECT_FALSE(IsEncryptedBackup(kRecord));
}

}  // namespace
}  // namespace sl
