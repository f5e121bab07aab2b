// Embeds the Smart Licensing agent the way firmware does: a device directory, the
// libcurl transport (an On-Prem URL under .invalid, so nothing leaves the machine) and
// the Expressway usage rules. Prints the status page and exits 0.
//   consumer STATE_DIR TRUST_ANCHOR_PEM
// Built against the installed package only (scripts/check-install.sh).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "smartlicensing/agent.h"
#include "smartlicensing/core_dumps.h"
#include "smartlicensing/curl_transport.h"
#include "smartlicensing/device_directory.h"
#include "smartlicensing/expressway/registrations.h"

namespace {

int Fail(const sl::Status& status) {
  std::cerr << status.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer STATE_DIR TRUST_ANCHOR_PEM\n";
    return 2;
  }
  // First, before any secret is loaded: no core dump may carry the device key.
  if (sl::Status s = sl::DisableCoreDumps(); !s.ok()) return Fail(s);
  const std::string dir = argv[1];
  std::ifstream anchor_file(argv[2]);
  std::stringstream anchor;
  anchor << anchor_file.rdbuf();

  // The state and the device secret in separate directories, as on a device (where the
  // key directory would be /etc/... and the state /var/lib/...).
  sl::DeviceDirectoryOptions options;
  options.state_dir = dir + "/state";
  options.key_dir = dir + "/keys";
  // Private (0700): DeviceDirectory refuses directories group or others may write.
  for (const std::string& d : {options.state_dir, options.key_dir}) {
    std::filesystem::create_directories(d);
    std::filesystem::permissions(d, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  }
  options.udi = {"EXPWY-VE-L", "EXAMPLE0001"};
  options.hostname = "example-host";
  options.trust_anchor_pem = anchor.str();
  options.transport_factory = sl::CurlTransportFactory();
  options.on_event = [](const sl::Event& e) {
    std::cout << "event: " << sl::EventTypeName(e.type) << ": " << e.message << "\n";
  };
  sl::Result<std::unique_ptr<sl::DeviceDirectory>> device = sl::DeviceDirectory::Open(std::move(options));
  if (!device.ok()) return Fail(device.status());
  sl::Result<std::unique_ptr<sl::Agent>> agent = sl::Agent::Open((*device)->Environment());
  if (!agent.ok()) return Fail(agent.status());

  if (sl::Status s = (*agent)->Enable(); !s.ok()) return Fail(s);
  sl::TransportSettings onprem;
  onprem.mode = sl::TransportMode::kOnPrem;
  onprem.url = "https://satellite.example.invalid/SmartTransport";
  if (sl::Status s = (*agent)->SetTransportSettings(onprem); !s.ok()) return Fail(s);

  // One DX80 registered over SIP consumes a desktop license.
  sl::expressway::RegistrationTable registrations(sl::expressway::LargeVm(), std::nullopt, std::nullopt);
  (void)registrations.Register({"dx80@example.com", sl::expressway::Signaling::kSip, "DX80", "CE9.1"});
  for (const auto& [tag, count] : registrations.Usage()) (void)(*agent)->SetUsage(tag, count);

  sl::AgentStatus status = (*agent)->GetStatus();
  std::cout << "Licensing mode: " << sl::LicensingModeName(status.mode) << "\n"
            << "Registration status: " << status.registration_status << "\n"
            << "License authorization status: " << status.authorization_status << "\n"
            << "Evaluation remaining (days): " << *status.evaluation_remaining_seconds / sl::kDay << "\n";
  return status.authorization_status == sl::terms::kEvaluationMode ? 0 : 1;
}
