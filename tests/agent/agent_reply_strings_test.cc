// Hostile strings in validly signed replies (issue 10, defect 5 and defence in depth):
// a lone UTF-16 surrogate, a NUL, terminal escape sequences and C1 controls in a tag, a
// status, an account name or an instance id, and in a refusal's free-text message. The
// agent must never save a state it cannot read back (the device reopens), and nothing
// it shows an operator may carry a control character.
#include "smartlicensing/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/envelope.h"
#include "testing/agent_harness.h"

namespace sl {
namespace {

using test::AgentHarness;
using test::kToken;
using ::testing::_;
using ::testing::HasSubstr;
namespace st = terms;

// Hostile contents, as written inside a JSON string.
const char* const kHostile[] = {
    "\\udc00",                             // a lone low surrogate (RapidJSON lets it through)
    "\\u0000",                             // NUL
    "\\u001b[2J\\u001b]0;owned\\u0007",    // ANSI: clear the screen, set the window title
    "\\u009b31m",                          // C1 CSI, escaped
    "\xC2\x9B" "31m",                      // C1 CSI, raw UTF-8
};

// The first thing in `s` a terminal would not simply show (a byte that is not part of
// well-formed UTF-8, or a C0, DEL or C1 control), "" when there is none. Written here
// rather than taken from base/ so that the test does not trust the code it tests.
std::string Unprintable(std::string_view s) {
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    const std::string where = " at byte " + std::to_string(i);
    if (n == 0 || i + n > s.size()) return "malformed UTF-8" + where;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      unsigned char next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return "malformed UTF-8" + where;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (cp < kMinimum[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return "malformed UTF-8" + where;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return "control character " + std::to_string(cp) + where;
    i += n;
  }
  return "";
}

// Every string of the status page and of the events is fit for a terminal.
void ExpectPrintable(const AgentStatus& s, const std::vector<Event>& events) {
  for (const std::string* text : {&s.registration_status, &s.authorization_status, &s.smart_account,
                                  &s.virtual_account, &s.instance_id, &s.last_error, &s.clock_note}) {
    EXPECT_EQ(Unprintable(*text), "") << *text;
  }
  for (const LicenseStatus& l : s.licenses) {
    EXPECT_EQ(Unprintable(l.tag), "") << l.tag;
    EXPECT_EQ(Unprintable(l.status), "") << l.status;
  }
  for (const Event& e : events) {
    for (const std::string* text : {&e.message, &e.from, &e.to}) EXPECT_EQ(Unprintable(*text), "") << *text;
  }
}

// CSSM's real answer to `request`, with `hostile` put at the start of the string value of
// the first `"key":"...` in its JSON, and signed again with CSSM's key: a valid answer as
// far as signatures go.
TransportReply SpikedAnswer(AgentHarness& h, std::string_view request, const std::string& key,
                            const std::string& hostile) {
  TransportReply real = h.cssm.Handle(request);
  std::string json = OpenEnvelope(real.body).value().body;
  const std::string field = "\"" + key + "\":\"";
  size_t at = json.find(field);
  EXPECT_NE(at, std::string::npos) << key << " in " << json;
  if (at != std::string::npos) json.insert(at + field.size(), hostile);
  TransportReply spiked = real;
  spiked.body = SealMessage(json, h.cssm.signing_key()).value();
  return spiked;
}

void SpikeReplies(AgentHarness& h, const std::string& key, const std::string& hostile) {
  ON_CALL(h.transport, Send(_)).WillByDefault([&h, key, hostile](std::string_view e) {
    return SpikedAnswer(h, e, key, hostile);
  });
}

// Closes the agent and opens it again on the same store, against an honest CSSM: what it
// saved must read back. nullptr (and a failure) when it does not.
Agent* Reopen(AgentHarness& h) {
  h.agent.reset();
  h.GoOnline();
  Result<std::unique_ptr<Agent>> opened = Agent::Open(h.Environment());
  EXPECT_TRUE(opened.ok()) << "the saved state does not read back: " << opened.status().ToString();
  if (!opened.ok()) return nullptr;
  h.agent = std::move(opened).value();
  return h.agent.get();
}

TEST(AgentReplyStringsTest, AnAuthorizationWithAHostileTagOrStatusIsRefusedAndTheDeviceReopens) {
  for (const char* key : {"tag", "status", "authorization_status"}) {
    for (const char* hostile : kHostile) {
      SCOPED_TRACE(std::string(key) + " <- " + hostile);
      AgentHarness h;
      Agent& agent = h.OpenRegistered();
      SpikeReplies(h, key, hostile);
      EXPECT_EQ(agent.RenewAuthorization().code(), StatusCode::kUnavailable) << "a malformed answer is retried";
      AgentStatus s = agent.GetStatus();
      EXPECT_EQ(s.authorization_status, st::kAuthorized) << "the grant it had is kept";
      EXPECT_THAT(s.last_error, HasSubstr("malformed"));
      ExpectPrintable(s, h.events);

      Agent* reopened = Reopen(h);
      ASSERT_NE(reopened, nullptr);
      AgentStatus back = reopened->GetStatus();
      EXPECT_EQ(back.registration_status, st::kRegistered);
      EXPECT_EQ(back.authorization_status, st::kAuthorized);
      ExpectPrintable(back, h.events);
    }
  }
}

TEST(AgentReplyStringsTest, ARegistrationWithAHostileAccountOrInstanceIsRefusedAndTheDeviceReopens) {
  for (const char* key : {"smart_account", "virtual_account", "instance_id"}) {
    for (const char* hostile : kHostile) {
      SCOPED_TRACE(std::string(key) + " <- " + hostile);
      AgentHarness h;
      Agent& agent = h.Open();
      ASSERT_TRUE(agent.Enable().ok());
      SpikeReplies(h, key, hostile);
      EXPECT_EQ(agent.Register(kToken, false).code(), StatusCode::kUnavailable);
      AgentStatus s = agent.GetStatus();
      EXPECT_EQ(s.registration_status, st::kRegistrationPending) << "a malformed answer is retried";
      ExpectPrintable(s, h.events);

      Agent* reopened = Reopen(h);
      ASSERT_NE(reopened, nullptr);
      EXPECT_EQ(reopened->GetStatus().registration_status, st::kRegistrationPending);
      h.RunUntil(h.Now() + kDay);
      EXPECT_EQ(reopened->GetStatus().registration_status, st::kRegistered) << "the retry registers";
      ExpectPrintable(reopened->GetStatus(), h.events);
    }
  }
}

// A refusal's message is free text: the agent takes the refusal and shows the message
// neutralised. Here it carries escape sequences, C1 controls, and is long enough that the
// display limit falls inside a two-byte character.
TEST(AgentReplyStringsTest, ARefusalsMessageIsShownNeutralisedAndTheRefusalIsSaved) {
  std::string message = "\\u001b]0;owned\\u0007\\u009b2J\xC2\x9D" "x";
  for (int i = 0; i < 400; ++i) message += "\\u00e9";
  for (const char* code : {error_code::kInternalError, error_code::kUnknownInstance}) {
    SCOPED_TRACE(code);
    AgentHarness h;
    Agent& agent = h.OpenRegistered();
    h.cssm.refuse_next_with = code;
    SpikeReplies(h, "message", message);
    Status renewed = agent.RenewAuthorization();
    EXPECT_NE(renewed.code(), StatusCode::kInternal) << renewed.ToString();
    AgentStatus s = agent.GetStatus();
    EXPECT_THAT(s.last_error, HasSubstr("owned"));
    ExpectPrintable(s, h.events);
    const std::string registration = s.registration_status;

    Agent* reopened = Reopen(h);
    ASSERT_NE(reopened, nullptr);
    AgentStatus back = reopened->GetStatus();
    EXPECT_EQ(back.registration_status, registration) << "the refusal was saved";
    EXPECT_EQ(back.last_error, s.last_error);
    ExpectPrintable(back, h.events);
  }
}

// Issue 12, defect 4: a UDI the protocol refuses could never be sent; the agent says so
// when it opens instead of retrying requests it cannot encode.
TEST(AgentReplyStringsTest, AUdiTheProtocolCannotCarryIsRefusedAtOpen) {
  for (const Udi& udi : {Udi{"EXPWY-VE-L", std::string("SN\0", 3)}, Udi{"EXPWY-VE-L", "SN\xED\xA0\x80"},
                         Udi{"EXPWY\x1b[2J", "SN1"}, Udi{"EXPWY-VE-L", "SN\xE2\x80\xAE" "1"}}) {
    AgentHarness h(udi);
    Result<std::unique_ptr<Agent>> opened = Agent::Open(h.Environment());
    ASSERT_FALSE(opened.ok()) << udi.serial_number;
    EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(opened.status().message(), HasSubstr("without control or bidirectional formatting characters"));
  }
  AgentHarness h(Udi{"EXPWY-VE-L", "SN-caf\xC3\xA9"});
  EXPECT_TRUE(Agent::Open(h.Environment()).ok()) << "non-ASCII text is fine";
}

}  // namespace
}  // namespace sl
