// A device whose licensing state lives in temporary directories, wired the way
// products wire it (DeviceDirectory, CurlTransportFactory) and pointed at a mock CSSM:
// the integration tests' agent, through the real libcurl transport.
// Thread-safety: owned by one test.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "smartlicensing/agent.h"
#include "smartlicensing/device_directory.h"
#include "smartlicensing/licensing_terms.h"
#include "testing/test_util.h"

namespace sl::test {

class DeviceInTempDir {
 public:
  DeviceInTempDir(Udi udi, std::string hostname);
  ~DeviceInTempDir();

  // Opens the agent and points its transport at `url`, trusting the test PKI's TLS
  // CA. Fails the calling test and returns nullptr when either does not work.
  // REQUIRES: no agent of this device is open (the directory must outlive it).
  std::unique_ptr<Agent> OpenAgent(const std::string& url, int64_t connect_timeout_seconds = 10,
                                   int64_t total_timeout_seconds = 60);

  // For the next OpenAgent: where new registrations' keys are made
  // (DeviceDirectoryOptions::key_provider, key_uri), and a key store that replaces the
  // one the directory makes (nullptr: the directory's; it must outlive the agent).
  void set_key_provider(std::string provider, std::string key_uri = "") {
    key_provider_ = std::move(provider);
    key_uri_ = std::move(key_uri);
  }
  void set_key_store(DeviceKeyStore* store) { key_store_ = store; }
  // The key store the open agent uses.
  DeviceKeyStore* key_store() const;

  const std::string& state_dir() const { return state_dir_.path(); }
  const std::string& key_dir() const { return key_dir_.path(); }

 private:
  Udi udi_;
  std::string hostname_;
  std::string key_provider_;
  std::string key_uri_;
  DeviceKeyStore* key_store_ = nullptr;
  TempDir state_dir_;
  TempDir key_dir_;
  std::unique_ptr<DeviceDirectory> device_;
};

}  // namespace sl::test
