// The fault matrix (issue 12): every fault x every operation that talks to CSSM, each
// cell a gtest parameter. Each cell prepares a device through the genuine mock CSSM,
// points its next operation at the fault, and checks what the operator sees (the
// status strings, the kind of problem, what last_error says), the exit code slagent
// gives for it (through the CLI's own mapping, cli/output.h), when the agent will try
// again, and that the sealed state afterwards is exactly the documented one. The
// expectations are the table in fault_matrix_table.cc, which docs/fault-matrix.md
// renders; the last test checks that the document is that rendering.
//
// Real parts: the mock CSSM in process over TLS on loopback, the libcurl transport,
// tinyproxy, one simulated clock (nothing sleeps for a timer; only the two timeout
// faults wait for the transport's 1-second timeout).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/licensing_timers.h"
#include "cli/output.h"
#include "fault_matrix_table.h"
#include "fault_matrix_world.h"
#include "testing/test_util.h"
#include "testing/tinyproxy_process.h"

namespace sl::test {
namespace {

using ::testing::HasSubstr;

// What the operation returned, and slagent's exit code for it.
struct Outcome {
  Status status;
  bool released_on_server = false;
  int exit_code = -1;
};

class FaultMatrixTest : public ::testing::TestWithParam<Cell> {
 protected:
  static void SetUpTestSuite() { world_ = new MatrixWorld(); }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }

  // The device as the operation needs it: enabled with usage; registered unless the
  // operation is a registration (which, when the fault needs this device's earlier
  // replies, follows a registration and a deregistration).
  static void Prepare(MatrixDevice& device, const Cell& cell) {
    Agent& agent = device.agent();
    ASSERT_TRUE(agent.SetUsage("expressway_rms", 2).ok());
    ASSERT_TRUE(agent.SaveUsage().ok());
    const bool register_op = cell.operation->operation == Operation::kRegister;
    const bool needs_history = cell.fault->route == FaultRoute::kStale || cell.fault->route == FaultRoute::kReplayed;
    if (register_op && !needs_history) return;
    Status registered = agent.Register(kMatrixToken, false);
    ASSERT_TRUE(registered.ok()) << registered.ToString();
    if (register_op) {
      ASSERT_TRUE(agent.Deregister().ok());
    }
  }

  // Runs the cell's operation, and maps its result to an exit code as slagent does
  // (cli/licensing_commands.cc: Output::FailOperation; deregister exits 4 when CSSM
  // did not hear of it).
  static Outcome Run(MatrixDevice& device, Operation op) {
    Agent& agent = device.agent();
    std::ostringstream out, err;
    cli::Output output(false, out, err);
    Outcome o;
    switch (op) {
      case Operation::kRegister: o.status = agent.Register(kMatrixToken, false); break;
      case Operation::kRenewId: o.status = agent.RenewRegistration(); break;
      case Operation::kRenewAuth: o.status = agent.RenewAuthorization(); break;
      case Operation::kUsageReport: o.status = agent.UpdateUsage(); break;
      case Operation::kDeregister: {
        Result<Deregistration> d = agent.Deregister();
        o.status = d.status();
        if (d.ok()) {
          o.released_on_server = d->released_on_server;
          o.exit_code = d->released_on_server ? cli::kExitOk : cli::kExitCommunication;
        }
        break;
      }
    }
    if (o.exit_code < 0) o.exit_code = o.status.ok() ? cli::kExitOk : output.FailOperation(o.status, agent);
    return o;
  }

  // Routes `device`'s next exchanges at the cell's fault; `server` keeps a scripted
  // server alive for the operation.
  void RouteToFault(MatrixDevice& device, const Cell& cell, std::unique_ptr<ScriptedTlsServer>& server) {
    TransportSettings route = world_->GenuineSettings(1);
    switch (cell.fault->route) {
      case FaultRoute::kMockFault:
        ASSERT_EQ(world_->cssm().Admin("POST", "/admin/v1/faults", cell.fault->mock_fault), 201);
        break;
      case FaultRoute::kDnsFailure: route.url = "https://cssm.invalid/licservice/license"; break;
      case FaultRoute::kRefused: route.url = "https://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/x"; break;
      case FaultRoute::kUntrusted: route.ca_bundle_path = PkiPath("other-ca.crt"); break;
      case FaultRoute::kExpiredCert: server = std::make_unique<ScriptedTlsServer>("expired", "{}"); break;
      case FaultRoute::kWrongHostCert: server = std::make_unique<ScriptedTlsServer>("wrong-host", "{}"); break;
      case FaultRoute::kHugeRetryAfter:
        server = std::make_unique<ScriptedTlsServer>("server", "{}", false, 503, std::to_string(2 * kDay));
        break;
      case FaultRoute::kProxy407:
        route.proxy = ProxySettings{"127.0.0.1", world_->proxy().port(), kProxyUser, "proxy-password-wrong"};
        break;
      case FaultRoute::kOtherSigningKey:
        route.url = "https://127.0.0.1:" + std::to_string(world_->impostor().port()) + "/licservice/license";
        break;
      case FaultRoute::kOtherDevice: server = std::make_unique<ScriptedTlsServer>("server", OtherDevicesReply(cell)); break;
      case FaultRoute::kStale:
        world_->clock().Advance(kHour);
        server = std::make_unique<ScriptedTlsServer>("server", device.replies().front());
        break;
      case FaultRoute::kReplayed: server = std::make_unique<ScriptedTlsServer>("server", device.replies().back()); break;
      case FaultRoute::kOverCap:
        server = std::make_unique<ScriptedTlsServer>("server", std::string(300 * 1024, ' '));
        break;
      case FaultRoute::kSlowDrip: server = std::make_unique<ScriptedTlsServer>("server", "", true); break;
    }
    if (server) route.url = server->Url();
    device.RouteTo(route);
  }

  // CSSM's genuine answer to another device's same operation (its first exchange).
  std::string OtherDevicesReply(const Cell& cell) {
    MatrixDevice other(*world_, "OTHER" + std::to_string(++serial_));
    Prepare(other, cell);
    const size_t first = other.replies().size();
    Outcome o = Run(other, cell.operation->operation);
    EXPECT_EQ(o.exit_code, cli::kExitOk) << o.status.ToString();
    return other.replies().size() > first ? other.replies()[first] : "";
  }

  // CSSM is reachable again at the next attempt: the scheduler's retry alone (what the
  // daemon and `slagent run --once` call), without a new token, brings the device back
  // to registered and authorized, and CSSM holds the usage the device has.
  static void ExpectTheRetryConverges(MatrixDevice& device, const AgentStatus& failed) {
    ASSERT_TRUE(failed.next_communication_attempt.has_value());
    world_->clock().Set(*failed.next_communication_attempt);
    Status ran = device.agent().RunDue();
    EXPECT_TRUE(ran.ok()) << ran.ToString();
    const AgentStatus s = device.agent().GetStatus();
    EXPECT_EQ(s.registration_status, terms::kRegistered) << s.last_error;
    EXPECT_EQ(s.authorization_status, terms::kAuthorized) << s.last_error;
    EXPECT_EQ(s.communication_problem, CommunicationProblem::kNone) << s.last_error;
    ASSERT_EQ(s.licenses.size(), 1u);
    EXPECT_EQ(s.licenses[0].count, device.State().usage.at("expressway_rms"));
  }

  static MatrixWorld* world_;
  static int serial_;
};

MatrixWorld* FaultMatrixTest::world_ = nullptr;
int FaultMatrixTest::serial_ = 0;

void ExpectNextAttempt(const Cell& cell, const AgentStatus& s, UnixSeconds now) {
  switch (cell.next) {
    case NextAttempt::kRetryInterval:
      ASSERT_TRUE(s.next_communication_attempt.has_value());
      EXPECT_GE(*s.next_communication_attempt, now + kRetryInterval);
      EXPECT_LT(*s.next_communication_attempt, now + kRetryInterval + kMaxJitter);
      break;
    case NextAttempt::kRetryAfter:
      EXPECT_EQ(s.next_communication_attempt, now + cell.fault->retry_after_seconds);
      break;
    case NextAttempt::kRetryAfterCap: EXPECT_EQ(s.next_communication_attempt, now + kMaxRetryAfter); break;
    case NextAttempt::kNothing: EXPECT_EQ(s.next_communication_attempt, std::nullopt); break;
  }
}

// `before` with the fields that record the failed attempt itself (the agent's clock,
// the error, the retry time) taken from `after`: what "nothing else changed" compares.
AgentState WithAttemptFields(AgentState before, const AgentState& after) {
  before.agent_time = after.agent_time;
  before.last_wall = after.last_wall;
  before.wall_reading = after.wall_reading;
  before.boot_id = after.boot_id;
  before.boot_monotonic = after.boot_monotonic;
  before.evaluation_used = after.evaluation_used;
  before.jitter_sequence = after.jitter_sequence;
  // The failed job is due again at the retry: the next attempt is checked on its own.
  before.register_due_at = after.register_due_at;
  before.renew_registration_due_at = after.renew_registration_due_at;
  before.renew_authorization_due_at = after.renew_authorization_due_at;
  before.report_usage_due_at = after.report_usage_due_at;
  before.retry_not_before_at = after.retry_not_before_at;
  before.last_communication_wall = after.last_communication_wall;
  before.last_error = after.last_error;
  before.communication_problem = after.communication_problem;
  return before;
}

void ExpectState(StateAfter kind, const AgentState& before, const AgentState& after) {
  EXPECT_EQ(after.usage, before.usage) << "usage lost";
  EXPECT_EQ(after.mode, LicensingMode::kSmart);
  EXPECT_FALSE(after.last_error.empty());
  AgentState expected = WithAttemptFields(before, after);
  switch (kind) {
    case StateAfter::kGrantsKept:
      EXPECT_EQ(after.id_certificate_pem, before.id_certificate_pem) << "certificate changed";
      break;
    case StateAfter::kPendingKept:
      EXPECT_EQ(after.pending_token, kMatrixToken) << "pending token lost";
      EXPECT_FALSE(after.pending_key_pem.empty()) << "pending key lost";
      EXPECT_TRUE(after.id_certificate_pem.empty());
      expected.registration = RegistrationState::kPending;
      expected.pending_token = after.pending_token;
      expected.pending_key_pem = after.pending_key_pem;
      EXPECT_GT(after.register_due_at, 0) << "the registration is not retried";
      break;
    case StateAfter::kForgottenLocally:
      EXPECT_EQ(after.registration, RegistrationState::kUnregistered);
      EXPECT_TRUE(after.instance_id.empty() && after.id_certificate_pem.empty() && after.device_key_pem.empty());
      EXPECT_TRUE(after.pending_token.empty() && after.pending_key_pem.empty());
      EXPECT_EQ(after.transport.url, before.transport.url);
      EXPECT_EQ(after.evaluation_used, before.evaluation_used);
      return;
  }
  // Keys compared apart, so that a failure does not print them.
  EXPECT_TRUE(after.device_key_pem == expected.device_key_pem) << "device key changed";
  EXPECT_TRUE(after.pending_key_pem == expected.pending_key_pem) << "pending key changed";
  AgentState shown = after;
  shown.device_key_pem = expected.device_key_pem = shown.pending_key_pem = expected.pending_key_pem = "";
  EXPECT_EQ(EncodeStateJson(shown), EncodeStateJson(expected)) << "the state changed beyond the failed attempt";
}

TEST_P(FaultMatrixTest, Cell) {
  const Cell& cell = GetParam();
  ASSERT_EQ(world_->cssm().Admin("DELETE", "/admin/v1/faults"), 204);
  MatrixDevice device(*world_, "FM" + std::to_string(++serial_));
  ASSERT_NO_FATAL_FAILURE(Prepare(device, cell));
  if (cell.operation->operation == Operation::kUsageReport) {
    ASSERT_TRUE(device.agent().SetUsage("expressway_rms", 3).ok());
    ASSERT_TRUE(device.agent().SaveUsage().ok());
  }
  std::unique_ptr<ScriptedTlsServer> server;
  ASSERT_NO_FATAL_FAILURE(RouteToFault(device, cell, server));
  const AgentState before = device.State();
  const UnixSeconds now = world_->clock().Now();

  const Outcome outcome = Run(device, cell.operation->operation);
  device.RouteTo(std::nullopt);

  if (cell.operation->operation == Operation::kDeregister) {
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    EXPECT_FALSE(outcome.released_on_server);
  } else {
    EXPECT_EQ(outcome.status.code(), StatusCode::kUnavailable) << outcome.status.ToString();
  }
  EXPECT_EQ(outcome.exit_code, cell.exit_code);
  const AgentStatus s = device.agent().GetStatus();
  EXPECT_EQ(s.registration_status, cell.operation->registration_status);
  EXPECT_EQ(s.authorization_status, cell.operation->authorization_status);
  EXPECT_EQ(CommunicationProblemName(s.communication_problem), CommunicationProblemName(cell.fault->problem));
  EXPECT_THAT(s.last_error, HasSubstr(cell.fault->says));
  EXPECT_EQ(s.last_communication_attempt, now);
  ExpectNextAttempt(cell, s, now);
  ExpectState(cell.operation->state, before, device.State());
  if (RetryConverges(cell)) ExpectTheRetryConverges(device, s);
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultMatrixTest, ::testing::ValuesIn(Cells()),
                         [](const ::testing::TestParamInfo<Cell>& p) { return p.param.name; });

// docs/fault-matrix.md is the rendering of the table above; SL_WRITE_FAULT_MATRIX_DOC=1
// rewrites it (then review the diff).
TEST(FaultMatrixDoc, DocMatchesTheTestsTable) {
  const std::string path = std::string(SL_SOURCE_DIR) + "/docs/fault-matrix.md";
  const std::string rendered = RenderFaultMatrixMarkdown();
  if (std::getenv("SL_WRITE_FAULT_MATRIX_DOC") != nullptr) std::ofstream(path) << rendered;
  EXPECT_EQ(ReadFile(path), rendered) << "docs/fault-matrix.md differs from the test's table";
}

}  // namespace
}  // namespace sl::test
