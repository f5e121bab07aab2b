// slagent: the Smart Licensing agent's command-line tool and daemon.
// Usage and exit codes: `slagent help`, README.md, cli/exit_codes.h.
#include <signal.h>

#include <iostream>

#include "cli/command_line.h"
#include "cli/exit_codes.h"
#include "smartlicensing/core_dumps.h"

int main(int argc, char** argv) {
  // Before any secret is read: the device key, a registration token and the proxy
  // password must never reach a core dump. Fails closed: a process that cannot
  // promise that does not handle them.
  if (sl::Status s = sl::DisableCoreDumps(); !s.ok()) {
    std::cerr << "slagent: " << s.message() << std::endl;
    return sl::cli::kExitError;
  }
  // libcurl is told not to touch signals (CURLOPT_NOSIGNAL), so a peer closing a TLS
  // connection mid-write would otherwise kill the process with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  return sl::cli::Main(argc, argv, std::cout, std::cerr);
}
