// Agent benchmarks (Google Benchmark). Run: build/bench/agent/agent_bench
#include <benchmark/benchmark.h>

#include <memory>

#include "agent/agent_state.h"
#include "agent/cssm_channel.h"
#include "base/secrets.h"
#include "smartlicensing/agent.h"
#include "testing/agent_harness.h"
#include "testing/fake_cssm.h"
#include "testing/test_util.h"

namespace sl {
namespace {

using test::kStart;

// A realistic registered state: device key, ID certificate, a few license lines.
AgentState RegisteredState() {
  AgentState s;
  s.mode = LicensingMode::kSmart;
  s.udi = {"EXPWY-VE-L", "SN0001"};
  s.registration = RegistrationState::kRegistered;
  PrivateKey key = PrivateKey::Generate().value();
  s.device_key_pem = key.ToPem();
  s.id_certificate_pem = test::ReadPki("cssm-signing.crt");
  s.instance_id = "PI-0123456789abcdef";
  s.smart_account = "Example Corp";
  s.virtual_account = "VA-One";
  for (int i = 0; i < 16; ++i) {
    std::string tag = "license-" + std::to_string(i);
    s.usage[tag] = i + 1;
    s.license_statuses.push_back({tag, i + 1, "Authorized"});
  }
  return s;
}

void BM_StateSealAndOpen(benchmark::State& bench) {
  HmacDeviceSecret secret(std::string(32, 'k'));
  AgentState state = RegisteredState();
  for (auto _ : bench) {
    std::string record = SealState(state, secret).value();
    benchmark::DoNotOptimize(OpenState(record, secret).value());
  }
}
BENCHMARK(BM_StateSealAndOpen);

void BM_StateSaveToFile(benchmark::State& bench) {  // includes both fsyncs
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  HmacDeviceSecret secret(std::string(32, 'k'));
  AgentState state = RegisteredState();
  for (auto _ : bench) {
    std::string record = SealState(state, secret).value();
    if (!store.Save(record).ok()) bench.SkipWithError("save failed");
  }
}
BENCHMARK(BM_StateSaveToFile)->Unit(benchmark::kMicrosecond);

void BM_StateLoadFromFile(benchmark::State& bench) {
  test::TempDir dir;
  FileStateStore store(dir.File("state"));
  HmacDeviceSecret secret(std::string(32, 'k'));
  if (!store.Save(SealState(RegisteredState(), secret).value()).ok()) bench.SkipWithError("save failed");
  for (auto _ : bench) benchmark::DoNotOptimize(OpenState(store.Load().value(), secret).value());
}
BENCHMARK(BM_StateLoadFromFile)->Unit(benchmark::kMicrosecond);

Request AuthorizeRequest() {
  Request r;
  r.type = MessageType::kAuthorize;
  r.message_id = RandomHex(16);
  r.sent_at = kStart;
  r.udi = {"EXPWY-VE-L", "SN0001"};
  r.instance_id = "PI-0123456789abcdef";
  r.cert_serial = "0123456789ABCDEF";
  for (int i = 0; i < 16; ++i) r.usage.push_back({"license-" + std::to_string(i), i + 1});
  return r;
}

void BM_RequestSigning(benchmark::State& bench) {
  CssmChannel channel(Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value());
  PrivateKey key = PrivateKey::Generate().value();
  Request request = AuthorizeRequest();
  for (auto _ : bench) benchmark::DoNotOptimize(channel.Seal(request, key).value());
}
BENCHMARK(BM_RequestSigning)->Unit(benchmark::kMicrosecond);

void BM_ResponseVerification(benchmark::State& bench) {
  SimulatedTimeSource clock(kStart);
  test::FakeCssm cssm(clock);
  CssmChannel channel(cssm.signing_cert());
  Request request = AuthorizeRequest();
  Response response;
  response.type = MessageType::kAuthorize;
  response.in_reply_to = request.message_id;
  response.server_time = kStart;
  response.ok = true;
  for (const LicenseCount& u : request.usage) response.licenses.push_back({u.tag, u.count, "Authorized"});
  response.authorization_status = "Authorized";
  response.authorization_expires = kStart + 90 * kDay;
  TransportReply reply = cssm.Reply(response);
  for (auto _ : bench) {
    CssmReply e = channel.Verify(reply, request);
    if (!e.ok()) bench.SkipWithError("verification failed");
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_ResponseVerification)->Unit(benchmark::kMicrosecond);

// One year: evaluation, registration, 30-day authorizations, 6-hour usage reports,
// the 6-month registration renewal, a 10-day outage with retries every 15 minutes.
void BM_SimulatedYear(benchmark::State& bench) {
  int64_t messages = 0;
  for (auto _ : bench) {
    test::AgentHarness h;
    ON_CALL(h.transport, Send(::testing::_)).WillByDefault([&h](std::string_view envelope) {
      UnixSeconds now = h.clock.Now();
      if (now > kStart + 100 * kDay && now < kStart + 110 * kDay) return test::TimeoutReply();  // the outage
      return h.cssm.Handle(envelope);
    });
    Agent& agent = h.Open();
    (void)agent.Enable();
    (void)agent.SetUsage("rms", 10);
    h.clock.Advance(20 * kDay);  // evaluation first
    (void)agent.RunDue();
    (void)agent.Register(test::kToken, false);
    h.RunUntil(kStart + 365 * kDay);
    if (agent.GetStatus().registration_status != terms::kRegistered) bench.SkipWithError("lost registration");
    messages = static_cast<int64_t>(h.cssm.requests().size());
  }
  bench.counters["messages_per_year"] = static_cast<double>(messages);
}
BENCHMARK(BM_SimulatedYear)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sl

BENCHMARK_MAIN();
