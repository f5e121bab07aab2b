// Throughput of the mock CSSM: registrations/s and authorizations/s, both in
// process (the licensing service alone: signatures, certificate issuing, domain
// work) and over HTTPS on loopback with a keep-alive client. The HTTPS figures
// include the test device's own work (CSR, signing, verifying), which runs on the
// same machine.
//
//   build/bench/mock_cssm/mock_cssm_bench
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <fstream>
#include <thread>

#include "mock_cssm/licensing_service.h"
#include "smartlicensing/mock_cssm.h"
#include "testing/test_device.h"

namespace sl::mock {
namespace {

std::string Pki(const std::string& name) { return std::string(SL_TEST_PKI_DIR) + "/" + name; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

constexpr const char* kToken = "BENCH-TOKEN-0001";

// The licensing service with one account and a token good for a million uses.
struct InProcess {
  SystemTimeSource clock;
  std::mutex mutex;
  Cssm cssm{clock, PrivateKey::FromPem(ReadAll(Pki("cssm-signing.key"))).value(),
            Certificate::FromPem(ReadAll(Pki("cssm-signing.crt"))).value()};
  LicensingService service{cssm, mutex, PrivateKey::FromPem(ReadAll(Pki("cssm-signing.key"))).value(), 300};
  InProcess() {
    (void)cssm.AddAccount("Bench", true);
    (void)cssm.AddVirtualAccount("Bench", "Default", true);
    (void)cssm.SetLicenseCount("Bench", "Default", "rms", 1000000);
    TokenSpec spec;
    spec.value = kToken;
    spec.max_uses = 1000000;
    (void)cssm.CreateToken("Bench", "Default", spec);
  }
  test::TestDevice Device() {
    return test::TestDevice(
        [this](const std::string& envelope) {
          LicensingReply r = service.Handle(envelope);
          return std::make_pair(r.http_status, r.body);
        },
        Udi{"EXPWY-VE-L", "BENCH1"});
  }
};

void BM_ServiceRegistration(benchmark::State& state) {
  InProcess mock;
  test::TestDevice device = mock.Device();
  for (auto _ : state) {
    if (!device.Register(kToken).response.ok) state.SkipWithError("registration refused");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceRegistration)->Unit(benchmark::kMicrosecond);

void BM_ServiceAuthorization(benchmark::State& state) {
  InProcess mock;
  test::TestDevice device = mock.Device();
  if (!device.Register(kToken).response.ok) state.SkipWithError("registration refused");
  for (auto _ : state) {
    if (!device.Authorize({{"rms", 5}}).response.ok) state.SkipWithError("authorization refused");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServiceAuthorization)->Unit(benchmark::kMicrosecond);

// The real server on loopback, with one keep-alive HTTPS client.
struct OverHttps {
  SystemTimeSource clock;
  std::string seed_path = "/tmp/mock-cssm-bench-seed.json";
  std::unique_ptr<MockCssmServer> server;
  std::thread thread;
  std::unique_ptr<httplib::SSLClient> client;

  OverHttps() {
    std::ofstream(seed_path) << R"({"accounts":[{"name":"Bench","virtual_accounts":[{"name":"Default",
        "licenses":{"rms":1000000},"tokens":[{"token":")" << kToken << R"(","max_uses":1000000}]}]}]})";
    ServerOptions o;
    o.tls_cert_path = Pki("server.crt");
    o.tls_key_path = Pki("server.key");
    o.signing_key_path = Pki("cssm-signing.key");
    o.signing_cert_path = Pki("cssm-signing.crt");
    o.admin_token = "bench-admin-token";
    o.seed_path = seed_path;
    server = MockCssmServer::Create(o, clock).value();
    int port = server->Bind().value();
    thread = std::thread([this] { server->Serve(); });
    client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
    client->set_ca_cert_path(Pki("tls-ca.crt").c_str());
    client->enable_server_certificate_verification(true);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
  }
  ~OverHttps() {
    client.reset();
    server->Stop();
    thread.join();
  }
  test::TestDevice Device() {
    return test::TestDevice(
        [this](const std::string& envelope) {
          auto r = client->Post("/licservice/license", envelope, "application/json");
          return r ? std::make_pair(r->status, r->body) : std::make_pair(0, std::string());
        },
        Udi{"EXPWY-VE-L", "BENCH2"});
  }
};

void BM_HttpsRegistration(benchmark::State& state) {
  OverHttps mock;
  test::TestDevice device = mock.Device();
  for (auto _ : state) {
    if (!device.Register(kToken).response.ok) state.SkipWithError("registration refused");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HttpsRegistration)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_HttpsAuthorization(benchmark::State& state) {
  OverHttps mock;
  test::TestDevice device = mock.Device();
  if (!device.Register(kToken).response.ok) state.SkipWithError("registration refused");
  for (auto _ : state) {
    if (!device.Authorize({{"rms", 5}}).response.ok) state.SkipWithError("authorization refused");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HttpsAuthorization)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace sl::mock

BENCHMARK_MAIN();
