// Runs slagent in-process, through its entry point: an argv in, stdout, stderr and the
// exit code out. No child process and no network. SlagentInProcessTest gives each test
// a device of its own (state and key directories in a temporary folder).
// Thread-safety: one per test, used from the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "testing/test_util.h"

namespace sl::cli {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs slagent in-process with `args` (after the program name).
inline CliResult RunSlagent(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"slagent"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  CliResult r;
  r.exit_code = Main(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// A device of its own: every command runs with this test's state and key directories.
class SlagentInProcessTest : public ::testing::Test {
 protected:
  CliResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--state-dir", dir_.File("state"), "--key-dir", dir_.File("keys")});
    return RunSlagent(args);
  }

  // Identity, trust anchor, a transport to nowhere (nothing here may reach CSSM) and
  // Smart Licensing on: an enabled, unregistered device.
  void EnableOffline() {
    ASSERT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "0A1B2C3D"}).exit_code, 0);
    ASSERT_EQ(Run({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
    ASSERT_EQ(Run({"transport", "direct", "--url", "https://127.0.0.1:9/licservice", "--connect-timeout", "1"}).exit_code,
              0);
    ASSERT_EQ(Run({"enable"}).exit_code, 0);
  }

  test::TempDir dir_;
};

}  // namespace sl::cli
