// The fixture of the slagent end-to-end tests: the real slagent binary against the
// real mock-cssm over TLS on loopback. Time travel uses libfaketime on slagent and the
// admin clock on the mock, moved together, so that months of agent life pass in seconds
// without sleeping. Each test has its own state directory and its own mock.
// Thread-safety: one fixture per test, used from the test's thread (Run may also be
// called from threads the test starts).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/json.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_util.h"

namespace sl {

inline constexpr const char* kFaketimeLib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

class SlagentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.running());
    ASSERT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "0A1B2C3D", "--hostname", "exp1.example.com"}).exit_code, 0);
    ASSERT_EQ(Run({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
    test::CommandResult t = Run({"transport", "direct", "--url", mock_.direct_url(), "--ca-bundle",
                                 test::PkiPath("tls-ca.crt"), "--connect-timeout", "2", "--timeout", "5"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
  }

  // Runs slagent with this test's state directory, `offset` seconds in the future (or
  // the past).
  test::CommandResult Run(std::vector<std::string> args, int64_t offset = 0) {
    return RunFaked(std::move(args), Offset(offset));
  }

  // Runs slagent under libfaketime with FAKETIME=`faketime`: "+86400", "-2592000", or
  // "@2000-01-01 00:00:00" (a clock that starts there); "" runs it on the real clock.
  test::CommandResult RunFaked(std::vector<std::string> args, const std::string& faketime) {
    std::vector<std::string> argv = {SL_SLAGENT_BINARY, "--state-dir", dir_.File("state")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env;
    if (!faketime.empty()) {
      // libfaketime moves the monotonic clocks by the same offset (its default), as
      // if the machine had been up that much longer.
      env = {std::string("LD_PRELOAD=") + kFaketimeLib, "FAKETIME=" + faketime,
             "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"};
    }
    test::CommandResult r = test::RunCommand(argv, env);
    all_output_ += r.out + r.err;
    return r;
  }

  // Moves the mock's clock to `offset` seconds ahead of real time.
  void ServerClock(int64_t offset) {
    ASSERT_EQ(mock_.Admin("POST", "/admin/v1/clock", "{\"offset_seconds\":" + std::to_string(offset) + "}").status, 200);
  }

  // `status --json`, parsed; fails the test when it is not JSON.
  rapidjson::Document Status(int64_t offset = 0) {
    return StatusFaked(Offset(offset));
  }
  rapidjson::Document StatusFaked(const std::string& faketime) {
    test::CommandResult r = RunFaked({"status", "--json"}, faketime);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Result<rapidjson::Document> doc = ParseJson(r.out);
    EXPECT_TRUE(doc.ok()) << r.out;
    if (!doc.ok()) return rapidjson::Document();
    return std::move(*doc);
  }

  // FAKETIME for a clock `seconds` ahead ("" for none).
  static std::string Offset(int64_t seconds) {
    return seconds == 0 ? "" : (seconds > 0 ? "+" : "") + std::to_string(seconds);
  }

  static std::string Str(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject() || !v.HasMember(key) || !v[key].IsString()) return "<missing>";
    return v[key].GetString();
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name)) << text << "\n";
    return dir_.File(name);
  }

  test::MockCssmProcess mock_{test::TestSeedPath()};
  test::TempDir dir_;
  std::string all_output_;
};

}  // namespace sl
