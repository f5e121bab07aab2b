// StubHttpServer: a tiny cpp-httplib server on 127.0.0.1 (a free port) that answers
// every POST with the status, headers and body a test sets, over TLS with the test
// PKI's server certificate (trusted through tls-ca.crt, valid for 127.0.0.1) or in
// plain HTTP. For transport tests of what the mock CSSM never does: answer with a
// redirect, or speak plain HTTP where HTTPS is expected. Header-only, so that a test
// target that links sl_testing (and with it cpp-httplib) can use it as it is.
// Thread-safety: set the reply before the first request; the server answers on its
// own thread and stops (and is joined) on destruction.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "testing/test_util.h"

namespace sl::test {

class StubHttpServer {
 public:
  enum class Protocol { kHttps, kPlainHttp };

  explicit StubHttpServer(Protocol protocol = Protocol::kHttps) {
    if (protocol == Protocol::kHttps) {
      server_ = std::make_unique<httplib::SSLServer>(PkiPath("server.crt").c_str(), PkiPath("server.key").c_str());
    } else {
      server_ = std::make_unique<httplib::Server>();
    }
    server_->Post(".*", [this](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      for (const auto& [name, value] : headers) res.set_header(name, value);
      res.set_content(body, "application/json");
    });
    if (server_->is_valid()) port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() before the loop runs would be lost and leave the thread listening, so the
    // server is running before anyone can stop it (at most 5 s, then not running).
    for (int i = 0; i < 500 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!server_->is_running()) port_ = -1;
  }
  ~StubHttpServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  StubHttpServer(const StubHttpServer&) = delete;
  StubHttpServer& operator=(const StubHttpServer&) = delete;

  bool running() const { return port_ > 0; }
  int port() const { return port_; }
  // "https://127.0.0.1:<port><path>" (or http:// for a plain server).
  std::string Url(const std::string& path, bool https = true) const {
    return std::string(https ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  // What every POST gets.
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body = "{}";

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = -1;
  std::thread thread_;
};

}  // namespace sl::test
