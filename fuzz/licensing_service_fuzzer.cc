// Fuzzes the mock CSSM's licensing endpoint below HTTP (mock_cssm/licensing_service.h
// LicensingService::Handle), with a product instance registered at start. The first
// byte picks whether the rest is a request envelope as is, or a request body the
// harness signs with the registered device's key so that mutations pass the signature
// check and reach the checks and operations behind it. In the body, $MID$ stands for a
// fresh message id (replay protection would refuse a repeated one), $CSR$ for a CSR of
// the device key, $INSTANCE$ and $SERIAL$ for its instance id and certificate serial.
// The server is rebuilt when a request removed the instance, and every 20,000 runs.
// Property: every reply is an envelope signed by the CSSM key holding a response the
// agent decodes, with HTTP 200 exactly when it is not a refusal.
#include <cstdio>
#include <memory>
#include <mutex>

#include "fuzz/fuzz_support.h"
#include "mock_cssm/licensing_service.h"
#include "protocol/envelope.h"
#include "protocol/messages.h"

namespace {

using sl::fuzz::Check;

const sl::Udi kUdi{"EXPWY-VE-L", "SN1"};

struct Server {
  Server()
      : clock(sl::fuzz::kNow), cssm(clock, sl::fuzz::CssmKey(), sl::fuzz::CssmCertificate()),
        service(cssm, mutex, sl::fuzz::CssmKey(), /*max_clock_skew_seconds=*/300) {}
  sl::SimulatedTimeSource clock;
  std::mutex mutex;
  sl::mock::Cssm cssm;
  sl::mock::LicensingService service;
  std::string instance_id;
  std::string cert_serial;
  int runs = 0;
};

const sl::PrivateKey& DeviceKey() {
  static const sl::PrivateKey* key = new sl::PrivateKey(sl::PrivateKey::Generate().value());
  return *key;
}

const std::string& CsrPem() {
  static const std::string* csr = new std::string(sl::MakeCertificateRequest(DeviceKey(), "EXPWY-VE-L:SN1").value());
  return *csr;
}

std::string MessageId(uint64_t n) {
  char id[33];
  std::snprintf(id, sizeof(id), "%032llx", static_cast<unsigned long long>(n));
  return id;
}

// A server with Acme/Video, a token and this device registered with it.
std::unique_ptr<Server> NewServer() {
  auto server = std::make_unique<Server>();
  sl::mock::Cssm& cssm = server->cssm;
  Check(cssm.AddAccount("Acme", true).ok() && cssm.AddVirtualAccount("Acme", "Video", true).ok() &&
            cssm.SetLicenseCount("Acme", "Video", "expressway_rms", 10).ok(),
        "the server is set up");
  sl::mock::TokenSpec spec;
  spec.value = "TOKEN-VIDEO-0001";
  spec.max_uses = 1000000;
  Check(cssm.CreateToken("Acme", "Video", spec).ok(), "the token is made");
  sl::Request q;
  q.type = sl::MessageType::kRegister;
  q.message_id = MessageId(0);
  q.sent_at = sl::fuzz::kNow;
  q.udi = kUdi;
  q.token = spec.value;
  q.csr_pem = CsrPem();
  sl::mock::LicensingReply reply =
      server->service.Handle(sl::SealMessage(sl::EncodeRequest(q).value(), DeviceKey()).value());
  sl::Response r = sl::DecodeResponse(sl::OpenEnvelope(reply.body).value().body).value();
  Check(r.ok, "the device registers", r.error_message);
  server->instance_id = r.instance_id;
  server->cert_serial = sl::Certificate::FromPem(r.id_certificate_pem).value().SerialHex();
  return server;
}

void CheckReply(const sl::mock::LicensingReply& reply) {
  sl::Result<sl::SignedMessage> m = sl::OpenEnvelope(reply.body);
  Check(m.ok(), "every reply is an envelope", reply.body);
  Check(sl::VerifyMessage(*m, sl::fuzz::CssmCertificate().Key()).ok(), "every reply is signed", reply.body);
  sl::Result<sl::Response> r = sl::DecodeResponse(m->body);
  Check(r.ok(), "every reply decodes", m->body + "\n" + r.status().message());
  Check((reply.http_status == 200) == r->ok, "HTTP 200 exactly for a reply that is no refusal", m->body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Server> server;
  static const std::string csr_json = sl::fuzz::JsonEscaped(CsrPem());
  static uint64_t messages = 0;
  if (!server || ++server->runs > 20000 || server->cssm.FindInstance(server->instance_id) == nullptr) {
    server = NewServer();
  }
  if (size == 0) return 0;
  std::string envelope(sl::fuzz::AsText(data + 1, size - 1));
  if (data[0] & 1) {
    std::string body = sl::fuzz::Expand(envelope, {{"MID", MessageId(++messages)},
                                                   {"CSR", csr_json},
                                                   {"INSTANCE", server->instance_id},
                                                   {"SERIAL", server->cert_serial}});
    envelope = sl::SealMessage(body, DeviceKey()).value();
  }
  CheckReply(server->service.Handle(envelope));
  return 0;
}
