// How slagent answers, the contract scripts rely on:
//   text:   the message on stdout; an error as ONE line on stderr, "slagent: <message>";
//   --json: one JSON object on stdout, {"schema":1,"ok":true,"exit_code":0,
//           "message":...,"result":{...}} or {"schema":1,"ok":false,"exit_code":N,
//           "error":{"code":...,"message":...}}; "result" holds the command's data
//           (docs/cli-json.md lists it per command; "schema" changes only when a field
//           changes meaning or goes away);
// and the exit code of cli/exit_codes.h. Messages are folded to one line whatever they
// hold, so a script can read an answer with one `read`.
//
// The streams are injected (main.cc passes std::cout and std::cerr) so that the
// commands run in-process in tests with string streams.
// Thread-safety: one Output per command line, used from that command's thread.
#pragma once

#include <ostream>
#include <string>

#include "base/json.h"
#include "cli/exit_codes.h"
#include "smartlicensing/agent.h"
#include "smartlicensing/status.h"

namespace sl::cli {

// The message with its line breaks replaced by spaces.
std::string OneLine(std::string text);

// The error for something the operator typed wrong (exit 2); it points at the usage.
Status UsageError(const std::string& message);

// The version of the JSON answers' layout (docs/cli-json.md).
inline constexpr int kJsonSchema = 1;

// Begins a JSON data answer in `w`: {"schema":1,"ok":true,"exit_code":0 (Output::Data
// ends it).
void StartData(JsonWriter& w);

class Output {
 public:
  Output(bool json, std::ostream& out, std::ostream& err);

  // Reports the error and returns its exit code (ExitCodeFor).
  int Fail(const Status& status);
  // Reports the error with exit code `code` instead of ExitCodeFor's.
  int Fail(const Status& status, int code);
  // The failure of an operation that talked to CSSM: exit 7 rather than 4 when `agent`
  // says the settings or the trust anchor are at fault, so scripts tell "fix the
  // configuration" from "CSSM is down".
  int FailOperation(const Status& status, const Agent& agent);
  // Fail(UsageError(message)): exit 2.
  int Usage(const std::string& message);
  // Reports the outcome and returns `code`. A non-zero code is still a result the
  // command stands behind (a deregistration CSSM did not hear about): its message goes
  // to stdout, and in JSON it is "ok": false.
  int Done(const std::string& message, int code = kExitOk);
  // The same with the command's data: `result` is a JSON object (JsonWriter::str()).
  int Done(const std::string& message, const std::string& result, int code = kExitOk);
  // A whole answer that is data first (status, events): `fields` are the members of
  // the answer object after "schema", "ok" and "exit_code" (a JsonWriter that has
  // written StartObject() and members; this ends it). Exit code 0.
  int Data(JsonWriter& fields, const std::string& text);

  bool json() const { return json_; }
  // For answers that are not one message: the status, the event log, the usage text.
  std::ostream& out() { return out_; }
  // For the daemon's log lines (journald reads stderr).
  std::ostream& err() { return err_; }

 private:
  bool json_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace sl::cli
