#include "protocol/messages.h"

#include "base/encoding.h"
#include "base/json.h"
#include "base/text.h"
#include "protocol/envelope.h"

namespace sl {
namespace {

constexpr MessageType kAllTypes[] = {MessageType::kRegister, MessageType::kRenewId,
                                     MessageType::kAuthorize, MessageType::kReportUsage,
                                     MessageType::kDeregister};

// A string field that names or identifies something (a tag, an account, a status, an
// id): shown to operators and kept in records, so free of control characters
// (HasControlCharacter) and of bidirectional overrides and isolates, which make one
// identifier display as another. Free text (an error message) is read with r.String and
// neutralised with SanitizeForDisplay where it is shown or kept.
void CheckIdentifier(JsonReader& r, const char* name, const std::string& value) {
  if (!r.ok()) return;
  if (HasControlCharacter(value)) {
    r.Fail(name, "must not contain control characters");
  } else if (HasBidiControl(value)) {
    r.Fail(name, "must not contain bidirectional override or isolate characters");
  }
}
std::string Plain(JsonReader& r, const char* name, size_t max_len) {
  std::string value = r.String(name, max_len);
  CheckIdentifier(r, name, value);
  return value;
}
std::optional<std::string> OptionalPlain(JsonReader& r, const char* name, size_t max_len) {
  std::optional<std::string> value = r.OptionalString(name, max_len);
  if (value) CheckIdentifier(r, name, *value);
  return value;
}

// A license line's tag (both directions): the identifier rules and IsValidLicenseTag.
std::string ReadTag(JsonReader& line) {
  std::string tag = Plain(line, "tag", 128);
  if (line.ok() && !IsValidLicenseTag(tag)) line.Fail("tag", "must be 1-128 letters, digits or . _ - :");
  return tag;
}

// The encoders write only what the decoders accept, so that neither side ever sends a
// message its peer must refuse, nor accepts one it cannot send back (the round trip
// fuzz/messages_fuzzer.cc checks): the writer refuses strings no JSON parser of ours
// reads, and the decoder judges the rest (identifiers, tags, lengths, ranges).
template <typename Message>
Result<std::string> Checked(const JsonWriter& w, const char* what, Result<Message> (*decode)(std::string_view)) {
  if (!w.status().ok()) return InvalidArgument(std::string("cannot encode the ") + what + ": " + w.status().message());
  std::string json = w.str();
  Result<Message> back = decode(json);
  if (!back.ok()) return InvalidArgument(std::string("cannot encode the ") + what + ": " + back.status().message());
  return json;
}

MessageType ReadType(JsonReader& r, bool allow_unknown) {
  std::string name = r.String("type", 32);
  for (MessageType t : kAllTypes) {
    if (name == MessageTypeName(t)) return t;
  }
  if (allow_unknown && name == MessageTypeName(MessageType::kUnknown)) return MessageType::kUnknown;
  if (r.ok()) r.Fail("type", "'" + SanitizeForDisplay(name, 32) + "' is not a message type");
  return MessageType::kUnknown;
}

void ReadProtocolVersion(JsonReader& r) {
  int64_t version = r.Int("protocol", 0, 1000);
  if (r.ok() && version != kProtocolVersion) {
    r.Fail("protocol", "is version " + std::to_string(version) + "; this peer speaks version " +
                           std::to_string(kProtocolVersion));
  }
}

}  // namespace

const char* MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kRegister: return "register";
    case MessageType::kRenewId: return "renew_id";
    case MessageType::kAuthorize: return "authorize";
    case MessageType::kReportUsage: return "report_usage";
    case MessageType::kDeregister: return "deregister";
    case MessageType::kUnknown: return "unknown";
  }
  return "unknown";
}

bool IsValidLicenseTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  for (char c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> EncodeRequest(const Request& q) {
  JsonWriter w;
  w.StartObject();
  w.Field("protocol", kProtocolVersion).Field("type", MessageTypeName(q.type));
  w.Field("message_id", q.message_id).Field("sent_at", q.sent_at);
  w.Key("udi").StartObject().Field("pid", q.udi.product_id).Field("sn", q.udi.serial_number).EndObject();
  if (q.type != MessageType::kRegister) {
    w.Field("instance_id", q.instance_id).Field("cert_serial", q.cert_serial);
  } else {
    w.Field("token", q.token).Field("csr", q.csr_pem);
  }
  if (q.hostname) w.Field("hostname", *q.hostname);
  if (q.type == MessageType::kAuthorize || q.type == MessageType::kReportUsage) {
    w.Key("usage").StartArray();
    for (const LicenseCount& u : q.usage) {
      w.StartObject().Field("tag", u.tag).Field("count", u.count).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return Checked<Request>(w, "request", DecodeRequest);
}

Result<Request> DecodeRequest(std::string_view json) {
  Result<rapidjson::Document> doc = ParseJson(json, kMaxEnvelopeBytes);
  if (!doc.ok()) return doc.status();
  JsonReader r(*doc, "request");
  Request q;
  ReadProtocolVersion(r);
  q.type = ReadType(r, /*allow_unknown=*/false);
  q.message_id = Plain(r, "message_id", 64);
  if (r.ok() && (q.message_id.size() != 32 || !IsHex(q.message_id))) {
    r.Fail("message_id", "must be 32 hexadecimal characters");
  }
  q.sent_at = r.Int("sent_at", 0, kMaxUnixSeconds);
  JsonReader udi = r.Object("udi");
  q.udi.product_id = Plain(udi, "pid", 64);
  q.udi.serial_number = Plain(udi, "sn", 64);
  if (r.ok() && (q.udi.product_id.empty() || q.udi.serial_number.empty())) {
    r.Fail("udi", "must give a product ID and a serial number");
  }
  if (q.type == MessageType::kRegister) {
    q.token = Plain(r, "token", 512);
    q.csr_pem = r.String("csr", 8192);
  } else {
    q.instance_id = Plain(r, "instance_id", 64);
    q.cert_serial = Plain(r, "cert_serial", 64);
  }
  q.hostname = OptionalPlain(r, "hostname", 253);
  if (q.type == MessageType::kAuthorize || q.type == MessageType::kReportUsage) {
    for (JsonReader& line : r.Objects("usage", kMaxLicenseLines)) {
      LicenseCount u;
      u.tag = ReadTag(line);
      u.count = line.Int("count", 0, kMaxLicenseCount);
      q.usage.push_back(std::move(u));
    }
  }
  if (!r.ok()) return r.status();
  return q;
}

Result<std::string> EncodeResponse(const Response& s) {
  JsonWriter w;
  w.StartObject();
  w.Field("protocol", kProtocolVersion).Field("type", MessageTypeName(s.type));
  w.Field("in_reply_to", s.in_reply_to).Field("server_time", s.server_time);
  w.Field("result", s.ok ? "ok" : "refused");
  if (!s.ok) {
    w.Key("error").StartObject().Field("code", s.error_code).Field("message", s.error_message).EndObject();
  } else if (s.type == MessageType::kRegister || s.type == MessageType::kRenewId) {
    w.Field("instance_id", s.instance_id).Field("id_certificate", s.id_certificate_pem);
    w.Field("smart_account", s.smart_account).Field("virtual_account", s.virtual_account);
    w.Field("export_controlled", s.export_controlled);
    w.Field("registration_expires", s.registration_expires);
  } else if (s.type == MessageType::kAuthorize || s.type == MessageType::kReportUsage) {
    w.Key("licenses").StartArray();
    for (const LicenseStatus& l : s.licenses) {
      w.StartObject().Field("tag", l.tag).Field("count", l.count).Field("status", l.status).EndObject();
    }
    w.EndArray();
    w.Field("authorization_status", s.authorization_status);
    if (s.type == MessageType::kAuthorize) w.Field("authorization_expires", s.authorization_expires);
  }
  w.EndObject();
  return Checked<Response>(w, "response", DecodeResponse);
}

Result<Response> DecodeResponse(std::string_view json) {
  Result<rapidjson::Document> doc = ParseJson(json, kMaxEnvelopeBytes);
  if (!doc.ok()) return doc.status();
  JsonReader r(*doc, "response");
  Response s;
  ReadProtocolVersion(r);
  s.type = ReadType(r, /*allow_unknown=*/true);
  s.in_reply_to = Plain(r, "in_reply_to", 64);
  s.server_time = r.Int("server_time", 0, kMaxUnixSeconds);
  std::string result = r.String("result", 16);
  if (r.ok() && result != "ok" && result != "refused") r.Fail("result", "must be 'ok' or 'refused'");
  s.ok = result == "ok";
  if (!s.ok) {
    JsonReader error = r.Object("error");
    s.error_code = Plain(error, "code", 64);
    s.error_message = error.String("message", 1024);
  } else if (s.type == MessageType::kRegister || s.type == MessageType::kRenewId) {
    s.instance_id = Plain(r, "instance_id", 64);
    s.id_certificate_pem = r.String("id_certificate", 8192);
    s.smart_account = Plain(r, "smart_account", 256);
    s.virtual_account = Plain(r, "virtual_account", 256);
    s.export_controlled = r.Bool("export_controlled");
    s.registration_expires = r.Int("registration_expires", 0, kMaxUnixSeconds);
  } else if (s.type == MessageType::kAuthorize || s.type == MessageType::kReportUsage) {
    for (JsonReader& line : r.Objects("licenses", kMaxLicenseLines)) {
      LicenseStatus l;
      l.tag = ReadTag(line);
      l.count = line.Int("count", 0, kMaxLicenseCount);
      l.status = Plain(line, "status", 64);
      s.licenses.push_back(std::move(l));
    }
    s.authorization_status = Plain(r, "authorization_status", 64);
    if (s.type == MessageType::kAuthorize) {
      s.authorization_expires = r.Int("authorization_expires", 0, kMaxUnixSeconds);
    }
  }
  if (!r.ok()) return r.status();
  return s;
}

}  // namespace sl
