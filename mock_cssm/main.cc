// mock-cssm: the bundled mock Cisco Smart Software Manager, for demos and
// integration tests. See docs/mock-cssm.md; the options are in command_line.cc.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <string>
#include <thread>

#include "mock_cssm/command_line.h"
#include "smartlicensing/mock_cssm.h"

namespace {

// Blocks SIGTERM and SIGINT in this thread and every thread it starts, so that they
// wait for sigwait() in the stopper thread: stopping is then ordinary code rather
// than work inside a signal handler. Returns the set.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Serves until SIGTERM or SIGINT; the process's exit status.
int Serve(const sl::mock::ServerOptions& options, const sigset_t& stop_signals) {
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
    sigwait(&stop_signals, &sig);
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

}  // namespace

int main(int argc, char** argv) {
  sl::Result<sl::mock::Invocation> invocation = sl::mock::ParseCommandLine(argc, argv);
  if (!invocation.ok()) {
    std::cerr << "mock-cssm: " << invocation.status().message() << "\n(run 'mock-cssm --help' for usage)\n";
    return 2;
  }
  if (invocation->help) {
    std::cout << sl::mock::kUsage;
    return 0;
  }
  // A client that hangs up mid-response must not kill the server: OpenSSL writes
  // with write(2), which raises SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals = BlockStopSignals();
  return Serve(invocation->options, stop_signals);
}
