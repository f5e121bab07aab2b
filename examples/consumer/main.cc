// Embeds the Smart Licensing agent the way firmware does, with the libcurl transport
// (On-Prem URL under .invalid, so nothing leaves the machine) and the Expressway
// usage rules. Prints the status page and exits 0.
//   consumer STATE_DIR TRUST_ANCHOR_PEM
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "agent/agent.h"
#include "expressway/registrations.h"
#include "transport/curl_transport.h"

namespace {

class UnreachableTransport : public sl::Transport {
 public:
  sl::TransportReply Send(std::string_view) override {
    sl::TransportReply reply;
    reply.failure = sl::TransportFailure::kConnect;
    reply.error = "no network in this example";
    return reply;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer STATE_DIR TRUST_ANCHOR_PEM\n";
    return 2;
  }
  const std::string dir = argv[1];
  std::ifstream anchor_file(argv[2]);
  std::stringstream anchor;
  anchor << anchor_file.rdbuf();

  sl::SystemClock clock;
  sl::SystemMonotonicClock monotonic;
  sl::FileStateStore store(dir + "/state.json", dir + "/state.witness");
  auto secret = sl::LoadOrCreateDeviceSecretFile(dir + "/device.key");
  if (!secret.ok()) {
    std::cerr << secret.status().ToString() << "\n";
    return 1;
  }
  sl::StaticDeviceIdentity identity({"EXPWY-VE-L", "EXAMPLE0001"}, "example-host");

  sl::AgentEnvironment env;
  env.clock = &clock;
  env.monotonic = &monotonic;
  env.store = &store;
  env.identity = &identity;
  env.secret = secret->get();
  env.trust_anchor_pem = anchor.str();
  env.transport_factory = [](const sl::TransportSettings& settings) -> std::unique_ptr<sl::Transport> {
    auto transport = sl::CurlTransport::Create(settings);
    if (!transport.ok()) return std::make_unique<UnreachableTransport>();
    return std::move(transport).value();
  };
  env.on_event = [](const sl::Event& e) { std::cout << "event: " << sl::EventTypeName(e.type) << ": " << e.message << "\n"; };

  auto agent = sl::Agent::Open(std::move(env));
  if (!agent.ok()) {
    std::cerr << agent.status().ToString() << "\n";
    return 1;
  }
  if (sl::Status s = (*agent)->Enable(); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  sl::TransportSettings onprem;
  onprem.mode = sl::TransportMode::kOnPrem;
  onprem.url = "https://satellite.example.invalid/SmartTransport";
  if (sl::Status s = (*agent)->SetTransportSettings(onprem); !s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  // One DX80 registered over SIP consumes a desktop license.
  sl::expressway::RegistrationTable registrations(sl::expressway::LargeVm(), std::nullopt, std::nullopt);
  (void)registrations.Register({"dx80@example.com", sl::expressway::Signaling::kSip, "DX80", "CE9.1"});
  for (const auto& [tag, count] : registrations.Usage()) (void)(*agent)->SetUsage(tag, count);
  sl::AgentStatus status = (*agent)->GetStatus();
  std::cout << "Licensing mode: " << sl::LicensingModeName(status.mode) << "\n"
            << "Registration status: " << status.registration_status << "\n"
            << "License authorization status: " << status.authorization_status << "\n"
            << "Evaluation remaining (days): " << *status.evaluation_remaining_seconds / sl::kDay << "\n";
  return status.authorization_status == sl::status_text::kEvaluationMode ? 0 : 1;
}
