#include "mock_cssm/licensing_service.h"

#include <cstdio>
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/json.h"
#include "base/secrets.h"
#include "testing/test_device.h"
#include "testing/test_util.h"

namespace sl::mock {
namespace {

constexpr UnixSeconds kStart = 1795851683;

class LicensingServiceTest : public ::testing::Test {
 protected:
  LicensingServiceTest()
      : clock_(kStart),
        cssm_(clock_, SigningKey(), Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value()),
        service_(cssm_, mutex_, SigningKey(), /*max_clock_skew_seconds=*/300) {
    EXPECT_TRUE(cssm_.AddAccount("Acme", true).ok());
    EXPECT_TRUE(cssm_.AddVirtualAccount("Acme", "Video", true).ok());
    EXPECT_TRUE(cssm_.SetLicenseCount("Acme", "Video", "rms", 10).ok());
    TokenSpec spec;
    spec.value = "TOKEN-VIDEO-0001";
    spec.max_uses = 100;
    EXPECT_TRUE(cssm_.CreateToken("Acme", "Video", spec).ok());
  }

  // Creates a token of one use in Acme/Video; returns its value.
  std::string OneUseToken(const std::string& value) {
    TokenSpec spec;
    spec.value = value;
    EXPECT_TRUE(cssm_.CreateToken("Acme", "Video", spec).ok());
    return value;
  }

  static PrivateKey SigningKey() { return PrivateKey::FromPem(test::ReadPki("cssm-signing.key")).value(); }

  test::TestDevice Device(const std::string& sn = "SN1") {
    return test::TestDevice(
        [this](const std::string& envelope) {
          LicensingReply r = service_.Handle(envelope);
          return std::make_pair(r.http_status, r.body);
        },
        Udi{"EXPWY-VE-L", sn}, [this] { return clock_.Now(); });
  }

  SimulatedTimeSource clock_;
  std::mutex mutex_;
  Cssm cssm_;
  LicensingService service_;
};

TEST_F(LicensingServiceTest, FullLifecycleWithSignedResponses) {
  test::TestDevice device = Device();
  test::Exchange reg = device.Register("TOKEN-VIDEO-0001");
  ASSERT_TRUE(reg.verified.ok()) << reg.verified.ToString();
  ASSERT_TRUE(reg.response.ok) << reg.response.error_message;
  EXPECT_EQ(reg.http_status, 200);
  EXPECT_FALSE(device.instance_id().empty());

  test::Exchange auth = device.Authorize({{"rms", 3}});
  ASSERT_TRUE(auth.verified.ok());
  EXPECT_TRUE(auth.response.ok) << auth.response.error_message;
  EXPECT_EQ(auth.response.authorization_status, "Authorized");

  clock_.Advance(180 * kDay);
  test::Exchange renew = device.RenewId();
  ASSERT_TRUE(renew.response.ok) << renew.response.error_message;
  EXPECT_EQ(renew.response.registration_expires, kStart + (180 + 365) * kDay);

  // The device now signs with the renewed certificate.
  EXPECT_TRUE(device.Deregister().response.ok);
  EXPECT_TRUE(cssm_.instances().empty());
}

TEST_F(LicensingServiceTest, EveryRefusalIsSignedAndRepliesToTheRequest) {
  test::TestDevice device = Device();
  test::Exchange bad = device.Register("NO-SUCH-TOKEN-1");
  ASSERT_TRUE(bad.verified.ok()) << bad.verified.ToString();
  EXPECT_FALSE(bad.response.ok);
  EXPECT_EQ(bad.response.error_code, "token_invalid");
  EXPECT_EQ(bad.http_status, 403);
  EXPECT_EQ(bad.response.type, MessageType::kRegister);
  EXPECT_FALSE(bad.response.in_reply_to.empty());
}

TEST_F(LicensingServiceTest, MalformedRequestsGet400WithTheProblemNamed) {
  test::TestDevice device = Device();
  for (const std::string& raw : {std::string("not json"), std::string(R"({"body":"x"})"),
                                 std::string(R"({"body":"{}","signature":"AAAA"})")}) {
    test::Exchange e = device.SendRaw(raw);
    ASSERT_TRUE(e.verified.ok()) << raw;
    EXPECT_EQ(e.http_status, 400) << raw;
    EXPECT_EQ(e.response.error_code, "malformed_request");
    EXPECT_FALSE(e.response.error_message.empty());
  }
  Request q = device.NewRequest(MessageType::kAuthorize);
  q.usage = {{"rms", 1}};
  std::string body = EncodeRequest(q).value();
  body.replace(body.find("\"count\":1"), 9, "\"count\":\"1\"");
  test::Exchange typed = device.SendRaw(SealMessage(body, device.key()).value());
  EXPECT_EQ(typed.response.error_message, "field 'request.usage[0].count' must be an integer");
}

TEST_F(LicensingServiceTest, NewerProtocolVersionIsRefusedAsUnsupported) {
  test::TestDevice device = Device();
  std::string body = EncodeRequest(device.NewRequest(MessageType::kRegister)).value();
  body.replace(body.find("\"protocol\":1"), 12, "\"protocol\":2");
  test::Exchange e = device.SendRaw(SealMessage(body, device.key()).value());
  EXPECT_EQ(e.response.error_code, "unsupported_protocol");
}

TEST_F(LicensingServiceTest, RegistrationMustBeSignedByTheKeyInTheCsr) {
  test::TestDevice device = Device();
  Request q = device.NewRequest(MessageType::kRegister);
  q.token = "TOKEN-VIDEO-0001";
  q.csr_pem = MakeCertificateRequest(device.key(), "x").value();
  test::Exchange e = device.SendSignedBy(q, PrivateKey::Generate().value());
  EXPECT_EQ(e.response.error_code, "bad_signature");
  EXPECT_EQ(e.http_status, 401);
  EXPECT_TRUE(cssm_.instances().empty());
}

TEST_F(LicensingServiceTest, ForgedRequestFromAnotherKeyIsRefused) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  Request q = device.NewRequest(MessageType::kDeregister);
  test::Exchange e = device.SendSignedBy(q, PrivateKey::Generate().value());
  EXPECT_EQ(e.response.error_code, "bad_signature");
  EXPECT_EQ(cssm_.instances().size(), 1u);
}

TEST_F(LicensingServiceTest, AlteredBodyFailsTheSignature) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  Request q = device.NewRequest(MessageType::kAuthorize);
  q.usage = {{"rms", 1}};
  SignedMessage m = OpenEnvelope(SealMessage(EncodeRequest(q).value(), device.key()).value()).value();
  std::string body = m.body;
  body.replace(body.find("\"count\":1"), 9, "\"count\":9");
  JsonWriter w;
  w.StartObject().Field("body", body).Field("signature", Base64Encode(m.signature)).EndObject();
  EXPECT_EQ(device.SendRaw(w.str()).response.error_code, "bad_signature");
}

TEST_F(LicensingServiceTest, ReplayedMessageIsRefused) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  Request q = device.NewRequest(MessageType::kAuthorize);
  std::string envelope = SealMessage(EncodeRequest(q).value(), device.key()).value();
  EXPECT_TRUE(device.SendRaw(envelope).response.ok);
  test::Exchange replay = device.SendRaw(envelope);
  EXPECT_EQ(replay.response.error_code, "replayed_message");
  EXPECT_EQ(replay.http_status, 401);
}

// Issue 12, defect 2: requests anyone can send (a token this CSSM never issued, signed
// by the sender's own CSR key; no signature at all) used to fill the replay cache
// before any authentication, after which every genuine device was refused.
TEST_F(LicensingServiceTest, AFloodOfUnauthenticatedRequestsDoesNotLockOutADevice) {
  test::TestDevice attacker = Device("SN-FLOOD");
  Request unsigned_request = attacker.NewRequest(MessageType::kAuthorize);
  for (size_t i = 0; i < kMaxRememberedPerSender + 10; ++i) {
    EXPECT_FALSE(attacker.Register("NOT-ISSUED-0001").response.ok);
    char id[33];
    std::snprintf(id, sizeof id, "%032zx", i);  // a well-formed id, never signed
    unsigned_request.message_id = id;
    JsonWriter w;
    w.StartObject().Field("body", EncodeRequest(unsigned_request).value()).Field("signature", "").EndObject();
    EXPECT_FALSE(attacker.SendRaw(w.str()).response.ok);
  }

  test::TestDevice device = Device("SN1");
  test::Exchange reg = device.Register("TOKEN-VIDEO-0001");
  ASSERT_TRUE(reg.response.ok) << reg.response.error_message;
  test::Exchange renew = device.RenewId();
  EXPECT_TRUE(renew.response.ok) << renew.response.error_message;

  // A genuine replay is still refused.
  std::string envelope = SealMessage(EncodeRequest(device.NewRequest(MessageType::kAuthorize)).value(), device.key()).value();
  EXPECT_TRUE(device.SendRaw(envelope).response.ok);
  EXPECT_EQ(device.SendRaw(envelope).response.error_code, "replayed_message");
}

// A sender that floods its own share is refused; other senders are not.
TEST_F(LicensingServiceTest, OneInstanceFloodingItsShareDoesNotRefuseAnother) {
  test::TestDevice noisy = Device("SN1");
  test::TestDevice quiet = Device("SN2");
  ASSERT_TRUE(noisy.Register("TOKEN-VIDEO-0001").response.ok);
  ASSERT_TRUE(quiet.Register("TOKEN-VIDEO-0001").response.ok);
  test::Exchange last;
  for (size_t i = 0; i <= kMaxRememberedPerSender; ++i) last = noisy.Authorize({});
  EXPECT_EQ(last.response.error_code, "internal_error");
  EXPECT_TRUE(quiet.Authorize({}).response.ok);
  clock_.Advance(2 * 300 + 1);  // the window passes: the noisy one's ids are forgotten
  EXPECT_TRUE(noisy.Authorize({}).response.ok);
}

TEST_F(LicensingServiceTest, StaleOrFutureMessagesAreRefused) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  for (int64_t skew : {-301, 301}) {
    Request q = device.NewRequest(MessageType::kAuthorize);
    q.sent_at += skew;
    EXPECT_EQ(device.Send(q).response.error_code, "stale_message") << skew;
  }
  Request ok = device.NewRequest(MessageType::kAuthorize);
  ok.sent_at -= 299;
  EXPECT_TRUE(device.Send(ok).response.ok);
}

TEST_F(LicensingServiceTest, UnknownInstanceAndOldCertificateAreRefused) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  Request stranger = device.NewRequest(MessageType::kAuthorize);
  stranger.instance_id = "PI-nobody";
  EXPECT_EQ(device.Send(stranger).response.error_code, "unknown_instance");

  Request old_cert = device.NewRequest(MessageType::kAuthorize);
  ASSERT_TRUE(device.RenewId().response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);  // the device moved on to the new certificate
  EXPECT_EQ(device.Send(old_cert).response.error_code, "certificate_mismatch");

  Request other_udi = device.NewRequest(MessageType::kAuthorize);
  other_udi.udi.serial_number = "SOMEONE-ELSE";
  EXPECT_EQ(device.Send(other_udi).response.error_code, "certificate_mismatch");
}

TEST_F(LicensingServiceTest, ExpiredRegistrationIsRefusedButMayStillDeregister) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  clock_.Advance(365 * kDay);
  test::Exchange e = device.Authorize({{"rms", 1}});
  EXPECT_EQ(e.response.error_code, "registration_expired");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(device.RenewId().response.error_code, "registration_expired");
  EXPECT_TRUE(device.Deregister().response.ok);
}

TEST_F(LicensingServiceTest, ResponsesCarryTheServerTimeAndRequestId) {
  test::TestDevice device = Device();
  Request q = device.NewRequest(MessageType::kRegister);
  q.token = "TOKEN-VIDEO-0001";
  q.csr_pem = MakeCertificateRequest(device.key(), "x").value();
  test::Exchange e = device.Send(q);
  EXPECT_EQ(e.response.in_reply_to, q.message_id);
  EXPECT_EQ(e.response.server_time, kStart);
}

// --- Lost replies (docs/protocol.md): a retry converges without a new token ----------

// `q` again, as a retry: the same content under a new message id.
Request Again(Request q) {
  q.message_id = RandomHex(16);
  return q;
}

// `device`'s registration with `token`, its CSR made with `key` (send it signed by `key`).
Request RegistrationWith(test::TestDevice& device, const std::string& token, const PrivateKey& key) {
  Request q = device.NewRequest(MessageType::kRegister);
  q.instance_id.clear();
  q.token = token;
  q.csr_pem = MakeCertificateRequest(key, "x").value();
  return q;
}

TEST_F(LicensingServiceTest, AfterALostRenewalReplyThePreviousCertificateWorksUntilTheNewOneIsUsed) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);
  Request with_old = device.NewRequest(MessageType::kAuthorize);
  ASSERT_TRUE(device.RenewId().response.ok);  // the server rotated; say the answer was lost
  EXPECT_TRUE(device.Send(with_old).response.ok) << "the device still holds the old certificate";
  EXPECT_TRUE(device.Send(Again(with_old)).response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);  // now it uses the new one
  EXPECT_EQ(device.Send(Again(with_old)).response.error_code, "certificate_mismatch");
}

TEST_F(LicensingServiceTest, TwoLostRenewalsInARowStillAcceptTheCertificateTheDeviceHolds) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);
  Request with_old = device.NewRequest(MessageType::kAuthorize);
  Request renewal = device.NewRequest(MessageType::kRenewId);
  test::Exchange first = device.Send(renewal);  // lost
  ASSERT_TRUE(first.response.ok);
  test::Exchange second = device.Send(Again(renewal));  // retried with the old one, lost again
  ASSERT_TRUE(second.response.ok) << second.response.error_message;
  EXPECT_NE(second.response.id_certificate_pem, first.response.id_certificate_pem);
  EXPECT_TRUE(device.Send(with_old).response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);  // the device got the second one at last
  EXPECT_EQ(device.Send(Again(with_old)).response.error_code, "certificate_mismatch");
}

TEST_F(LicensingServiceTest, ARegistrationRetriedAfterALostReplyUsesTheTokenOnce) {
  TokenSpec spec;
  spec.value = "TOKEN-TWO-USES-01";
  spec.max_uses = 2;
  ASSERT_TRUE(cssm_.CreateToken("Acme", "Video", spec).ok());
  test::TestDevice device = Device();
  Request registration = RegistrationWith(device, spec.value, device.key());
  test::Exchange lost = device.Send(registration);
  ASSERT_TRUE(lost.response.ok);
  test::Exchange retried = device.Send(Again(registration));
  ASSERT_TRUE(retried.response.ok) << retried.response.error_message;
  EXPECT_EQ(retried.response.instance_id, lost.response.instance_id);
  EXPECT_TRUE(device.Authorize({}).response.ok);
  // One use left: another device still registers with the token, a third does not.
  EXPECT_TRUE(Device("SN2").Register(spec.value).response.ok);
  EXPECT_EQ(Device("SN3").Register(spec.value).response.error_code, "token_used_up");
}

TEST_F(LicensingServiceTest, TheSameTokenWithAnotherKeyOrUdiIsNotARetry) {
  const std::string token = OneUseToken("TOKEN-ONE-USE-001");
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register(token).response.ok);
  PrivateKey other = PrivateKey::Generate().value();
  Request q = RegistrationWith(device, token, other);
  EXPECT_EQ(device.SendSignedBy(q, other).response.error_code, "token_used_up");
  // The same token and key for another UDI: another device's registration.
  test::TestDevice sn2 = Device("SN2");
  Request elsewhere = RegistrationWith(sn2, token, device.key());
  EXPECT_EQ(device.Send(elsewhere).response.error_code, "token_used_up");
  EXPECT_EQ(cssm_.instances().size(), 1u);
}

TEST_F(LicensingServiceTest, ThePreviousCertificateServesEveryMessageType) {
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  Request report = device.NewRequest(MessageType::kReportUsage);
  report.usage = {{"rms", 2}};
  Request deregistration = device.NewRequest(MessageType::kDeregister);
  ASSERT_TRUE(device.RenewId().response.ok);  // lost
  test::Exchange reported = device.Send(report);
  ASSERT_TRUE(reported.response.ok) << reported.response.error_message;
  EXPECT_EQ(reported.response.authorization_status, "Authorized");
  test::Exchange deregistered = device.Send(deregistration);
  EXPECT_TRUE(deregistered.response.ok) << deregistered.response.error_message;
  EXPECT_TRUE(cssm_.instances().empty());
}

TEST_F(LicensingServiceTest, AfterALostReRegistrationReplyTheOldKeyWorksAndTheRetrySucceeds) {
  const std::string token = OneUseToken("TOKEN-ONE-USE-002");
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);
  Request with_old = device.NewRequest(MessageType::kAuthorize);
  PrivateKey fresh = PrivateKey::Generate().value();
  Request reregistration = RegistrationWith(device, token, fresh);
  ASSERT_TRUE(device.SendSignedBy(reregistration, fresh).response.ok);  // lost
  EXPECT_TRUE(device.Send(with_old).response.ok) << "signed with the old key and certificate";
  test::Exchange retried = device.SendSignedBy(Again(reregistration), fresh);
  EXPECT_TRUE(retried.response.ok) << retried.response.error_message;
  EXPECT_TRUE(device.Send(Again(with_old)).response.ok) << "still not moved on";
}

TEST_F(LicensingServiceTest, OnceTheReRegisteredKeyIsUsedTheOldOneIsRefused) {
  const std::string token = OneUseToken("TOKEN-ONE-USE-003");
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);
  Request with_old = device.NewRequest(MessageType::kAuthorize);
  PrivateKey fresh = PrivateKey::Generate().value();
  Request reregistration = RegistrationWith(device, token, fresh);
  ASSERT_TRUE(device.SendSignedBy(reregistration, fresh).response.ok);  // lost
  test::Exchange retried = device.SendSignedBy(Again(reregistration), fresh);
  ASSERT_TRUE(retried.response.ok) << retried.response.error_message;
  test::Exchange with_new = device.SendSignedBy(device.NewRequest(MessageType::kAuthorize), fresh);
  EXPECT_TRUE(with_new.response.ok) << with_new.response.error_message;
  // The server no longer holds the old key, so it cannot tell the old certificate's
  // request from a forgery: refused as not signed by the registered key.
  EXPECT_EQ(device.Send(with_old).response.error_code, "bad_signature");
}

TEST_F(LicensingServiceTest, AReRegistrationRetriedAfterARenewalOfTheOldCertificateIsStillARetry) {
  const std::string token = OneUseToken("TOKEN-ONE-USE-004");
  test::TestDevice device = Device();
  ASSERT_TRUE(device.Register("TOKEN-VIDEO-0001").response.ok);
  ASSERT_TRUE(device.Authorize({}).response.ok);
  Request renewal = device.NewRequest(MessageType::kRenewId);
  PrivateKey fresh = PrivateKey::Generate().value();
  Request reregistration = RegistrationWith(device, token, fresh);
  ASSERT_TRUE(device.SendSignedBy(reregistration, fresh).response.ok);  // lost
  // Still on its old key, the device renews its old certificate, then retries.
  test::Exchange renewed = device.Send(renewal);
  ASSERT_TRUE(renewed.response.ok) << renewed.response.error_message;
  test::Exchange retried = device.SendSignedBy(Again(reregistration), fresh);
  ASSERT_TRUE(retried.response.ok) << retried.response.error_message;
  test::Exchange with_new = device.SendSignedBy(device.NewRequest(MessageType::kAuthorize), fresh);
  EXPECT_TRUE(with_new.response.ok) << with_new.response.error_message;
}

}  // namespace
}  // namespace sl::mock
