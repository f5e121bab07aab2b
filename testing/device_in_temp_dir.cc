#include "testing/device_in_temp_dir.h"

#include <gtest/gtest.h>

#include "smartlicensing/curl_transport.h"

namespace sl::test {

DeviceInTempDir::DeviceInTempDir(Udi udi, std::string hostname)
    : udi_(std::move(udi)), hostname_(std::move(hostname)) {}

DeviceInTempDir::~DeviceInTempDir() = default;

std::unique_ptr<Agent> DeviceInTempDir::OpenAgent(const std::string& url, int64_t connect_timeout_seconds,
                                                  int64_t total_timeout_seconds) {
  DeviceDirectoryOptions options;
  options.state_dir = state_dir_.path();
  options.key_dir = key_dir_.path();
  options.udi = udi_;
  options.hostname = hostname_;
  options.trust_anchor_pem = ReadPki("cssm-signing.crt");
  options.transport_factory = CurlTransportFactory();
  options.key_provider = key_provider_;
  options.key_uri = key_uri_;
  device_.reset();
  Result<std::unique_ptr<DeviceDirectory>> device = DeviceDirectory::Open(std::move(options));
  EXPECT_TRUE(device.ok()) << device.status().ToString();
  if (!device.ok()) return nullptr;
  device_ = std::move(device).value();
  AgentEnvironment env = device_->Environment();
  if (key_store_ != nullptr) env.key_store = key_store_;
  Result<std::unique_ptr<Agent>> agent = Agent::Open(env);
  EXPECT_TRUE(agent.ok()) << agent.status().ToString();
  if (!agent.ok()) return nullptr;
  TransportSettings settings;
  settings.url = url;
  settings.ca_bundle_path = PkiPath("tls-ca.crt");
  settings.connect_timeout_seconds = connect_timeout_seconds;
  settings.total_timeout_seconds = total_timeout_seconds;
  Status set = (*agent)->SetTransportSettings(settings);
  EXPECT_TRUE(set.ok()) << set.ToString();
  return std::move(agent).value();
}

DeviceKeyStore* DeviceInTempDir::key_store() const {
  if (key_store_ != nullptr) return key_store_;
  return device_ ? device_->Environment().key_store : nullptr;
}

}  // namespace sl::test
