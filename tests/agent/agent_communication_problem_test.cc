// What kind of problem a failed communication is (issue 11): an outage that passes by
// itself, or a configuration or trust problem an operator must fix, with last_error and
// the kCommunicationFailed event saying what to check. Every kind is still retried on
// the 15-minute schedule (the operator may fix the setting meanwhile), the operation
// still returns Unavailable, the kind survives a restart, and a success clears it.
// StrictMock transport: each test says exactly what goes out.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "agent/licensing_timers.h"
#include "protocol/envelope.h"
#include "protocol/messages.h"
#include "testing/agent_harness.h"
#include "testing/mocks.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kToken;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::StrictMock;
namespace st = terms;

class AgentCommunicationProblemTest : public ::testing::Test {
 protected:
  // The harness's environment with the StrictMock transport (and `anchor` as the trust
  // anchor, when given: the test PKI's file name).
  AgentEnvironment Env(const std::string& anchor = "") {
    AgentEnvironment env = h_.Environment();
    env.transport_factory = test::ForwardingTransportFactory(&transport_);
    if (!anchor.empty()) env.trust_anchor_pem = test::ReadPki(anchor);
    return env;
  }
  // The fake CSSM's answer to what the agent sends.
  std::function<TransportReply(std::string_view)> Answer() {
    return [this](std::string_view e) { return h_.cssm.Handle(e); };
  }
  // Registered and authorized through the fake CSSM.
  Agent& OpenRegistered() {
    Agent& agent = h_.OpenWith(Env());
    EXPECT_TRUE(agent.Enable().ok());
    EXPECT_TRUE(agent.SetUsage("rms", 5).ok());
    EXPECT_CALL(transport_, Send(_)).Times(2).WillRepeatedly(Answer());
    EXPECT_TRUE(agent.Register(kToken, false).ok());
    ::testing::Mock::VerifyAndClearExpectations(&transport_);
    return agent;
  }
  // A failure of `kind` the way the curl transport reports it.
  static TransportReply Failure(TransportFailure kind, const std::string& error) {
    TransportReply reply;
    reply.failure = kind;
    reply.error = error;
    return reply;
  }
  // A reply without a licensing message, as a web server or a proxy sends it.
  static TransportReply Unsigned(int http_status) {
    TransportReply reply;
    reply.http_status = http_status;
    reply.body = "<html><body>" + std::to_string(http_status) + "</body></html>";
    return reply;
  }

  // The renewal failed with `problem`, its sentence is in last_error and in the event,
  // and the 15-minute retry is scheduled all the same.
  void ExpectRetriedWith(const Status& result, CommunicationProblem problem, const std::string& says) {
    EXPECT_EQ(result.code(), StatusCode::kUnavailable) << result.ToString();
    AgentStatus s = h_.agent->GetStatus();
    EXPECT_EQ(s.communication_problem, problem)
        << CommunicationProblemName(s.communication_problem) << ": " << s.last_error;
    EXPECT_THAT(s.last_error, HasSubstr(says));
    EXPECT_EQ(result.message(), s.last_error);
    ASSERT_FALSE(h_.events.empty());
    EXPECT_EQ(h_.events.back().type, EventType::kCommunicationFailed);
    EXPECT_EQ(h_.events.back().message, s.last_error);
    ASSERT_TRUE(s.next_communication_attempt.has_value()) << "no retry scheduled";
    EXPECT_GE(*s.next_communication_attempt, h_.Now() + kRetryInterval);
    EXPECT_LT(*s.next_communication_attempt, h_.Now() + kRetryInterval + kMaxJitter);
  }

  AgentHarness h_;
  StrictMock<test::MockTransport> transport_;
};

TEST_F(AgentCommunicationProblemTest, ProblemsHaveNames) {
  EXPECT_STREQ(CommunicationProblemName(CommunicationProblem::kNone), "none");
  EXPECT_STREQ(CommunicationProblemName(CommunicationProblem::kTransient), "transient");
  EXPECT_STREQ(CommunicationProblemName(CommunicationProblem::kConfiguration), "configuration");
  EXPECT_STREQ(CommunicationProblemName(CommunicationProblem::kTrust), "trust");
}

// Issue 11, defect 3: the TLS CA configured as the trust anchor. CSSM's genuine answer
// does not verify against it; that is said in words that name the anchor and what it
// must be, kept across a restart, retried, and cleared by the retry once it is fixed.
TEST_F(AgentCommunicationProblemTest, TheTlsCaAsTrustAnchorIsATrustProblemNamingTheAnchor) {
  Agent& agent = h_.OpenWith(Env("tls-ca.crt"));
  ASSERT_TRUE(agent.Enable().ok());
  EXPECT_CALL(transport_, Send(_)).WillOnce(Answer());
  Status registered = agent.Register(kToken, false);
  ExpectRetriedWith(registered, CommunicationProblem::kTrust,
                    "the response signature does not verify against the CSSM trust anchor \"Test TLS CA\": the "
                    "trust anchor must be the CSSM signing certificate, not the CA of the server's TLS certificate");
  EXPECT_EQ(agent.GetStatus().registration_status, st::kRegistrationPending);
  ::testing::Mock::VerifyAndClearExpectations(&transport_);

  // The operator puts the CSSM signing certificate in place; the device restarts.
  h_.agent.reset();
  Agent& fixed = h_.OpenWith(Env("cssm-signing.crt"));
  EXPECT_EQ(fixed.GetStatus().communication_problem, CommunicationProblem::kTrust) << "kept in the state";
  EXPECT_CALL(transport_, Send(_)).Times(2).WillRepeatedly(Answer());  // the retried register, authorize
  h_.RunUntil(h_.Now() + kRetryInterval + kMaxJitter);
  AgentStatus s = fixed.GetStatus();
  EXPECT_EQ(s.registration_status, st::kRegistered) << s.last_error;
  EXPECT_EQ(s.communication_problem, CommunicationProblem::kNone);
  EXPECT_TRUE(s.last_error.empty()) << s.last_error;
}

// The kinds of the transport's failures, through RenewAuthorization of a registered device.
struct TransportCase {
  TransportFailure failure;
  CommunicationProblem problem;
};

TEST_F(AgentCommunicationProblemTest, EachTransportFailureHasItsKindAndIsRetried) {
  const TransportCase cases[] = {
      {TransportFailure::kTlsUntrusted, CommunicationProblem::kTrust},
      {TransportFailure::kTls, CommunicationProblem::kConfiguration},
      {TransportFailure::kProxyAuthentication, CommunicationProblem::kConfiguration},
      {TransportFailure::kBadConfiguration, CommunicationProblem::kConfiguration},
      {TransportFailure::kRedirected, CommunicationProblem::kConfiguration},
      {TransportFailure::kResponseTooLarge, CommunicationProblem::kConfiguration},
      {TransportFailure::kTlsCertificateDates, CommunicationProblem::kTransient},
      {TransportFailure::kTimeout, CommunicationProblem::kTransient},
      {TransportFailure::kDns, CommunicationProblem::kTransient},
      {TransportFailure::kConnect, CommunicationProblem::kTransient},
      {TransportFailure::kProxy, CommunicationProblem::kTransient},
      {TransportFailure::kConnectionLost, CommunicationProblem::kTransient},
  };
  Agent& agent = OpenRegistered();
  for (const TransportCase& c : cases) {
    SCOPED_TRACE(TransportFailureName(c.failure));
    const std::string error = std::string("the transport says: ") + TransportFailureName(c.failure);
    EXPECT_CALL(transport_, Send(_)).WillOnce(Return(Failure(c.failure, error)));
    ExpectRetriedWith(agent.RenewAuthorization(), c.problem, error);
    ::testing::Mock::VerifyAndClearExpectations(&transport_);
  }
}

// HTTP statuses without a licensing message: a wrong URL (404, another 4xx, a redirect
// from a transport that hands it over) needs the operator; 5xx, 408 and 429 pass.
struct HttpCase {
  int status;
  CommunicationProblem problem;
  const char* says;
};

TEST_F(AgentCommunicationProblemTest, AnUnsignedHttpStatusIsAConfigurationProblemOrAnOutage) {
  const HttpCase cases[] = {
      {404, CommunicationProblem::kConfiguration,
       "the server answered HTTP 404 (Not Found) without a licensing message: no licensing service answers at "
       "the configured URL; check the URL path (https://<host>[:port]/SmartTransport for On-Prem)"},
      {403, CommunicationProblem::kConfiguration, "the server answered HTTP 403 without a licensing message: check the URL"},
      {400, CommunicationProblem::kConfiguration, "the server answered HTTP 400 without a licensing message"},
      {302, CommunicationProblem::kConfiguration,
       "the server answered HTTP 302, a redirect, which the agent does not follow: set the URL to the final one"},
      {503, CommunicationProblem::kTransient, "HTTP Server Error 503"},
      {500, CommunicationProblem::kTransient, "HTTP Server Error 500"},
      {429, CommunicationProblem::kTransient, "HTTP Server Error 429"},
      {408, CommunicationProblem::kTransient, "HTTP Server Error 408"},
      {200, CommunicationProblem::kTransient, "the response is not a signed licensing message"},
  };
  Agent& agent = OpenRegistered();
  for (const HttpCase& c : cases) {
    SCOPED_TRACE(c.status);
    EXPECT_CALL(transport_, Send(_)).WillOnce(Return(Unsigned(c.status)));
    ExpectRetriedWith(agent.RenewAuthorization(), c.problem, c.says);
    ::testing::Mock::VerifyAndClearExpectations(&transport_);
  }
}

// A 404 signed by CSSM is its answer (unknown_instance), not a wrong URL.
TEST_F(AgentCommunicationProblemTest, ASigned404IsCssmsAnswerNotAConfigurationProblem) {
  Agent& agent = OpenRegistered();
  const std::string instance = agent.GetStatus().instance_id;
  h_.cssm.RemoveInstance(instance);
  EXPECT_CALL(transport_, Send(_)).WillOnce(Answer());
  Status renewed = agent.RenewAuthorization();
  EXPECT_EQ(renewed.code(), StatusCode::kPermissionDenied) << renewed.ToString();
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.registration_status, st::kUnregistered);
  EXPECT_EQ(s.communication_problem, CommunicationProblem::kNone);
}

// A configuration problem lasts only until the next success.
TEST_F(AgentCommunicationProblemTest, TheRetryAfterTheFixSucceedsAndClearsTheProblem) {
  Agent& agent = OpenRegistered();
  EXPECT_CALL(transport_, Send(_)).WillOnce(Return(Unsigned(404)));
  ExpectRetriedWith(agent.RenewAuthorization(), CommunicationProblem::kConfiguration, "check the URL path");
  ::testing::Mock::VerifyAndClearExpectations(&transport_);

  EXPECT_CALL(transport_, Send(_)).WillOnce(Answer());  // the operator fixed the URL
  h_.RunUntil(h_.Now() + kRetryInterval + kMaxJitter);
  AgentStatus s = agent.GetStatus();
  EXPECT_EQ(s.communication_problem, CommunicationProblem::kNone);
  EXPECT_TRUE(s.last_error.empty()) << s.last_error;
  EXPECT_EQ(s.authorization_status, st::kAuthorized);
}

// No transport for the settings at all is the settings' problem too.
TEST_F(AgentCommunicationProblemTest, NoTransportForTheSettingsIsAConfigurationProblem) {
  AgentEnvironment env = Env();
  env.transport_factory = [](const TransportSettings&) { return std::unique_ptr<Transport>(); };
  Agent& agent = h_.OpenWith(env);
  ASSERT_TRUE(agent.Enable().ok());
  ExpectRetriedWith(agent.Register(kToken, false), CommunicationProblem::kConfiguration, "no transport is available");
}

}  // namespace
}  // namespace sl
