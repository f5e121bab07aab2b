#include "testing/swtpm_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "testing/tinyproxy_process.h"

namespace sl::test {
namespace {

// A port P with P + 1 free too (swtpm's control channel).
int FreePortPair() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int port = FreeLoopbackPort();
    if (port > 0 && port < 65535 && !LoopbackPortAccepts(port + 1)) return port;
  }
  ADD_FAILURE() << "no two adjacent free loopback ports";
  return 0;
}

// The file, or "" (swtpm may exit before it writes its log).
std::string QuietRead(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

SwtpmProcess::SwtpmProcess() {
  // Another process may take a free port before swtpm binds it: then swtpm exits, and
  // it is started again on other ports.
  std::string failure;
  for (int attempt = 0; attempt < 5; ++attempt) {
    failure = Start();
    if (failure.empty() || pid_ > 0) break;
    if (failure.find("not installed") != std::string::npos) break;
  }
  if (!failure.empty()) ADD_FAILURE() << failure;
}

std::string SwtpmProcess::Start() {
  port_ = FreePortPair();
  if (port_ == 0) return "no two adjacent free loopback ports";
  const std::string state = "dir=" + dir_.path();
  const std::string server = "type=tcp,port=" + std::to_string(port_);
  const std::string control = "type=tcp,port=" + std::to_string(port_ + 1);
  const std::string log = "file=" + dir_.File("swtpm.log");
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // Dies with the test process, however that ends.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    execlp("swtpm", "swtpm", "socket", "--tpm2", "--tpmstate", state.c_str(), "--server", server.c_str(),
           "--ctrl", control.c_str(), "--flags", "not-need-init,startup-clear", "--log", log.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid_ < 0) return "fork failed";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        return "swtpm is not installed: apt-get install swtpm swtpm-tools tpm2-openssl tpm2-tools "
               "(scripts/install-deps.sh)";
      }
      return "swtpm exited at start (ports " + std::to_string(port_) + "-" + std::to_string(port_ + 1) +
             "): " + QuietRead(dir_.File("swtpm.log"));
    }
    // The control port opens last: then the TPM is up and started (startup-clear).
    if (LoopbackPortAccepts(port_ + 1)) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Stop();
  return "swtpm does not accept connections on port " + std::to_string(port_ + 1) + " within 10 s";
}

SwtpmProcess::~SwtpmProcess() { Stop(); }

std::string SwtpmProcess::Tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port_); }

bool SwtpmProcess::PersistSigningKey(const std::string& handle) {
  const std::string context = dir_.File("primary.ctx");
  const std::vector<std::string> env = {"TPM2TOOLS_TCTI=" + Tcti()};
  const std::vector<std::vector<std::string>> steps = {
      {"/usr/bin/tpm2_createprimary", "-Q", "-C", "o", "-G", "ecc256:ecdsa-sha256:null", "-a",
       "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign", "-c", context},
      {"/usr/bin/tpm2_evictcontrol", "-Q", "-C", "o", "-c", context, handle},
      // The primary stays loaded as a transient object: free its slot.
      {"/usr/bin/tpm2_flushcontext", "-t"},
  };
  for (const std::vector<std::string>& step : steps) {
    CommandResult r = RunCommand(step, env);
    if (r.exit_code != 0) {
      ADD_FAILURE() << step[0] << " failed (apt-get install tpm2-tools): " << r.err;
      return false;
    }
  }
  return true;
}

void SwtpmProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  if (!WaitForChild(pid_, std::chrono::seconds(10))) ADD_FAILURE() << "swtpm did not exit after SIGKILL";
  pid_ = -1;
}

SwtpmProcess* SharedSwtpm() {
  // Destroyed (killed) when the test process exits.
  static std::unique_ptr<SwtpmProcess> swtpm;
  if (!swtpm) {
    swtpm = std::make_unique<SwtpmProcess>();
    if (swtpm->running()) {
      setenv("TPM2OPENSSL_TCTI", swtpm->Tcti().c_str(), 1);
      setenv("TPM2TOOLS_TCTI", swtpm->Tcti().c_str(), 1);
    }
  }
  if (!swtpm->running()) {
    ADD_FAILURE() << "no software TPM: swtpm did not start (apt-get install swtpm swtpm-tools tpm2-openssl)";
    return nullptr;
  }
  return swtpm.get();
}

}  // namespace sl::test
