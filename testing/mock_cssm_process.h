// Runs the real mock-cssm binary for a test, over real TLS on loopback, and talks
// to its admin API. The process is stopped (SIGTERM) when the object goes away.
// Thread-safety: owned by one test.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sl::test {

struct HttpResult {
  int status = 0;  // 0: no HTTP response
  std::string body;
  std::string error;        // why there is no response (httplib's words)
  std::string retry_after;  // the Retry-After header, if any
};

class MockCssmProcess {
 public:
  static constexpr const char* kAdminToken = "test-admin-token-0123";

  // Starts mock-cssm with the test PKI, `seed_path` (may be empty) and `extra_args`;
  // fails the test when it does not print its "listening on" line within 10 s.
  // `tls_identity` names the test PKI pair the mock presents as its TLS certificate:
  // "server" (valid for 127.0.0.1), "wrong-host" or "expired" (for TLS failure tests).
  explicit MockCssmProcess(const std::string& seed_path = "", std::vector<std::string> extra_args = {},
                           const std::string& tls_identity = "server");
  ~MockCssmProcess();
  MockCssmProcess(const MockCssmProcess&) = delete;
  MockCssmProcess& operator=(const MockCssmProcess&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string direct_url() const { return base_url() + "/licservice/license"; }
  std::string onprem_url() const { return base_url() + "/SmartTransport"; }
  const std::string& stderr_path() const { return stderr_path_; }

  // An HTTPS request to the mock, trusting the test TLS CA. `auth` adds the admin token.
  HttpResult Request(const std::string& method, const std::string& path, const std::string& body = "",
                     bool auth = true, int read_timeout_seconds = 10) const;
  HttpResult Admin(const std::string& method, const std::string& path, const std::string& body = "") const {
    return Request(method, path, body, true);
  }
  // Creates a token in the seed's account; returns "" (and fails the test) on error.
  std::string CreateToken(const std::string& account, const std::string& va, bool export_controlled = false,
                          int expires_in_days = 30, int max_uses = 10) const;

  // Sends SIGTERM and waits at most 10 s (then kills it and fails the test); returns
  // the exit status (or -1).
  int Stop();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string stderr_path_;
};

// The seed every integration test shares: tests/data/seed.json.
std::string TestSeedPath();
// URL-encodes one path segment ("Acme Video" -> "Acme%20Video").
std::string PathSegment(const std::string& s);

}  // namespace sl::test
