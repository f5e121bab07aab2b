// End-to-end: configuration as operators really give it (issue 11). Relative paths
// typed in one directory must still work for the daemon, which has none; changing one
// transport option keeps the others; the identity of a registered device cannot be
// changed behind CSSM's back; a certificate that cannot be the CSSM trust anchor is
// refused when it is set. The fixture is in slagent_fixture.h.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "smartlicensing/time_source.h"
#include "smartlicensing/transport.h"
#include "testing/test_util.h"
#include "slagent_fixture.h"

namespace sl {
namespace {

using test::CommandResult;

class SlagentConfigTest : public SlagentTest {
 protected:
  // slagent run from the working directory `cwd`, with this test's state directory
  // given as `state_dir` (relative to `cwd`, or absolute).
  CommandResult RunIn(const std::string& cwd, const std::string& state_dir, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd, SL_SLAGENT_BINARY,
                                     "--state-dir", state_dir};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::RunCommand(argv);
  }

  void Register() {
    ASSERT_EQ(Run({"enable"}).exit_code, 0);
    CommandResult r = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static std::string Transport(const rapidjson::Document& s, const char* key) {
    return s.HasMember("transport") ? Str(s["transport"], key) : "<missing>";
  }
};

TEST_F(SlagentConfigTest, ACaBundleGivenByARelativePathStillWorksFromAnotherDirectoryAfterTheFileIsGone) {
  std::filesystem::create_directories(dir_.File("work"));
  std::filesystem::copy_file(test::PkiPath("tls-ca.crt"), dir_.File("work/ca.pem"));
  CommandResult set = RunIn(dir_.File("work"), "../state", {"transport", "direct", "--ca-bundle", "ca.pem"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  std::filesystem::remove(dir_.File("work/ca.pem"));  // the operator tidies up

  // From "/", as the systemd service runs, with the absolute state directory.
  ASSERT_EQ(RunIn("/", dir_.File("state"), {"enable"}).exit_code, 0);
  CommandResult reg = RunIn("/", dir_.File("state"), {"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  CommandResult renew = RunIn("/", dir_.File("state"), {"renew", "auth"});
  EXPECT_EQ(renew.exit_code, 0) << renew.err;
  std::string bundle = Transport(Status(), "ca_bundle");
  EXPECT_EQ(bundle.rfind(dir_.File("state") + "/ca-bundle.", 0), 0u) << "the copy in the state directory: " << bundle;
}

TEST_F(SlagentConfigTest, AMissingOrUnreadableCaBundleIsRefusedAtOnceAndChangesNothing) {
  const std::string before = Transport(Status(), "ca_bundle");
  CommandResult missing = Run({"transport", "direct", "--ca-bundle", dir_.File("nope.pem")});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("nope.pem"), std::string::npos) << missing.err;
  CommandResult not_pem = Run({"transport", "direct", "--ca-bundle", WriteFile("junk.pem", "not a certificate")});
  EXPECT_EQ(not_pem.exit_code, 2);
  EXPECT_NE(not_pem.err.find("no PEM certificate"), std::string::npos) << not_pem.err;
  EXPECT_EQ(Transport(Status(), "ca_bundle"), before);
}

TEST_F(SlagentConfigTest, ChangingOneTransportOptionKeepsTheOthers) {
  const std::string url = mock_.direct_url();
  const std::string bundle = Transport(Status(), "ca_bundle");
  ASSERT_EQ(Run({"transport", "direct", "--timeout", "7"}).exit_code, 0);
  rapidjson::Document s = Status();
  EXPECT_EQ(Transport(s, "url"), url) << "a custom URL survives another option's change";
  EXPECT_EQ(Transport(s, "ca_bundle"), bundle);
  // Only the copy in use is kept.
  ASSERT_EQ(Run({"transport", "direct", "--ca-bundle", test::PkiPath("other-ca.crt")}).exit_code, 0);
  ASSERT_EQ(Run({"transport", "direct", "--ca-bundle", test::PkiPath("tls-ca.crt")}).exit_code, 0);
  int copies = 0;
  for (const std::string& name : test::DirectoryEntries(dir_.File("state"))) copies += name.rfind("ca-bundle.", 0) == 0;
  EXPECT_EQ(copies, 1);

  ASSERT_EQ(Run({"transport", "direct", "--url", "default", "--ca-bundle", "system"}).exit_code, 0);
  s = Status();
  EXPECT_EQ(Transport(s, "url"), kDefaultCssmUrl);
  EXPECT_EQ(Transport(s, "ca_bundle"), "");
}

TEST_F(SlagentConfigTest, TheProxyPasswordIsKeptWhenAnotherOptionChanges) {
  const std::string password = WriteFile("password", "s3cret-pw");
  ASSERT_EQ(Run({"transport", "proxy", "--address", "127.0.0.1", "--port", "3128", "--username", "alice",
                 "--password-file", password}).exit_code, 0);
  ASSERT_EQ(Run({"transport", "proxy", "--port", "3129"}).exit_code, 0);
  rapidjson::Document s = Status();
  ASSERT_TRUE(s["transport"].HasMember("proxy"));
  EXPECT_EQ(s["transport"]["proxy"]["port"].GetInt(), 3129);
  EXPECT_EQ(Str(s["transport"]["proxy"], "username"), "alice");
  EXPECT_TRUE(s["transport"]["proxy"]["password_set"].GetBool());
  EXPECT_EQ(Transport(s, "url"), mock_.direct_url());
}

TEST_F(SlagentConfigTest, TheIdentityOfARegisteredDeviceCannotChangeUntilItDeregisters) {
  Register();
  CommandResult r = Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "OTHER"});
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.err.find("deregister first"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(Str(Status(), "instance_id")), std::string::npos) << "names the instance: " << r.err;
  EXPECT_EQ(Str(Status(), "registration_status"), "Registered");
  EXPECT_NE(Run({"identity"}).out.find("0A1B2C3D"), std::string::npos);

  // The host name may change: the agent tells CSSM with the next renewal.
  EXPECT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "0A1B2C3D", "--hostname", "exp2"}).exit_code, 0);
  EXPECT_EQ(Str(Status(), "registration_status"), "Registered");

  ASSERT_EQ(Run({"deregister"}).exit_code, 0);
  EXPECT_EQ(Run({"identity", "--product-id", "EXPWY-VE-L", "--serial", "OTHER"}).exit_code, 0);
}

TEST_F(SlagentConfigTest, ACertificateThatCannotBeTheTrustAnchorIsRefusedWhenSet) {
  // The TLS server certificate: not a CA.
  CommandResult leaf = Run({"trust-anchor", test::PkiPath("server.crt")});
  EXPECT_EQ(leaf.exit_code, 2);
  EXPECT_NE(leaf.err.find("not a CA certificate"), std::string::npos) << leaf.err;
  EXPECT_NE(leaf.err.find("CSSM signing certificate"), std::string::npos) << leaf.err;

  // A CA with an RSA key.
  const std::string key = dir_.File("rsa.key");
  const std::string crt = dir_.File("rsa.crt");
  CommandResult made = test::RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                         key, "-out", crt, "-days", "30", "-subj", "/CN=RSA CA", "-addext",
                                         "basicConstraints=critical,CA:TRUE"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  CommandResult rsa = Run({"trust-anchor", crt});
  EXPECT_EQ(rsa.exit_code, 2);
  EXPECT_NE(rsa.err.find("EC P-256"), std::string::npos) << rsa.err;

  // The right certificate on a clock 30 years ahead: expired by then.
  CommandResult late = Run({"trust-anchor", test::PkiPath("cssm-signing.crt")}, 30 * 365 * kDay);
  EXPECT_EQ(late.exit_code, 2);
  EXPECT_NE(late.err.find("expired"), std::string::npos) << late.err;

  // Nothing refused replaced the anchor that works.
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  EXPECT_EQ(Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}).exit_code, 0);
}

TEST_F(SlagentConfigTest, MessagesSpeakOfTheCommandLineAndNameWhatIsLeftOnCssm) {
  Register();
  CommandResult again = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  EXPECT_EQ(again.exit_code, 6);
  EXPECT_NE(again.err.find("add --reregister"), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("select"), std::string::npos) << "no web-page check box: " << again.err;

  const std::string instance = Str(Status(), "instance_id");
  CommandResult reset = Run({"factory-reset", "--yes"});
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.out.find("Warning: product instance " + instance), std::string::npos) << reset.out;
  EXPECT_NE(reset.out.find("still registered on CSSM"), std::string::npos) << reset.out;
  EXPECT_EQ(mock_.Admin("GET", "/admin/v1/product-instances/" + instance).status, 200) << "it is, indeed";
}

TEST_F(SlagentConfigTest, ATokenFileOfDashIsReadFromStandardInput) {
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  CommandResult r = test::RunCommand({"/bin/sh", "-c", "printf 'TEST-TOKEN-EXPRESSWAY\\n' | \"$0\" \"$@\"",
                                      SL_SLAGENT_BINARY, "--state-dir", dir_.File("state"), "register",
                                      "--token-file", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Str(Status(), "registration_status"), "Registered");
}

TEST_F(SlagentConfigTest, TheTlsCaAsTrustAnchorIsAConfigurationProblemWithItsOwnExitCode) {
  // The TLS CA passes the certificate checks (it is a P-256 CA), but CSSM's replies are
  // not signed by it.
  ASSERT_EQ(Run({"trust-anchor", test::PkiPath("tls-ca.crt")}).exit_code, 0);
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  CommandResult r = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("Test TLS CA"), std::string::npos) << "names the anchor: " << r.err;
  EXPECT_NE(r.err.find("CSSM signing certificate"), std::string::npos) << r.err;
  rapidjson::Document s = Status();
  EXPECT_EQ(Str(s, "communication_problem"), "trust");
  EXPECT_NE(Run({"status"}).out.find("Communication problem:"), std::string::npos);

  // Fixed, the retry registers: no new token is needed.
  ASSERT_EQ(Run({"trust-anchor", test::PkiPath("cssm-signing.crt")}).exit_code, 0);
  CommandResult fixed = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(Str(Status(), "communication_problem"), "none");
}

TEST_F(SlagentConfigTest, AWrongUrlPathIsAConfigurationProblemNotAnOutage) {
  const std::string url = mock_.direct_url();
  ASSERT_EQ(Run({"transport", "direct", "--url", url.substr(0, url.find('/', 8)) + "/no/such/path"}).exit_code, 0);
  ASSERT_EQ(Run({"enable"}).exit_code, 0);
  CommandResult r = Run({"register", "--token", "TEST-TOKEN-EXPRESSWAY"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("check the URL path"), std::string::npos) << r.err;
}

TEST_F(SlagentConfigTest, ADeregistrationCssmDidNotHearOfNamesTheInstanceToRemove) {
  Register();
  const std::string instance = Str(Status(), "instance_id");
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":503,"count":10})").status, 201);
  CommandResult text = Run({"deregister"});
  EXPECT_EQ(text.exit_code, 4) << text.out << text.err;
  EXPECT_NE(text.out.find("Remove product instance " + instance), std::string::npos) << text.out;
  EXPECT_EQ(Str(Status(), "registration_status"), "Unregistered") << "forgotten locally";
  EXPECT_NE(Run({"events"}).out.find(instance), std::string::npos) << "and the event names it too";
}

TEST_F(SlagentConfigTest, ADeregistrationInJsonGivesTheInstanceAndWhetherCssmReleasedIt) {
  Register();
  const std::string instance = Str(Status(), "instance_id");
  ASSERT_EQ(mock_.Admin("POST", "/admin/v1/faults", R"({"kind":"status","status":503,"count":10})").status, 201);
  CommandResult r = Run({"deregister", "--json"});
  EXPECT_EQ(r.exit_code, 4);
  Result<rapidjson::Document> doc = ParseJson(r.out);
  ASSERT_TRUE(doc.ok()) << r.out;
  EXPECT_EQ(Str((*doc)["result"], "instance_id"), instance);
  EXPECT_FALSE((*doc)["result"]["released_on_server"].GetBool());
}

}  // namespace
}  // namespace sl
