// The mock CSSM in process (public API, for test engineers): the HTTPS server that
// the mock-cssm binary runs, to start inside a test or a fixture of one's own. It
// serves the licensing endpoints (Direct /licservice/license, On-Prem /SmartTransport)
// and the admin API (/admin/v1/..., bearer token) on one listener; docs/mock-cssm.md
// documents every endpoint with an example.
//
// Usage: Create(), Bind() (port 0 picks a free one), then Serve() on a thread of its
// own until Stop() is called from another:
//
//   sl::SystemTimeSource time;
//   auto server = sl::mock::MockCssmServer::Create(options, time).value();
//   int port = server->Bind().value();
//   std::thread serving([&] { server->Serve(); });
//   ...   // https://127.0.0.1:<port>/licservice/license
//   server->Stop();
//   serving.join();
//
// Thread-safety: Stop() may be called from any thread, at any time after Bind(); the
// rest from the owning thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl::mock {

inline constexpr const char* kDirectPath = "/licservice/license";
inline constexpr const char* kOnPremPath = "/SmartTransport";

enum class Endpoints { kBoth, kDirectOnly, kOnPremOnly };

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string tls_cert_path;
  std::string tls_key_path;
  std::string signing_key_path;   // the CSSM signing key: signs responses, issues ID certificates
  std::string signing_cert_path;
  std::string admin_token;        // a secret; never logged
  std::string seed_path;          // optional
  Endpoints endpoints = Endpoints::kBoth;
  int64_t max_clock_skew_seconds = 300;
  size_t max_body_bytes = 64 * 1024;
};

class ServerImpl;

class MockCssmServer {
 public:
  // Loads keys, certificates and the seed. `base_time` must outlive the server; the
  // server's own clock is it plus the offset the admin API sets.
  static Result<std::unique_ptr<MockCssmServer>> Create(const ServerOptions& options,
                                                        const TimeSource& base_time);
  ~MockCssmServer();
  MockCssmServer(const MockCssmServer&) = delete;
  MockCssmServer& operator=(const MockCssmServer&) = delete;

  // Binds the listening socket and returns its port.
  Result<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  void Serve();
  void Stop();

 private:
  explicit MockCssmServer(std::unique_ptr<ServerImpl> impl);
  std::unique_ptr<ServerImpl> impl_;
};

}  // namespace sl::mock
