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

 private:
  Udi udi_;
  std::string hostname_;
  TempDir state_dir_;
  TempDir key_dir_;
  std::unique_ptr<DeviceDirectory> device_;
};

}  // namespace sl::test
