#include "agent/agent_impl.h"

#include <algorithm>
#include <cctype>

#include "agent/licensing_timers.h"
#include "base/iso8601.h"
#include "base/secrets.h"
#include "base/text.h"
#include "protocol/crypto.h"

namespace sl {
namespace {

namespace st = terms;

// A backwards step of the wall clock smaller than this is NTP slewing, not news.
constexpr int64_t kClockBackwardsReportThreshold = kMinute;
// Bounds on what a (signed) response may grant, against a misconfigured server.
constexpr int64_t kMaxRegistrationValidity = 2 * 365 * kDay;

constexpr const char* kWhatRegistration = "renew smart software licensing registration";
constexpr const char* kWhatAuthorization = "renew smart software licensing authorization";
constexpr const char* kWhatUsage = "report smart software licensing usage";

constexpr const char* kAlreadyRegistered =
    "This product instance is already registered. To register it again (for example to move it to "
    "another virtual account), select \"Reregister this product instance if it is already registered\".";
constexpr const char* kNotRegistered = "This product instance is not registered.";
constexpr const char* kNotEnabled = "Smart Licensing is not enabled: enable it before registering.";

// Advances the agent's own time by the time elapsed since the previous observation.
// Forward movement of the wall clock always counts, so that `faketime` or an NTP step
// forward moves the licensing timers as the specification's users expect. The
// monotonic clock, when both readings come from this boot (this process, or an earlier
// one whose reading was saved with the state), adds the time a wall clock set back
// would hide; so setting the clock back never gives time back. Returns how far the
// wall clock went back relative to the elapsed time (0 when it did not).
int64_t AdvanceTo(AgentState& s, UnixSeconds wall, std::optional<int64_t> monotonic_elapsed) {
  int64_t wall_delta = wall - s.last_wall;
  int64_t delta = std::max<int64_t>(0, wall_delta);
  if (monotonic_elapsed && *monotonic_elapsed > delta) delta = *monotonic_elapsed;
  int64_t start = s.agent_time;
  int64_t end = start + delta;
  if (s.mode == LicensingMode::kSmart) {
    int64_t consumed = 0;
    if (s.registration != RegistrationState::kRegistered) {
      consumed = delta;
    } else if (s.registration_expires_at > 0 && s.registration_expires_at < end) {
      consumed = end - std::max(start, s.registration_expires_at);  // evaluation resumes at expiry
    }
    s.evaluation_used = std::min(kEvaluationPeriod, s.evaluation_used + consumed);
  }
  s.agent_time = end;
  s.last_wall = wall;
  return std::max<int64_t>(0, delta - wall_delta);
}

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

UnixSeconds ToWall(const AgentState& s, int64_t at) { return s.last_wall + (at - s.agent_time); }

// Applies the expiries that need no communication.
void Normalize(AgentState& s) {
  if (s.registration == RegistrationState::kRegistered && s.registration_expires_at > 0 &&
      s.agent_time >= s.registration_expires_at) {
    UnixSeconds when = ToWall(s, s.registration_expires_at);
    ClearRegistration(s, RegistrationState::kExpired);
    s.last_error = "The registration expired on " + FormatIso8601(when) +
                   " because it could not be renewed; register the product again with a new token.";
  }
}

int64_t EvaluationRemaining(const AgentState& s) { return kEvaluationPeriod - s.evaluation_used; }

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

bool AuthorizationExpired(const AgentState& s) {
  return s.authorization_expires_at > 0 && s.agent_time >= s.authorization_expires_at;
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

bool JobValid(const AgentState& s, int job) {
  if (s.mode != LicensingMode::kSmart) return false;
  if (job == 0) return !s.pending_token.empty();
  return s.registration == RegistrationState::kRegistered;
}

int64_t JobDue(const AgentState& s, int job) {
  switch (job) {
    case 0: return s.register_due_at;
    case 1: return s.renew_registration_due_at;
    case 2: return s.renew_authorization_due_at;
    default: return s.report_usage_due_at;
  }
}

// The agent time of the next automatic communication, 0 when none.
int64_t NextCommunication(const AgentState& s) {
  int64_t next = 0;
  for (int job = 0; job < 4; ++job) {
    int64_t due = JobDue(s, job);
    if (!JobValid(s, job) || due == 0) continue;
    due = std::max(due, s.retry_not_before_at);
    if (next == 0 || due < next) next = due;
  }
  return next;
}

std::string Sanitize(std::string text, size_t max_len = 300) {
  if (text.size() > max_len) text = text.substr(0, max_len) + "...";
  for (char& c : text) {
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  }
  return text;
}

std::string InProgress(const char* what, const std::string& reason) {
  return std::string("The last attempt to ") + what +
         " is in progress because of the following reason: " + reason + ".";
}

bool IsWellFormedToken(const std::string& token) {
  if (token.empty() || token.size() > 512) return false;
  for (char c : token) {
    if (!std::isgraph(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A real boot clock reads less than this (twenty years of uptime). libfaketime, for
// one, makes the monotonic clocks read the faked wall-clock time (decades); such a
// reading cannot measure elapsed time and is ignored.
constexpr int64_t kMaxPlausibleUptime = 20 * 365 * kDay;
bool PlausibleUptime(int64_t seconds) { return seconds >= 0 && seconds <= kMaxPlausibleUptime; }

// The clock's boot identity as the state keeps it; "" when unknown or unusable.
std::string BootIdOf(const TimeSource& time) {
  std::string id = time.BootId();
  return id.size() <= kMaxBootIdBytes ? id : "";
}

}  // namespace

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kModeChanged: return "mode changed";
    case EventType::kRegistrationStatusChanged: return "registration status changed";
    case EventType::kAuthorizationStatusChanged: return "authorization status changed";
    case EventType::kCommunicationSucceeded: return "communication succeeded";
    case EventType::kCommunicationFailed: return "communication failed";
    case EventType::kHostnameChanged: return "hostname changed";
    case EventType::kClockMovedBackwards: return "clock moved backwards";
    case EventType::kStateRestored: return "state restored";
  }
  return "unknown";
}

// --- Construction -------------------------------------------------------------------

Result<std::unique_ptr<Agent>> Agent::Open(AgentEnvironment env) {
  if (env.time == nullptr || env.store == nullptr || env.identity == nullptr || env.secret == nullptr ||
      !env.transport_factory) {
    return InvalidArgument("the agent needs a time source, a store, a device identity, a device secret and a "
                           "transport factory");
  }
  Result<Certificate> anchor = Certificate::FromPem(env.trust_anchor_pem);
  if (!anchor.ok()) return InvalidArgument("the CSSM trust anchor certificate is unreadable");
  Udi udi = env.identity->GetUdi();
  if (udi.product_id.empty() || udi.serial_number.empty() || udi.product_id.size() > 64 ||
      udi.serial_number.size() > 64) {
    return InvalidArgument("the device identity must give a product ID and a serial number");
  }

  AgentState state;
  bool moved = false;
  Result<std::string> bytes = env.store->Load();
  if (bytes.ok()) {
    Result<AgentState> loaded = OpenState(*bytes, *env.secret);
    if (!loaded.ok()) return loaded.status();
    state = std::move(loaded).value();
    moved = !(state.udi == udi);
  } else if (bytes.status().code() == StatusCode::kNotFound) {
    state.udi = udi;
    state.agent_time = env.time->Now();
    state.last_wall = state.agent_time;
  } else {
    return bytes.status();
  }

  std::unique_ptr<AgentImpl> agent(
      new AgentImpl(std::move(env), std::move(anchor).value(), udi, std::move(state)));
  Status started = agent->Start(moved);
  if (!started.ok()) return started;
  return std::unique_ptr<Agent>(std::move(agent));
}

AgentImpl::AgentImpl(AgentEnvironment env, Certificate trust_anchor, Udi udi, AgentState state)
    : env_(std::move(env)),
      channel_(std::move(trust_anchor)),
      udi_(std::move(udi)),
      boot_id_(BootIdOf(*env_.time)),
      state_(std::move(state)) {
  summary_ = Summarize(state_);
}

AgentImpl::~AgentImpl() = default;

Status AgentImpl::Start(bool moved) {
  Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (moved) {
      // Sealed with this device's secret but written for another UDI (e.g. a cloned
      // VM given a new serial number): keep the settings, not the registration.
      ClearRegistration(state_, RegistrationState::kUnregistered);
      state_.pending_token.clear();
      state_.pending_key_pem.clear();
      state_.register_due_at = 0;
      state_.retry_not_before_at = 0;
      state_.udi = udi_;
      Emit(EventType::kStateRestored,
           "The licensing state was written for another UDI; Smart Licensing stays enabled but "
           "the product must be registered again.");
    }
    // A state saved earlier in this boot carries the monotonic reading of its agent time:
    // measure the time since then on the monotonic clock, whatever the wall clock did in
    // between (set back while no agent ran, or jumped forwards).
    if (env_.time->MonotonicSeconds().has_value() && !boot_id_.empty() && state_.boot_id == boot_id_) {
      last_monotonic_ = state_.boot_monotonic;
    }
    Observe();
    s = Commit(/*save=*/moved);
  }
  DispatchEvents();
  return s;
}


Status Agent::FactoryResetStore(StateStore& store) { return store.Erase(); }

// --- Internals (mu_ held) -----------------------------------------------------------

AgentState AgentImpl::View() const {
  AgentState v = state_;
  std::optional<int64_t> elapsed;
  // The copy's time anchor, like Commit() writes it (a Backup() is such a copy).
  v.boot_id.clear();
  v.boot_monotonic = 0;
  std::optional<int64_t> reading = last_monotonic_ ? env_.time->MonotonicSeconds() : std::nullopt;
  if (reading) {
    int64_t now_monotonic = *reading;
    if (PlausibleUptime(now_monotonic) && PlausibleUptime(*last_monotonic_)) {
      elapsed = now_monotonic - *last_monotonic_;
    }
    if (!boot_id_.empty() && PlausibleUptime(now_monotonic)) {
      v.boot_id = boot_id_;
      v.boot_monotonic = now_monotonic;
    }
  }
  AdvanceTo(v, env_.time->Now(), elapsed);
  Normalize(v);
  return v;
}

void AgentImpl::Observe() {
  std::optional<int64_t> now_monotonic = env_.time->MonotonicSeconds();
  std::optional<int64_t> elapsed;
  if (now_monotonic) {
    if (last_monotonic_ && PlausibleUptime(*now_monotonic) && PlausibleUptime(*last_monotonic_)) {
      elapsed = *now_monotonic - *last_monotonic_;
    }
  }
  int64_t back = AdvanceTo(state_, env_.time->Now(), elapsed);
  last_monotonic_ = now_monotonic;
  if (back >= kClockBackwardsReportThreshold) {
    Emit(EventType::kClockMovedBackwards,
         "The system clock moved back by " + std::to_string(back) +
             " seconds; licensing timers count elapsed time only forwards, so nothing was extended.");
  }
}

AgentImpl::Summary AgentImpl::Summarize(const AgentState& s) const {
  return Summary{s.mode, RegistrationText(s), AuthorizationText(s)};
}

void AgentImpl::Emit(EventType type, std::string message, std::string from, std::string to) {
  events_.push_back(Event{type, env_.time->Now(), std::move(from), std::move(to), Redact(std::move(message))});
}

Status AgentImpl::Commit(bool save) {
  Normalize(state_);
  Summary now = Summarize(state_);
  if (now.mode != summary_.mode) {
    Emit(EventType::kModeChanged, std::string("Licensing mode is now ") + LicensingModeName(now.mode) + ".",
         LicensingModeName(summary_.mode), LicensingModeName(now.mode));
  }
  if (now.registration != summary_.registration) {
    Emit(EventType::kRegistrationStatusChanged, "Registration status: " + now.registration,
         summary_.registration, now.registration);
  }
  if (now.authorization != summary_.authorization) {
    Emit(EventType::kAuthorizationStatusChanged, "License authorization status: " + now.authorization,
         summary_.authorization, now.authorization);
  }
  summary_ = now;
  if (!save) return Status::Ok();
  // The monotonic reading taken when agent_time and last_wall were last advanced, so
  // that a later process of this boot can measure the time since on that clock.
  bool anchored = last_monotonic_ && !boot_id_.empty() && PlausibleUptime(*last_monotonic_);
  state_.boot_id = anchored ? boot_id_ : std::string();
  state_.boot_monotonic = anchored ? *last_monotonic_ : 0;
  Result<std::string> sealed = SealState(state_, *env_.secret);
  if (!sealed.ok()) return sealed.status();
  Status saved = env_.store->Save(*sealed);
  if (!saved.ok()) {
    // The in-memory state stays current and is saved again with the next change.
    return Status(saved.code(), "the licensing state could not be saved: " + saved.message());
  }
  return Status::Ok();
}

int64_t AgentImpl::ScheduleAfter(int64_t interval) {
  return state_.agent_time + interval + CommunicationJitter(udi_, state_.jitter_sequence++);
}

int64_t AgentImpl::RetryTime(std::optional<int64_t> retry_after) {
  int64_t at = ScheduleAfter(kRetryInterval);
  if (retry_after && *retry_after > 0) {
    at = std::max(at, state_.agent_time + std::min(*retry_after, kMaxRetryAfter));
  }
  return at;
}

std::optional<std::string> AgentImpl::HostnameToSend() const {
  if (state_.privacy) return std::nullopt;
  return env_.identity->Hostname();
}

void AgentImpl::CheckHostname() {
  if (state_.registration != RegistrationState::kRegistered) return;
  std::optional<std::string> wanted = HostnameToSend();
  if (wanted == state_.sent_hostname) return;
  // Once scheduled (or being retried after a failure) there is nothing more to do.
  if (state_.renew_registration_due_at > std::max(state_.agent_time, state_.retry_not_before_at) ||
      state_.renew_registration_due_at == 0) {
    state_.renew_registration_due_at = state_.agent_time;
    Emit(EventType::kHostnameChanged,
         wanted ? "The hostname changed to '" + *wanted + "'; renewing the registration to tell CSSM."
                : std::string("Privacy is on; renewing the registration without the hostname."));
  }
}

void AgentImpl::DropRegistration(RegistrationState new_state) { ClearRegistration(state_, new_state); }

std::string AgentImpl::Redact(std::string text) const {
  // MaskSecret resumes after each mask, so a secret inside "<redacted>" cannot loop, and
  // masks secrets of any length (over-masking a short one is the safe failure).
  text = MaskSecret(std::move(text), state_.pending_token);
  if (state_.transport.proxy) text = MaskSecret(std::move(text), state_.transport.proxy->password);
  return text;
}

std::optional<AgentImpl::Job> AgentImpl::NextDueJob() const {
  if (state_.retry_not_before_at > state_.agent_time) return std::nullopt;
  for (int job = 0; job < 4; ++job) {
    int64_t due = JobDue(state_, job);
    if (JobValid(state_, job) && due != 0 && due <= state_.agent_time) return static_cast<Job>(job);
  }
  return std::nullopt;
}

void AgentImpl::DispatchEvents() {
  std::vector<Event> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events.swap(events_);
  }
  if (!env_.on_event) return;
  for (const Event& e : events) env_.on_event(e);
}

// --- Communication ------------------------------------------------------------------

const PrivateKey* AgentImpl::DeviceKey() {
  if (!cached_key_ || cached_key_pem_ != state_.device_key_pem) {
    cached_key_.reset();
    cached_key_pem_ = state_.device_key_pem;
    Result<PrivateKey> key = PrivateKey::FromPem(state_.device_key_pem);
    if (key.ok()) cached_key_ = std::move(key).value();
  }
  return cached_key_ ? &*cached_key_ : nullptr;
}

std::string AgentImpl::CertificateSerial() {
  if (cached_cert_pem_ != state_.id_certificate_pem) {
    cached_cert_pem_ = state_.id_certificate_pem;
    Result<Certificate> cert = Certificate::FromPem(state_.id_certificate_pem);
    cached_cert_serial_ = cert.ok() ? cert->SerialHex() : "";
  }
  return cached_cert_serial_;
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

CssmReply AgentImpl::Communicate(std::unique_lock<std::mutex>& lock, const Request& request,
                            const PrivateKey& key) {
  if (!transport_) transport_ = env_.transport_factory(state_.transport);
  CssmReply e;
  if (!transport_) {
    e.reason = "no transport is available for the configured transport settings";
  } else {
    Transport* transport = transport_.get();
    lock.unlock();
    e = channel_.Send(*transport, request, key);
    lock.lock();
  }
  Observe();
  state_.last_communication_wall = env_.time->Now();
  if (e.ok()) {
    state_.last_error.clear();
    state_.retry_not_before_at = 0;
    Emit(EventType::kCommunicationSucceeded,
         std::string("CSSM answered the ") + MessageTypeName(request.type) + " request.");
  } else if (e.outcome == CssmReply::Outcome::kOffline) {
    e.reason = Redact(Sanitize(e.reason));
  }
  return e;
}

// Offline: keep the grants, retry the job after the retry interval.
Status AgentImpl::OnFailure(const CssmReply& e, const char* what, int64_t* job_due) {
  state_.retry_not_before_at = RetryTime(e.retry_after_seconds);
  if (job_due != nullptr) *job_due = state_.retry_not_before_at;
  state_.last_error = InProgress(what, e.reason);
  Emit(EventType::kCommunicationFailed, state_.last_error);
  return Unavailable(state_.last_error);
}

// A signed refusal. The ones acted on at once (the instance or its registration is gone)
// return PermissionDenied; the ones kept like a communication failure and retried
// return Unavailable.
Status AgentImpl::OnRefusal(const Response& r, const char* what, int64_t* job_due) {
  const std::string& code = r.error_code;
  std::string server_says = Redact(Sanitize(r.error_message));
  Status result;
  if (code == error_code::kUnknownInstance || code == error_code::kCertificateMismatch) {
    DropRegistration(RegistrationState::kUnregistered);
    state_.last_error = "CSSM no longer recognises this product instance (" + code + ": " + server_says +
                        "). The local registration was removed; register the product again with a new token.";
    result = PermissionDenied(state_.last_error);
  } else if (code == error_code::kRegistrationExpired) {
    DropRegistration(RegistrationState::kExpired);
    state_.last_error = "CSSM reports that the registration has expired (" + code + ": " + server_says +
                        "); register the product again with a new token.";
    result = PermissionDenied(state_.last_error);
  } else {
    // A refusal that may pass (clock skew, a replay, a server fault): keep the grants
    // and retry like after a communication failure.
    std::string reason = "CSSM refused the request (" + code + ": " + server_says + ")";
    if (code == error_code::kStaleMessage) reason += "; check that this product's clock is correct (NTP)";
    state_.retry_not_before_at = RetryTime(std::nullopt);
    if (job_due != nullptr) *job_due = state_.retry_not_before_at;
    state_.last_error = InProgress(what, reason);
    result = Unavailable(state_.last_error);
  }
  Emit(EventType::kCommunicationFailed, state_.last_error);
  return result;
}

Status AgentImpl::RunJob(std::unique_lock<std::mutex>& lock, Job job) {
  switch (job) {
    case Job::kRegister: return DoRegister(lock, nullptr);
    case Job::kRenewRegistration: return DoRenewRegistration(lock);
    case Job::kRenewAuthorization: return DoAuthorize(lock, MessageType::kAuthorize);
    case Job::kReportUsage: return DoAuthorize(lock, MessageType::kReportUsage);
  }
  return Internal("unknown job");
}

// A registration or renewal answer must carry an ID certificate for this device's key,
// issued by the trust anchor, with a plausible period; otherwise it counts as a failed
// exchange (retried), never as a registration.
void AgentImpl::CheckRegistrationReply(CssmReply& e, const PrivateKey& key) const {
  if (!e.ok()) return;
  Result<Certificate> cert = channel_.CheckIdCertificate(e.response.id_certificate_pem, key);
  int64_t validity = e.response.registration_expires - e.response.server_time;
  if (!cert.ok()) {
    e.outcome = CssmReply::Outcome::kOffline;
    e.reason = cert.status().message();
  } else if (validity <= 0 || validity > kMaxRegistrationValidity || e.response.instance_id.empty()) {
    e.outcome = CssmReply::Outcome::kOffline;
    e.reason = "the registration response gives no usable registration period";
  }
}

// `token` null: the automatic retry of a pending registration.
Status AgentImpl::DoRegister(std::unique_lock<std::mutex>& lock, const std::string* token) {
  if (token != nullptr) {
    Result<PrivateKey> fresh = PrivateKey::Generate();
    if (!fresh.ok()) return fresh.status();
    state_.pending_token = *token;
    state_.pending_key_pem = fresh->ToPem();
    if (state_.registration != RegistrationState::kRegistered) state_.registration = RegistrationState::kPending;
    state_.register_due_at = state_.agent_time;
    // Persist the pending registration first: after a crash it is retried, not lost.
    SL_RETURN_IF_ERROR(Commit());
  }
  Result<PrivateKey> key = PrivateKey::FromPem(state_.pending_key_pem);
  if (!key.ok()) return DataLoss("the pending registration's key is unreadable");
  Request request = NewRequest(MessageType::kRegister);
  request.instance_id.clear();
  request.token = state_.pending_token;
  request.hostname = HostnameToSend();
  Result<std::string> csr = MakeCertificateRequest(
      *key, "PID:" + udi_.product_id + " SN:" + udi_.serial_number);
  if (!csr.ok()) return csr.status();
  request.csr_pem = *csr;

  CssmReply e = Communicate(lock, request, *key);
  CheckRegistrationReply(e, *key);
  Status result;
  if (e.ok()) {
    const Response& r = e.response;
    DropRegistration(RegistrationState::kRegistered);  // a re-registration replaces everything
    state_.instance_id = r.instance_id;
    state_.device_key_pem = state_.pending_key_pem;
    state_.id_certificate_pem = r.id_certificate_pem;
    state_.smart_account = r.smart_account;
    state_.virtual_account = r.virtual_account;
    state_.export_controlled = r.export_controlled;
    state_.sent_hostname = request.hostname;
    state_.initial_registration_wall = env_.time->Now();
    state_.registration_expires_at = state_.agent_time + (r.registration_expires - r.server_time);
    state_.renew_registration_due_at = ScheduleAfter(kRegistrationRenewalInterval);
    // Until the first authorization answers, the product has at most the usual 90 days.
    state_.authorization_expires_at = state_.agent_time + kAuthorizationValidity;
    state_.renew_authorization_due_at = state_.agent_time;
    state_.pending_token.clear();
    state_.pending_key_pem.clear();
    state_.register_due_at = 0;
    SL_RETURN_IF_ERROR(Commit());
    // Authorize at once; a failure here is retried on its own schedule.
    (void)DoAuthorize(lock, MessageType::kAuthorize);
    return Status::Ok();
  }
  if (e.outcome == CssmReply::Outcome::kOffline) {
    result = OnFailure(e, kWhatRegistration, &state_.register_due_at);
  } else {
    const std::string& code = e.response.error_code;
    if (code == error_code::kTokenInvalid || code == error_code::kTokenExpired ||
        code == error_code::kTokenUsedUp) {
      const char* why = code == error_code::kTokenExpired ? "the token has expired"
                        : code == error_code::kTokenUsedUp ? "the token has been used the maximum number of times"
                                                          : "the token is invalid";
      state_.last_error = std::string("Registration failed because ") + why + " (" + code + ": " +
                          Redact(Sanitize(e.response.error_message)) +
                          "). Generate a new Product Instance Registration Token and register again.";
      state_.pending_token.clear();
      state_.pending_key_pem.clear();
      state_.register_due_at = 0;
      if (state_.registration != RegistrationState::kRegistered) {
        state_.registration = RegistrationState::kFailed;
        state_.retry_not_before_at = 0;
      }
      Emit(EventType::kCommunicationFailed, state_.last_error);
      result = PermissionDenied(state_.last_error);
    } else {
      result = OnRefusal(e.response, kWhatRegistration, &state_.register_due_at);
    }
  }
  SL_RETURN_IF_ERROR(Commit());
  return result;
}

Status AgentImpl::DoRenewRegistration(std::unique_lock<std::mutex>& lock) {
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(kNotRegistered);
  const PrivateKey* key = DeviceKey();
  if (key == nullptr) return DataLoss("the device key is unreadable");
  Request request = NewRequest(MessageType::kRenewId);
  request.hostname = HostnameToSend();
  CssmReply e = Communicate(lock, request, *key);
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(kNotRegistered);  // defensive: ops are serialised
  CheckRegistrationReply(e, *key);
  Status result;
  if (e.ok()) {
    const Response& r = e.response;
    state_.instance_id = r.instance_id;
    state_.id_certificate_pem = r.id_certificate_pem;
    state_.smart_account = r.smart_account;
    state_.virtual_account = r.virtual_account;
    state_.export_controlled = r.export_controlled;
    state_.sent_hostname = request.hostname;
    state_.last_registration_renewal_wall = env_.time->Now();
    state_.registration_expires_at = state_.agent_time + (r.registration_expires - r.server_time);
    state_.renew_registration_due_at = ScheduleAfter(kRegistrationRenewalInterval);
  } else if (e.outcome == CssmReply::Outcome::kOffline) {
    result = OnFailure(e, kWhatRegistration, &state_.renew_registration_due_at);
  } else {
    result = OnRefusal(e.response, kWhatRegistration, &state_.renew_registration_due_at);
  }
  SL_RETURN_IF_ERROR(Commit());
  return result;
}

// kAuthorize renews the authorization; kReportUsage only reports usage. Both carry the usage.
Status AgentImpl::DoAuthorize(std::unique_lock<std::mutex>& lock, MessageType type) {
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(kNotRegistered);
  const PrivateKey* key = DeviceKey();
  if (key == nullptr) return DataLoss("the device key is unreadable");
  const bool authorize = type == MessageType::kAuthorize;
  const char* what = authorize ? kWhatAuthorization : kWhatUsage;
  Request request = NewRequest(type);
  for (const auto& [tag, count] : state_.usage) request.usage.push_back(LicenseCount{tag, count});
  CssmReply e = Communicate(lock, request, *key);
  if (state_.registration != RegistrationState::kRegistered) return FailedPrecondition(kNotRegistered);
  int64_t* due = authorize ? &state_.renew_authorization_due_at : &state_.report_usage_due_at;
  if (e.ok() && authorize) {
    int64_t validity = e.response.authorization_expires - e.response.server_time;
    if (validity <= 0 || validity > kMaxRegistrationValidity) {
      e.outcome = CssmReply::Outcome::kOffline;
      e.reason = "the authorization response gives no usable authorization period";
    }
  }
  Status result;
  if (e.ok()) {
    const Response& r = e.response;
    state_.authorization_status = r.authorization_status;
    state_.license_statuses = r.licenses;
    if (authorize) {
      state_.authorization_expires_at = state_.agent_time + (r.authorization_expires - r.server_time);
      state_.last_authorization_wall = env_.time->Now();
      state_.renew_authorization_due_at = ScheduleAfter(kAuthorizationRenewalInterval);
    }
    // Usage goes with every authorization, so the 6-hour report restarts from here.
    state_.report_usage_due_at = ScheduleAfter(kUsageReportInterval);
  } else if (e.outcome == CssmReply::Outcome::kOffline) {
    result = OnFailure(e, what, due);
  } else {
    result = OnRefusal(e.response, what, due);
  }
  SL_RETURN_IF_ERROR(Commit());
  return result;
}

// --- Public operations --------------------------------------------------------------

Status AgentImpl::Enable() { return SetLicensingMode(LicensingMode::kSmart); }

Status AgentImpl::SetLicensingMode(LicensingMode mode) {
  Status s = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    Observe();
    if (mode == state_.mode) return Commit(/*save=*/false);
    if (mode == LicensingMode::kPak) {
      return FailedPrecondition(
          "Smart Licensing is enabled: reverting to PAK-based licensing needs a factory reset "
          "(back up the system first).");
    }
    state_.mode = LicensingMode::kSmart;
    return Commit();
  }();
  DispatchEvents();
  return s;
}

Status AgentImpl::FactoryReset() {
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    s = env_.store->Erase();
    if (s.ok()) {
      AgentState fresh;
      fresh.udi = udi_;
      fresh.agent_time = env_.time->Now();
      fresh.last_wall = fresh.agent_time;
      state_ = std::move(fresh);
      // The time anchor moved with last_wall.
      last_monotonic_ = env_.time->MonotonicSeconds();
      transport_.reset();
      s = Commit(/*save=*/false);
    }
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::Register(const std::string& token, bool reregister) {
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    Observe();
    Normalize(state_);
    if (state_.mode != LicensingMode::kSmart) {
      s = FailedPrecondition(kNotEnabled);
    } else if (!IsWellFormedToken(token)) {
      s = InvalidArgument("The registration token is empty or malformed; paste the Product Instance "
                          "Registration Token exactly as CSSM shows it.");
    } else if (state_.registration == RegistrationState::kRegistered && !reregister) {
      s = FailedPrecondition(kAlreadyRegistered);
    } else {
      s = DoRegister(lock, &token);
    }
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::RenewRegistration() {
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    Observe();
    Normalize(state_);
    s = DoRenewRegistration(lock);
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::RenewAuthorization() {
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    Observe();
    Normalize(state_);
    s = DoAuthorize(lock, MessageType::kAuthorize);
  }
  DispatchEvents();
  return s;
}

Result<Deregistration> AgentImpl::Deregister() {
  Result<Deregistration> result = Internal("unset");
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    Observe();
    Normalize(state_);
    Deregistration d;
    if (state_.registration != RegistrationState::kRegistered) {
      if (state_.pending_token.empty()) {
        result = FailedPrecondition(kNotRegistered);
      } else {
        state_.pending_token.clear();
        state_.pending_key_pem.clear();
        state_.register_due_at = 0;
        state_.retry_not_before_at = 0;
        state_.registration = RegistrationState::kUnregistered;
        state_.last_error.clear();
        d.released_on_server = true;
        d.message = "The pending registration was cancelled.";
        Status s = Commit();
        result = s.ok() ? Result<Deregistration>(d) : Result<Deregistration>(s);
      }
    } else {
      const PrivateKey* key = DeviceKey();
      CssmReply e;
      e.reason = "the device key is unreadable";
      if (key != nullptr) e = Communicate(lock, NewRequest(MessageType::kDeregister), *key);
      bool gone_on_server = e.ok() || (e.outcome == CssmReply::Outcome::kRefused &&
                                       e.response.error_code == error_code::kUnknownInstance);
      std::string reason = e.outcome == CssmReply::Outcome::kRefused
                               ? "CSSM refused it (" + e.response.error_code + ": " +
                                     Redact(Sanitize(e.response.error_message)) + ")"
                               : e.reason;
      // Everything goes, a pending re-registration included: deregistered means deregistered.
      state_.pending_token.clear();
      state_.pending_key_pem.clear();
      state_.register_due_at = 0;
      DropRegistration(RegistrationState::kUnregistered);
      state_.retry_not_before_at = 0;
      d.released_on_server = gone_on_server;
      if (gone_on_server) {
        d.message = "The product instance was deregistered and its license entitlements were released to "
                    "the virtual account.";
        state_.last_error.clear();
      } else {
        d.message = "The product instance was deregistered locally, but CSSM could not be told because " +
                    reason +
                    ". Remove this product instance manually from CSSM or Smart Software Manager On-Prem "
                    "to free its licenses.";
        state_.last_error = d.message;
        Emit(EventType::kCommunicationFailed, d.message);
      }
      Status s = Commit();
      result = s.ok() ? Result<Deregistration>(d) : Result<Deregistration>(s);
    }
  }
  DispatchEvents();
  return result;
}

Status AgentImpl::SetUsage(const std::string& tag, int64_t count) {
  if (!IsValidLicenseTag(tag)) return InvalidArgument("license tag must be 1-128 letters, digits or . _ - :");
  if (count < 0 || count > kMaxLicenseCount) {
    return InvalidArgument("license count must be between 0 and " + std::to_string(kMaxLicenseCount));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (count == 0) {
    state_.usage.erase(tag);
  } else if (state_.usage.count(tag) == 0 && state_.usage.size() >= kMaxLicenseLines) {
    return FailedPrecondition("at most " + std::to_string(kMaxLicenseLines) + " license types can be in use");
  } else {
    state_.usage[tag] = count;
  }
  return Status::Ok();
}

Status AgentImpl::SaveUsage() {
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    Observe();
    s = Commit();
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::UpdateUsage() {
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    Observe();
    Normalize(state_);
    if (state_.registration == RegistrationState::kRegistered) {
      s = DoAuthorize(lock, MessageType::kReportUsage);
    } else {
      s = Commit();  // nothing to report to: the local usage table is current
    }
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::SetTransportSettings(const TransportSettings& settings) {
  SL_RETURN_IF_ERROR(ValidateTransportSettings(settings));
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    bool registered = state_.registration == RegistrationState::kRegistered || !state_.pending_token.empty();
    if (registered && settings.mode != state_.transport.mode) {
      s = FailedPrecondition(
          "This product instance is registered: deregister it before changing the transport settings "
          "between Direct (CSSM) and Smart Software Manager On-Prem.");
    } else {
      state_.transport = settings;
      transport_.reset();
      s = Commit();
    }
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::SetPrivacy(bool on) {
  Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.privacy = on;
    CheckHostname();
    s = Commit();
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::HostnameChanged() {
  Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Observe();
    CheckHostname();
    s = Commit();
  }
  DispatchEvents();
  return s;
}

Status AgentImpl::RunDue() {
  Status s;
  {
    std::lock_guard<std::mutex> op(op_mu_);
    std::unique_lock<std::mutex> lock(mu_);
    Observe();
    Normalize(state_);
    CheckHostname();
    // One message per job at most; a failure stops the round (it set the retry time).
    for (int round = 0; round < 4; ++round) {
      std::optional<Job> job = NextDueJob();
      if (!job) break;
      Status r = RunJob(lock, *job);
      if (!r.ok()) break;  // its outcome is in status and events, not an error of RunDue
    }
    s = Commit();
  }
  DispatchEvents();
  return s;
}

std::optional<UnixSeconds> AgentImpl::NextDeadline() const {
  std::lock_guard<std::mutex> lock(mu_);
  AgentState v = View();
  std::optional<int64_t> next;
  auto consider = [&next](int64_t at) {
    if (at > 0 && (!next || at < *next)) next = at;
  };
  if (v.mode == LicensingMode::kSmart) {
    if (v.registration != RegistrationState::kRegistered && EvaluationRemaining(v) > 0) {
      consider(v.agent_time + EvaluationRemaining(v));
    }
    if (v.registration == RegistrationState::kRegistered) {
      consider(v.registration_expires_at);
      if (!AuthorizationExpired(v)) consider(v.authorization_expires_at);
    }
    consider(NextCommunication(v));
  }
  if (!next) return std::nullopt;
  return std::max(v.last_wall, ToWall(v, *next));
}

AgentStatus AgentImpl::GetStatus() const {
  std::lock_guard<std::mutex> lock(mu_);
  AgentState v = View();
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
  auto wall = [&v](int64_t at) -> std::optional<UnixSeconds> {
    if (at == 0) return std::nullopt;
    return ToWall(v, at);
  };
  auto when = [](UnixSeconds t) -> std::optional<UnixSeconds> {
    if (t == 0) return std::nullopt;
    return t;
  };
  if (v.mode == LicensingMode::kSmart) out.evaluation_remaining_seconds = EvaluationRemaining(v);
  if (v.registration == RegistrationState::kRegistered) {
    out.smart_account = v.smart_account;
    out.virtual_account = v.virtual_account;
    out.export_controlled = v.export_controlled ? st::kExportAllowed : st::kExportNotAllowed;
    out.instance_id = v.instance_id;
    out.initial_registration = when(v.initial_registration_wall);
    out.last_registration_renewal = when(v.last_registration_renewal_wall);
    out.next_registration_renewal = wall(std::max(v.renew_registration_due_at, v.retry_not_before_at));
    out.registration_expires = wall(v.registration_expires_at);
    out.last_authorization = when(v.last_authorization_wall);
    out.next_authorization_renewal = wall(std::max(v.renew_authorization_due_at, v.retry_not_before_at));
    out.authorization_expires = wall(v.authorization_expires_at);
    out.communication_deadline = wall(AuthorizationExpired(v)
                                          ? v.registration_expires_at
                                          : std::min(v.authorization_expires_at, v.registration_expires_at));
  }
  out.last_communication_attempt = when(v.last_communication_wall);
  out.next_communication_attempt = wall(NextCommunication(v));
  out.last_error = v.last_error;
  out.licenses = LicenseTable(v);
  return out;
}

bool AgentImpl::MayChangeClusterConfiguration() const {
  std::lock_guard<std::mutex> lock(mu_);
  AgentState v = View();
  return v.mode == LicensingMode::kPak || v.registration == RegistrationState::kRegistered;
}

bool AgentImpl::MayRegisterNewDevices() const {
  std::lock_guard<std::mutex> lock(mu_);
  AgentState v = View();
  return !(v.mode == LicensingMode::kSmart && v.registration != RegistrationState::kRegistered &&
           EvaluationRemaining(v) <= 0);
}

Result<std::string> AgentImpl::Backup() const {
  std::lock_guard<std::mutex> lock(mu_);
  return SealState(View(), *env_.secret);
}

Status AgentImpl::Restore(std::string_view backup) {
  Status s = [&]() -> Status {
    std::lock_guard<std::mutex> op(op_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    Observe();
    Normalize(state_);
    Result<AgentState> claimed = OpenStateUnverified(backup);
    if (!claimed.ok()) return Status(claimed.status().code(), "the backup cannot be restored: " +
                                                                   claimed.status().message());
    if (claimed->mode == LicensingMode::kPak && state_.mode == LicensingMode::kSmart) {
      return FailedPrecondition("the backup was made with PAK-based licensing; reverting from Smart Licensing "
                                "to PAK needs a factory reset first");
    }
    if (claimed->udi == udi_) {
      Result<AgentState> verified = OpenState(backup, *env_.secret);
      if (!verified.ok()) {
        return DataLoss("the backup carries this device's UDI but fails its integrity check: it was edited "
                        "or sealed on another device");
      }
      AgentState merged = std::move(verified).value();
      // Time only moves forwards, whatever the backup says: deadlines that passed since the
      // backup are due now, and evaluation already consumed stays consumed.
      merged.agent_time = std::max(merged.agent_time, state_.agent_time);
      merged.last_wall = state_.last_wall;
      merged.evaluation_used = std::max(merged.evaluation_used, state_.evaluation_used);
      merged.jitter_sequence = std::max(merged.jitter_sequence, state_.jitter_sequence);
      merged.usage = state_.usage;  // live data from the firmware
      state_ = std::move(merged);
      Emit(EventType::kStateRestored, "A backup of this product instance was restored; its registration is kept.");
    } else {
      if (state_.registration == RegistrationState::kRegistered || !state_.pending_token.empty()) {
        return FailedPrecondition("This product instance is registered: deregister it before restoring the "
                                  "backup of another system.");
      }
      // Nothing vouches for another system's backup (it is not verified with this
      // device's secret): its transport settings are used only if they are valid.
      Status usable = ValidateTransportSettings(claimed->transport);
      state_.mode = claimed->mode;
      if (usable.ok()) state_.transport = claimed->transport;
      state_.privacy = claimed->privacy;
      if (state_.registration != RegistrationState::kUnregistered) {
        state_.registration = RegistrationState::kUnregistered;
      }
      std::string kept =
          usable.ok() ? std::string()
                      : " The backup's transport settings are not valid (" + Sanitize(usable.message()) +
                            "), so the current transport settings were kept.";
      Emit(EventType::kStateRestored,
           "A backup of another system (" + Sanitize(claimed->udi.product_id) + " " +
               Sanitize(claimed->udi.serial_number) +
               ") was restored: Smart Licensing settings are restored, but this product instance must be "
               "registered again with a registration token." + kept);
    }
    transport_.reset();
    return Commit();
  }();
  DispatchEvents();
  return s;
}

}  // namespace sl
