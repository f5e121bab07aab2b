#include "agent/agent_state.h"

#include "agent/licensing_timers.h"
#include "agent/state_secrets.h"
#include "base/encoding.h"
#include "base/json.h"
#include "base/secrets.h"
#include "protocol/crypto.h"
#include "smartlicensing/state_store.h"

namespace sl {
namespace {

constexpr const char* kFormat = "sl-agent-state";
constexpr size_t kMaxSecretText = 16 * 1024;
constexpr SecretField kDeviceKey{"device_key", "sealed_device_key", kMaxSecretText};
constexpr SecretField kPendingKey{"pending_key", "sealed_pending_key", kMaxSecretText};
constexpr SecretField kPendingToken{"pending_token", "sealed_pending_token", 512};
constexpr SecretField kProxyPassword{"password", "sealed_password", 1024};
// Records of version 1 hold their secret fields in clear: the previous version's state
// files, and the record inside a backup (whose own encryption protects them).
constexpr int64_t kClearSecretsVersion = 1;

const char* RegistrationName(RegistrationState r) {
  switch (r) {
    case RegistrationState::kUnregistered: return "unregistered";
    case RegistrationState::kPending: return "pending";
    case RegistrationState::kRegistered: return "registered";
    case RegistrationState::kFailed: return "failed";
    case RegistrationState::kExpired: return "expired";
  }
  return "unregistered";
}

constexpr CommunicationProblem kProblems[] = {CommunicationProblem::kNone, CommunicationProblem::kTransient,
                                              CommunicationProblem::kConfiguration, CommunicationProblem::kTrust};

// Absent: kNone (also in records written before the field existed).
CommunicationProblem ReadProblem(JsonReader& r) {
  std::optional<std::string> name = r.OptionalString("communication_problem", 32);
  if (!name) return CommunicationProblem::kNone;
  for (CommunicationProblem candidate : kProblems) {
    if (*name == CommunicationProblemName(candidate)) return candidate;
  }
  if (r.ok()) r.Fail("communication_problem", "'" + *name + "' is not a kind of communication problem");
  return CommunicationProblem::kNone;
}

void WriteTransport(JsonWriter& w, const TransportSettings& t, SecretFieldWriter& secrets) {
  w.StartObject();
  w.Field("mode", t.mode == TransportMode::kOnPrem ? "onprem" : "direct");
  w.Field("url", t.url).Field("ca_bundle", t.ca_bundle_path);
  w.Field("connect_timeout", t.connect_timeout_seconds).Field("total_timeout", t.total_timeout_seconds);
  if (t.proxy) {
    w.Key("proxy").StartObject();
    w.Field("host", t.proxy->host).Field("port", t.proxy->port);
    w.Field("username", t.proxy->username);
    secrets.Write(kProxyPassword, t.proxy->password);
    w.EndObject();
  }
  w.EndObject();
}

TransportSettings ReadTransport(JsonReader r, SecretFieldReader& secrets) {
  TransportSettings t;
  std::string mode = r.String("mode", 16);
  if (r.ok() && mode != "direct" && mode != "onprem") r.Fail("mode", "must be 'direct' or 'onprem'");
  t.mode = mode == "onprem" ? TransportMode::kOnPrem : TransportMode::kDirect;
  t.url = r.String("url", 2048);
  t.ca_bundle_path = r.String("ca_bundle", 4096);
  t.connect_timeout_seconds = r.Int("connect_timeout", 0, 3600);
  t.total_timeout_seconds = r.Int("total_timeout", 0, 3600);
  if (r.Has("proxy")) {
    JsonReader p = r.Object("proxy");
    ProxySettings proxy;
    proxy.host = p.String("host", 253);
    proxy.port = static_cast<int>(p.Int("port", 0, 65535));
    proxy.username = p.String("username", 1024);
    proxy.password = secrets.Read(p, kProxyPassword);
    t.proxy = proxy;
  }
  return t;
}

}  // namespace

const char* LicensingModeName(LicensingMode mode) {
  return mode == LicensingMode::kSmart ? "Smart Licensing" : "PAK";
}

const char* CommunicationProblemName(CommunicationProblem problem) {
  switch (problem) {
    case CommunicationProblem::kNone: return "none";
    case CommunicationProblem::kTransient: return "transient";
    case CommunicationProblem::kConfiguration: return "configuration";
    case CommunicationProblem::kTrust: return "trust";
  }
  return "none";
}

namespace {

// The body of a record: secret fields sealed under `cipher`, or in clear without one.
// Fails only when sealing fails.
Result<std::string> EncodeBody(const AgentState& s, const StateFieldCipher* cipher) {
  JsonWriter w;
  SecretFieldWriter secrets(w, cipher, s.udi);
  w.StartObject();
  w.Field("mode", s.mode == LicensingMode::kSmart ? "smart" : "pak");
  w.Key("udi").StartObject().Field("pid", s.udi.product_id).Field("sn", s.udi.serial_number).EndObject();
  w.Field("privacy", s.privacy);
  w.Key("transport");
  WriteTransport(w, s.transport, secrets);
  w.Field("agent_time", s.agent_time).Field("last_wall", s.last_wall);
  if (!s.boot_id.empty()) w.Field("boot_id", s.boot_id).Field("boot_monotonic", s.boot_monotonic);
  if (s.wall_reading != 0) w.Field("wall_reading", s.wall_reading);
  if (s.unconfirmed_wall != 0) w.Field("unconfirmed_wall", s.unconfirmed_wall);
  if (s.confirm_not_before_wall != 0) w.Field("confirm_not_before_wall", s.confirm_not_before_wall);
  w.Field("evaluation_used", s.evaluation_used);
  w.Field("jitter_sequence", static_cast<int64_t>(s.jitter_sequence));
  w.Field("registration", RegistrationName(s.registration));
  w.Field("instance_id", s.instance_id);
  secrets.Write(kDeviceKey, s.device_key_pem);
  w.Field("id_certificate", s.id_certificate_pem);
  w.Field("smart_account", s.smart_account).Field("virtual_account", s.virtual_account);
  w.Field("export_controlled", s.export_controlled);
  if (s.sent_hostname) w.Field("sent_hostname", *s.sent_hostname);
  w.Field("initial_registration_wall", s.initial_registration_wall);
  w.Field("last_registration_renewal_wall", s.last_registration_renewal_wall);
  w.Field("registration_expires_at", s.registration_expires_at);
  secrets.Write(kPendingToken, s.pending_token);
  secrets.Write(kPendingKey, s.pending_key_pem);
  w.Field("authorization_status", s.authorization_status);
  w.Key("licenses").StartArray();
  for (const LicenseStatus& l : s.license_statuses) {
    w.StartObject().Field("tag", l.tag).Field("count", l.count).Field("status", l.status).EndObject();
  }
  w.EndArray();
  w.Field("authorization_expires_at", s.authorization_expires_at);
  w.Field("last_authorization_wall", s.last_authorization_wall);
  w.Key("usage").StartObject();
  for (const auto& [tag, count] : s.usage) w.Field(tag, count);
  w.EndObject();
  w.Field("register_due_at", s.register_due_at);
  w.Field("renew_registration_due_at", s.renew_registration_due_at);
  w.Field("renew_authorization_due_at", s.renew_authorization_due_at);
  w.Field("report_usage_due_at", s.report_usage_due_at);
  w.Field("retry_not_before_at", s.retry_not_before_at);
  w.Field("last_communication_wall", s.last_communication_wall);
  w.Field("last_error", s.last_error);
  if (s.communication_problem != CommunicationProblem::kNone) {
    w.Field("communication_problem", CommunicationProblemName(s.communication_problem));
  }
  w.EndObject();
  if (!secrets.status().ok()) return secrets.status();
  return w.str();
}

// A body written by EncodeBody; `*in_clear` tells whether a secret field held a value
// in clear. Without a cipher, a sealed field is an error.
Result<AgentState> DecodeBody(std::string_view json, const StateFieldCipher* cipher, bool* in_clear) {
  Result<rapidjson::Document> doc = ParseJson(json, kMaxStateBytes);
  if (!doc.ok()) return doc.status();
  JsonReader r(*doc, "state");
  AgentState s;
  SecretFieldReader secrets(cipher, s.udi);
  std::string mode = r.String("mode", 16);
  if (r.ok() && mode != "smart" && mode != "pak") r.Fail("mode", "must be 'smart' or 'pak'");
  s.mode = mode == "smart" ? LicensingMode::kSmart : LicensingMode::kPak;
  JsonReader udi = r.Object("udi");
  s.udi.product_id = udi.String("pid", 64);
  s.udi.serial_number = udi.String("sn", 64);
  s.privacy = r.Bool("privacy");
  s.transport = ReadTransport(r.Object("transport"), secrets);
  s.agent_time = r.Int("agent_time", 0, kMaxUnixSeconds);
  s.last_wall = r.Int("last_wall", 0, kMaxUnixSeconds);
  s.boot_id = r.OptionalString("boot_id", kMaxBootIdBytes).value_or("");
  s.boot_monotonic = r.OptionalInt("boot_monotonic", 0, kMaxUnixSeconds).value_or(0);
  s.wall_reading = r.OptionalInt("wall_reading", 0, kMaxUnixSeconds).value_or(0);
  s.unconfirmed_wall = r.OptionalInt("unconfirmed_wall", 0, kMaxUnixSeconds).value_or(0);
  s.confirm_not_before_wall = r.OptionalInt("confirm_not_before_wall", 0, kMaxUnixSeconds).value_or(0);
  s.evaluation_used = r.Int("evaluation_used", 0, kEvaluationPeriod);
  s.jitter_sequence = static_cast<uint64_t>(r.Int("jitter_sequence", 0, INT64_MAX));
  std::string reg = r.String("registration", 16);
  bool known = false;
  for (RegistrationState candidate :
       {RegistrationState::kUnregistered, RegistrationState::kPending, RegistrationState::kRegistered,
        RegistrationState::kFailed, RegistrationState::kExpired}) {
    if (reg == RegistrationName(candidate)) {
      s.registration = candidate;
      known = true;
    }
  }
  if (r.ok() && !known) r.Fail("registration", "'" + reg + "' is not a registration state");
  s.instance_id = r.String("instance_id", 64);
  s.device_key_pem = secrets.Read(r, kDeviceKey);
  s.id_certificate_pem = r.String("id_certificate", kMaxSecretText);
  s.smart_account = r.String("smart_account", 256);
  s.virtual_account = r.String("virtual_account", 256);
  s.export_controlled = r.Bool("export_controlled");
  s.sent_hostname = r.OptionalString("sent_hostname", 253);
  s.initial_registration_wall = r.Int("initial_registration_wall", 0, kMaxUnixSeconds);
  s.last_registration_renewal_wall = r.Int("last_registration_renewal_wall", 0, kMaxUnixSeconds);
  s.registration_expires_at = r.Int("registration_expires_at", 0, kMaxUnixSeconds);
  s.pending_token = secrets.Read(r, kPendingToken);
  s.pending_key_pem = secrets.Read(r, kPendingKey);
  s.authorization_status = r.String("authorization_status", 64);
  for (JsonReader& line : r.Objects("licenses", kMaxLicenseLines)) {
    LicenseStatus l;
    l.tag = line.String("tag", 128);
    l.count = line.Int("count", 0, kMaxLicenseCount);
    l.status = line.String("status", 64);
    s.license_statuses.push_back(std::move(l));
  }
  s.authorization_expires_at = r.Int("authorization_expires_at", 0, kMaxUnixSeconds);
  s.last_authorization_wall = r.Int("last_authorization_wall", 0, kMaxUnixSeconds);
  for (auto& [tag, count] : r.IntMembers("usage", 1, kMaxLicenseCount, kMaxLicenseLines)) {
    if (r.ok() && !IsValidLicenseTag(tag)) r.Fail("usage", "has an invalid license tag");
    s.usage[tag] = count;
  }
  s.register_due_at = r.Int("register_due_at", 0, kMaxUnixSeconds);
  s.renew_registration_due_at = r.Int("renew_registration_due_at", 0, kMaxUnixSeconds);
  s.renew_authorization_due_at = r.Int("renew_authorization_due_at", 0, kMaxUnixSeconds);
  s.report_usage_due_at = r.Int("report_usage_due_at", 0, kMaxUnixSeconds);
  s.retry_not_before_at = r.Int("retry_not_before_at", 0, kMaxUnixSeconds);
  s.last_communication_wall = r.Int("last_communication_wall", 0, kMaxUnixSeconds);
  s.last_error = r.String("last_error", 4096);
  s.communication_problem = ReadProblem(r);
  if (!r.ok()) return r.status();
  if (in_clear != nullptr) *in_clear = secrets.in_clear();
  return s;
}

}  // namespace

std::string EncodeStateJson(const AgentState& state) {
  // Without a cipher nothing can fail.
  return EncodeBody(state, nullptr).value();
}

Result<AgentState> DecodeStateJson(std::string_view json) { return DecodeBody(json, nullptr, nullptr); }

namespace {

// The record of `state`, its MAC over the body under `secret`; the secret fields are
// sealed unless `clear_secrets`.
Result<std::string> SealRecord(const AgentState& state, const DeviceSecret& secret, bool clear_secrets) {
  std::string clear = EncodeStateJson(state);
  // Never write a record the agent cannot read back: the caller keeps the old one.
  Result<AgentState> back = DecodeStateJson(clear);
  if (!back.ok() || EncodeStateJson(*back) != clear) {
    return Internal("the licensing state would not read back (" +
                    (back.ok() ? std::string("it changes when read") : back.status().message()) +
                    "); the previous state is kept");
  }
  std::string body = std::move(clear);
  if (!clear_secrets) {
    Result<StateFieldCipher> cipher = StateFieldCipher::ForDevice(secret);
    if (!cipher.ok()) return cipher.status();
    Result<std::string> sealed = EncodeBody(state, &*cipher);
    if (!sealed.ok()) return sealed.status();
    body = std::move(sealed).value();
  }
  Result<std::string> mac = secret.Mac(body);
  if (!mac.ok()) return mac.status();
  JsonWriter w;
  w.StartObject().Field("format", kFormat);
  w.Field("version", clear_secrets ? kClearSecretsVersion : static_cast<int64_t>(AgentState::kVersion));
  w.Field("state", body).Field("mac", Base64Encode(*mac)).EndObject();
  return w.str() + "\n";
}

struct SealedRecord {
  std::string body;
  std::string mac;
};

Result<SealedRecord> ParseRecord(std::string_view record) {
  Result<rapidjson::Document> doc = ParseJson(record, kMaxStateBytes);
  if (!doc.ok()) {
    return DataLoss("the licensing state is truncated or corrupted (" + doc.status().message() +
                    "); restore it from a backup or factory-reset the device");
  }
  JsonReader r(*doc, "record");
  std::string format = r.String("format", 32);
  int64_t version = r.Int("version", 0, 1000);
  SealedRecord out;
  out.body = r.String("state", kMaxStateBytes);
  std::string mac_b64 = r.String("mac", 128);
  if (!r.ok() || format != kFormat) {
    return DataLoss("the licensing state is not a state record (" +
                    (r.ok() ? std::string("wrong format") : r.status().message()) + ")");
  }
  if (version != AgentState::kVersion && version != kClearSecretsVersion) {
    return FailedPrecondition("the licensing state has version " + std::to_string(version) +
                              "; this agent reads versions " + std::to_string(kClearSecretsVersion) + " and " +
                              std::to_string(AgentState::kVersion));
  }
  Result<std::string> mac = Base64Decode(mac_b64);
  if (!mac.ok()) return DataLoss("the licensing state's integrity code is damaged");
  out.mac = std::move(mac).value();
  return out;
}

Result<AgentState> DecodeRecordBody(const std::string& body, const StateFieldCipher* cipher, bool* in_clear) {
  Result<AgentState> state = DecodeBody(body, cipher, in_clear);
  if (!state.ok()) return DataLoss("the licensing state is unreadable: " + state.status().message());
  return state;
}

}  // namespace

Result<std::string> SealState(const AgentState& state, const DeviceSecret& secret) {
  return SealRecord(state, secret, /*clear_secrets=*/false);
}

Result<std::string> SealPortableState(const AgentState& state, const DeviceSecret& secret) {
  return SealRecord(state, secret, /*clear_secrets=*/true);
}

Result<AgentState> OpenState(std::string_view record, const DeviceSecret& secret, bool* secrets_in_clear) {
  Result<SealedRecord> sealed = ParseRecord(record);
  if (!sealed.ok()) return sealed.status();
  Result<std::string> mac = secret.Mac(sealed->body);
  if (!mac.ok()) return mac.status();
  if (!ConstantTimeEquals(*mac, sealed->mac)) {
    return DataLoss(
        "the licensing state failed its integrity check: it was edited, or it was sealed on another "
        "device; restore it from a backup of this device or factory-reset the device");
  }
  Result<StateFieldCipher> cipher = StateFieldCipher::ForDevice(secret);
  if (!cipher.ok()) return cipher.status();
  return DecodeRecordBody(sealed->body, &*cipher, secrets_in_clear);
}

Result<AgentState> OpenStateUnverified(std::string_view record) {
  Result<SealedRecord> sealed = ParseRecord(record);
  if (!sealed.ok()) return sealed.status();
  return DecodeRecordBody(sealed->body, nullptr, nullptr);
}

}  // namespace sl
