// The mock CSSM server: HTTPS (TLS 1.2 or later) on cpp-httplib, serving the
// licensing endpoints (Direct /licservice/license, On-Prem /SmartTransport) and the
// admin API (/admin/v1/..., bearer token) on one listener. docs/mock-cssm.md
// documents every endpoint with an example.
//
// Usage: Create(), Bind() (port 0 picks a free one), then Serve() on some thread
// until Stop() is called from another. Thread-safety: Stop() may be called from any
// thread, at any time after Bind(); the rest from the owning thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "mock_cssm/cssm.h"
#include "mock_cssm/faults.h"
#include "mock_cssm/licensing_service.h"
#include "protocol/clock.h"

namespace httplib {
class SSLServer;
class Request;
class Response;
}  // namespace httplib

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

class MockCssmServer {
 public:
  // Loads keys, certificates and the seed. `base_clock` must outlive the server.
  static Result<std::unique_ptr<MockCssmServer>> Create(const ServerOptions& options,
                                                        const Clock& base_clock);
  ~MockCssmServer();

  // Binds the listening socket and returns its port.
  Result<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  void Serve();
  void Stop();

 private:
  MockCssmServer(const ServerOptions& options, const Clock& base_clock, PrivateKey signing_key,
                 Certificate signing_cert);
  void InstallRoutes();
  void InstallAdminRoutes();
  void HandleLicensing(const httplib::Request& req, httplib::Response& res);
  bool AdminAuthorized(const httplib::Request& req) const;

  ServerOptions options_;
  OffsetClock clock_;
  std::mutex mutex_;  // guards cssm_ (and the service's replay cache)
  Cssm cssm_;
  LicensingService licensing_;
  FaultPlan faults_;
  std::unique_ptr<httplib::SSLServer> http_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace sl::mock
