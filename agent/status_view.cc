#include "agent/status_view.h"

#include <algorithm>

#include "agent/agent_time.h"
#include "agent/operator_text.h"
#include "agent/scheduler.h"

namespace sl {
namespace {

namespace st = terms;

// Times the view shows: absent when zero (not applicable).
std::optional<UnixSeconds> WallOf(const AgentState& v, int64_t at) {
  if (at == 0) return std::nullopt;
  return ToWall(v, at);
}
std::optional<UnixSeconds> When(UnixSeconds t) {
  if (t == 0) return std::nullopt;
  return t;
}

void FillRegistration(const AgentState& v, AgentStatus& out) {
  out.smart_account = v.smart_account;
  out.virtual_account = v.virtual_account;
  out.export_controlled = v.export_controlled ? st::kExportAllowed : st::kExportNotAllowed;
  out.instance_id = v.instance_id;
  out.initial_registration = When(v.initial_registration_wall);
  out.last_registration_renewal = When(v.last_registration_renewal_wall);
  out.next_registration_renewal = WallOf(v, std::max(v.renew_registration_due_at, v.retry_not_before_at));
  out.registration_expires = WallOf(v, v.registration_expires_at);
  out.last_authorization = When(v.last_authorization_wall);
  out.next_authorization_renewal = WallOf(v, std::max(v.renew_authorization_due_at, v.retry_not_before_at));
  out.authorization_expires = WallOf(v, v.authorization_expires_at);
  out.communication_deadline = WallOf(v, AuthorizationExpired(v)
                                             ? v.registration_expires_at
                                             : std::min(v.authorization_expires_at, v.registration_expires_at));
}

}  // namespace

std::string RegistrationText(const AgentState& s) {
  switch (s.registration) {
    case RegistrationState::kRegistered: return st::kRegistered;
    case RegistrationState::kPending: return st::kRegistrationPending;
    case RegistrationState::kFailed: return st::kRegistrationFailed;
    case RegistrationState::kExpired: return st::kRegistrationExpired;
    case RegistrationState::kUnregistered: break;
  }
  return st::kUnregistered;
}

std::string AuthorizationText(const AgentState& s) {
  if (s.mode == LicensingMode::kPak) return st::kNotApplicable;
  if (s.registration != RegistrationState::kRegistered) {
    return EvaluationRemaining(s) > 0 ? st::kEvaluationMode : st::kEvaluationExpired;
  }
  if (AuthorizationExpired(s)) return st::kAuthorizationExpired;
  if (s.authorization_status.empty()) return st::kNotApplicable;  // first authorization not answered yet
  return s.authorization_status;
}

std::vector<LicenseStatus> LicenseTable(const AgentState& s) {
  std::vector<LicenseStatus> table;
  for (const auto& [tag, count] : s.usage) {
    LicenseStatus row{tag, count, ""};
    if (s.mode == LicensingMode::kPak) {
      row.status = st::kLicenseNotAuthorized;
    } else if (s.registration != RegistrationState::kRegistered) {
      row.status = EvaluationRemaining(s) > 0 ? st::kEvaluationMode : st::kEvaluationExpired;
    } else if (AuthorizationExpired(s)) {
      row.status = st::kAuthorizationExpired;
    } else {
      row.status = st::kLicenseWaiting;
      for (const LicenseStatus& l : s.license_statuses) {
        if (l.tag == tag) row.status = l.status;
      }
    }
    table.push_back(std::move(row));
  }
  return table;
}

AgentStatus MakeStatus(const AgentState& v) {
  AgentStatus out;
  out.mode = v.mode;
  out.registration_status = RegistrationText(v);
  out.authorization_status = AuthorizationText(v);
  out.privacy = v.privacy;
  out.transport = v.transport;
  if (out.transport.proxy) {
    out.proxy_password_set = !out.transport.proxy->password.empty();
    out.transport.proxy->password.clear();
  }
  if (v.mode == LicensingMode::kSmart) out.evaluation_remaining_seconds = EvaluationRemaining(v);
  if (v.registration == RegistrationState::kRegistered) FillRegistration(v, out);
  out.last_communication_attempt = When(v.last_communication_wall);
  out.next_communication_attempt = WallOf(v, NextCommunication(v));
  out.last_error = v.last_error;
  out.communication_problem = v.communication_problem;
  out.licenses = LicenseTable(v);
  out.clock_note = text::ClockNote(v);
  return out;
}

bool MayChangeClusterConfiguration(const AgentState& s) {
  return s.mode == LicensingMode::kPak || s.registration == RegistrationState::kRegistered;
}

bool MayRegisterNewDevices(const AgentState& s) {
  return !(s.mode == LicensingMode::kSmart && s.registration != RegistrationState::kRegistered &&
           EvaluationRemaining(s) <= 0);
}

}  // namespace sl
