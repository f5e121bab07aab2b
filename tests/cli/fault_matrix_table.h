// The fault matrix (issue 12): every fault the agent can meet on the way to CSSM times
// every operation that talks to CSSM, and what the operator must see afterwards. The
// tables here are the single source of both fault_matrix_test.cc (one gtest parameter
// per cell) and docs/fault-matrix.md (RenderFaultMatrixMarkdown; a test checks that the
// checked-in document is exactly its rendering, so neither drifts).
// Thread-safety: constant tables and pure functions.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "smartlicensing/agent.h"

namespace sl::test {

// How the fault is produced. kMockFault: the mock CSSM's admin API queues
// `FaultRow::mock_fault` for the operation's first request; the others point the
// device's transport elsewhere for the operation (testing the same CurlTransport).
enum class FaultRoute {
  kMockFault,
  kDnsFailure,       // a host name that does not resolve (.invalid)
  kRefused,          // a loopback port nothing listens on
  kUntrusted,        // the genuine mock, with a CA bundle that does not hold its issuer
  kExpiredCert,      // a server presenting a certificate whose validity ended in 2021
  kWrongHostCert,    // a server presenting a certificate for another host name
  kHugeRetryAfter,  // a 503 with Retry-After: 2 days (more than the mock may inject)
  kProxy407,         // tinyproxy with Basic authentication, given the wrong password
  kOtherSigningKey,  // a second mock CSSM that signs with an unrelated key
  kOtherDevice,      // CSSM's genuine reply to another device's same operation
  kStale,            // this device's first genuine reply, an hour old
  kReplayed,         // this device's last genuine reply, sent again
  kOverCap,          // a 200 with a body over the transport's 256 KiB reply cap
  kSlowDrip,         // a 200 whose body drips a byte at a time past the timeout
};

// When the agent will talk to CSSM next, after the failed operation.
enum class NextAttempt {
  kRetryInterval,  // the 15-minute retry: now + 15 min + the device's jitter (< 2 min)
  kRetryAfter,     // exactly now + FaultRow::retry_after_seconds (Retry-After honoured)
  kRetryAfterCap,  // exactly now + 24 h: a longer Retry-After is capped
  kNothing,        // nothing scheduled (the registration is gone)
};

// What the state must be afterwards (checked field by field on the sealed record).
enum class StateAfter {
  kPendingKept,       // registration pending, token and new key kept, no ID certificate
  kGrantsKept,        // registration, ID certificate, key, instance, authorization unchanged
  kForgottenLocally,  // no registration, certificate, key or token left; CSSM may still hold it
};

enum class Operation { kRegister, kRenewId, kRenewAuth, kUsageReport, kDeregister };

struct FaultRow {
  const char* name;  // the gtest parameter's name (CamelCase)
  const char* what;  // the fault, in the document's words
  FaultRoute route;
  const char* mock_fault;  // kMockFault: the admin API's fault object
  CommunicationProblem problem;
  const char* says;  // what last_error contains
  NextAttempt next;
  int64_t retry_after_seconds;  // kRetryAfter
};

struct OperationRow {
  Operation operation;
  const char* name;     // the gtest parameter's name
  const char* command;  // the slagent command
  StateAfter state;
  const char* registration_status;   // AgentStatus / `slagent status` afterwards
  const char* authorization_status;
};

const std::vector<FaultRow>& FaultRows();
const std::vector<OperationRow>& OperationRows();

// One cell of the matrix and what it must show.
struct Cell {
  const FaultRow* fault;
  const OperationRow* operation;
  int exit_code;  // slagent's (cli/exit_codes.h)
  NextAttempt next;
  std::string name;  // "<Fault>_<Operation>"
};
std::vector<Cell> Cells();
// gtest prints a cell by its name.
inline void PrintTo(const Cell& cell, std::ostream* os) { *os << cell.name; }

// Whether the cell goes on to check that the retry at the next attempt converges: not
// for a deregistration (nothing is retried), nor for a delay, whose request the mock
// still processes on its own thread after the agent gave up (agent_lost_reply_test
// covers those replies lost after CSSM acted, on one clock without a race).
bool RetryConverges(const Cell& cell);
const char* NextAttemptText(const Cell& cell);
const char* StateAfterText(StateAfter state);

// docs/fault-matrix.md as the tables say it must be.
std::string RenderFaultMatrixMarkdown();

}  // namespace sl::test
