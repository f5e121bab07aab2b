// Runs swtpm (the Debian package), a software TPM 2.0, on loopback: the test TPM for
// device keys held by OpenSSL's tpm2 provider (tpm2-openssl). Its state lives in a
// temporary directory, so every run starts with a TPM no one has used. The process
// is killed on destruction, and with the test process if that dies first.
//
// The tpm2 provider reads TPM2OPENSSL_TCTI once, when a process first loads it, and
// swtpm serves one connection at a time: a test process uses one swtpm for its whole
// life (SharedSwtpm) and, while a child such as slagent uses the TPM, does not.
// A missing swtpm fails the test with the packages to install: CI installs them, and
// a TPM test that skips silently tests nothing.
// Thread-safety: owned by one test process.
#pragma once

#include <sys/types.h>

#include <string>

#include "testing/test_util.h"

namespace sl::test {

class SwtpmProcess {
 public:
  // Starts swtpm on two free loopback ports (server, control). Fails the test when it
  // is not installed or does not accept connections within 10 s.
  SwtpmProcess();
  ~SwtpmProcess();
  SwtpmProcess(const SwtpmProcess&) = delete;
  SwtpmProcess& operator=(const SwtpmProcess&) = delete;

  bool running() const { return pid_ > 0; }
  // The TCTI string for TPM2OPENSSL_TCTI (and TPM2TOOLS_TCTI), e.g.
  // "swtpm:host=127.0.0.1,port=2321".
  std::string Tcti() const;
  // Makes an EC P-256 signing key in the owner hierarchy and persists it at `handle`
  // (e.g. "0x81000001") with tpm2-tools, as an operator would for --key-uri. Fails the
  // calling test and returns false when it cannot. REQUIRES: no process holds the TPM
  // (swtpm serves one connection at a time).
  bool PersistSigningKey(const std::string& handle);
  void Stop();

 private:
  // Starts swtpm on free ports: "" when it runs, else why not (pid_ <= 0).
  std::string Start();
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// One swtpm for the whole test process, started on first call, with TPM2OPENSSL_TCTI
// and TPM2TOOLS_TCTI set to it (also for the children the process starts). Fails the
// calling test and returns nullptr when it cannot run.
SwtpmProcess* SharedSwtpm();

}  // namespace sl::test
