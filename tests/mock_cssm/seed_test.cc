#include "mock_cssm/seed.h"

#include <gtest/gtest.h>

#include "base/secrets.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_util.h"

namespace sl::mock {
namespace {

class SeedTest : public ::testing::Test {
 protected:
  SeedTest()
      : clock_(1795851683),
        cssm_(clock_, PrivateKey::FromPem(test::ReadPki("cssm-signing.key")).value(),
              Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value()) {}
  SimulatedTimeSource clock_;
  Cssm cssm_;
};

TEST_F(SeedTest, TheSharedTestSeedLoads) {
  ASSERT_TRUE(ApplySeed(cssm_, test::ReadFile(test::TestSeedPath())).ok());
  ASSERT_EQ(cssm_.accounts().count("Acme Video"), 1u);
  const SmartAccount& acme = cssm_.accounts().at("Acme Video");
  EXPECT_EQ(acme.virtual_accounts.at("Expressway").licenses.at("expressway_rms"), 100);
  EXPECT_FALSE(acme.virtual_accounts.at("Lab").export_controlled_allowed);
  EXPECT_FALSE(cssm_.accounts().at("Barred Corp").export_controlled_allowed);
}

TEST_F(SeedTest, TheDemoSeedLoads) {
  EXPECT_TRUE(ApplySeed(cssm_, test::ReadFile(std::string(SL_SOURCE_DIR) + "/demo/seed.json")).ok());
}

TEST_F(SeedTest, SeededTokensRegister) {
  ASSERT_TRUE(ApplySeed(cssm_, R"({"accounts":[{"name":"A","virtual_accounts":[{"name":"V",
      "tokens":[{"token":"FIXED-TOKEN-1","max_uses":1}]}]}]})").ok());
  Request q;
  q.type = MessageType::kRegister;
  q.message_id = RandomHex(16);
  q.udi = {"P", "S"};
  q.token = "FIXED-TOKEN-1";
  EXPECT_TRUE(cssm_.Register(q, PrivateKey::Generate()->Public()).ok);
}

TEST_F(SeedTest, BadSeedsNameTheProblem) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"{", "malformed JSON"},
      {R"({"accounts":{}})", "field 'seed.accounts' must be an array"},
      {R"({"accounts":[{"name":5}]})", "field 'seed.accounts[0].name' must be a string"},
      {R"({"accounts":[{"name":"A","virtual_accounts":[{"name":"V","licenses":{"rms":"10"}}]}]})",
       "field 'seed.accounts[0].virtual_accounts[0].licenses.rms' must be an integer"},
      {R"({"accounts":[{"name":"A"},{"name":"A"}]})", "already exists"},
      {R"({"accounts":[{"name":"A","export_controlled_allowed":false,"virtual_accounts":[{"name":"V",
          "tokens":[{"export_controlled":true}]}]}]})", "not permitted to use export-controlled"},
  };
  for (const Case& c : cases) {
    // A failing seed stops the server from starting, so each case starts afresh.
    Cssm fresh(clock_, PrivateKey::Generate().value(), Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value());
    Status s = ApplySeed(fresh, c.json);
    EXPECT_FALSE(s.ok()) << c.json;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace sl::mock
