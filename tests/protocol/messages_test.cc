#include "protocol/messages.h"

#include <gtest/gtest.h>

#include "base/text.h"

namespace sl {
namespace {

Request AuthorizeRequest() {
  Request q;
  q.type = MessageType::kAuthorize;
  q.message_id = "0123456789abcdef0123456789abcdef";
  q.sent_at = 1795851683;
  q.udi = {"EXPWY-VE-L", "SN1"};
  q.instance_id = "inst-1";
  q.cert_serial = "ABCDEF";
  q.usage = {{"expressway_rms", 3}, {"expressway_room", 0}};
  return q;
}

TEST(MessagesTest, RequestRoundTrips) {
  Request q = AuthorizeRequest();
  Request back = DecodeRequest(EncodeRequest(q).value()).value();
  EXPECT_EQ(back.type, MessageType::kAuthorize);
  EXPECT_EQ(back.message_id, q.message_id);
  EXPECT_EQ(back.sent_at, q.sent_at);
  EXPECT_EQ(back.udi, q.udi);
  EXPECT_EQ(back.instance_id, "inst-1");
  EXPECT_EQ(back.cert_serial, "ABCDEF");
  ASSERT_EQ(back.usage.size(), 2u);
  EXPECT_EQ(back.usage[0].tag, "expressway_rms");
  EXPECT_EQ(back.usage[0].count, 3);
  EXPECT_FALSE(back.hostname.has_value());
}

TEST(MessagesTest, RegisterRequestCarriesTokenCsrAndOptionalHostname) {
  Request q;
  q.type = MessageType::kRegister;
  q.message_id = std::string(32, 'a');
  q.udi = {"P", "S"};
  q.token = "tok";
  q.csr_pem = "csr";
  q.hostname = "exp1.example.com";
  Request back = DecodeRequest(EncodeRequest(q).value()).value();
  EXPECT_EQ(back.token, "tok");
  EXPECT_EQ(back.csr_pem, "csr");
  EXPECT_EQ(back.hostname.value_or(""), "exp1.example.com");
  EXPECT_TRUE(back.instance_id.empty());
}

TEST(MessagesTest, BadRequestsNameTheField) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"protocol":2})", "field 'request.protocol' is version 2; this peer speaks version 1"},
      {R"({"protocol":1,"type":"launch"})", "field 'request.type' 'launch' is not a message type"},
      {R"({"protocol":1,"type":"deregister","message_id":"xyz"})",
       "field 'request.message_id' must be 32 hexadecimal characters"},
      {R"({"protocol":1,"type":"deregister","message_id":"0123456789abcdef0123456789abcdef","sent_at":"now"})",
       "field 'request.sent_at' must be an integer"},
      {R"({"protocol":1,"type":"authorize","message_id":"0123456789abcdef0123456789abcdef","sent_at":1,)"
       R"("udi":{"pid":"P","sn":"S"},"instance_id":"i","cert_serial":"c","usage":[{"tag":"a b","count":1}]})",
       "field 'request.usage[0].tag' must be 1-128 letters, digits or . _ - :"},
      {R"({"protocol":1,"type":"authorize","message_id":"0123456789abcdef0123456789abcdef","sent_at":1,)"
       R"("udi":{"pid":"P","sn":"S"},"instance_id":"i","cert_serial":"c","usage":[{"tag":"a","count":-1}]})",
       "field 'request.usage[0].count' must be between 0 and 1000000"},
  };
  for (const Case& c : cases) {
    Result<Request> r = DecodeRequest(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(MessagesTest, TooManyUsageLinesAreRejected) {
  Request q = AuthorizeRequest();
  q.usage.assign(kMaxLicenseLines + 1, LicenseCount{"t", 1});
  Result<std::string> encoded = EncodeRequest(q);
  ASSERT_FALSE(encoded.ok()) << "the encoder refuses what the decoder would";
  EXPECT_NE(encoded.status().message().find("field 'request.usage' has more than 256 items"), std::string::npos)
      << encoded.status().message();
}

TEST(MessagesTest, ResponsesRoundTripPerType) {
  Response reg;
  reg.type = MessageType::kRegister;
  reg.in_reply_to = "m1";
  reg.server_time = 10;
  reg.ok = true;
  reg.instance_id = "i1";
  reg.id_certificate_pem = "PEM";
  reg.smart_account = "Acme";
  reg.virtual_account = "Video";
  reg.export_controlled = true;
  reg.registration_expires = 99;
  Response back = DecodeResponse(EncodeResponse(reg).value()).value();
  EXPECT_TRUE(back.ok);
  EXPECT_EQ(back.instance_id, "i1");
  EXPECT_EQ(back.smart_account, "Acme");
  EXPECT_EQ(back.virtual_account, "Video");
  EXPECT_TRUE(back.export_controlled);
  EXPECT_EQ(back.registration_expires, 99);

  Response auth;
  auth.type = MessageType::kAuthorize;
  auth.ok = true;
  auth.licenses = {{"rms", 5, "Out of compliance"}};
  auth.authorization_status = "Out-of-compliance";
  auth.authorization_expires = 1234;
  back = DecodeResponse(EncodeResponse(auth).value()).value();
  ASSERT_EQ(back.licenses.size(), 1u);
  EXPECT_EQ(back.licenses[0].status, "Out of compliance");
  EXPECT_EQ(back.authorization_status, "Out-of-compliance");
  EXPECT_EQ(back.authorization_expires, 1234);

  Response refused;
  refused.type = MessageType::kUnknown;
  refused.error_code = error_code::kMalformedRequest;
  refused.error_message = "bad";
  back = DecodeResponse(EncodeResponse(refused).value()).value();
  EXPECT_FALSE(back.ok);
  EXPECT_EQ(back.type, MessageType::kUnknown);
  EXPECT_EQ(back.error_code, "malformed_request");
  EXPECT_EQ(back.error_message, "bad");
}

TEST(MessagesTest, ResponseWithWrongTypesIsRejected) {
  EXPECT_FALSE(DecodeResponse(R"({"protocol":1,"type":"register","in_reply_to":"m","server_time":1,"result":"maybe"})").ok());
  EXPECT_FALSE(DecodeResponse(R"({"protocol":1,"type":"register","in_reply_to":"m","server_time":1,"result":"ok"})").ok());
}

TEST(MessagesTest, LicenseTagRules) {
  EXPECT_TRUE(IsValidLicenseTag("regid.2016-07.com.cisco.EXPWY_RMS:1"));
  EXPECT_FALSE(IsValidLicenseTag(""));
  EXPECT_FALSE(IsValidLicenseTag(std::string(129, 'a')));
  EXPECT_FALSE(IsValidLicenseTag("a/b"));
}

// Hostile contents for a string field, as they would appear inside a JSON string.
const char* const kHostileStrings[] = {
    "\\udc00",          // a lone low surrogate
    "\\ud800\\u0041",   // a high surrogate without its pair
    "\\u0000",          // NUL
    "\\u001b[31mred",   // an ANSI escape sequence
    "\\u007f",          // DEL
    "\\u009b31m",       // a C1 control (CSI) as an escape
    "\xC2\x9B" "31m",   // the same C1 control, raw
    "\x9B" "31m",       // an 8-bit CSI: not UTF-8
    "\xC0\xAF",         // overlong UTF-8
    "\xED\xA0\x80",     // a surrogate in raw UTF-8
    "\\u2028 caf\\u00e9 \\ud83d\\ude00",  // unusual but valid text
};

// `json` with the first occurrence of `"value"` given `hostile` appended inside it.
std::string Spiked(std::string json, const std::string& value, const std::string& hostile) {
  size_t at = json.find("\"" + value + "\"");
  EXPECT_NE(at, std::string::npos) << value;
  if (at != std::string::npos) json.insert(at + 1 + value.size(), hostile);
  return json;
}

// The property: every spiked `json` the decoder accepts encodes to a document it accepts
// again, unchanged. Returns how many spiked documents were accepted.
template <typename Message>
int ExpectAcceptedStringsRoundTrip(const std::string& json, std::initializer_list<const char*> values,
                                   Result<Message> (*decode)(std::string_view),
                                   Result<std::string> (*encode)(const Message&)) {
  int accepted = 0;
  for (const char* value : values) {
    for (const char* hostile : kHostileStrings) {
      std::string spiked = Spiked(json, value, hostile);
      Result<Message> decoded = decode(spiked);
      if (!decoded.ok()) continue;
      ++accepted;
      Result<std::string> again = encode(*decoded);
      EXPECT_TRUE(again.ok()) << spiked << ": " << again.status().ToString();
      if (!again.ok()) continue;
      Result<Message> redecoded = decode(*again);
      EXPECT_TRUE(redecoded.ok()) << spiked << " -> " << *again << ": " << redecoded.status().ToString();
      if (redecoded.ok()) {
        EXPECT_EQ(encode(*redecoded).value(), *again);
      }
    }
  }
  return accepted;
}

TEST(MessagesTest, EveryRequestTheDecoderAcceptsRoundTrips) {
  Request q = AuthorizeRequest();
  q.hostname = "exp1.example.com";
  Request reg;
  reg.type = MessageType::kRegister;
  reg.message_id = std::string(32, 'a');
  reg.udi = {"P", "S"};
  reg.token = "tok";
  reg.csr_pem = "-----CSR-----";
  int accepted = ExpectAcceptedStringsRoundTrip<Request>(
      EncodeRequest(q).value(),
      {"0123456789abcdef0123456789abcdef", "SN1", "EXPWY-VE-L", "inst-1", "ABCDEF", "exp1.example.com",
       "expressway_rms"},
      DecodeRequest, EncodeRequest);
  accepted += ExpectAcceptedStringsRoundTrip<Request>(EncodeRequest(reg).value(), {"tok", "-----CSR-----"}, DecodeRequest,
                                                      EncodeRequest);
  EXPECT_GT(accepted, 0) << "valid unusual text is accepted";
}

TEST(MessagesTest, EveryResponseTheDecoderAcceptsRoundTrips) {
  Response r;
  r.type = MessageType::kAuthorize;
  r.in_reply_to = "0123456789abcdef0123456789abcdef";
  r.server_time = 1795851683;
  r.ok = true;
  r.licenses = {{"expressway_rms", 3, "Authorized"}};
  r.authorization_status = "Out-of-compliance";
  r.authorization_expires = r.server_time + 90 * kDay;
  Response refusal = r;
  refusal.ok = false;
  refusal.error_code = "stale_message";
  refusal.error_message = "the clock differs";
  Response reg = r;
  reg.type = MessageType::kRegister;
  reg.instance_id = "PI-1";
  reg.id_certificate_pem = "-----CERT-----";
  reg.smart_account = "Acme";
  reg.virtual_account = "Video";
  int accepted = ExpectAcceptedStringsRoundTrip<Response>(
      EncodeResponse(r).value(), {"0123456789abcdef0123456789abcdef", "expressway_rms", "Authorized", "Out-of-compliance"},
      DecodeResponse, EncodeResponse);
  accepted += ExpectAcceptedStringsRoundTrip<Response>(EncodeResponse(refusal).value(), {"stale_message", "the clock differs"},
                                                       DecodeResponse, EncodeResponse);
  accepted += ExpectAcceptedStringsRoundTrip<Response>(
      EncodeResponse(reg).value(), {"PI-1", "-----CERT-----", "Acme", "Video"}, DecodeResponse, EncodeResponse);
  EXPECT_GT(accepted, 0) << "valid unusual text is accepted";
}

// What the decoder accepts in a field that names or identifies something is free of
// control characters, so that showing it cannot drive a terminal.
TEST(MessagesTest, AcceptedIdentifiersHoldNoControlCharacters) {
  Response r;
  r.type = MessageType::kAuthorize;
  r.in_reply_to = "0123456789abcdef0123456789abcdef";
  r.ok = true;
  r.licenses = {{"expressway_rms", 3, "Authorized"}};
  r.authorization_status = "Out-of-compliance";
  const std::string json = EncodeResponse(r).value();
  for (const char* value : {"0123456789abcdef0123456789abcdef", "expressway_rms", "Authorized", "Out-of-compliance"}) {
    for (const char* hostile : kHostileStrings) {
      Result<Response> decoded = DecodeResponse(Spiked(json, value, hostile));
      if (!decoded.ok()) continue;
      for (const std::string* s : {&decoded->in_reply_to, &decoded->licenses.at(0).tag,
                                   &decoded->licenses.at(0).status, &decoded->authorization_status}) {
        EXPECT_FALSE(HasControlCharacter(*s)) << value << " <- " << hostile;
      }
    }
  }
}

TEST(MessagesTest, IdentifiersWithControlCharactersAreRefusedAndSaySo) {
  Response r;
  r.type = MessageType::kRegister;
  r.in_reply_to = "0123456789abcdef0123456789abcdef";
  r.ok = true;
  r.instance_id = "PI-1";
  r.id_certificate_pem = "pem";
  r.smart_account = "Acme";
  r.virtual_account = "Video";
  const std::string json = EncodeResponse(r).value();
  for (const char* value : {"PI-1", "Acme", "Video"}) {
    Result<Response> decoded = DecodeResponse(Spiked(json, value, "\\u001b]0;owned\\u0007"));
    ASSERT_FALSE(decoded.ok()) << value;
    EXPECT_NE(decoded.status().message().find("control characters"), std::string::npos)
        << decoded.status().message();
  }
  // Free text (a refusal's message) may carry them; it is sanitized where it is shown.
  Response refusal;
  refusal.type = MessageType::kAuthorize;
  refusal.error_code = "internal_error";
  refusal.error_message = "busy";
  EXPECT_TRUE(DecodeResponse(Spiked(EncodeResponse(refusal).value(), "busy", "\\u001b[2J")).ok());
}

// Issue 12, defect 4: identifiers may not hold bidirectional overrides or isolates
// (U+202A-U+202E, U+2066-U+2069), which make one name display as another.
TEST(MessagesTest, IdentifiersWithBidiControlsAreRefusedAndSaySo) {
  Request reg;
  reg.type = MessageType::kRegister;
  reg.message_id = std::string(32, 'a');
  reg.udi = {"EXPWY-VE-L", "SN1"};
  reg.token = "TOKEN-1";
  reg.csr_pem = "csr";
  const std::string request = EncodeRequest(reg).value();
  Response r;
  r.type = MessageType::kRegister;
  r.in_reply_to = std::string(32, 'a');
  r.ok = true;
  r.instance_id = "PI-1";
  r.id_certificate_pem = "pem";
  r.smart_account = "Acme";
  r.virtual_account = "Video";
  const std::string response = EncodeResponse(r).value();
  struct Case {
    const std::string* json;
    const char* value;
    const char* hostile;
    const char* field;
  };
  for (const Case& c : {Case{&request, "SN1", "\\u202e", "request.udi.sn"},
                        Case{&request, "EXPWY-VE-L", "\\u2066", "request.udi.pid"},
                        Case{&request, "TOKEN-1", "\\u202a", "request.token"},
                        Case{&request, "TOKEN-1", "\xE2\x81\xA9", "request.token"},  // U+2069, raw
                        Case{&response, "Acme", "\\u202d", "response.smart_account"},
                        Case{&response, "Video", "\\u2067", "response.virtual_account"},
                        Case{&response, "PI-1", "\\u202c", "response.instance_id"}}) {
    Result<Request> q = DecodeRequest(Spiked(*c.json, c.value, c.hostile));
    Result<Response> s = DecodeResponse(Spiked(*c.json, c.value, c.hostile));
    const Status& status = c.json == &request ? q.status() : s.status();
    ASSERT_FALSE(status.ok()) << c.value << " <- " << c.hostile;
    EXPECT_EQ(status.message(),
              std::string("field '") + c.field + "' must not contain bidirectional override or isolate characters");
  }
}

// Issue 12: a reply's license tags follow the same rules as the request's.
TEST(MessagesTest, ResponseLicenseTagsMustBeValidTags) {
  Response r;
  r.type = MessageType::kAuthorize;
  r.in_reply_to = std::string(32, 'a');
  r.ok = true;
  r.licenses = {{"expressway_rms", 3, "Authorized"}};
  r.authorization_status = "Authorized";
  const std::string json = EncodeResponse(r).value();
  for (const char* hostile : {" b", "/b", "\\u00e9", "\\ud83d\\ude00"}) {
    Result<Response> decoded = DecodeResponse(Spiked(json, "expressway_rms", hostile));
    ASSERT_FALSE(decoded.ok()) << hostile;
    EXPECT_EQ(decoded.status().message(), "field 'response.licenses[0].tag' must be 1-128 letters, digits or . _ - :");
  }
  std::string empty = json;
  empty.replace(empty.find("expressway_rms"), 14, "");
  EXPECT_FALSE(DecodeResponse(empty).ok());
  std::string long_tag = json;
  long_tag.replace(long_tag.find("expressway_rms"), 14, std::string(129, 'a'));
  EXPECT_FALSE(DecodeResponse(long_tag).ok());
}

// Issue 12, defect 4: the encoders refuse, naming the field, what the decoders would
// refuse, instead of writing a message the peer cannot read.
TEST(MessagesTest, TheEncodersRefuseWhatTheDecodersWouldRefuse) {
  struct Case {
    void (*spoil)(Request&);
    const char* message;
  };
  for (const Case& c : {
           Case{[](Request& q) { q.token = std::string("TOK\0EN", 6); }, "field 'token' is not well-formed UTF-8"},
           Case{[](Request& q) { q.udi.serial_number = "\xED\xA0\x80"; }, "field 'sn' is not well-formed UTF-8"},
           Case{[](Request& q) { q.udi.product_id = "\xC0\xAF"; }, "field 'pid' is not well-formed UTF-8"},
           Case{[](Request& q) { q.token = "TOK\x1b[2J"; }, "field 'request.token' must not contain control"},
           Case{[](Request& q) { q.udi.serial_number = "SN\xE2\x80\xAE"; }, "'request.udi.sn' must not contain bidi"},
           Case{[](Request& q) { q.hostname = std::string(254, 'h'); }, "'request.hostname' is longer than 253"},
           Case{[](Request& q) { q.message_id = "m"; }, "'request.message_id' must be 32 hexadecimal"},
       }) {
    Request q;
    q.type = MessageType::kRegister;
    q.message_id = std::string(32, 'a');
    q.udi = {"EXPWY-VE-L", "SN1"};
    q.token = "TOKEN-1";
    q.csr_pem = "csr";
    c.spoil(q);
    Result<std::string> encoded = EncodeRequest(q);
    ASSERT_FALSE(encoded.ok()) << c.message;
    EXPECT_EQ(encoded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(encoded.status().message().find(c.message), std::string::npos) << encoded.status().message();
    EXPECT_EQ(encoded.status().message().find("cannot encode the request"), 0u) << encoded.status().message();
  }
  Response r;
  r.type = MessageType::kAuthorize;
  r.in_reply_to = std::string(32, 'a');
  r.ok = true;
  r.licenses = {{"bad tag", 1, "Authorized"}};
  Result<std::string> encoded = EncodeResponse(r);
  ASSERT_FALSE(encoded.ok());
  EXPECT_NE(encoded.status().message().find("'response.licenses[0].tag'"), std::string::npos)
      << encoded.status().message();
  r.licenses.clear();
  r.ok = false;
  r.error_code = "internal_error";
  r.error_message = std::string("free text, but no \0 NUL", 23);
  EXPECT_FALSE(EncodeResponse(r).ok()) << "free text is broader, but never a NUL";
  r.error_message = "free text may hold \x1b[2J and \xE2\x80\xAE";
  EXPECT_TRUE(EncodeResponse(r).ok());
}

}  // namespace
}  // namespace sl
