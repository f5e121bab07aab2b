// Runs a real tinyproxy (the Debian package) on loopback for a test: an HTTP proxy
// that opens CONNECT tunnels to one port only (the mock CSSM's), optionally behind
// Basic authentication. tinyproxy cannot pick its own port ("Port 0"), so a free one
// is found by binding 127.0.0.1:0 first. The process is stopped (SIGTERM) on
// destruction. Also: FreeLoopbackPort() for "nothing listens there" tests.
// Thread-safety: owned by one test.
#pragma once

#include <sys/types.h>

#include <string>

#include "testing/test_util.h"

namespace sl::test {

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
int FreeLoopbackPort();
// Whether something accepts TCP connections on 127.0.0.1:`port` now.
bool LoopbackPortAccepts(int port);

class TinyproxyProcess {
 public:
  // Starts tinyproxy allowing CONNECT to `connect_port` only; with `username` set,
  // it demands Basic authentication. Fails the test when it does not accept
  // connections within 10 s.
  explicit TinyproxyProcess(int connect_port, const std::string& username = "", const std::string& password = "");
  ~TinyproxyProcess();
  TinyproxyProcess(const TinyproxyProcess&) = delete;
  TinyproxyProcess& operator=(const TinyproxyProcess&) = delete;

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // What tinyproxy logged so far (its log goes to a file in its folder); each tunnel
  // appears as "CONNECT 127.0.0.1:<port>".
  std::string Log() const;
  void Stop();

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace sl::test
