#include "agent/state_transitions.h"

#include "agent/agent_time.h"
#include "agent/licensing_timers.h"
#include "agent/operator_text.h"
#include "base/text.h"

namespace sl {
namespace {

// The fields a registration or its renewal takes from CSSM's answer.
void TakeRegistration(AgentState& s, const Response& r, const std::optional<std::string>& sent_hostname) {
  s.instance_id = r.instance_id;
  s.id_certificate_pem = r.id_certificate_pem;
  s.smart_account = r.smart_account;
  s.virtual_account = r.virtual_account;
  s.export_controlled = r.export_controlled;
  s.sent_hostname = sent_hostname;
  s.registration_expires_at = s.agent_time + (r.registration_expires - r.server_time);
}

// A peer's text as the operator may read it.
std::string ServerSays(const AgentState& s, const Response& r) {
  return text::Redact(s, SanitizeForDisplay(r.error_message));
}

}  // namespace

void ClearRegistration(AgentState& s, RegistrationState new_state) {
  s.registration = new_state;
  s.instance_id.clear();
  s.device_key_pem.clear();
  s.id_certificate_pem.clear();
  s.smart_account.clear();
  s.virtual_account.clear();
  s.export_controlled = false;
  s.sent_hostname.reset();
  s.initial_registration_wall = 0;
  s.last_registration_renewal_wall = 0;
  s.registration_expires_at = 0;
  s.authorization_status.clear();
  s.license_statuses.clear();
  s.authorization_expires_at = 0;
  s.last_authorization_wall = 0;
  s.renew_registration_due_at = 0;
  s.renew_authorization_due_at = 0;
  s.report_usage_due_at = 0;
  if (s.pending_token.empty()) s.retry_not_before_at = 0;
}

void CancelPendingRegistration(AgentState& s) {
  s.pending_token.clear();
  s.pending_key_pem.clear();
  s.register_due_at = 0;
}

void Normalize(AgentState& s) {
  if (s.registration == RegistrationState::kRegistered && s.registration_expires_at > 0 &&
      s.agent_time >= s.registration_expires_at) {
    UnixSeconds when = ToWall(s, s.registration_expires_at);
    ClearRegistration(s, RegistrationState::kExpired);
    s.last_error = text::RegistrationExpiredOn(when);
  }
}

void BeginRegistration(AgentState& s, const std::string& token, std::string key_pem) {
  s.pending_token = token;
  s.pending_key_pem = std::move(key_pem);
  if (s.registration != RegistrationState::kRegistered) s.registration = RegistrationState::kPending;
  s.register_due_at = s.agent_time;
}

void ApplyRegistered(AgentState& s, const Udi& udi, const Response& r,
                     const std::optional<std::string>& sent_hostname, UnixSeconds wall_now) {
  ClearRegistration(s, RegistrationState::kRegistered);  // a re-registration replaces everything
  TakeRegistration(s, r, sent_hostname);
  s.device_key_pem = s.pending_key_pem;
  s.initial_registration_wall = wall_now;
  s.renew_registration_due_at = ScheduleAfter(s, udi, kRegistrationRenewalInterval);
  // Until the first authorization answers, the product has at most the usual 90 days.
  s.authorization_expires_at = s.agent_time + kAuthorizationValidity;
  s.renew_authorization_due_at = s.agent_time;
  CancelPendingRegistration(s);
}

void ApplyRegistrationRenewed(AgentState& s, const Udi& udi, const Response& r,
                              const std::optional<std::string>& sent_hostname, UnixSeconds wall_now) {
  TakeRegistration(s, r, sent_hostname);
  s.last_registration_renewal_wall = wall_now;
  s.renew_registration_due_at = ScheduleAfter(s, udi, kRegistrationRenewalInterval);
}

void ApplyAuthorized(AgentState& s, const Udi& udi, const Response& r, bool renewal, UnixSeconds wall_now) {
  s.authorization_status = r.authorization_status;
  s.license_statuses = r.licenses;
  if (renewal) {
    s.authorization_expires_at = s.agent_time + (r.authorization_expires - r.server_time);
    s.last_authorization_wall = wall_now;
    s.renew_authorization_due_at = ScheduleAfter(s, udi, kAuthorizationRenewalInterval);
  }
  // Usage goes with every authorization, so the 6-hour report restarts from here.
  s.report_usage_due_at = ScheduleAfter(s, udi, kUsageReportInterval);
}

bool IsTokenRefusal(const std::string& code) {
  return code == error_code::kTokenInvalid || code == error_code::kTokenExpired ||
         code == error_code::kTokenUsedUp;
}

Status ApplyTokenRefused(AgentState& s, const Response& r) {
  s.last_error = text::TokenRefused(r.error_code, ServerSays(s, r));
  s.communication_problem = CommunicationProblem::kNone;  // an answer: last_error says what to do
  CancelPendingRegistration(s);
  if (s.registration != RegistrationState::kRegistered) {
    s.registration = RegistrationState::kFailed;
    s.retry_not_before_at = 0;
  }
  return PermissionDenied(s.last_error);
}

Status ApplyOffline(AgentState& s, const Udi& udi, const CssmReply& reply, const char* what, Job job) {
  s.retry_not_before_at = RetryTime(s, udi, reply.retry_after_seconds);
  s.*JobDueField(job) = s.retry_not_before_at;
  s.last_error = text::InProgress(what, reply.reason);
  // Retried whatever the kind: an operator may fix a setting meanwhile, and then the
  // retry succeeds (a register retry is idempotent on the server).
  s.communication_problem =
      reply.problem == CommunicationProblem::kNone ? CommunicationProblem::kTransient : reply.problem;
  return Unavailable(s.last_error);
}

Status ApplyRefusal(AgentState& s, const Udi& udi, const Response& r, const char* what, Job job) {
  const std::string& code = r.error_code;
  std::string server_says = ServerSays(s, r);
  s.communication_problem = CommunicationProblem::kNone;  // an answer acted on at once...
  if (code == error_code::kUnknownInstance || code == error_code::kCertificateMismatch) {
    ClearRegistration(s, RegistrationState::kUnregistered);
    s.last_error = text::InstanceUnknownOnServer(code, server_says);
    return PermissionDenied(s.last_error);
  }
  if (code == error_code::kRegistrationExpired) {
    ClearRegistration(s, RegistrationState::kExpired);
    s.last_error = text::RegistrationExpiredOnServer(code, server_says);
    return PermissionDenied(s.last_error);
  }
  s.retry_not_before_at = RetryTime(s, udi, std::nullopt);
  s.*JobDueField(job) = s.retry_not_before_at;
  s.last_error = text::InProgress(what, text::RefusedForNow(code, server_says));
  s.communication_problem = CommunicationProblem::kTransient;  // ...or one that may pass
  return Unavailable(s.last_error);
}

}  // namespace sl
