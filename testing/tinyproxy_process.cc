#include "testing/tinyproxy_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace sl::test {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

bool LoopbackPortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr = Loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    ADD_FAILURE() << "socket() failed";
    return 0;
  }
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot bind 127.0.0.1:0";
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

TinyproxyProcess::TinyproxyProcess(int connect_port, const std::string& username, const std::string& password) {
  port_ = FreeLoopbackPort();
  const std::string conf = dir_.File("tinyproxy.conf");
  {
    std::ofstream out(conf);
    out << "Port " << port_ << "\n"
        << "Listen 127.0.0.1\n"
        << "Timeout 30\n"
        << "MaxClients 20\n"
        << "LogLevel Connect\n"
        << "Allow 127.0.0.1\n"
        // Tunnels to the mock CSSM only: nothing the proxy does leaves loopback.
        << "ConnectPort " << connect_port << "\n"
        << "DisableViaHeader Yes\n";
    if (!username.empty()) out << "BasicAuth " << username << " " << password << "\n";
  }
  const std::string log = dir_.File("tinyproxy.log");
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    // -d: stay in the foreground (so SIGTERM and waitpid work) and log to stderr.
    for (const char* binary : {"tinyproxy", "/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"}) {
      execlp(binary, binary, "-d", "-c", conf.c_str(), static_cast<char*>(nullptr));
    }
    const char message[] = "tinyproxy is not installed (apt-get install tinyproxy)\n";
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    _exit(127);
  }
  if (pid_ < 0) {
    ADD_FAILURE() << "fork failed";
    return;
  }
  // Ready when it accepts a connection; give up when it exits or after 10 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "tinyproxy exited at start: " << Log();
      return;
    }
    if (LoopbackPortAccepts(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "tinyproxy does not accept connections on port " << port_ << ": " << Log();
  Stop();
}

TinyproxyProcess::~TinyproxyProcess() { Stop(); }

void TinyproxyProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!WaitForChild(pid_, std::chrono::seconds(10))) {
    ADD_FAILURE() << "tinyproxy did not exit within 10 s of SIGTERM (killed)";
  }
  pid_ = -1;
}

std::string TinyproxyProcess::Log() const {
  std::ifstream in(dir_.File("tinyproxy.log"));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace sl::test
