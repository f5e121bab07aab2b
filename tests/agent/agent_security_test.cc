// What the Agent refuses to trust or to tell: forged, unsigned and replayed responses,
// ID certificates for another key, and secrets (tokens, keys, proxy passwords) kept out
// of everything it reports.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/envelope.h"
#include "testing/agent_harness.h"
#include "testing/bounded_wait.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kToken;
using test::kToken2;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Not;
namespace st = terms;

// Forged, unsigned and replayed responses: the agent treats them as a failed
// communication (retry), never as an answer.
class AgentSignatureTest : public ::testing::Test {
 protected:
  void ExpectRefusedAsOffline(const std::string& why) {
    Agent& agent = h_.agent ? *h_.agent : h_.Open();
    ASSERT_TRUE(agent.Enable().ok());
    Status s = agent.Register(kToken, false);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    AgentStatus st1 = agent.GetStatus();
    EXPECT_EQ(st1.registration_status, st::kRegistrationPending);
    EXPECT_THAT(st1.last_error, HasSubstr(why));
    EXPECT_TRUE(st1.next_communication_attempt.has_value());
  }
  AgentHarness h_;
};

TEST_F(AgentSignatureTest, AResponseSignedByAnotherKeyIsNotAnAnswer) {
  PrivateKey forger = PrivateKey::Generate().value();
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    TransportReply genuine = h_.cssm.Handle(e);
    SignedMessage m = OpenEnvelope(genuine.body).value();
    genuine.body = SealMessage(m.body, forger).value();
    return genuine;
  });
  ExpectRefusedAsOffline("signature does not verify");
}

TEST_F(AgentSignatureTest, AnUnsignedResponseIsNotAnAnswer) {
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    TransportReply genuine = h_.cssm.Handle(e);
    genuine.body = OpenEnvelope(genuine.body).value().body;
    return genuine;
  });
  ExpectRefusedAsOffline("not a signed");
}

TEST_F(AgentSignatureTest, AReplayedEarlierResponseIsNotAnAnswer) {
  std::optional<TransportReply> recorded;
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    TransportReply genuine = h_.cssm.Handle(e);
    if (!recorded) recorded = genuine;
    return *recorded;
  });
  Agent& agent = h_.Open();
  ASSERT_TRUE(agent.Enable().ok());
  ASSERT_TRUE(agent.Register(kToken, false).ok());  // the register answer is recorded
  // The authorization that followed got the replayed register answer instead.
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_status, st::kNotApplicable);
  EXPECT_THAT(s.last_error, HasSubstr("replayed"));
  ASSERT_EQ(s.licenses.size(), 0u);
}

TEST_F(AgentSignatureTest, AnIdCertificateForAnotherKeyIsRejected) {
  ON_CALL(h_.transport, Send(_)).WillByDefault([&](std::string_view e) {
    SignedMessage m = OpenEnvelope(e).value();
    Request q = DecodeRequest(m.body).value();
    Response r;
    r.type = q.type;
    r.in_reply_to = q.message_id;
    r.server_time = h_.Now();
    r.ok = true;
    r.instance_id = "PI-X";
    PrivateKey other = PrivateKey::Generate().value();
    r.id_certificate_pem = IssueCertificate(h_.cssm.signing_key(), h_.cssm.signing_cert(), other.Public(),
                                            "x", h_.Now(), h_.Now() + 365 * kDay).value().ToPem();
    r.registration_expires = h_.Now() + 365 * kDay;
    return h_.cssm.Reply(r);
  });
  ExpectRefusedAsOffline("another key");
}

TEST(AgentGrantTest, GrantsLongerThanTheProtocolGivesAreCutAndTheOperatorIsTold) {
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  // A signed answer (a misconfigured or compromised server) that grants far too much.
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view e) {
    TransportReply real = h.cssm.Handle(e);
    Response r = DecodeResponse(OpenEnvelope(real.body).value().body).value();
    if (r.type == MessageType::kAuthorize) r.authorization_expires = r.server_time + 400 * kDay;
    if (r.type == MessageType::kRenewId) r.registration_expires = r.server_time + 5 * 365 * kDay;
    return h.cssm.Reply(r);
  });
  ASSERT_TRUE(agent.RenewAuthorization().ok());
  ASSERT_TRUE(agent.RenewRegistration().ok());
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.authorization_expires.value_or(0) - h.Now(), 90 * kDay);
  EXPECT_EQ(s.registration_expires.value_or(0) - h.Now(), 365 * kDay);
  int told = 0;
  for (const Event& e : h.events) told += e.message.find("the most the protocol gives") != std::string::npos;
  EXPECT_EQ(told, 2);
}

TEST(AgentSecretsTest, TokensKeysAndProxyPasswordsNeverAppearInStatusErrorsOrEvents) {
  const std::string password = "proxy-Pa55word-xyz";
  AgentHarness h;
  Agent& agent = h.Open();
  ASSERT_TRUE(agent.Enable().ok());
  TransportSettings t;
  t.proxy = ProxySettings{"proxy.example.com", 3128, "alice", password};
  ASSERT_TRUE(agent.SetTransportSettings(t).ok());

  std::vector<std::string> texts;
  // A hostile or buggy server echoes the token and the password back.
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view e) {
    SignedMessage m = OpenEnvelope(e).value();
    Request q = DecodeRequest(m.body).value();
    Response r;
    r.type = q.type;
    r.in_reply_to = q.message_id;
    r.server_time = h.Now();
    r.error_code = error_code::kInternalError;
    r.error_message = "cannot use token " + q.token + " via " + password;
    return h.cssm.Reply(r, 500);
  });
  texts.push_back(agent.Register(kToken, false).message());
  h.GoOffline();
  h.RunUntil(h.Now() + kHour);
  h.GoOnline();
  texts.push_back(agent.Register(kToken, false).message());
  h.GoOffline();
  h.RunUntil(h.Now() + 100 * kDay);
  texts.push_back(agent.Deregister()->message);

  AgentStatus s = agent.GetStatus();
  EXPECT_TRUE(s.proxy_password_set);
  EXPECT_TRUE(s.transport.proxy->password.empty());
  texts.push_back(s.last_error);
  texts.push_back(s.registration_status);
  for (const LicenseStatus& l : s.licenses) texts.push_back(l.status);
  for (const Event& e : h.events) texts.push_back(e.message + e.from + e.to);
  ASSERT_GT(texts.size(), 10u);
  for (const std::string& text : texts) {
    EXPECT_THAT(text, Not(HasSubstr(kToken)));
    EXPECT_THAT(text, Not(HasSubstr(password)));
    EXPECT_THAT(text, Not(HasSubstr("PRIVATE KEY")));
  }
}

// What is left of `text` once every mask is taken out: a secret inside "<redacted>"
// (like "acted") must not appear anywhere else.
std::string WithoutMasks(std::string text) {
  for (size_t at = text.find("<redacted>"); at != std::string::npos; at = text.find("<redacted>")) {
    text.erase(at, std::string("<redacted>").size());
  }
  return text;
}

class AgentRedactionTest : public ::testing::TestWithParam<std::string> {};

// A proxy password that is part of the mask ("acted" in "<redacted>") must not make the
// redaction loop forever (it holds the agent's mutex); a short one is masked too.
TEST_P(AgentRedactionTest, AProxyPasswordIsMaskedWhateverItIs) {
  const std::string password = GetParam();
  AgentHarness h;
  Agent& agent = h.OpenRegistered();
  TransportSettings t;
  t.proxy = ProxySettings{"proxy.example.com", 3128, "alice", password};
  ASSERT_TRUE(agent.SetTransportSettings(t).ok());
  // A transport error that quotes the password (a proxy echoing the credentials).
  ON_CALL(h.transport, Send(_)).WillByDefault([&](std::string_view) {
    TransportReply reply;
    reply.failure = TransportFailure::kProxyAuthentication;
    reply.error = "proxy rejected alice:" + password + " (" + password + ")";
    return reply;
  });
  std::vector<std::string> texts;
  {
    test::BackgroundCall call("the agent with the proxy password '" + password + "'", [&] {
      Status renewed = agent.RenewAuthorization();
      EXPECT_EQ(renewed.code(), StatusCode::kUnavailable);
      texts.push_back(renewed.message());
      Status registered = agent.Register(kToken2, /*reregister=*/true);
      EXPECT_EQ(registered.code(), StatusCode::kUnavailable);
      texts.push_back(registered.message());
      texts.push_back(agent.GetStatus().last_error);
    });
    // A looping operation holds the agent's mutex: it cannot be released or joined.
    if (!call.Wait(test::kHangLimit)) {
      test::ExitBecauseAThreadIsStuck("the agent operation did not return within " +
                                      std::to_string(test::kHangLimit.count()) + " s (redaction loop?)");
    }
  }
  ASSERT_EQ(texts.size(), 3u);
  for (const std::string& text : texts) EXPECT_THAT(text, HasSubstr("proxy rejected alice:<redacted>"));
  for (const Event& e : h.events) texts.push_back(e.message);
  for (const std::string& text : texts) {
    EXPECT_THAT(WithoutMasks(text), Not(HasSubstr(password))) << text;
    EXPECT_THAT(text, Not(HasSubstr(kToken2)));
  }
}

INSTANTIATE_TEST_SUITE_P(Passwords, AgentRedactionTest, ::testing::Values("acted", "Zq", "<redacted>"));

}  // namespace
}  // namespace sl
