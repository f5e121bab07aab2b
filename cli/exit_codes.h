// The exit codes of slagent: a contract that scripts and appliance firmware rely on.
// Never renumber; add new codes at the end. Thread-safety: constants.
#pragma once

#include "smartlicensing/status.h"

namespace sl::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,              // anything not covered below (an internal error)
  kExitUsage = 2,              // unknown command or flag, missing or malformed argument
  kExitRefused = 3,            // CSSM refused, and the agent acted on it: token, expiry, removal
  kExitCommunication = 4,      // CSSM not reached (or an error the agent retries); retry scheduled
  kExitLocalState = 5,         // state directory unreadable or not private, disk full or
                               // read-only, a file that cannot be read, state corrupted or
                               // tampered with (DataLoss: never 1 for what the operator can fix)
  kExitNotAllowed = 6,         // not allowed in the current state (e.g. already registered)
  kExitConfiguration = 7,      // CSSM cannot be used as configured (URL, CA bundle, trust
                               // anchor, proxy credentials): fix it; a retry is scheduled
};

// The exit code for an operation's result. A communication failure the agent sees as
// a configuration or trust problem (AgentStatus::communication_problem) is 7 instead
// of 4: see ExitCodeForOperation in cli/output.h.
inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kPermissionDenied: return kExitRefused;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded: return kExitCommunication;
    case StatusCode::kDataLoss:
    case StatusCode::kNotFound:
    case StatusCode::kUnauthenticated: return kExitLocalState;  // e.g. a state sealed elsewhere
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
    case StatusCode::kResourceExhausted: return kExitNotAllowed;  // a local limit
    default: return kExitError;
  }
}

}  // namespace sl::cli
