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

}  // namespace
}  // namespace sl
