#include "cli/status_output.h"

#include <sstream>

#include "base/iso8601.h"
#include "base/json.h"

namespace sl::cli {

namespace {

std::string Time(const std::optional<UnixSeconds>& t) { return t ? FormatIso8601(*t) : "-"; }

std::optional<UnixSeconds> Earliest(const std::optional<UnixSeconds>& a, const std::optional<UnixSeconds>& b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

const char* ModeText(LicensingMode mode) { return mode == LicensingMode::kSmart ? "On" : "Off (PAK)"; }

void TimeField(JsonWriter& w, const char* key, const std::optional<UnixSeconds>& t) {
  w.Key(key);
  if (t) w.Value(FormatIso8601(*t));
  else w.Null();
}

void SecondsField(JsonWriter& w, const char* key, const std::optional<int64_t>& seconds) {
  w.Key(key);
  if (seconds) w.Value(*seconds);
  else w.Null();
}

}  // namespace

std::string DescribeTransport(const TransportSettings& s, bool password_set) {
  std::string url = EffectiveUrl(s);
  std::string text;
  if (s.mode == TransportMode::kOnPrem) {
    text = "Smart Software Manager On-Prem (" + url + ")";
  } else if (s.proxy) {
    text = "Proxy Server " + s.proxy->host + ":" + std::to_string(s.proxy->port) + " to " + url;
    if (!s.proxy->username.empty()) {
      text += " (user " + s.proxy->username + (password_set ? ", password set)" : ", no password)");
    }
  } else {
    text = "Direct (" + url + ")";
  }
  if (!s.ca_bundle_path.empty()) text += ", CA bundle " + s.ca_bundle_path;
  return text;
}

std::string FormatStatusText(const AgentStatus& s, const std::vector<SetupStep>& setup) {
  std::ostringstream out;
  auto line = [&out](const char* field, const std::string& value) {
    constexpr size_t kWidth = 40;  // the longest field name, and a space
    out << field << ":" << std::string(kWidth - std::min<size_t>(kWidth - 1, std::string(field).size()), ' ')
        << (value.empty() ? "-" : value) << "\n";
  };
  for (const SetupStep& step : setup) line("Not configured", step.name + ": run '" + step.command + "'");
  line("Smart licensing mode", ModeText(s.mode));
  line("Transport settings", DescribeTransport(s.transport, s.proxy_password_set));
  line("Do not share my hostname or IP address", s.privacy ? "Yes" : "No");
  line("Registration status", s.registration_status);
  line("License authorization status", s.authorization_status);
  line("Smart account", s.smart_account);
  line("Virtual account", s.virtual_account);
  line("Export-Controlled Functionality", s.export_controlled);
  line("Evaluation period remaining",
       s.evaluation_remaining_seconds ? FormatDuration(*s.evaluation_remaining_seconds) : "");
  line("Initial registration", Time(s.initial_registration));
  line("Last registration renewal", Time(s.last_registration_renewal));
  line("Next renewal attempt", Time(Earliest(s.next_registration_renewal, s.next_authorization_renewal)));
  line("Registration expires", Time(s.registration_expires));
  line("Authorization expires", Time(s.authorization_expires));
  line("Last communication attempt", Time(s.last_communication_attempt));
  line("Next communication attempt", Time(s.next_communication_attempt));
  line("Communication deadline", Time(s.communication_deadline));
  line("Last error", s.last_error);
  if (!s.clock_note.empty()) line("System clock", s.clock_note);
  if (!s.device_key.empty()) line("Device key", s.device_key);
  if (s.communication_problem == CommunicationProblem::kConfiguration) {
    line("Communication problem", "configuration: CSSM cannot be used as configured; fix what Last error names");
  } else if (s.communication_problem == CommunicationProblem::kTrust) {
    line("Communication problem", "trust: CSSM's replies or certificate are not trusted; fix what Last error names");
  }
  out << "License usage:\n";
  if (s.licenses.empty()) {
    out << "  (no licenses in use)\n";
  } else {
    size_t width = 12;
    for (const LicenseStatus& l : s.licenses) width = std::max(width, l.tag.size());
    out << "  " << "License type" << std::string(width - 12 + 2, ' ') << "Current usage  Status\n";
    for (const LicenseStatus& l : s.licenses) {
      std::string count = std::to_string(l.count);
      out << "  " << l.tag << std::string(width - l.tag.size() + 2, ' ') << count
          << std::string(count.size() < 15 ? 15 - count.size() : 1, ' ') << l.status << "\n";
    }
  }
  return out.str();
}

std::string LicensingResultJson(const AgentStatus& s) {
  JsonWriter w;
  w.StartObject();
  w.Field("mode", s.mode == LicensingMode::kSmart ? "smart" : "pak");
  w.Field("registration_status", s.registration_status).Field("authorization_status", s.authorization_status);
  w.Field("smart_account", s.smart_account).Field("virtual_account", s.virtual_account);
  w.Field("instance_id", s.instance_id);
  SecondsField(w, "evaluation_remaining_seconds", s.evaluation_remaining_seconds);
  TimeField(w, "registration_expires", s.registration_expires);
  TimeField(w, "authorization_expires", s.authorization_expires);
  TimeField(w, "next_communication_attempt", s.next_communication_attempt);
  w.Field("last_error", s.last_error);
  w.EndObject();
  return w.str();
}

void WriteTransportJson(JsonWriter& w, const TransportSettings& t, bool password_set) {
  w.StartObject();
  w.Field("mode", t.mode == TransportMode::kOnPrem ? "onprem" : (t.proxy ? "proxy" : "direct"));
  w.Field("url", EffectiveUrl(t));
  if (t.proxy) {
    w.Key("proxy").StartObject().Field("address", t.proxy->host).Field("port", t.proxy->port);
    w.Field("username", t.proxy->username).Field("password_set", password_set).EndObject();
  }
  w.Field("ca_bundle", t.ca_bundle_path);
  w.Field("description", DescribeTransport(t, password_set));
  w.EndObject();
}

void WriteStatusJson(JsonWriter& w, const AgentStatus& s, const std::vector<SetupStep>& setup) {
  w.Key("not_configured").StartArray();
  for (const SetupStep& step : setup) w.StartObject().Field("item", step.name).Field("command", step.command).EndObject();
  w.EndArray();
  w.Field("mode", s.mode == LicensingMode::kSmart ? "smart" : "pak");
  w.Field("registration_status", s.registration_status);
  w.Field("authorization_status", s.authorization_status);
  w.Field("smart_account", s.smart_account).Field("virtual_account", s.virtual_account);
  w.Field("export_controlled", s.export_controlled);
  w.Field("instance_id", s.instance_id);
  SecondsField(w, "evaluation_remaining_seconds", s.evaluation_remaining_seconds);
  TimeField(w, "initial_registration", s.initial_registration);
  TimeField(w, "last_registration_renewal", s.last_registration_renewal);
  TimeField(w, "next_renewal_attempt", Earliest(s.next_registration_renewal, s.next_authorization_renewal));
  TimeField(w, "next_registration_renewal", s.next_registration_renewal);
  TimeField(w, "next_authorization_renewal", s.next_authorization_renewal);
  TimeField(w, "registration_expires", s.registration_expires);
  TimeField(w, "last_authorization", s.last_authorization);
  TimeField(w, "authorization_expires", s.authorization_expires);
  TimeField(w, "last_communication_attempt", s.last_communication_attempt);
  TimeField(w, "next_communication_attempt", s.next_communication_attempt);
  TimeField(w, "communication_deadline", s.communication_deadline);
  w.Field("last_error", s.last_error);
  w.Field("communication_problem", CommunicationProblemName(s.communication_problem));
  w.Field("clock_note", s.clock_note);
  w.Field("device_key", s.device_key);
  w.Field("privacy", s.privacy);
  w.Key("transport");
  WriteTransportJson(w, s.transport, s.proxy_password_set);
  w.Key("licenses").StartArray();
  for (const LicenseStatus& l : s.licenses) {
    w.StartObject().Field("tag", l.tag).Field("count", l.count).Field("status", l.status).EndObject();
  }
  w.EndArray();
}

}  // namespace sl::cli
