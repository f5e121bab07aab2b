#include "fault_matrix_table.h"

#include <sstream>

#include "cli/exit_codes.h"
#include "smartlicensing/licensing_terms.h"

namespace sl::test {
namespace {

using CP = CommunicationProblem;
using R = FaultRoute;
using N = NextAttempt;

}  // namespace

// The faults. `says` is what the operator reads in last_error (a part of it).
const std::vector<FaultRow>& FaultRows() {
  static const std::vector<FaultRow> rows = {
      {"DelayPastTimeout", "mock: `delay` 1.5 s, agent timeout 1 s (CSSM acts, the reply is lost)", R::kMockFault,
       R"({"kind":"delay","delay_ms":1500})", CP::kTransient, "within 1 s", N::kRetryInterval, 0},
      {"Status500", "mock: `status` 500", R::kMockFault, R"({"kind":"status","status":500})", CP::kTransient,
       "HTTP Server Error 500", N::kRetryInterval, 0},
      {"Status503RetryAfter", "mock: `status` 503, Retry-After 3600", R::kMockFault,
       R"({"kind":"status","status":503,"retry_after":3600})", CP::kTransient, "HTTP Server Error 503",
       N::kRetryAfter, 3600},
      {"Status503ShortRetryAfter", "mock: `status` 503, Retry-After 60 (shorter than the retry interval)",
       R::kMockFault, R"({"kind":"status","status":503,"retry_after":60})", CP::kTransient,
       "HTTP Server Error 503", N::kRetryInterval, 0},
      {"Status503HugeRetryAfter", "a load balancer's 503 with Retry-After: 2 days", R::kHugeRetryAfter, nullptr, CP::kTransient, "HTTP Server Error 503",
       N::kRetryAfterCap, 0},
      {"Status429RetryAfter", "mock: `status` 429, Retry-After 7200", R::kMockFault,
       R"({"kind":"status","status":429,"retry_after":7200})", CP::kTransient, "HTTP Server Error 429",
       N::kRetryAfter, 7200},
      {"Drop", "mock: `drop` (headers, then the connection closes)", R::kMockFault, R"({"kind":"drop"})",
       CP::kTransient, "was lost before the reply was complete", N::kRetryInterval, 0},
      {"Malformed", "mock: `malformed` (200, not JSON)", R::kMockFault, R"({"kind":"malformed"})", CP::kTransient,
       "the response is not a signed licensing message", N::kRetryInterval, 0},
      {"BadSignature", "mock: `bad_signature` (processed, signature spoiled)", R::kMockFault,
       R"({"kind":"bad_signature"})", CP::kTrust, "does not verify against the CSSM trust anchor", N::kRetryInterval,
       0},
      {"DnsFailure", "the CSSM host name does not resolve", R::kDnsFailure, nullptr, CP::kTransient, "resolve",
       N::kRetryInterval, 0},
      {"ConnectionRefused", "nothing listens at the CSSM port", R::kRefused, nullptr, CP::kTransient, "cannot connect to 127.0.0.1",
       N::kRetryInterval, 0},
      {"UntrustedCertificate", "server certificate from a CA outside the CA bundle", R::kUntrusted, nullptr,
       CP::kTrust, "not trusted", N::kRetryInterval, 0},
      {"ExpiredCertificate", "server certificate expired (2021)", R::kExpiredCert, nullptr, CP::kTransient,
       "certificate has expired (check the system clock", N::kRetryInterval, 0},
      {"WrongHostCertificate", "server certificate for another host name", R::kWrongHostCert, nullptr, CP::kTrust,
       "the server's certificate is not trusted", N::kRetryInterval, 0},
      {"ProxyAuthRequired",
       "tinyproxy with Basic authentication refuses the wrong password (Debian 12's tinyproxy answers CONNECT with "
       "401, not 407; curl reports both as proxy authentication)",
       R::kProxy407, nullptr, CP::kConfiguration, "proxy authentication to 127.0.0.1", N::kRetryInterval, 0},
      {"SignedByAnotherKey", "a reply signed by another key (a second mock with an unrelated signing key)",
       R::kOtherSigningKey, nullptr, CP::kTrust, "does not verify against the CSSM trust anchor", N::kRetryInterval,
       0},
      {"ReplyForAnotherDevice", "CSSM's genuine reply to another device's same operation", R::kOtherDevice, nullptr,
       CP::kTransient, "does not answer this request", N::kRetryInterval, 0},
      {"StaleReply", "this device's first genuine reply, an hour old", R::kStale, nullptr, CP::kTransient,
       "does not answer this request", N::kRetryInterval, 0},
      {"ReplayedReply", "this device's last genuine reply, sent again", R::kReplayed, nullptr, CP::kTransient,
       "does not answer this request", N::kRetryInterval, 0},
      {"BodyOverCap", "a 200 whose body is 300 KiB (the reply cap is 256 KiB)", R::kOverCap, nullptr,
       CP::kConfiguration, "larger than the limit of 256 KiB", N::kRetryInterval, 0},
      {"SlowDripPastTimeout", "a 200 whose body drips one byte per 100 ms, agent timeout 1 s", R::kSlowDrip, nullptr,
       CP::kTransient, "within 1 s", N::kRetryInterval, 0},
  };
  return rows;
}

const std::vector<OperationRow>& OperationRows() {
  namespace st = terms;
  static const std::vector<OperationRow> rows = {
      {Operation::kRegister, "Register", "register TOKEN", StateAfter::kPendingKept, st::kRegistrationPending,
       st::kEvaluationMode},
      {Operation::kRenewId, "RenewId", "renew id", StateAfter::kGrantsKept, st::kRegistered, st::kAuthorized},
      {Operation::kRenewAuth, "RenewAuth", "renew auth", StateAfter::kGrantsKept, st::kRegistered, st::kAuthorized},
      {Operation::kUsageReport, "UsageReport", "usage update", StateAfter::kGrantsKept, st::kRegistered,
       st::kAuthorized},
      {Operation::kDeregister, "Deregister", "deregister", StateAfter::kForgottenLocally, st::kUnregistered,
       st::kEvaluationMode},
  };
  return rows;
}

// The exit code contract (cli/exit_codes.h): 4 for an outage, 7 when the settings or
// the trust anchor must be fixed first; a deregistration is done locally whatever CSSM
// heard, and exits 4 when CSSM did not hear of it.
std::vector<Cell> Cells() {
  std::vector<Cell> cells;
  for (const FaultRow& f : FaultRows()) {
    for (const OperationRow& o : OperationRows()) {
      Cell c{&f, &o, cli::kExitCommunication, f.next, std::string(f.name) + "_" + o.name};
      if (o.operation == Operation::kDeregister) {
        c.next = NextAttempt::kNothing;
      } else if (f.problem == CP::kConfiguration || f.problem == CP::kTrust) {
        c.exit_code = cli::kExitConfiguration;
      }
      cells.push_back(std::move(c));
    }
  }
  return cells;
}

bool RetryConverges(const Cell& cell) {
  return cell.operation->operation != Operation::kDeregister &&
         !(cell.fault->route == FaultRoute::kMockFault && std::string(cell.fault->name) == "DelayPastTimeout");
}

const char* NextAttemptText(const Cell& cell) {
  switch (cell.next) {
    case NextAttempt::kRetryInterval: return "15 min + jitter";
    case NextAttempt::kRetryAfter: return cell.fault->retry_after_seconds == 7200 ? "Retry-After: 2 h" : "Retry-After: 1 h";
    case NextAttempt::kRetryAfterCap: return "24 h (Retry-After capped)";
    case NextAttempt::kNothing: return "none";
  }
  return "?";
}

const char* StateAfterText(StateAfter state) {
  switch (state) {
    case StateAfter::kPendingKept: return "pending; token and new key kept; no certificate; usage kept";
    case StateAfter::kGrantsKept: return "unchanged: certificate, key, instance, authorization, usage";
    case StateAfter::kForgottenLocally: return "registration forgotten locally; usage kept";
  }
  return "?";
}

std::string RenderFaultMatrixMarkdown() {
  std::ostringstream md;
  md << "# Fault matrix\n\n"
        "Every fault the agent can meet on its way to CSSM, times every operation that talks to\n"
        "CSSM, and what the operator sees afterwards. The test `fault_matrix_test`\n"
        "(tests/cli/fault_matrix_*.cc) drives the real agent through the real libcurl transport\n"
        "over TLS on loopback against the mock CSSM in process (one simulated clock), a real\n"
        "tinyproxy and small TLS servers for replies the mock cannot make, and checks every\n"
        "cell. This file is generated from the test's table (tests/cli/fault_matrix_table.cc);\n"
        "a test fails when they differ. Regenerate it with\n"
        "`SL_WRITE_FAULT_MATRIX_DOC=1 build/tests/cli/fault_matrix_test --gtest_filter='*Doc*'`.\n\n"
        "What holds in every cell: the operation fails with Unavailable (for deregister: it\n"
        "succeeds locally and says CSSM did not hear of it), nothing granted is lost, the usage\n"
        "table is kept, `last_error` says what happened and `communication_problem` its kind.\n"
        "Exit codes (cli/exit_codes.h): 4 communication, 7 fix the configuration or trust\n"
        "anchor first; `deregister` exits 4 whenever CSSM did not hear of it.\n\n"
        "## Faults\n\n| fault | what | kind | last_error says |\n|---|---|---|---|\n";
  for (const FaultRow& f : FaultRows()) {
    md << "| " << f.name << " | " << f.what << " | " << CommunicationProblemName(f.problem) << " | " << f.says
       << " |\n";
  }
  md << "\n## Operations\n\n| operation | slagent | registration | authorization | state afterwards |\n"
        "|---|---|---|---|---|\n";
  for (const OperationRow& o : OperationRows()) {
    md << "| " << o.name << " | `" << o.command << "` | " << o.registration_status << " | "
       << o.authorization_status << " | " << StateAfterText(o.state) << " |\n";
  }
  md << "\n## Cells\n\n\"retry converges\": with CSSM reachable again, the scheduler's retry at the next\n"
        "attempt alone (no new token) leaves the device registered and authorized, and CSSM\n"
        "holds its usage. Not checked for a delay (the mock still processes the request on its\n"
        "own thread; agent_lost_reply_test covers replies lost after CSSM acted).\n\n"
        "| fault | operation | problem | exit | next attempt | state afterwards | retry converges |\n"
        "|---|---|---|---|---|---|---|\n";
  for (const Cell& c : Cells()) {
    md << "| " << c.fault->name << " | " << c.operation->name << " | " << CommunicationProblemName(c.fault->problem)
       << " | " << c.exit_code << " | " << NextAttemptText(c) << " | " << StateAfterText(c.operation->state)
       << " | " << (RetryConverges(c) ? "yes" : "not checked") << " |\n";
  }
  md << "\n## Notes\n\n"
        "- A reply whose signature does not verify is a trust problem (exit 7) whatever made it so: a\n"
        "  signature spoiled on the way (`BadSignature`) reads the same as a wrong trust anchor, and\n"
        "  `last_error` suggests checking the anchor. An ECDSA signature cannot tell the two apart.\n"
        "- After `DelayPastTimeout` the mock has acted although the agent saw a timeout: a\n"
        "  registration is then answered again on the retry (same token, UDI and key), a renewed\n"
        "  certificate's predecessor stays accepted, and a deregistration's message asks to remove\n"
        "  an instance CSSM has already removed.\n"
        "- `deregister` exits 4 even when the cause is a configuration or trust problem: the\n"
        "  registration is gone locally and nothing is retried (README, exit codes).\n";
  return md.str();
}

}  // namespace sl::test
