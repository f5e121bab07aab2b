// Writes the seed corpora of fuzz/corpus/ from real messages, records and seed files
// made by the project's own encoders, with the placeholders the harnesses expand
// ($MID$, $CSR$, $CERT$, $INSTANCE$, $SERIAL$) where a value is known only at run time.
//
//   build-fuzz/fuzz/sl_make_fuzz_corpus SOURCE_DIR     (writes SOURCE_DIR/fuzz/corpus/*/)
//
// Regression inputs (crashes found and fixed) live beside the seeds, named
// regression-*; this program never removes them.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "agent/agent_state.h"
#include "base/encoding.h"
#include "base/json.h"
#include "fuzz/fuzz_support.h"
#include "protocol/envelope.h"
#include "protocol/messages.h"

namespace sl::fuzz {
namespace {

constexpr char kMid[] = "0123456789abcdef0123456789abcdef";
std::string g_root;

void Write(const std::string& harness, const std::string& name, const std::string& contents) {
  std::string dir = g_root + "/fuzz/corpus/" + harness;
  mkdir((g_root + "/fuzz/corpus").c_str(), 0755);
  mkdir(dir.c_str(), 0755);
  std::ofstream(dir + "/" + name, std::ios::binary) << contents;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Device {
  PrivateKey key = PrivateKey::Generate().value();
  std::string csr = MakeCertificateRequest(key, "EXPWY-VE-L:SN1").value();
  std::string cert = IssueCertificate(CssmKey(), CssmCertificate(), key.Public(), "EXPWY-VE-L SN1", kNow - 60,
                                      kNow + 365 * kDay)
                         .value()
                         .ToPem();
};

Request NewRequest(MessageType type, const Device& d) {
  Request q;
  q.type = type;
  q.message_id = kMid;
  q.sent_at = kNow;
  q.udi = {"EXPWY-VE-L", "SN1"};
  q.instance_id = "INSTANCE-ID";
  q.cert_serial = "CERTSERIAL";
  if (type == MessageType::kRegister) {
    q.token = "TOKEN-VIDEO-0001";
    q.csr_pem = d.csr;
  }
  if (type == MessageType::kRegister || type == MessageType::kRenewId) q.hostname = "exp1.example.com";
  if (type == MessageType::kAuthorize || type == MessageType::kReportUsage) {
    q.usage = {{"expressway_rms", 3}, {"expressway_room", 0}};
  }
  return q;
}

Response NewResponse(MessageType type, const Device& d, bool ok) {
  Response r;
  r.type = type;
  r.in_reply_to = kMid;
  r.server_time = kNow;
  r.ok = ok;
  if (!ok) {
    r.error_code = error_code::kStaleMessage;
    r.error_message = "the request was sent 900 seconds from the server's time";
  } else if (type == MessageType::kRegister || type == MessageType::kRenewId) {
    r.instance_id = "PI-1";
    r.id_certificate_pem = d.cert;
    r.smart_account = "Acme";
    r.virtual_account = "Video";
    r.export_controlled = true;
    r.registration_expires = kNow + 365 * kDay;
  } else if (type == MessageType::kAuthorize || type == MessageType::kReportUsage) {
    r.licenses = {{"expressway_rms", 3, "Authorized"}, {"expressway_room", 20, "Out of compliance"}};
    r.authorization_status = "Out-of-compliance";
    r.authorization_expires = kNow + 90 * kDay;
  }
  return r;
}

AgentState RegisteredState(const Device& d) {
  AgentState s;
  s.mode = LicensingMode::kSmart;
  s.udi = {"EXPWY-VE-L", "SN1"};
  s.transport.url = "https://cssm.example.com/licensing";
  s.transport.proxy = ProxySettings{"proxy.example.com", 3128, "user", "not-a-password"};
  s.agent_time = kNow;
  s.last_wall = kNow;
  s.boot_id = "3f1c2d4e-0000-4000-8000-000000000001";
  s.evaluation_used = 3600;
  s.registration = RegistrationState::kRegistered;
  s.instance_id = "PI-1";
  // No private key lives in git, not even a throwaway one: the shape is what matters.
  s.device_key_pem = "-----BEGIN PRIVATE KEY-----\nnot a key: a fuzz corpus stand-in\n-----END PRIVATE KEY-----\n";
  s.id_certificate_pem = d.cert;
  s.smart_account = "Acme";
  s.virtual_account = "Video";
  s.sent_hostname = "exp1.example.com";
  s.authorization_status = "Authorized";
  s.license_statuses = {{"expressway_rms", 3, "Authorized"}};
  s.authorization_expires_at = kNow + 90 * kDay;
  s.usage = {{"expressway_rms", 3}};
  s.renew_authorization_due_at = kNow + 30 * kDay;
  s.last_error = "Operation timed out";
  return s;
}

void WriteMessages(const Device& d) {
  const std::string csr_json = JsonEscaped(d.csr), cert_json = JsonEscaped(d.cert);
  for (MessageType type : {MessageType::kRegister, MessageType::kRenewId, MessageType::kAuthorize,
                           MessageType::kReportUsage, MessageType::kDeregister}) {
    const std::string name = MessageTypeName(type);
    const std::string request = EncodeRequest(NewRequest(type, d)).value();
    Write("request", name, request);
    Write("json", "request-" + name, request);
    Write("envelope", "request-" + name, SealMessage(request, d.key).value());
    std::string templated = Replace(Replace(request, kMid, "$MID$"), csr_json, "$CSR$");
    templated = Replace(Replace(templated, "INSTANCE-ID", "$INSTANCE$"), "CERTSERIAL", "$SERIAL$");
    Write("licensing_service", "signed-" + name, "\x01" + templated);
    Write("licensing_service", "envelope-" + name, "\x00" + SealMessage(request, d.key).value());
    for (bool ok : {true, false}) {
      const std::string response = EncodeResponse(NewResponse(type, d, ok)).value();
      const std::string suffix = name + (ok ? "" : "-refused");
      Write("response", suffix, response);
      Write("json", "response-" + suffix, response);
      Write("envelope", "response-" + suffix, SealMessage(response, CssmKey()).value());
      const char mode = static_cast<char>(static_cast<int>(type) | (ok ? 0 : 1 << 3) | 0x20);
      Write("cssm_reply", "signed-" + suffix, mode + Replace(Replace(response, kMid, "$MID$"), cert_json, "$CERT$"));
      Write("cssm_reply", "envelope-" + suffix,
            static_cast<char>(mode & ~0x20) + SealMessage(response, CssmKey()).value());
    }
  }
}

void WriteStates(const Device& d) {
  const HmacDeviceSecret secret(std::string(32, 'k'));  // the harnesses' secret
  AgentState registered = RegisteredState(d);
  AgentState fresh;
  fresh.udi = {"EXPWY-VE-L", "SN1"};
  AgentState other = registered;
  other.udi = {"EXPWY-VE-L", "OTHER"};
  for (const auto& [name, state] : {std::pair<std::string, AgentState>{"registered", registered},
                                    {"fresh", fresh}, {"other-udi", other}}) {
    const std::string json = EncodeStateJson(state), record = SealState(state, secret).value();
    Write("json", "state-" + name, json);
    Write("state_record", "open-" + name, "\x00" + record);
    Write("state_record", "unverified-" + name, "\x01" + record);
    Write("state_record", "json-" + name, "\x02" + json);
    Write("state_record", "sealed-json-" + name, "\x03" + json);
    Write("backup", "record-" + name, "\x00" + record);
    Write("backup", "record-over-registered-" + name, "\x02" + record);
    Write("backup", "json-" + name, "\x01" + json);
  }
}

}  // namespace
}  // namespace sl::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SOURCE_DIR\n", argv[0]);
    return 2;
  }
  sl::fuzz::g_root = argv[1];
  sl::fuzz::Device device;
  sl::fuzz::WriteMessages(device);
  sl::fuzz::WriteStates(device);
  for (const char* seed : {"/tests/data/seed.json", "/demo/seed.json"}) {
    std::string text = sl::fuzz::Read(sl::fuzz::g_root + seed);
    sl::fuzz::Write("seed", seed[1] == 't' ? "tests-data-seed.json" : "demo-seed.json", text);
    sl::fuzz::Write("json", seed[1] == 't' ? "tests-data-seed.json" : "demo-seed.json", text);
  }
  return 0;
}
