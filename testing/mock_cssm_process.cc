#include "testing/mock_cssm_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "base/json.h"
#include "testing/test_util.h"

namespace sl::test {

namespace {
// A peer closing a TLS connection mid-write must fail the write, not kill the test.
const bool kIgnoreSigpipe = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();
}  // namespace

std::string TestSeedPath() { return std::string(SL_SOURCE_DIR) + "/tests/data/seed.json"; }

std::string PathSegment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

MockCssmProcess::MockCssmProcess(const std::string& seed_path, std::vector<std::string> extra_args,
                                 const std::string& tls_identity) {
  std::vector<std::string> args = {SL_MOCK_CSSM_BINARY,    "--listen",         "127.0.0.1:0",
                                   "--cert",               PkiPath(tls_identity + ".crt"), "--key",
                                   PkiPath(tls_identity + ".key"),  "--signing-key",    PkiPath("cssm-signing.key"),
                                   "--signing-cert",       PkiPath("cssm-signing.crt"), "--admin-token",
                                   kAdminToken};
  if (!seed_path.empty()) {
    args.push_back("--seed");
    args.push_back(seed_path);
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());

  char tmpl[] = "/tmp/mock-cssm-stderr-XXXXXX";
  int err_fd = mkstemp(tmpl);
  stderr_path_ = tmpl;
  int out[2];
  if (pipe(out) != 0 || err_fd < 0) {
    ADD_FAILURE() << "pipe/mkstemp failed";
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err_fd, 2);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err_fd);

  // Read the "listening on https://127.0.0.1:PORT" line, waiting at most 10 s.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  const std::string prefix = "listening on https://127.0.0.1:";
  if (line.rfind(prefix, 0) != 0) {
    ADD_FAILURE() << "mock-cssm did not start; stdout: '" << line << "' stderr: " << ReadFile(stderr_path_);
    Stop();
    return;
  }
  port_ = std::stoi(line.substr(prefix.size()));
}

MockCssmProcess::~MockCssmProcess() {
  Stop();
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

int MockCssmProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  // It stops at once on SIGTERM; one that does not is killed and fails the test.
  std::optional<int> status = WaitForChild(pid_, std::chrono::seconds(10));
  if (!status) ADD_FAILURE() << "mock-cssm did not exit within 10 s of SIGTERM (killed)";
  pid_ = -1;
  return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

HttpResult MockCssmProcess::Request(const std::string& method, const std::string& path,
                                    const std::string& body, bool auth, int read_timeout_seconds) const {
  httplib::SSLClient client("127.0.0.1", port_);
  client.set_ca_cert_path(PkiPath("tls-ca.crt").c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(read_timeout_seconds, 0);
  httplib::Headers headers;
  if (auth) headers.emplace("Authorization", std::string("Bearer ") + kAdminToken);
  auto send = [&]() -> httplib::Result {
    if (method == "POST") return client.Post(path.c_str(), headers, body, "application/json");
    if (method == "PUT") return client.Put(path.c_str(), headers, body, "application/json");
    if (method == "DELETE") return client.Delete(path.c_str(), headers);
    return client.Get(path.c_str(), headers);
  };
  httplib::Result r = send();
  HttpResult out;
  if (!r) {
    out.error = httplib::to_string(r.error());
    return out;
  }
  out.status = r->status;
  out.body = r->body;
  out.retry_after = r->get_header_value("Retry-After");
  return out;
}

std::string MockCssmProcess::CreateToken(const std::string& account, const std::string& va,
                                         bool export_controlled, int expires_in_days, int max_uses) const {
  JsonWriter w;
  w.StartObject().Field("export_controlled", export_controlled).Field("expires_in_days", expires_in_days);
  w.Field("max_uses", max_uses).EndObject();
  HttpResult r = Admin("POST", "/admin/v1/accounts/" + PathSegment(account) + "/virtual-accounts/" +
                                   PathSegment(va) + "/tokens", w.str());
  if (r.status != 201) {
    ADD_FAILURE() << "token creation failed: " << r.status << " " << r.body << r.error;
    return "";
  }
  auto doc = ParseJson(r.body);
  JsonReader reader(*doc, "token");
  return reader.String("token", 512);
}

}  // namespace sl::test
