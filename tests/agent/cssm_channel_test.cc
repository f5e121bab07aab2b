#include "agent/cssm_channel.h"

#include <gtest/gtest.h>

#include "base/secrets.h"
#include "protocol/envelope.h"
#include "testing/fake_cssm.h"
#include "testing/mocks.h"
#include "testing/test_util.h"

namespace sl {
namespace {

using test::FakeCssm;
using ::testing::_;
using ::testing::Return;

class AgentCssmChannelTest : public ::testing::Test {
 protected:
  AgentCssmChannelTest()
      : clock_(1767225600), cssm_(clock_), channel_(cssm_.signing_cert()),
        device_key_(PrivateKey::Generate().value()) {
    request_.type = MessageType::kAuthorize;
    request_.message_id = RandomHex(16);
    request_.sent_at = clock_.Now();
    request_.udi = {"EXPWY-VE-L", "SN0001"};
    request_.instance_id = "PI-1";
  }

  Response OkResponse() const {
    Response r;
    r.type = MessageType::kAuthorize;
    r.in_reply_to = request_.message_id;
    r.server_time = clock_.Now();
    r.ok = true;
    r.authorization_status = "Authorized";
    r.authorization_expires = clock_.Now() + 90 * kDay;
    return r;
  }

  SimulatedTimeSource clock_;
  FakeCssm cssm_;
  CssmChannel channel_;
  PrivateKey device_key_;
  Request request_;
};

TEST_F(AgentCssmChannelTest, ASignedAnswerToThisRequestIsAccepted) {
  CssmReply e = channel_.Verify(cssm_.Reply(OkResponse()), request_);
  ASSERT_TRUE(e.ok()) << e.reason;
  EXPECT_EQ(e.response.authorization_status, "Authorized");
}

TEST_F(AgentCssmChannelTest, TheRequestIsSignedWithTheDeviceKey) {
  ::testing::StrictMock<test::MockTransport> transport;
  std::string sent;
  EXPECT_CALL(transport, Send(_)).WillOnce([&](std::string_view envelope) {
    sent = std::string(envelope);
    return cssm_.Reply(OkResponse());
  });
  EXPECT_TRUE(channel_.Send(transport, request_, device_key_).ok());
  SignedMessage m = OpenEnvelope(sent).value();
  EXPECT_TRUE(VerifyMessage(m, device_key_.Public()).ok());
  EXPECT_EQ(DecodeRequest(m.body)->message_id, request_.message_id);
}

// Issue 12, defect 4: a request the protocol cannot carry is never sent, and it is a
// configuration problem (the same on every retry), not a passing one.
TEST_F(AgentCssmChannelTest, ARequestTheProtocolCannotCarryIsNotSentAndIsAConfigurationProblem) {
  ::testing::StrictMock<test::MockTransport> transport;  // no Send expected
  request_.hostname = "exp1\x1b]0;owned\x07.example.com";
  CssmReply e = channel_.Send(transport, request_, device_key_);
  EXPECT_EQ(e.outcome, CssmReply::Outcome::kOffline);
  EXPECT_EQ(e.problem, CommunicationProblem::kConfiguration);
  EXPECT_EQ(e.reason,
            "the request could not be encoded: cannot encode the request: field 'request.hostname' must not contain "
            "control characters");
}

TEST_F(AgentCssmChannelTest, AResponseSignedByAnotherKeyIsRefusedAsOffline) {
  PrivateKey forger = PrivateKey::Generate().value();
  CssmReply e = channel_.Verify(cssm_.Reply(OkResponse(), 200, &forger), request_);
  EXPECT_EQ(e.outcome, CssmReply::Outcome::kOffline);
  EXPECT_NE(e.reason.find("signature"), std::string::npos);
}

TEST_F(AgentCssmChannelTest, AnUnsignedResponseIsRefusedAsOffline) {
  TransportReply reply;
  reply.http_status = 200;
  reply.body = EncodeResponse(OkResponse()).value();  // the bare message, no envelope
  CssmReply e = channel_.Verify(reply, request_);
  EXPECT_EQ(e.outcome, CssmReply::Outcome::kOffline);
  EXPECT_NE(e.reason.find("not a signed"), std::string::npos);
}

TEST_F(AgentCssmChannelTest, AResponseToAnotherRequestIsRefusedAsAReplay) {
  Response r = OkResponse();
  r.in_reply_to = RandomHex(16);
  CssmReply e = channel_.Verify(cssm_.Reply(r), request_);
  EXPECT_EQ(e.outcome, CssmReply::Outcome::kOffline);
  EXPECT_NE(e.reason.find("replayed"), std::string::npos);
}

TEST_F(AgentCssmChannelTest, AResponseOfAnotherTypeIsRefused) {
  Response r = OkResponse();
  r.type = MessageType::kReportUsage;
  EXPECT_EQ(channel_.Verify(cssm_.Reply(r), request_).outcome, CssmReply::Outcome::kOffline);
}

TEST_F(AgentCssmChannelTest, ATamperedBodyIsRefused) {
  TransportReply reply = cssm_.Reply(OkResponse());
  size_t at = reply.body.find("Authorized");
  ASSERT_NE(at, std::string::npos);
  reply.body.replace(at, 10, "Authorizex");
  EXPECT_EQ(channel_.Verify(reply, request_).outcome, CssmReply::Outcome::kOffline);
}

TEST_F(AgentCssmChannelTest, UnsignedServerErrorsAreOfflineAndKeepRetryAfter) {
  CssmReply e = channel_.Verify(test::HttpErrorReply(503, 1200), request_);
  EXPECT_EQ(e.outcome, CssmReply::Outcome::kOffline);
  EXPECT_EQ(e.reason, "HTTP Server Error 503");
  EXPECT_EQ(e.retry_after_seconds, 1200);
}

TEST_F(AgentCssmChannelTest, TransportFailuresAreOfflineWithTheirReason) {
  CssmReply e = channel_.Verify(test::TimeoutReply(), request_);
  EXPECT_EQ(e.outcome, CssmReply::Outcome::kOffline);
  EXPECT_EQ(e.reason, "Operation timed out");
}

TEST_F(AgentCssmChannelTest, ASignedRefusalIsPassedOnWhateverTheHttpStatus) {
  Response r = OkResponse();
  r.ok = false;
  r.error_code = error_code::kUnknownInstance;
  r.error_message = "no such product instance";
  CssmReply e = channel_.Verify(cssm_.Reply(r, 404), request_);
  EXPECT_EQ(e.outcome, CssmReply::Outcome::kRefused);
  EXPECT_EQ(e.response.error_code, error_code::kUnknownInstance);
}

TEST_F(AgentCssmChannelTest, IdCertificatesMustComeFromTheTrustAnchorAndCarryTheDeviceKey) {
  UnixSeconds now = clock_.Now();
  Certificate good = IssueCertificate(cssm_.signing_key(), cssm_.signing_cert(), device_key_.Public(), "dev",
                                      now, now + 365 * kDay).value();
  EXPECT_TRUE(channel_.CheckIdCertificate(good.ToPem(), device_key_).ok());

  PrivateKey other = PrivateKey::Generate().value();
  Certificate wrong_key = IssueCertificate(cssm_.signing_key(), cssm_.signing_cert(), other.Public(), "dev",
                                           now, now + 365 * kDay).value();
  EXPECT_FALSE(channel_.CheckIdCertificate(wrong_key.ToPem(), device_key_).ok());

  Certificate other_ca = Certificate::FromPem(test::ReadPki("other-ca.crt")).value();
  PrivateKey other_ca_key = PrivateKey::FromPem(test::ReadPki("other-ca.key")).value();
  Certificate wrong_issuer =
      IssueCertificate(other_ca_key, other_ca, device_key_.Public(), "dev", now, now + 365 * kDay).value();
  EXPECT_FALSE(channel_.CheckIdCertificate(wrong_issuer.ToPem(), device_key_).ok());
  EXPECT_FALSE(channel_.CheckIdCertificate("garbage", device_key_).ok());
}

}  // namespace
}  // namespace sl
