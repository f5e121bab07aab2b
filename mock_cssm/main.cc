// mock-cssm: the bundled mock Cisco Smart Software Manager, for demos and
// integration tests. See docs/mock-cssm.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "base/files.h"
#include "base/text.h"
#include "smartlicensing/mock_cssm.h"

namespace {

constexpr const char* kUsage = R"(usage: mock-cssm --listen HOST:PORT --cert FILE --key FILE
                 --signing-key FILE --signing-cert FILE
                 (--admin-token TOKEN | --admin-token-file FILE)
                 [--seed FILE] [--endpoints both|direct|onprem]
                 [--max-clock-skew SECONDS] [--max-body-bytes N]

  --listen HOST:PORT      address to listen on; port 0 picks a free port
  --cert, --key           TLS server certificate and key (PEM)
  --signing-key/-cert     CSSM signing key and certificate (PEM): signs every
                          licensing response and issues device ID certificates
  --admin-token[-file]    bearer token of the admin API (at least 8 characters)
  --seed FILE             preload accounts, pools and tokens (JSON)
  --endpoints             serve the Direct path /licservice/license, the On-Prem
                          path /SmartTransport, or both (default both)
  --max-clock-skew S      refuse requests whose clock differs more (default 300)
  --max-body-bytes N      request body cap (default 65536)

When ready it prints "listening on https://HOST:PORT". SIGTERM or SIGINT stops it.
)";

int UsageError(const std::string& message) {
  std::cerr << "mock-cssm: " << message << "\n(run 'mock-cssm --help' for usage)\n";
  return 2;
}

bool ParseInt(const std::string& text, long long min, long long max, long long* out) {
  std::optional<int64_t> n = sl::ParseDecimal(text, min, max);
  if (n) *out = *n;
  return n.has_value();
}

// "localhost", an address in 127.0.0.0/8, or ::1.
bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

int main(int argc, char** argv) {
  sl::mock::ServerOptions options;
  std::string listen, admin_token_file;
  bool allow_non_loopback = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--allow-non-loopback") {
      allow_non_loopback = true;
      continue;
    }
    if (i + 1 >= argc) return UsageError("option " + arg + " needs a value");
    std::string value = argv[++i];
    long long n = 0;
    if (arg == "--listen") listen = value;
    else if (arg == "--cert") options.tls_cert_path = value;
    else if (arg == "--key") options.tls_key_path = value;
    else if (arg == "--signing-key") options.signing_key_path = value;
    else if (arg == "--signing-cert") options.signing_cert_path = value;
    else if (arg == "--admin-token") options.admin_token = value;
    else if (arg == "--admin-token-file") admin_token_file = value;
    else if (arg == "--seed") options.seed_path = value;
    else if (arg == "--endpoints") {
      if (value == "both") options.endpoints = sl::mock::Endpoints::kBoth;
      else if (value == "direct") options.endpoints = sl::mock::Endpoints::kDirectOnly;
      else if (value == "onprem") options.endpoints = sl::mock::Endpoints::kOnPremOnly;
      else return UsageError("--endpoints must be both, direct or onprem");
    } else if (arg == "--max-clock-skew") {
      if (!ParseInt(value, 1, 10LL * 365 * 86400, &n)) return UsageError("--max-clock-skew must be a positive number of seconds");
      options.max_clock_skew_seconds = n;
    } else if (arg == "--max-body-bytes") {
      if (!ParseInt(value, 1024, 16 * 1024 * 1024, &n)) return UsageError("--max-body-bytes must be between 1024 and 16777216");
      options.max_body_bytes = static_cast<size_t>(n);
    } else {
      return UsageError("unknown option " + arg);
    }
  }
  if (listen.empty()) return UsageError("--listen HOST:PORT is required");
  size_t colon = listen.rfind(':');
  long long port = 0;
  if (colon == std::string::npos || colon == 0 || !ParseInt(listen.substr(colon + 1), 0, 65535, &port)) {
    return UsageError("--listen must be HOST:PORT with a port of 0-65535, e.g. 127.0.0.1:0");
  }
  options.host = listen.substr(0, colon);
  options.port = static_cast<int>(port);
  if (!IsLoopback(options.host) && !allow_non_loopback) {
    return UsageError("the mock CSSM listens on loopback only (its HTTP library has known DoS issues); "
                      "pass --allow-non-loopback to override");
  }
  for (const auto& [flag, value] : {std::pair<const char*, std::string>{"--cert", options.tls_cert_path},
                                    {"--key", options.tls_key_path},
                                    {"--signing-key", options.signing_key_path},
                                    {"--signing-cert", options.signing_cert_path}}) {
    if (value.empty()) return UsageError(std::string(flag) + " FILE is required");
  }
  if (!admin_token_file.empty()) {
    sl::Result<std::string> token = sl::ReadFileCapped(admin_token_file, 4096);
    if (!token.ok()) return UsageError("--admin-token-file: " + token.status().message());
    options.admin_token = token->substr(0, token->find_first_of("\r\n"));
  }
  if (options.admin_token.empty()) return UsageError("--admin-token or --admin-token-file is required");

  // A client that hangs up mid-response must not kill the server: OpenSSL writes
  // with write(2), which raises SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  // Handle SIGTERM/SIGINT on a thread of their own, so stopping is ordinary code
  // rather than work inside a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sl::SystemTimeSource clock;
  auto server = sl::mock::MockCssmServer::Create(options, clock);
  if (!server.ok()) {
    std::cerr << "mock-cssm: " << server.status().message() << "\n";
    return 1;
  }
  sl::Result<int> bound = (*server)->Bind();
  if (!bound.ok()) {
    std::cerr << "mock-cssm: " << bound.status().message() << "\n";
    return 1;
  }
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    (*server)->Stop();
  });
  std::cout << "listening on https://" << options.host << ":" << *bound << std::endl;
  (*server)->Serve();
  // Serve() also returns if the listener fails; make sure the stopper can finish.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  std::cerr << "mock-cssm: stopped\n";
  return 0;
}
