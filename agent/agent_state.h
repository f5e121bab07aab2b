// AgentState: everything the agent persists, and its sealed on-disk form.
//
// Internal to the agent library (its tests and benchmarks see it too). The record is
// JSON sealed with the device secret:
//
//   {"format":"sl-agent-state","version":2,"state":"<JSON text>","mac":"<Base64 HMAC-SHA256>"}
//
// The MAC covers the exact bytes of "state". A truncated, corrupted or edited record,
// or one sealed on another device, fails to decode with DataLoss. Inside "state" the
// secret fields (the device key, a pending registration's key and token, the proxy
// password) are encrypted under a key derived from the device secret
// (state_secrets.h): "sealed_device_key" and so on in place of "device_key". Version 1
// records hold them in clear: the previous version's files (read, and rewritten sealed
// when the agent opens them) and the portable record inside a backup, which another
// device can read (docs/backup.md).
//
// Time: the agent keeps its own "agent time" that only moves forwards (see
// agent_time.h and the "Time:" paragraph of smartlicensing/agent.h). Fields ending in
// `_at` are agent times; fields ending in `_wall` are wall-clock times kept only to
// show the operator when something happened.
// Thread-safety: value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/messages.h"
#include "smartlicensing/agent.h"
#include "smartlicensing/device_secret.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"
#include "smartlicensing/transport.h"

namespace sl {

enum class RegistrationState {
  kUnregistered,  // never registered, deregistered, or removed on the server
  kPending,       // a registration is being retried (offline)
  kRegistered,
  kFailed,        // the server refused the token
  kExpired,       // the ID certificate ran out without renewal
};

// The longest TimeSource::BootId() the state keeps; a longer one counts as unknown.
constexpr size_t kMaxBootIdBytes = 128;

struct AgentState {
  static constexpr int kVersion = 2;  // the version SealState writes

  LicensingMode mode = LicensingMode::kPak;
  Udi udi;  // of the device that wrote the state
  bool privacy = false;
  TransportSettings transport;  // holds the proxy password: a secret

  // Agent time (agent_time.h, docs/time.md): advanced by the boot clock's measure where
  // it can be measured (same process, or same boot via the fields below), and by the
  // wall clock's lead over last_wall.
  int64_t agent_time = 0;
  UnixSeconds last_wall = 0;  // the wall-clock time agent_time corresponds to
  // The device clock's reading at the last observation (0 in records written before it
  // existed); its reading when it jumped ahead by more than the agent counted, held for
  // CSSM to confirm (0: nothing held); and, while held, the device-clock time from which
  // the next confirmation may be tried (0: at once). All optional in the record.
  UnixSeconds wall_reading = 0;
  UnixSeconds unconfirmed_wall = 0;
  UnixSeconds confirm_not_before_wall = 0;
  // The TimeSource's BootId() and MonotonicSeconds() at the moment agent_time and last_wall
  // describe; empty / 0 when unknown (no monotonic clock, or one without a boot id).
  // Optional in the record (states written before they existed decode without them).
  std::string boot_id;
  int64_t boot_monotonic = 0;
  int64_t evaluation_used = 0;  // seconds of evaluation consumed, at most kEvaluationPeriod
  uint64_t jitter_sequence = 0;

  // Registration.
  RegistrationState registration = RegistrationState::kUnregistered;
  std::string instance_id;
  std::string device_key_pem;  // a secret
  std::string id_certificate_pem;
  std::string smart_account;
  std::string virtual_account;
  bool export_controlled = false;
  std::optional<std::string> sent_hostname;  // as last sent to CSSM; nullopt under privacy
  UnixSeconds initial_registration_wall = 0;
  UnixSeconds last_registration_renewal_wall = 0;
  int64_t registration_expires_at = 0;

  // A registration being retried: the token and key are kept until it succeeds or is refused.
  std::string pending_token;    // a secret
  std::string pending_key_pem;  // a secret

  // Authorization, as the server last reported it.
  std::string authorization_status;  // overall; empty before the first authorization
  std::vector<LicenseStatus> license_statuses;
  int64_t authorization_expires_at = 0;
  UnixSeconds last_authorization_wall = 0;

  // Current usage per tag, as the firmware set it (count > 0 only).
  std::map<std::string, int64_t> usage;

  // Automatic communication: when each job is due (agent time; 0 = not scheduled),
  // and the earliest time any may run after a failure.
  int64_t register_due_at = 0;
  int64_t renew_registration_due_at = 0;
  int64_t renew_authorization_due_at = 0;
  int64_t report_usage_due_at = 0;
  int64_t retry_not_before_at = 0;

  UnixSeconds last_communication_wall = 0;
  std::string last_error;  // empty after a success
  // The kind of the last failure (agent.h); kNone after a success. Optional in the
  // record (absent when kNone, and in records written before it existed).
  CommunicationProblem communication_problem = CommunicationProblem::kNone;
};

// Evaluation time left (seconds), whatever the mode.
inline int64_t EvaluationRemaining(const AgentState& s) { return terms::kEvaluationPeriod - s.evaluation_used; }
// Whether the authorization CSSM granted has run out (false when none is known).
inline bool AuthorizationExpired(const AgentState& s) {
  return s.authorization_expires_at > 0 && s.agent_time >= s.authorization_expires_at;
}

std::string EncodeStateJson(const AgentState& state);
Result<AgentState> DecodeStateJson(std::string_view json);

// The sealed record, its secret fields encrypted. Internal when `state` would not
// decode back to itself (a string no record may hold): nothing is written then, and
// the old record stays.
Result<std::string> SealState(const AgentState& state, const DeviceSecret& secret);
// The same record with its secret fields in clear (version 1), for the inside of a
// backup: another device can read its settings, the proxy password included.
Result<std::string> SealPortableState(const AgentState& state, const DeviceSecret& secret);
// REQUIRES: nothing; any input is safe. DataLoss for anything not sealed by `secret`.
// Either version; `*secrets_in_clear` (when given) tells whether a secret field held a
// value in clear, i.e. whether the record should be written again sealed.
Result<AgentState> OpenState(std::string_view record, const DeviceSecret& secret,
                             bool* secrets_in_clear = nullptr);
// Decodes a record WITHOUT checking its MAC, for a backup made on another device.
// DataLoss for a record with sealed secret fields: only its own device can read them.
Result<AgentState> OpenStateUnverified(std::string_view record);

}  // namespace sl
