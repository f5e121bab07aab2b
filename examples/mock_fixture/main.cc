// A test fixture of one's own around the mock CSSM in process: starts the server on a
// free port with a test PKI, checks that it accepts a connection, stops it. Exits 0.
//   mock_fixture PKI_DIR     (a directory made by certs/make-test-pki.sh, e.g. build/pki)
// Built against the installed package only (scripts/check-install.sh).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "smartlicensing/mock_cssm.h"
#include "smartlicensing/time_source.h"

namespace {

// True when something accepts a TCP connection on 127.0.0.1:port.
bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool connected = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return connected;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: mock_fixture PKI_DIR\n";
    return 2;
  }
  const std::string pki = argv[1];
  sl::mock::ServerOptions options;
  options.tls_cert_path = pki + "/server.crt";
  options.tls_key_path = pki + "/server.key";
  options.signing_key_path = pki + "/cssm-signing.key";
  options.signing_cert_path = pki + "/cssm-signing.crt";
  options.admin_token = "fixture-admin-token";

  sl::SystemTimeSource time;
  sl::Result<std::unique_ptr<sl::mock::MockCssmServer>> server = sl::mock::MockCssmServer::Create(options, time);
  if (!server.ok()) {
    std::cerr << server.status().ToString() << "\n";
    return 1;
  }
  sl::Result<int> port = (*server)->Bind();
  if (!port.ok()) {
    std::cerr << port.status().ToString() << "\n";
    return 1;
  }
  std::thread serving([&] { (*server)->Serve(); });
  const bool accepts = Accepts(*port);
  (*server)->Stop();
  serving.join();
  std::cout << "mock CSSM on https://127.0.0.1:" << *port << (accepts ? " accepted" : " refused")
            << " a connection\n";
  return accepts ? 0 : 1;
}
