#include "mock_cssm/command_line.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>
#include <utility>

#include "base/files.h"
#include "base/text.h"

namespace sl::mock {

const char kUsage[] = R"(usage: mock-cssm --listen HOST:PORT --cert FILE --key FILE
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

namespace {

// The options as given, before the ones that need checking together are resolved.
struct Flags {
  ServerOptions options;
  std::string listen;
  std::string admin_token_file;
  bool allow_non_loopback = false;
};

// "localhost", an address in 127.0.0.0/8, or ::1.
bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

// The options whose value is taken as given; null for the others.
std::string* TextOption(const std::string& flag, Flags& f) {
  if (flag == "--listen") return &f.listen;
  if (flag == "--cert") return &f.options.tls_cert_path;
  if (flag == "--key") return &f.options.tls_key_path;
  if (flag == "--signing-key") return &f.options.signing_key_path;
  if (flag == "--signing-cert") return &f.options.signing_cert_path;
  if (flag == "--admin-token") return &f.options.admin_token;
  if (flag == "--admin-token-file") return &f.admin_token_file;
  if (flag == "--seed") return &f.options.seed_path;
  return nullptr;
}

Status SetOption(const std::string& flag, const std::string& value, Flags& f) {
  if (std::string* text = TextOption(flag, f)) {
    *text = value;
    return Status::Ok();
  }
  ServerOptions& o = f.options;
  if (flag == "--endpoints") {
    if (value == "both") o.endpoints = Endpoints::kBoth;
    else if (value == "direct") o.endpoints = Endpoints::kDirectOnly;
    else if (value == "onprem") o.endpoints = Endpoints::kOnPremOnly;
    else return InvalidArgument("--endpoints must be both, direct or onprem");
    return Status::Ok();
  }
  if (flag == "--max-clock-skew") {
    std::optional<int64_t> n = ParseDecimal(value, 1, 10LL * 365 * 86400);
    if (!n) return InvalidArgument("--max-clock-skew must be a positive number of seconds");
    o.max_clock_skew_seconds = *n;
    return Status::Ok();
  }
  if (flag == "--max-body-bytes") {
    std::optional<int64_t> n = ParseDecimal(value, 1024, 16 * 1024 * 1024);
    if (!n) return InvalidArgument("--max-body-bytes must be between 1024 and 16777216");
    o.max_body_bytes = static_cast<size_t>(*n);
    return Status::Ok();
  }
  return InvalidArgument("unknown option " + flag);
}

// HOST:PORT into the options; the host must be loopback unless allowed otherwise.
Status SetListenAddress(const Flags& f, ServerOptions& o) {
  if (f.listen.empty()) return InvalidArgument("--listen HOST:PORT is required");
  size_t colon = f.listen.rfind(':');
  std::optional<int64_t> port =
      colon == std::string::npos ? std::nullopt : ParseDecimal(f.listen.substr(colon + 1), 0, 65535);
  if (colon == std::string::npos || colon == 0 || !port) {
    return InvalidArgument("--listen must be HOST:PORT with a port of 0-65535, e.g. 127.0.0.1:0");
  }
  o.host = f.listen.substr(0, colon);
  o.port = static_cast<int>(*port);
  if (!IsLoopback(o.host) && !f.allow_non_loopback) {
    return InvalidArgument("the mock CSSM listens on loopback only (its HTTP library has known DoS issues); "
                           "pass --allow-non-loopback to override");
  }
  return Status::Ok();
}

Status CheckRequiredFiles(const ServerOptions& o) {
  for (const auto& [flag, value] : {std::pair<const char*, const std::string&>{"--cert", o.tls_cert_path},
                                    {"--key", o.tls_key_path},
                                    {"--signing-key", o.signing_key_path},
                                    {"--signing-cert", o.signing_cert_path}}) {
    if (value.empty()) return InvalidArgument(std::string(flag) + " FILE is required");
  }
  return Status::Ok();
}

// The token of --admin-token-file (its first line) replaces --admin-token's.
Status SetAdminToken(const Flags& f, ServerOptions& o) {
  if (!f.admin_token_file.empty()) {
    Result<std::string> token = ReadFileCapped(f.admin_token_file, 4096);
    if (!token.ok()) return InvalidArgument("--admin-token-file: " + token.status().message());
    o.admin_token = token->substr(0, token->find_first_of("\r\n"));
  }
  if (o.admin_token.empty()) return InvalidArgument("--admin-token or --admin-token-file is required");
  return Status::Ok();
}

}  // namespace

Result<Invocation> ParseCommandLine(int argc, const char* const* argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return Invocation{true, {}};
    if (arg == "--allow-non-loopback") {
      flags.allow_non_loopback = true;
      continue;
    }
    if (i + 1 >= argc) return InvalidArgument("option " + arg + " needs a value");
    SL_RETURN_IF_ERROR(SetOption(arg, argv[++i], flags));
  }
  Invocation invocation{false, flags.options};
  SL_RETURN_IF_ERROR(SetListenAddress(flags, invocation.options));
  SL_RETURN_IF_ERROR(CheckRequiredFiles(invocation.options));
  SL_RETURN_IF_ERROR(SetAdminToken(flags, invocation.options));
  return invocation;
}

}  // namespace sl::mock
