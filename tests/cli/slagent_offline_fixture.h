// The fixture of the slagent tests that need the real binary but no CSSM: its state
// and key directories, files the way an operator and the machine leave them, and
// slagent run as another user (setpriv) where the test is root. A transport to a
// closed port: nothing here reaches a network.
// Thread-safety: one fixture per test, used from the test's thread.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "testing/test_util.h"

namespace sl {

class SlagentOfflineTest : public ::testing::Test {
 protected:
  // The user a test runs slagent as when it must not be root: nobody.
  static constexpr uid_t kOtherUser = 65534;

  std::string StateDir() const { return dir_.File("state"); }
  std::string KeyDir() const { return dir_.File("keys"); }

  // slagent with this test's directories, as the test's user.
  test::CommandResult Run(std::vector<std::string> args) { return RunAs(-1, std::move(args)); }

  // slagent as `uid` (-1: the test's user), through setpriv(1), which only root may do.
  test::CommandResult RunAs(int uid, std::vector<std::string> args) {
    std::vector<std::string> argv;
    if (uid >= 0) {
      argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid), "--regid=" + std::to_string(uid),
              "--clear-groups"};
    }
    argv.insert(argv.end(), {SL_SLAGENT_BINARY, "--state-dir", StateDir(), "--key-dir", KeyDir()});
    argv.insert(argv.end(), args.begin(), args.end());
    return test::RunCommand(argv, {"ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"});
  }

  // Identity, trust anchor, a transport (with a CA bundle, so that slagent keeps a copy)
  // and Smart Licensing on: an enabled device that has saved its state.
  void Configure() {
    ASSERT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "0A1B2C3D"}).exit_code, 0);
    ASSERT_EQ(Run({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
    test::CommandResult t = Run({"transport", "direct", "--url", "https://127.0.0.1:9/licservice", "--ca-bundle",
                                 test::PkiPath("tls-ca.crt"), "--connect-timeout", "1"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    test::CommandResult e = Run({"enable"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }

  // Gives the test's folder and everything in it to `uid`, and lets others pass
  // through the folder (not list it), so that slagent can run as that user.
  void GiveEverythingTo(uid_t uid) {
    ASSERT_EQ(chmod(dir_.path().c_str(), 0711), 0);
    for (const std::string& d : {StateDir(), KeyDir()}) {
      ASSERT_EQ(chown(d.c_str(), uid, uid), 0) << d;
      for (const std::string& name : test::DirectoryEntries(d)) {
        ASSERT_EQ(lchown((d + "/" + name).c_str(), uid, uid), 0) << name;
      }
    }
  }

  static bool Mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  test::TempDir dir_;
};

}  // namespace sl
