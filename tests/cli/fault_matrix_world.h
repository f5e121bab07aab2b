// The world the fault matrix runs in: the mock CSSM in process on one simulated clock
// (its admin API queues the faults), started lazily a second mock that signs with an
// unrelated key and a tinyproxy that demands Basic authentication; devices wired to
// the real libcurl transport whose route a cell can point elsewhere for one operation;
// and a small TLS server for the replies the mock cannot make (recorded replies, a body
// over the cap, a slow drip, expired or wrong-host certificates).
// Thread-safety: one test thread; the servers answer on their own threads.
#pragma once

#include <gmock/gmock.h>
#include <httplib.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_state.h"
#include "smartlicensing/agent.h"
#include "smartlicensing/mock_cssm.h"
#include "testing/fakes.h"
#include "testing/mocks.h"
#include "testing/tinyproxy_process.h"

namespace sl::test {

constexpr UnixSeconds kMatrixStart = 1767225600;  // 2026-01-01T00:00:00Z
constexpr const char* kMatrixToken = "TEST-TOKEN-EXPRESSWAY";
constexpr const char* kProxyUser = "agent";

// A mock CSSM in process, serving until destroyed.
class InProcessCssm {
 public:
  InProcessCssm(const TimeSource& clock, const std::string& signing_name);
  ~InProcessCssm();
  int port() const { return port_; }
  // POSTs `body` to the admin API; returns the HTTP status (0: no answer).
  int Admin(const std::string& method, const std::string& path, const std::string& body = "") const;

 private:
  std::unique_ptr<mock::MockCssmServer> server_;
  int port_ = 0;
  std::thread serving_;
};

class MatrixWorld {
 public:
  MatrixWorld();
  SimulatedTimeSource& clock() { return clock_; }
  InProcessCssm& cssm() { return cssm_; }
  InProcessCssm& impostor();        // signs with other-ca.key
  TinyproxyProcess& proxy();        // CONNECT to the genuine mock only, Basic authentication
  // The genuine mock's settings: what every device has configured. The cells' faulty
  // routes use a 1-second timeout (the timeout faults wait for it); preparing and
  // retrying use a long one, so that a loaded machine does not fail them.
  TransportSettings GenuineSettings(int64_t timeout_seconds = 10) const;

 private:
  SimulatedTimeSource clock_{kMatrixStart};
  InProcessCssm cssm_;
  std::unique_ptr<InProcessCssm> impostor_;
  std::unique_ptr<TinyproxyProcess> proxy_;
};

// One device: its agent on the world's clock, an in-memory store, and a transport that
// sends through a new CurlTransport for the current route (the genuine mock unless a
// cell routes it elsewhere) and records the body of every reply that arrived.
class MatrixDevice {
 public:
  MatrixDevice(MatrixWorld& world, const std::string& serial);
  ~MatrixDevice();
  Agent& agent() { return *agent_; }
  // The sealed record as the agent last saved it.
  AgentState State() const;
  void RouteTo(std::optional<TransportSettings> route) { route_ = std::move(route); }
  const std::vector<std::string>& replies() const { return replies_; }

 private:
  class RoutedTransport;
  MatrixWorld& world_;
  std::optional<TransportSettings> route_;
  std::vector<std::string> replies_;
  MemoryStateStore store_;
  ::testing::NiceMock<MockDeviceIdentity> identity_;
  HmacDeviceSecret secret_{std::string(32, 'm')};
  std::unique_ptr<Agent> agent_;
};

// Answers every POST with `body` (200) over TLS with the test PKI pair `identity`
// ("server", "expired", "wrong-host"); with `drip`, one byte per 100 ms instead; with
// `status`, that status and a Retry-After of `retry_after` (what the mock's admin API
// refuses to inject: more than a day).
class ScriptedTlsServer {
 public:
  ScriptedTlsServer(const std::string& identity, std::string body, bool drip = false, int status = 200,
                    std::string retry_after = "");
  ~ScriptedTlsServer();
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/licservice/license"; }

 private:
  std::string body_;
  bool drip_;
  int status_;
  std::string retry_after_;
  httplib::SSLServer server_;
  int port_ = -1;
  std::thread thread_;
};

}  // namespace sl::test
