// AgentImpl's exchanges with CSSM: build the request, send it with mu_ released, check
// the answer, and apply it to the state (state_transitions.h). The operations of
// agent_impl.cc call them with both locks held.
#include "agent/agent_impl.h"
#include "agent/licensing_timers.h"
#include "agent/operator_text.h"
#include "agent/state_transitions.h"
#include "base/iso8601.h"
#include "base/secrets.h"
#include "base/text.h"

namespace sl {
namespace {

// An answer turned into a failed exchange: the grants are kept and it is retried.
void MakeOffline(CssmReply& reply, std::string reason) {
  reply.outcome = CssmReply::Outcome::kOffline;
  reply.reason = std::move(reason);
  reply.problem = CommunicationProblem::kTransient;
}

// Whether a grant from `from` to `until` is a period at all.
bool UsablePeriod(UnixSeconds from, UnixSeconds until) { return until > from; }

// A grant longer than the protocol gives (a misconfigured or compromised server, even
// a signed one) is cut to the protocol's `limit`. Returns the operator's sentence when
// it was cut, "" when not.
std::string CapGrant(UnixSeconds from, UnixSeconds& until, int64_t limit, const char* what) {
  if (until - from <= limit) return "";
  std::string said = FormatDuration(until - from);
  until = from + limit;
  return std::string("CSSM granted ") + what + " for " + said + "; the agent keeps " + FormatDuration(limit) +
         ", the most the protocol gives.";
}

}  // namespace

Status AgentImpl::RunJob(Lock& lock, Job job) {
  // A key that cannot be used (its TPM is absent) is retried after the retry interval,
  // as an outage is, and the status says why: else the job would stay due, and the
  // daemon would run it again at once, for ever. The key is loaded once for both. (No
  // reference: the job says what is wrong itself.)
  const std::string& reference = job == Job::kRegister ? state_.pending_key_pem : state_.device_key_pem;
  Result<const Signer*> key = reference.empty() ? Result<const Signer*>(nullptr) : LoadSigner(reference);
  if (!key.ok()) {
    CssmReply unsigned_reply;
    unsigned_reply.reason = key.status().message();
    unsigned_reply.problem = CommunicationProblem::kConfiguration;
    const char* what = job == Job::kRenewAuthorization ? text::kWhatAuthorization
                       : job == Job::kReportUsage      ? text::kWhatUsage
                                                       : text::kWhatRegistration;
    Status result = ApplyOffline(state_, udi_, unsigned_reply, what, job);
    Emit(EventType::kCommunicationFailed, state_.last_error);
    SL_RETURN_IF_ERROR(Commit());
    return result;
  }
  switch (job) {
    case Job::kRegister: return DoRegister(lock, nullptr);
    case Job::kRenewRegistration: return DoRenewRegistration(lock);
    case Job::kRenewAuthorization: return DoAuthorize(lock, MessageType::kAuthorize);
    case Job::kReportUsage: return DoAuthorize(lock, MessageType::kReportUsage);
  }
  return Internal("unknown job");
}

Status AgentImpl::DoRegister(Lock& lock, const std::string* token) {
  if (token != nullptr) {
    // Release the loaded key first: a store with one fixed key (a TPM handle) may hand
    // out the same key again, and two live copies of one TPM handle in a process
    // share its ESYS object, which the first to go closes for both.
    cached_key_.reset();
    cached_key_reference_.clear();
    Result<std::string> fresh = key_store().CreateKey();
    if (!fresh.ok()) return fresh.status();
    BeginRegistration(state_, *token, std::move(fresh).value());
    // Persist the pending registration first: after a crash it is retried, not lost.
    SL_RETURN_IF_ERROR(Commit());
  }
  Result<const Signer*> key = LoadSigner(state_.pending_key_pem);
  if (!key.ok()) return key.status();
  Request request = NewRequest(MessageType::kRegister);
  request.instance_id.clear();
  request.token = state_.pending_token;
  request.hostname = HostnameToSend();
  Result<std::string> csr = MakeCertificateRequest(**key, "PID:" + udi_.product_id + " SN:" + udi_.serial_number);
  if (!csr.ok()) return csr.status();
  request.csr_pem = *csr;

  CssmReply reply = Communicate(lock, request, **key);
  CheckRegistrationReply(reply, **key);
  if (reply.ok()) {
    ApplyRegistered(state_, udi_, reply.response, request.hostname, env_.time->Now());
    SL_RETURN_IF_ERROR(Commit());
    // Authorize at once; a failure here is retried on its own schedule.
    (void)DoAuthorize(lock, MessageType::kAuthorize);
    return Status::Ok();
  }
  Status result;
  if (reply.outcome == CssmReply::Outcome::kOffline) {
    result = ApplyOffline(state_, udi_, reply, text::kWhatRegistration, Job::kRegister);
  } else if (IsTokenRefusal(reply.response.error_code)) {
    result = ApplyTokenRefused(state_, reply.response);
  } else {
    result = ApplyRefusal(state_, udi_, reply.response, text::kWhatRegistration, Job::kRegister);
  }
  Emit(EventType::kCommunicationFailed, state_.last_error);
  SL_RETURN_IF_ERROR(Commit());
  return result;
}

Status AgentImpl::DoRenewRegistration(Lock& lock) {
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(text::kNotRegistered);
  Result<const Signer*> key = LoadSigner(state_.device_key_pem);
  if (!key.ok()) return key.status();
  Request request = NewRequest(MessageType::kRenewId);
  request.hostname = HostnameToSend();
  CssmReply reply = Communicate(lock, request, **key);
  // Defensive: operations are serialised, so nothing deregistered meanwhile.
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(text::kNotRegistered);
  CheckRegistrationReply(reply, **key);
  Status result;
  if (reply.ok()) {
    ApplyRegistrationRenewed(state_, udi_, reply.response, request.hostname, env_.time->Now());
  } else {
    result = reply.outcome == CssmReply::Outcome::kOffline
                 ? ApplyOffline(state_, udi_, reply, text::kWhatRegistration, Job::kRenewRegistration)
                 : ApplyRefusal(state_, udi_, reply.response, text::kWhatRegistration, Job::kRenewRegistration);
    Emit(EventType::kCommunicationFailed, state_.last_error);
  }
  SL_RETURN_IF_ERROR(Commit());
  return result;
}

Status AgentImpl::DoAuthorize(Lock& lock, MessageType type) {
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(text::kNotRegistered);
  Result<const Signer*> key = LoadSigner(state_.device_key_pem);
  if (!key.ok()) return key.status();
  const bool renewal = type == MessageType::kAuthorize;
  const char* what = renewal ? text::kWhatAuthorization : text::kWhatUsage;
  const Job job = renewal ? Job::kRenewAuthorization : Job::kReportUsage;
  Request request = NewRequest(type);
  for (const auto& [tag, count] : state_.usage) request.usage.push_back(LicenseCount{tag, count});
  CssmReply reply = Communicate(lock, request, **key);
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(text::kNotRegistered);
  if (reply.ok() && renewal) {
    Response& r = reply.response;
    if (!UsablePeriod(r.server_time, r.authorization_expires)) {
      MakeOffline(reply, "the authorization response gives no usable authorization period");
    } else if (std::string cut = CapGrant(r.server_time, r.authorization_expires, kAuthorizationValidity,
                                          "an authorization");
               !cut.empty()) {
      Emit(EventType::kCommunicationSucceeded, cut);
    }
  }
  Status result;
  if (reply.ok()) {
    ApplyAuthorized(state_, udi_, reply.response, renewal, env_.time->Now());
  } else {
    result = reply.outcome == CssmReply::Outcome::kOffline
                 ? ApplyOffline(state_, udi_, reply, what, job)
                 : ApplyRefusal(state_, udi_, reply.response, what, job);
    Emit(EventType::kCommunicationFailed, state_.last_error);
  }
  SL_RETURN_IF_ERROR(Commit());
  return result;
}

Result<Deregistration> AgentImpl::DoDeregister(Lock& lock) {
  Deregistration d;
  if (state_.registration != RegistrationState::kRegistered) {
    if (state_.pending_token.empty()) return FailedPrecondition(text::kNotRegistered);
    CancelPendingRegistration(state_);
    state_.retry_not_before_at = 0;
    state_.registration = RegistrationState::kUnregistered;
    state_.last_error.clear();
    state_.communication_problem = CommunicationProblem::kNone;
    d.released_on_server = true;
    d.message = text::kPendingRegistrationCancelled;
    SL_RETURN_IF_ERROR(Commit());
    return d;
  }
  Result<const Signer*> key = LoadSigner(state_.device_key_pem);
  CssmReply reply;
  reply.reason = key.ok() ? "" : key.status().message();
  if (key.ok()) reply = Communicate(lock, NewRequest(MessageType::kDeregister), **key);
  bool refused = reply.outcome == CssmReply::Outcome::kRefused;
  d.released_on_server = reply.ok() || (refused && reply.response.error_code == error_code::kUnknownInstance);
  std::string reason = refused ? "CSSM refused it (" + reply.response.error_code + ": " +
                                     text::Redact(state_, SanitizeForDisplay(reply.response.error_message)) + ")"
                               : reply.reason;
  // The ID goes with the registration: keep it to name what is left on CSSM.
  d.instance_id = state_.instance_id;
  d.smart_account = state_.smart_account;
  d.virtual_account = state_.virtual_account;
  // Everything goes, a pending re-registration included: deregistered means deregistered.
  CancelPendingRegistration(state_);
  ClearRegistration(state_, RegistrationState::kUnregistered);
  state_.retry_not_before_at = 0;
  if (d.released_on_server) {
    d.message = text::kDeregistered;
    state_.last_error.clear();
    state_.communication_problem = CommunicationProblem::kNone;
  } else {
    d.message = text::DeregisteredLocallyOnly(reason, d.instance_id, d.smart_account, d.virtual_account);
    state_.last_error = d.message;
    state_.communication_problem = refused ? CommunicationProblem::kTransient : reply.problem;
    Emit(EventType::kCommunicationFailed, d.message);
  }
  SL_RETURN_IF_ERROR(Commit());
  return d;
}

CssmReply AgentImpl::Communicate(Lock& lock, const Request& request, const Signer& key) {
  if (!transport_) transport_ = env_.transport_factory(state_.transport);
  CssmReply reply;
  if (!transport_) {
    reply.reason = "no transport is available for the configured transport settings";
    reply.problem = CommunicationProblem::kConfiguration;
  } else {
    Transport* transport = transport_.get();
    lock.unlock();
    reply = channel_.Send(*transport, request, key);
    lock.lock();
  }
  Observe();
  SettleHeldJump(reply);
  state_.last_communication_wall = env_.time->Now();
  if (reply.ok()) {
    state_.last_error.clear();
    state_.communication_problem = CommunicationProblem::kNone;
    state_.retry_not_before_at = 0;
    Emit(EventType::kCommunicationSucceeded,
         std::string("CSSM answered the ") + MessageTypeName(request.type) + " request.");
  } else if (reply.outcome == CssmReply::Outcome::kOffline) {
    reply.reason = text::Redact(state_, SanitizeForDisplay(reply.reason));
  }
  return reply;
}

Request AgentImpl::NewRequest(MessageType type) {
  Request r;
  r.type = type;
  r.message_id = RandomHex(16);
  r.sent_at = env_.time->Now();
  r.udi = udi_;
  if (type != MessageType::kRegister) {
    r.instance_id = state_.instance_id;
    r.cert_serial = CertificateSerial();
  }
  return r;
}

void AgentImpl::CheckRegistrationReply(CssmReply& reply, const Signer& key) {
  if (!reply.ok()) return;
  Response& r = reply.response;
  Result<Certificate> cert = channel_.CheckIdCertificate(r.id_certificate_pem, key);
  if (!cert.ok()) {
    MakeOffline(reply, cert.status().message());
  } else if (!UsablePeriod(r.server_time, r.registration_expires) || r.instance_id.empty()) {
    MakeOffline(reply, "the registration response gives no usable registration period");
  } else if (std::string cut = CapGrant(r.server_time, r.registration_expires, terms::kIdCertificateValidity,
                                        "a registration");
             !cut.empty()) {
    Emit(EventType::kCommunicationSucceeded, cut);
  }
}

Result<const Signer*> AgentImpl::LoadSigner(const std::string& reference) {
  if (!cached_key_ || cached_key_reference_ != reference) {
    cached_key_.reset();
    cached_key_reference_.clear();
    Result<std::unique_ptr<DeviceKey>> key = key_store().LoadKey(reference);
    if (!key.ok()) return key.status();
    Result<std::unique_ptr<DeviceKeySigner>> signer = DeviceKeySigner::Wrap(std::move(key).value());
    if (!signer.ok()) return signer.status();
    cached_key_ = std::move(signer).value();
    cached_key_reference_ = reference;
  }
  return cached_key_.get();
}

std::string AgentImpl::CertificateSerial() {
  if (cached_cert_pem_ != state_.id_certificate_pem) {
    cached_cert_pem_ = state_.id_certificate_pem;
    Result<Certificate> cert = Certificate::FromPem(state_.id_certificate_pem);
    cached_cert_serial_ = cert.ok() ? cert->SerialHex() : "";
  }
  return cached_cert_serial_;
}

}  // namespace sl
