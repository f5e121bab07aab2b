// slagent: the Smart Licensing agent's command-line tool and daemon.
// Usage and exit codes: `slagent help`, README.md, cli/exit_codes.h.
#include <signal.h>

#include <iostream>

#include "cli/command_line.h"

int main(int argc, char** argv) {
  // libcurl is told not to touch signals (CURLOPT_NOSIGNAL), so a peer closing a TLS
  // connection mid-write would otherwise kill the process with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  return sl::cli::Main(argc, argv, std::cout, std::cerr);
}
