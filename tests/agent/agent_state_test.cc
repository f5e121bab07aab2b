#include "agent/agent_state.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>

namespace sl {
namespace {

AgentState SampleState() {
  AgentState s;
  s.mode = LicensingMode::kSmart;
  s.udi = {"EXPWY-VE-L", "SN0001"};
  s.privacy = true;
  s.transport.mode = TransportMode::kOnPrem;
  s.transport.url = "https://onprem.example.com/SmartTransport";
  s.transport.proxy = ProxySettings{"proxy.example.com", 3128, "alice", "proxy-secret"};
  s.agent_time = 1000;
  s.last_wall = 2000;
  s.evaluation_used = 3 * kDay;
  s.jitter_sequence = 42;
  s.registration = RegistrationState::kRegistered;
  s.instance_id = "PI-1";
  s.sent_hostname = "host-1";
  s.usage = {{"rms", 5}, {"room", 2}};
  s.license_statuses = {{"rms", 5, "Authorized"}};
  s.authorization_status = "Authorized";
  s.renew_authorization_due_at = 5000;
  s.last_error = "something";
  return s;
}

TEST(AgentStateTest, SealedStateRoundTrips) {
  HmacDeviceSecret secret(std::string(32, 's'));
  std::string record = SealState(SampleState(), secret).value();
  Result<AgentState> back = OpenState(record, secret);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(EncodeStateJson(*back), EncodeStateJson(SampleState()));
  EXPECT_EQ(back->transport.proxy->password, "proxy-secret");
  EXPECT_EQ(back->usage.at("room"), 2);
}

TEST(AgentStateTest, TheBootAnchorRoundTripsAndIsOptional) {
  HmacDeviceSecret secret(std::string(32, 's'));
  AgentState anchored = SampleState();
  anchored.boot_id = "6b3f6a4e-0d7c-4f3a-9a57-2f1f0b3c9e11";
  anchored.boot_monotonic = 123456;
  Result<AgentState> back = OpenState(SealState(anchored, secret).value(), secret);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->boot_id, anchored.boot_id);
  EXPECT_EQ(back->boot_monotonic, 123456);

  // A state written before the fields existed has neither; it decodes as "unknown boot".
  std::string json = EncodeStateJson(SampleState());
  ASSERT_EQ(json.find("boot_"), std::string::npos);
  Result<AgentState> old = DecodeStateJson(json);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(old->boot_id.empty());
  EXPECT_EQ(old->boot_monotonic, 0);
}

TEST(AgentStateTest, TheClockFieldsRoundTripAndAreOptional) {
  HmacDeviceSecret secret(std::string(32, 's'));
  AgentState held = SampleState();
  held.wall_reading = 3000;
  held.unconfirmed_wall = 3000;
  held.confirm_not_before_wall = 3900;
  Result<AgentState> back = OpenState(SealState(held, secret).value(), secret);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->wall_reading, 3000);
  EXPECT_EQ(back->unconfirmed_wall, 3000);
  EXPECT_EQ(back->confirm_not_before_wall, 3900);
  Result<AgentState> old = DecodeStateJson(EncodeStateJson(SampleState()));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->unconfirmed_wall, 0);
}

TEST(AgentStateTest, TheCommunicationProblemRoundTripsAndIsOptional) {
  HmacDeviceSecret secret(std::string(32, 's'));
  for (CommunicationProblem problem : {CommunicationProblem::kTransient, CommunicationProblem::kConfiguration,
                                       CommunicationProblem::kTrust}) {
    AgentState failed = SampleState();
    failed.communication_problem = problem;
    Result<AgentState> back = OpenState(SealState(failed, secret).value(), secret);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->communication_problem, problem);
  }
  // None is not written, and a state written before the field existed reads as none.
  std::string json = EncodeStateJson(SampleState());
  ASSERT_EQ(json.find("communication_problem"), std::string::npos);
  Result<AgentState> old = DecodeStateJson(json);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->communication_problem, CommunicationProblem::kNone);
  // A kind this agent does not know is refused by name, like any unknown state.
  json.insert(json.size() - 1, R"(,"communication_problem":"cosmic_rays")");
  Result<AgentState> unknown = DecodeStateJson(json);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("communication_problem"), std::string::npos);
}

TEST(AgentStateTest, AStateThatWouldNotReadBackIsNeverSealed) {
  HmacDeviceSecret secret(std::string(32, 's'));
  using Setter = std::function<void(AgentState&, const std::string&)>;
  const std::pair<const char*, Setter> fields[] = {
      {"authorization_status", [](AgentState& s, const std::string& v) { s.authorization_status = v; }},
      {"license tag", [](AgentState& s, const std::string& v) { s.license_statuses.at(0).tag = v; }},
      {"license status", [](AgentState& s, const std::string& v) { s.license_statuses.at(0).status = v; }},
      {"smart_account", [](AgentState& s, const std::string& v) { s.smart_account = v; }},
      {"instance_id", [](AgentState& s, const std::string& v) { s.instance_id = v; }},
      {"sent_hostname", [](AgentState& s, const std::string& v) { s.sent_hostname = v; }},
      {"last_error", [](AgentState& s, const std::string& v) { s.last_error = v; }},
      {"usage tag", [](AgentState& s, const std::string& v) { s.usage["rms" + v] = 1; }},
  };
  // Strings no record may hold: a lone surrogate (as UTF-8 bytes), a NUL, broken UTF-8,
  // an overlong form, a cut character.
  for (const std::string& bad : {std::string("Auth\xED\xB0\x80"), std::string("A\0B", 3), std::string("\xC3"),
                                 std::string("\xC0\xAF"), std::string("caf\xC3")}) {
    for (const auto& [name, set] : fields) {
      SCOPED_TRACE(name);
      AgentState s = SampleState();
      set(s, bad);
      Result<std::string> sealed = SealState(s, secret);
      ASSERT_FALSE(sealed.ok());
      EXPECT_EQ(sealed.status().code(), StatusCode::kInternal);
      EXPECT_NE(sealed.status().message().find("the previous state is kept"), std::string::npos);
    }
  }
  // Nor a record its own reader refuses: a status longer than any CSSM sends.
  AgentState s = SampleState();
  s.authorization_status = std::string(65, 'A');
  EXPECT_EQ(SealState(s, secret).status().code(), StatusCode::kInternal);
}

TEST(AgentStateTest, AHostileButReadableStateIsSealedAndReadsBackExactly) {
  HmacDeviceSecret secret(std::string(32, 's'));
  AgentState s = SampleState();
  s.last_error = "\x1b[2J\xC2\x9B" "31m \xE2\x80\xA8 caf\xC3\xA9 \xF0\x9F\x98\x80";
  s.smart_account = "Acme \xE2\x80\xAE" "evil";
  Result<std::string> sealed = SealState(s, secret);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  Result<AgentState> back = OpenState(*sealed, secret);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->last_error, s.last_error);
  EXPECT_EQ(EncodeStateJson(*back), EncodeStateJson(s));
}

TEST(AgentStateTest, AnEditedFieldFailsTheIntegrityCheck) {
  HmacDeviceSecret secret(std::string(32, 's'));
  std::string record = SealState(SampleState(), secret).value();
  // Give back evaluation time: 259200 s used -> 0.
  size_t at = record.find("259200");
  ASSERT_NE(at, std::string::npos);
  record.replace(at, 6, "000000");
  Result<AgentState> back = OpenState(record, secret);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(back.status().message().find("integrity"), std::string::npos);
}

TEST(AgentStateTest, AStateSealedByAnotherDeviceIsRejected) {
  HmacDeviceSecret mine(std::string(32, 's'));
  HmacDeviceSecret other(std::string(32, 't'));
  std::string record = SealState(SampleState(), other).value();
  EXPECT_EQ(OpenState(record, mine).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(OpenState(SealPortableState(SampleState(), other).value(), mine).status().code(), StatusCode::kDataLoss);
  // What another device's backup holds reads without its secret (restore takes its settings).
  EXPECT_TRUE(OpenStateUnverified(SealPortableState(SampleState(), other).value()).ok());
}

TEST(AgentStateTest, EveryTruncationIsDataLoss) {
  HmacDeviceSecret secret(std::string(32, 's'));
  std::string record = SealState(SampleState(), secret).value();
  for (size_t len = 0; len + 1 < record.size(); len += 7) {
    Result<AgentState> back = OpenState(record.substr(0, len), secret);
    ASSERT_FALSE(back.ok()) << len;
    EXPECT_EQ(back.status().code(), StatusCode::kDataLoss) << len;
  }
}

TEST(AgentStateTest, GarbageAndForeignJsonAreDataLoss) {
  HmacDeviceSecret secret(std::string(32, 's'));
  for (const char* bad : {"", "\x01\x02garbage", "{}", "[1,2]", "{\"format\":\"other\",\"version\":1,"
                          "\"state\":\"{}\",\"mac\":\"AAAA\"}"}) {
    EXPECT_EQ(OpenState(bad, secret).status().code(), StatusCode::kDataLoss) << bad;
  }
}

TEST(AgentStateTest, ARecordOfAnotherVersionSaysSo) {
  HmacDeviceSecret secret(std::string(32, 's'));
  std::string record = SealState(SampleState(), secret).value();
  size_t at = record.find("\"version\":2");
  ASSERT_NE(at, std::string::npos);
  record.replace(at, 11, "\"version\":3");
  Result<AgentState> back = OpenState(record, secret);
  EXPECT_EQ(back.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(back.status().message().find("version 3"), std::string::npos);
}

}  // namespace
}  // namespace sl
