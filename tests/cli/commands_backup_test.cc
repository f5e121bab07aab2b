// slagent backup and restore in-process (issue 12): a backup is encrypted with a
// passphrase read from a file or standard input, or written in clear only when
// --plaintext-keys says so; it is created with mode 0600 and never replaces a file
// without --force; a wrong passphrase or a damaged file changes nothing and says why;
// no secret (key, token, proxy password, passphrase) is in clear in the state file, the
// backup, the output or the events.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "slagent_in_process.h"
#include "testing/test_util.h"

namespace sl::cli {
namespace {

constexpr const char* kToken = "TEST-TOKEN-Qx7-in-clear-nowhere";
constexpr const char* kPassword = "proxy-Pa55word-xyz";
constexpr const char* kPassphrase = "  a long passphrase with spaces  ";

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

mode_t ModeOf(const std::string& path) {
  struct stat st{};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

class BackupCommandTest : public SlagentInProcessTest {
 protected:
  // An enabled device with a proxy password and a pending registration (CSSM is out of
  // reach): every secret the state can hold is in it.
  void DeviceWithSecrets() {
    EnableOffline();
    WriteText(dir_.File("pw"), std::string(kPassword) + "\n");
    CliResult proxy = Run({"transport", "proxy", "--address", "127.0.0.1", "--port", "9", "--username", "alice",
                           "--password-file", dir_.File("pw")});
    ASSERT_EQ(proxy.exit_code, 0) << proxy.err;
    WriteText(dir_.File("token"), std::string(kToken) + "\n");
    CliResult reg = Run({"register", "--token-file", dir_.File("token")});
    ASSERT_EQ(reg.exit_code, 4) << reg.out << reg.err;  // pending: the token is kept for the retry
    WriteText(dir_.File("pass"), std::string(kPassphrase) + "\n");
  }

  void ExpectNoSecretIn(const std::string& text, const std::string& what) {
    for (const char* secret : {kToken, kPassword, kPassphrase}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << what << " holds '" << secret << "'";
    }
  }

  std::string State() { return test::ReadFile(dir_.File("state/state")); }
};

TEST_F(BackupCommandTest, ABackupNeedsAPassphraseFileOrThePlaintextFlag) {
  EnableOffline();
  const std::string file = dir_.File("backup");
  CliResult bare = Run({"backup", file});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_NE(bare.err.find("--passphrase-file"), std::string::npos) << bare.err;
  EXPECT_NE(bare.err.find("--plaintext-keys"), std::string::npos) << bare.err;
  WriteText(dir_.File("pass"), "secret\n");
  EXPECT_EQ(Run({"backup", file, "--plaintext-keys", "--passphrase-file", dir_.File("pass")}).exit_code, 2);
  WriteText(dir_.File("empty"), "\n");
  CliResult empty = Run({"backup", file, "--passphrase-file", dir_.File("empty")});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty"), std::string::npos) << empty.err;
  EXPECT_FALSE(Exists(file));
}

TEST_F(BackupCommandTest, NeitherTheStateFileNorAnEncryptedBackupHoldsASecretInClear) {
  DeviceWithSecrets();
  ExpectNoSecretIn(State(), "the state file");
  const std::string file = dir_.File("backup");
  CliResult r = Run({"--json", "backup", file, "--passphrase-file", dir_.File("pass")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"encrypted\":true"), std::string::npos) << r.out;
  const std::string backup = test::ReadFile(file);
  EXPECT_EQ(backup.rfind("SLBACKUP", 0), 0u);
  EXPECT_EQ(ModeOf(file), 0600u);
  ExpectNoSecretIn(backup, "the backup");
  ExpectNoSecretIn(r.out + r.err, "the output");
  ExpectNoSecretIn(Run({"events"}).out, "the events");
  ExpectNoSecretIn(State(), "the state file after the backup");
}

TEST_F(BackupCommandTest, ABackupIsCreatedPrivateAndReplacesAFileOnlyWithForce) {
  DeviceWithSecrets();
  const std::string file = dir_.File("backup");
  WriteText(file, "someone else's file");
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  CliResult refused = Run({"backup", file, "--passphrase-file", dir_.File("pass")});
  EXPECT_EQ(refused.exit_code, 6);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(test::ReadFile(file), "someone else's file");
  ASSERT_EQ(Run({"backup", file, "--passphrase-file", dir_.File("pass"), "--force"}).exit_code, 0);
  EXPECT_EQ(test::ReadFile(file).rfind("SLBACKUP", 0), 0u);
  EXPECT_EQ(ModeOf(file), 0600u) << "the new file, not the old one's mode";
  EXPECT_EQ(test::DirectoryEntries(dir_.path()).count("backup"), 1u);
}

TEST_F(BackupCommandTest, AWrongPassphraseOrADamagedFileChangesNothingAndSaysWhy) {
  DeviceWithSecrets();
  const std::string file = dir_.File("backup");
  ASSERT_EQ(Run({"backup", file, "--passphrase-file", dir_.File("pass")}).exit_code, 0);
  ASSERT_EQ(Run({"privacy", "on"}).exit_code, 0);  // what a restore would undo
  const std::string state = State();
  const std::string backup = test::ReadFile(file);

  WriteText(dir_.File("wrong"), "not the passphrase\n");
  std::string tampered = backup;
  tampered[30] = static_cast<char>(tampered[30] ^ 1);  // in the salt
  WriteText(dir_.File("tampered"), tampered);
  WriteText(dir_.File("truncated"), backup.substr(0, backup.size() - 1));
  struct Case {
    std::string file;
    std::string passphrase_file;
  };
  for (const Case& c : {Case{file, dir_.File("wrong")}, Case{dir_.File("tampered"), dir_.File("pass")},
                        Case{dir_.File("truncated"), dir_.File("pass")}}) {
    CliResult r = Run({"restore", c.file, "--passphrase-file", c.passphrase_file});
    EXPECT_EQ(r.exit_code, 5) << c.file;
    EXPECT_NE(r.err.find("wrong passphrase or damaged file"), std::string::npos) << r.err;
    ExpectNoSecretIn(r.out + r.err, "the error");
    EXPECT_EQ(r.err.find("not the passphrase"), std::string::npos) << r.err;
    EXPECT_EQ(State(), state) << "nothing changed";
  }
  CliResult without = Run({"restore", file});
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_NE(without.err.find("encrypted backup: give its passphrase with --passphrase-file"), std::string::npos)
      << without.err;
  EXPECT_EQ(State(), state);

  CliResult restored = Run({"restore", file, "--passphrase-file", dir_.File("pass")});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(Run({"--json", "status"}).out.find("\"privacy\":false"), std::string::npos) << "restored";
  ExpectNoSecretIn(State(), "the restored state file");
}

// `--passphrase-file -` reads standard input, and one line ending is not part of it:
// the passphrase piped in opens the backup written with the passphrase file.
TEST_F(BackupCommandTest, ThePassphraseMayComeFromStandardInput) {
  DeviceWithSecrets();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const std::string piped = std::string(kPassphrase) + "\r\n";
  ASSERT_EQ(write(pipe_fds[1], piped.data(), piped.size()), static_cast<ssize_t>(piped.size()));
  close(pipe_fds[1]);
  int saved_stdin = dup(STDIN_FILENO);
  dup2(pipe_fds[0], STDIN_FILENO);
  CliResult r = Run({"backup", dir_.File("backup"), "--passphrase-file", "-"});
  dup2(saved_stdin, STDIN_FILENO);
  close(saved_stdin);
  close(pipe_fds[0]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Run({"factory-reset", "--yes"}).exit_code, 0);
  CliResult restored = Run({"restore", dir_.File("backup"), "--passphrase-file", dir_.File("pass")});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
}

TEST_F(BackupCommandTest, APlaintextBackupNeedsItsFlagAndSaysWhatItHolds) {
  DeviceWithSecrets();
  const std::string file = dir_.File("backup");
  CliResult r = Run({"backup", file, "--plaintext-keys"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Warning: it is NOT encrypted"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("private key"), std::string::npos) << r.out;
  EXPECT_EQ(ModeOf(file), 0600u);
  EXPECT_NE(test::ReadFile(file).find(kToken), std::string::npos) << "in clear, as the flag says";
  EXPECT_NE(Run({"--json", "backup", dir_.File("b2"), "--plaintext-keys"}).out.find("\"encrypted\":false"),
            std::string::npos);
  ASSERT_EQ(Run({"factory-reset", "--yes"}).exit_code, 0);
  CliResult restored = Run({"restore", file});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  ExpectNoSecretIn(State(), "the restored state file");
}

TEST_F(BackupCommandTest, AnEncryptedBackupRestoresOnAnotherSystemAsItsSettings) {
  DeviceWithSecrets();
  const std::string file = dir_.File("backup");
  ASSERT_EQ(Run({"backup", file, "--passphrase-file", dir_.File("pass")}).exit_code, 0);

  test::TempDir other;
  auto run_other = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--state-dir", other.File("state"), "--key-dir", other.File("keys")});
    return RunSlagent(args);
  };
  ASSERT_EQ(run_other({"identity", "--product-id", "EXPWY-VE-L", "--serial", "SN-OTHER"}).exit_code, 0);
  ASSERT_EQ(run_other({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
  CliResult r = run_other({"--json", "restore", file, "--passphrase-file", dir_.File("pass")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"mode\":\"smart\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"registration_status\":\"Unregistered\""), std::string::npos) << r.out;
  std::string status = run_other({"--json", "status"}).out;
  EXPECT_NE(status.find("\"password_set\":true"), std::string::npos) << "the proxy settings came along: " << status;
  ExpectNoSecretIn(test::ReadFile(other.File("state/state")), "the other system's state file");
}

}  // namespace
}  // namespace sl::cli
