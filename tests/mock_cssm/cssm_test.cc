#include "mock_cssm/cssm.h"

#include <gtest/gtest.h>

#include "base/secrets.h"
#include "testing/test_util.h"

namespace sl::mock {
namespace {

constexpr UnixSeconds kStart = 1795851683;  // 2026-11-28T07:41:23Z

class CssmTest : public ::testing::Test {
 protected:
  CssmTest()
      : clock_(kStart),
        cssm_(clock_, PrivateKey::FromPem(test::ReadPki("cssm-signing.key")).value(),
              Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value()) {
    EXPECT_TRUE(cssm_.AddAccount("Acme", true).ok());
    EXPECT_TRUE(cssm_.AddVirtualAccount("Acme", "Video", true).ok());
    EXPECT_TRUE(cssm_.AddVirtualAccount("Acme", "Lab", false).ok());
    EXPECT_TRUE(cssm_.SetLicenseCount("Acme", "Video", "rms", 10).ok());
    EXPECT_TRUE(cssm_.SetLicenseCount("Acme", "Lab", "rms", 1).ok());
  }

  std::string Token(const std::string& va, int64_t max_uses = 10, int64_t days = 30, bool ec = false) {
    TokenSpec spec;
    spec.max_uses = max_uses;
    spec.expires_in_days = days;
    spec.export_controlled = ec;
    return cssm_.CreateToken("Acme", va, spec).value().value;
  }

  Request RegisterRequest(const std::string& token, const std::string& sn = "SN1") {
    Request q;
    q.type = MessageType::kRegister;
    q.message_id = RandomHex(16);
    q.udi = {"EXPWY-VE-L", sn};
    q.token = token;
    q.hostname = "exp-" + sn;
    return q;
  }

  Request For(const std::string& instance_id, MessageType type, std::vector<LicenseCount> usage = {}) {
    Request q;
    q.type = type;
    q.message_id = RandomHex(16);
    q.instance_id = instance_id;
    q.usage = std::move(usage);
    return q;
  }

  SimulatedTimeSource clock_;
  Cssm cssm_;
  PrivateKey device_ = PrivateKey::Generate().value();
};

TEST_F(CssmTest, RegistrationIssuesOneYearCertificateFromServerClock) {
  Response r = cssm_.Register(RegisterRequest(Token("Video", 10, 30, true)), device_.Public());
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(r.smart_account, "Acme");
  EXPECT_EQ(r.virtual_account, "Video");
  EXPECT_TRUE(r.export_controlled);
  Certificate cert = Certificate::FromPem(r.id_certificate_pem).value();
  EXPECT_EQ(cert.NotBefore(), kStart);
  EXPECT_EQ(cert.NotAfter(), kStart + 365 * kDay);
  EXPECT_EQ(r.registration_expires, cert.NotAfter());
  EXPECT_EQ(cert.SubjectCommonName(), r.instance_id);
  EXPECT_TRUE(cert.Key().SameKeyAs(device_.Public()));
  EXPECT_TRUE(cert.VerifyIssuedBy(Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value()).ok());
  const ProductInstance* pi = cssm_.FindInstance(r.instance_id);
  ASSERT_NE(pi, nullptr);
  EXPECT_EQ(pi->hostname.value_or(""), "exp-SN1");
  EXPECT_EQ(pi->cert_serial, cert.SerialHex());
}

TEST_F(CssmTest, UnknownExpiredAndUsedUpTokensAreRefused) {
  EXPECT_EQ(cssm_.Register(RegisterRequest("NO-SUCH-TOKEN"), device_.Public()).error_code,
            error_code::kTokenInvalid);

  std::string short_lived = Token("Video", 10, 1);
  clock_.Advance(kDay);
  Response expired = cssm_.Register(RegisterRequest(short_lived), device_.Public());
  EXPECT_EQ(expired.error_code, error_code::kTokenExpired);
  EXPECT_NE(expired.error_message.find("expired on 2026-11-29T07:41:23Z"), std::string::npos);

  std::string once = Token("Video", 1);
  EXPECT_TRUE(cssm_.Register(RegisterRequest(once, "A"), device_.Public()).ok);
  Response used = cssm_.Register(RegisterRequest(once, "B"), device_.Public());
  EXPECT_EQ(used.error_code, error_code::kTokenUsedUp);
  EXPECT_EQ(cssm_.instances().size(), 1u);
}

TEST_F(CssmTest, ExportControlledTokensNeedPermission) {
  TokenSpec spec;
  spec.export_controlled = true;
  EXPECT_EQ(cssm_.CreateToken("Acme", "Lab", spec).status().code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(cssm_.AddAccount("Barred", false).ok());
  ASSERT_TRUE(cssm_.AddVirtualAccount("Barred", "Default", true).ok());
  EXPECT_EQ(cssm_.CreateToken("Barred", "Default", spec).status().code(), StatusCode::kPermissionDenied);
  spec.export_controlled = false;
  EXPECT_TRUE(cssm_.CreateToken("Barred", "Default", spec).ok());
}

TEST_F(CssmTest, AdministrationRejectsBadInput) {
  EXPECT_EQ(cssm_.AddAccount("Acme", true).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(cssm_.AddAccount("a/b", true).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cssm_.AddAccount("", true).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cssm_.AddVirtualAccount("Nobody", "x", true).code(), StatusCode::kNotFound);
  EXPECT_EQ(cssm_.SetLicenseCount("Acme", "Video", "bad tag", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cssm_.SetLicenseCount("Acme", "Video", "rms", -1).code(), StatusCode::kInvalidArgument);
  TokenSpec spec;
  spec.expires_in_days = 0;
  EXPECT_EQ(cssm_.CreateToken("Acme", "Video", spec).status().code(), StatusCode::kInvalidArgument);
  spec.expires_in_days = 30;
  spec.max_uses = 0;
  EXPECT_EQ(cssm_.CreateToken("Acme", "Video", spec).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CssmTest, AuthorizationIsComputedAgainstTheVirtualAccountPool) {
  std::string token = Token("Video");
  Response a = cssm_.Register(RegisterRequest(token, "A"), device_.Public());
  Response b = cssm_.Register(RegisterRequest(token, "B"), device_.Public());

  Response ra = cssm_.Authorize(For(a.instance_id, MessageType::kAuthorize, {{"rms", 6}}), a.instance_id);
  ASSERT_TRUE(ra.ok);
  ASSERT_EQ(ra.licenses.size(), 1u);
  EXPECT_EQ(ra.licenses[0].status, kTagAuthorized);
  EXPECT_EQ(ra.authorization_status, kOverallAuthorized);
  EXPECT_EQ(ra.authorization_expires, kStart + 90 * kDay);

  // 6 + 5 > 10: the account is out of compliance, for both instances.
  Response rb = cssm_.Authorize(For(b.instance_id, MessageType::kAuthorize, {{"rms", 5}, {"nope", 1}}),
                                b.instance_id);
  EXPECT_EQ(rb.licenses[0].tag, "nope");
  EXPECT_EQ(rb.licenses[0].status, kTagInvalid);
  EXPECT_EQ(rb.licenses[1].status, kTagOutOfCompliance);
  EXPECT_EQ(rb.authorization_status, kOverallOutOfCompliance);
  Response again = cssm_.ReportUsage(For(a.instance_id, MessageType::kReportUsage, {{"rms", 6}}), a.instance_id);
  EXPECT_EQ(again.licenses[0].status, kTagOutOfCompliance);
  EXPECT_EQ(again.authorization_expires, 0);  // a usage report does not renew authorization

  auto pool = cssm_.Licenses("Acme", "Video").value();
  ASSERT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool[0].owned, 10);
  EXPECT_EQ(pool[0].in_use, 11);
  EXPECT_EQ(pool[0].status, kTagOutOfCompliance);

  // Deregistering B releases its 5 at once.
  EXPECT_TRUE(cssm_.Deregister(For(b.instance_id, MessageType::kDeregister), b.instance_id).ok);
  pool = cssm_.Licenses("Acme", "Video").value();
  EXPECT_EQ(pool[0].in_use, 6);
  EXPECT_EQ(pool[0].status, kTagAuthorized);
  EXPECT_EQ(cssm_.FindInstance(b.instance_id), nullptr);
}

TEST_F(CssmTest, NoUsageMeansNoLicensesInUse) {
  Response reg = cssm_.Register(RegisterRequest(Token("Video")), device_.Public());
  Response r = cssm_.Authorize(For(reg.instance_id, MessageType::kAuthorize, {{"rms", 0}}), reg.instance_id);
  EXPECT_EQ(r.authorization_status, kOverallNoLicensesInUse);
}

TEST_F(CssmTest, ReregistrationWithAnotherVirtualAccountsTokenMovesTheInstance) {
  Response first = cssm_.Register(RegisterRequest(Token("Video")), device_.Public());
  cssm_.Authorize(For(first.instance_id, MessageType::kAuthorize, {{"rms", 1}}), first.instance_id);
  PrivateKey new_key = PrivateKey::Generate().value();
  Response moved = cssm_.Register(RegisterRequest(Token("Lab")), new_key.Public());
  ASSERT_TRUE(moved.ok);
  EXPECT_EQ(moved.instance_id, first.instance_id);
  EXPECT_EQ(moved.virtual_account, "Lab");
  EXPECT_EQ(cssm_.instances().size(), 1u);
  EXPECT_EQ(cssm_.Licenses("Acme", "Video").value()[0].in_use, 0);
  EXPECT_EQ(cssm_.Licenses("Acme", "Lab").value()[0].in_use, 1);
  EXPECT_NE(cssm_.FindInstance(first.instance_id)->cert_serial,
            Certificate::FromPem(first.id_certificate_pem)->SerialHex());
}

TEST_F(CssmTest, IdCertificateRenewalExtendsFromNowAndUpdatesHostname) {
  Response reg = cssm_.Register(RegisterRequest(Token("Video")), device_.Public());
  clock_.Advance(180 * kDay);
  Request renew = For(reg.instance_id, MessageType::kRenewId);
  renew.hostname = std::nullopt;  // privacy switched on
  Response r = cssm_.RenewIdCertificate(renew, reg.instance_id);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.registration_expires, kStart + 180 * kDay + 365 * kDay);
  EXPECT_FALSE(cssm_.FindInstance(reg.instance_id)->hostname.has_value());
  EXPECT_TRUE(Certificate::FromPem(r.id_certificate_pem)->Key().SameKeyAs(device_.Public()));
}

std::string SerialOf(const Response& r) { return Certificate::FromPem(r.id_certificate_pem).value().SerialHex(); }

TEST_F(CssmTest, ARegistrationRetriedWithTheSameTokenUdiAndKeyTakesNoFurtherUse) {
  std::string token = Token("Video", /*max_uses=*/2, /*days=*/1);
  Request registration = RegisterRequest(token);
  Response lost = cssm_.Register(registration, device_.Public());
  ASSERT_TRUE(lost.ok) << lost.error_message;
  registration.message_id = RandomHex(16);
  Response retried = cssm_.Register(registration, device_.Public());
  ASSERT_TRUE(retried.ok) << retried.error_message;
  EXPECT_EQ(retried.instance_id, lost.instance_id);
  EXPECT_NE(SerialOf(retried), SerialOf(lost));
  EXPECT_EQ(cssm_.FindInstance(lost.instance_id)->cert_serial, SerialOf(retried));
  // One use spent: a second device takes the other, a third finds none left.
  EXPECT_TRUE(cssm_.Register(RegisterRequest(token, "SN2"), PrivateKey::Generate()->Public()).ok);
  EXPECT_EQ(cssm_.Register(RegisterRequest(token, "SN3"), PrivateKey::Generate()->Public()).error_code,
            "token_used_up");
  // Used up and expired since, the token still answers the retry.
  clock_.Advance(2 * kDay);
  registration.message_id = RandomHex(16);
  Response late = cssm_.Register(registration, device_.Public());
  EXPECT_TRUE(late.ok) << late.error_message;
  EXPECT_EQ(cssm_.instances().size(), 2u);
}

TEST_F(CssmTest, ARenewalPresentingThePreviousCertificateIsIssuedForItsKey) {
  Response first = cssm_.Register(RegisterRequest(Token("Video")), device_.Public());
  PrivateKey new_key = PrivateKey::Generate().value();
  ASSERT_TRUE(cssm_.Register(RegisterRequest(Token("Lab")), new_key.Public()).ok);  // lost
  Request renew = For(first.instance_id, MessageType::kRenewId);
  renew.cert_serial = SerialOf(first);
  Response renewed = cssm_.RenewIdCertificate(renew, first.instance_id);
  ASSERT_TRUE(renewed.ok) << renewed.error_message;
  EXPECT_TRUE(Certificate::FromPem(renewed.id_certificate_pem)->Key().SameKeyAs(device_.Public()));
}

TEST_F(CssmTest, ManualRemovalForgetsTheInstance) {
  Response reg = cssm_.Register(RegisterRequest(Token("Video")), device_.Public());
  EXPECT_TRUE(cssm_.RemoveInstance(reg.instance_id).ok());
  EXPECT_EQ(cssm_.RemoveInstance(reg.instance_id).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sl::mock
