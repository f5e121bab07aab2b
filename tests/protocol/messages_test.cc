#include "protocol/messages.h"

#include <gtest/gtest.h>

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
  Request back = DecodeRequest(EncodeRequest(q)).value();
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
  Request back = DecodeRequest(EncodeRequest(q)).value();
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
  EXPECT_FALSE(DecodeRequest(EncodeRequest(q)).ok());
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
  Response back = DecodeResponse(EncodeResponse(reg)).value();
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
  back = DecodeResponse(EncodeResponse(auth)).value();
  ASSERT_EQ(back.licenses.size(), 1u);
  EXPECT_EQ(back.licenses[0].status, "Out of compliance");
  EXPECT_EQ(back.authorization_status, "Out-of-compliance");
  EXPECT_EQ(back.authorization_expires, 1234);

  Response refused;
  refused.type = MessageType::kUnknown;
  refused.error_code = error_code::kMalformedRequest;
  refused.error_message = "bad";
  back = DecodeResponse(EncodeResponse(refused)).value();
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
    "\\u009b31m",       // a C1 control (CSI) as an escape
    "\xC2\x9B" "31m",   // the same C1 control, raw
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

TEST(MessagesTest, EveryRequestTheDecoderAcceptsRoundTrips) {
  Request q = AuthorizeRequest();
  q.hostname = "exp1.example.com";
  const std::string json = EncodeRequest(q);
  for (const char* value : {"SN1", "EXPWY-VE-L", "inst-1", "ABCDEF", "exp1.example.com"}) {
    for (const char* hostile : kHostileStrings) {
      std::string spiked = Spiked(json, value, hostile);
      Result<Request> decoded = DecodeRequest(spiked);
      if (!decoded.ok()) continue;
      std::string again = EncodeRequest(*decoded);
      Result<Request> redecoded = DecodeRequest(again);
      ASSERT_TRUE(redecoded.ok()) << spiked << " -> " << again << ": " << redecoded.status().ToString();
      EXPECT_EQ(EncodeRequest(*redecoded), again);
    }
  }
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
  for (const Response& base : {r, refusal}) {
    const std::string json = EncodeResponse(base);
    for (const char* value : {"expressway_rms", "Authorized", "Out-of-compliance", "the clock differs"}) {
      if (json.find(std::string("\"") + value + "\"") == std::string::npos) continue;
      for (const char* hostile : kHostileStrings) {
        std::string spiked = Spiked(json, value, hostile);
        Result<Response> decoded = DecodeResponse(spiked);
        if (!decoded.ok()) continue;
        std::string again = EncodeResponse(*decoded);
        Result<Response> redecoded = DecodeResponse(again);
        ASSERT_TRUE(redecoded.ok()) << spiked << " -> " << again << ": " << redecoded.status().ToString();
        EXPECT_EQ(EncodeResponse(*redecoded), again);
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
  const std::string json = EncodeResponse(r);
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
  EXPECT_TRUE(DecodeResponse(Spiked(EncodeResponse(refusal), "busy", "\\u001b[2J")).ok());
}

}  // namespace
}  // namespace sl
