#include "agent/agent_impl.h"

#include <cctype>
#include <iterator>

#include "agent/backup.h"
#include "agent/backup_file.h"
#include "agent/licensing_timers.h"
#include "agent/operator_text.h"
#include "agent/state_transitions.h"
#include "agent/status_view.h"
#include "base/secrets.h"
#include "base/text.h"

namespace sl {
namespace {

bool IsWellFormedToken(const std::string& token) {
  if (token.empty() || token.size() > 512) return false;
  for (char c : token) {
    if (!std::isgraph(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The state of a factory-new device `udi` whose agent time starts at `now`.
AgentState FreshState(const Udi& udi, UnixSeconds now) {
  AgentState s;
  s.udi = udi;
  s.agent_time = now;
  s.last_wall = now;
  s.wall_reading = now;
  return s;
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
    case EventType::kClockJumpedForwards: return "clock jumped forwards";
    case EventType::kStateRestored: return "state restored";
  }
  return "unknown";
}

// --- Opening ------------------------------------------------------------------------

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
  // Every request carries the UDI: one the protocol refuses (docs/protocol.md, "Strings")
  // could never be sent, so it is a configuration error now rather than retries forever.
  for (const std::string* part : {&udi.product_id, &udi.serial_number}) {
    if (!IsCarriableText(*part) || HasControlCharacter(*part) || HasBidiControl(*part)) {
      return InvalidArgument("the device identity's product ID and serial number must be UTF-8 text without "
                             "control or bidirectional formatting characters");
    }
  }

  AgentState state;
  bool moved = false;
  bool secrets_in_clear = false;
  Result<std::string> bytes = env.store->Load();
  if (bytes.ok()) {
    Result<AgentState> loaded = OpenState(*bytes, *env.secret, &secrets_in_clear);
    if (!loaded.ok()) return loaded.status();
    state = std::move(loaded).value();
    moved = !(state.udi == udi);
  } else if (bytes.status().code() == StatusCode::kNotFound) {
    state = FreshState(udi, env.time->Now());
  } else {
    return bytes.status();
  }

  std::unique_ptr<AgentImpl> agent(
      new AgentImpl(std::move(env), std::move(anchor).value(), udi, std::move(state)));
  Status started = agent->Start(moved, secrets_in_clear);
  if (!started.ok()) return started;
  return std::unique_ptr<Agent>(std::move(agent));
}

Status Agent::FactoryResetStore(StateStore& store) { return store.Erase(); }

AgentImpl::AgentImpl(AgentEnvironment env, Certificate trust_anchor, Udi udi, AgentState state)
    : env_(std::move(env)),
      channel_(std::move(trust_anchor)),
      udi_(std::move(udi)),
      clock_(*env_.time),
      state_(std::move(state)) {
  summary_ = Summarize(state_);
}

AgentImpl::~AgentImpl() = default;

Status AgentImpl::Start(bool moved, bool secrets_in_clear) {
  Status s;
  {
    Lock lock(mu_);
    if (moved) {
      // Sealed with this device's secret but written for another UDI (e.g. a cloned
      // VM given a new serial number): keep the settings, not the registration.
      ClearRegistration(state_, RegistrationState::kUnregistered);
      CancelPendingRegistration(state_);
      state_.retry_not_before_at = 0;
      state_.udi = udi_;
      Emit(EventType::kStateRestored,
           "The licensing state was written for another UDI; Smart Licensing stays enabled but "
           "the product must be registered again.");
    }
    clock_.Resume(state_);
    Observe();
    s = Commit(/*save=*/moved || secrets_in_clear);
    // A record of the previous version, its secrets in clear, is written again sealed
    // at once. Should that fail (a full disk), the agent still opens: the next save
    // seals them.
    if (!moved) s = Status::Ok();
  }
  DispatchEvents();
  return s;
}

// --- Internals (mu_ held) -----------------------------------------------------------

AgentState AgentImpl::View() const {
  AgentState v = clock_.View(state_);
  Normalize(v);
  return v;
}

void AgentImpl::Observe() {
  ClockObservation o = clock_.Observe(state_);
  if (o.stepped_back >= kClockStepThreshold) Emit(EventType::kClockMovedBackwards, text::ClockMovedBack(o.stepped_back));
  if (o.newly_held) Emit(EventType::kClockJumpedForwards, text::ClockJumpHeld(o.held));
}

void AgentImpl::SettleHeldJump(const CssmReply& reply) {
  if (!JumpHeld(state_)) return;
  if (reply.outcome == CssmReply::Outcome::kOffline) {
    // A TLS failure may be the clock's own doing (certificates judged on a clock decades
    // ahead have expired): CSSM is not shown unreachable, so the jump stays held. Every
    // kind of TLS failure counts, as when the transport told them apart less finely.
    if (reply.failure == TransportFailure::kTls || reply.failure == TransportFailure::kTlsUntrusted ||
        reply.failure == TransportFailure::kTlsCertificateDates) {
      PostponeConfirmation(state_, kRetryInterval);
      return;
    }
    int64_t jump = TakeHeldJump(state_);
    Emit(EventType::kClockJumpedForwards, text::ClockJumpTaken(jump));
    return;
  }
  UnixSeconds device_clock = state_.wall_reading;
  int64_t jump = state_.wall_reading - state_.last_wall;
  if (JudgeHeldJump(state_, reply.response.server_time) == JumpVerdict::kConfirmed) {
    Emit(EventType::kClockJumpedForwards, text::ClockJumpConfirmed(jump));
  } else {
    Emit(EventType::kClockJumpedForwards, text::ClockJumpRefuted(device_clock, reply.response.server_time));
  }
}

AgentImpl::Summary AgentImpl::Summarize(const AgentState& s) const {
  return Summary{s.mode, RegistrationText(s), AuthorizationText(s)};
}

void AgentImpl::Emit(EventType type, std::string message, std::string from, std::string to) {
  events_.push_back(
      Event{type, env_.time->Now(), std::move(from), std::move(to), text::Redact(state_, std::move(message))});
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
  clock_.Anchor(state_);
  Result<std::string> sealed = SealState(state_, *env_.secret);
  if (!sealed.ok()) return sealed.status();
  Status saved = env_.store->Save(*sealed);
  if (!saved.ok()) {
    // The in-memory state stays current and is saved again with the next change.
    return Status(saved.code(), "the licensing state could not be saved: " + saved.message());
  }
  ++saves_;
  return Status::Ok();
}

std::optional<std::string> AgentImpl::HostnameToSend() const {
  if (state_.privacy) return std::nullopt;
  return env_.identity->Hostname();
}

void AgentImpl::CheckHostname() {
  if (state_.registration != RegistrationState::kRegistered) return;
  std::optional<std::string> wanted = HostnameToSend();
  if (ScheduleHostnameRenewal(state_, wanted)) {
    Emit(EventType::kHostnameChanged, text::HostnameChangeScheduled(wanted));
  }
}

void AgentImpl::DispatchEvents() {
  std::vector<Event> events;
  {
    Lock lock(mu_);
    events.swap(events_);
  }
  if (!env_.on_event) return;
  for (const Event& e : events) env_.on_event(e);
}

// --- Operations ---------------------------------------------------------------------

Status AgentImpl::Enable() { return SetLicensingMode(LicensingMode::kSmart); }

Status AgentImpl::SetLicensingMode(LicensingMode mode) {
  return RunOperation(Access::kLocal, [&](Lock&) -> Status {
    if (mode == state_.mode) return Commit(/*save=*/false);
    if (mode == LicensingMode::kPak) return FailedPrecondition(text::kRevertToPak);
    state_.mode = LicensingMode::kSmart;
    return Commit();
  });
}

Status AgentImpl::FactoryReset() {
  return RunOperation(Access::kSerialised, [&](Lock&) -> Status {
    SL_RETURN_IF_ERROR(env_.store->Erase());
    state_ = FreshState(udi_, env_.time->Now());
    clock_.Restart();  // the time anchor moved with last_wall
    transport_.reset();
    return Commit(/*save=*/false);
  });
}

Status AgentImpl::Register(const std::string& token, bool reregister) {
  return RunOperation(Access::kSerialised, [&](Lock& lock) -> Status {
    if (state_.mode != LicensingMode::kSmart) return FailedPrecondition(text::kNotEnabled);
    if (!IsWellFormedToken(token)) return InvalidArgument(text::kMalformedToken);
    if (state_.registration == RegistrationState::kRegistered && !reregister) {
      return FailedPrecondition(text::kAlreadyRegistered);
    }
    return DoRegister(lock, &token);
  });
}

Status AgentImpl::RenewRegistration() {
  return RunOperation(Access::kSerialised, [&](Lock& lock) { return DoRenewRegistration(lock); });
}

Status AgentImpl::RenewAuthorization() {
  return RunOperation(Access::kSerialised, [&](Lock& lock) { return DoAuthorize(lock, MessageType::kAuthorize); });
}

Result<Deregistration> AgentImpl::Deregister() {
  return RunOperation(Access::kSerialised, [&](Lock& lock) { return DoDeregister(lock); });
}

Status AgentImpl::SetUsage(const std::string& tag, int64_t count) {
  // Local and cheap, on the firmware's every change: no time observation, no save.
  if (!IsValidLicenseTag(tag)) return InvalidArgument("license tag must be 1-128 letters, digits or . _ - :");
  if (count < 0 || count > kMaxLicenseCount) {
    return InvalidArgument("license count must be between 0 and " + std::to_string(kMaxLicenseCount));
  }
  Lock lock(mu_);
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
  return RunOperation(Access::kSerialised, [&](Lock&) { return Commit(); });
}

Status AgentImpl::UpdateUsage() {
  return RunOperation(Access::kSerialised, [&](Lock& lock) -> Status {
    if (state_.registration != RegistrationState::kRegistered) return Commit();  // nothing to report to
    return DoAuthorize(lock, MessageType::kReportUsage);
  });
}

Status AgentImpl::SetTransportSettings(const TransportSettings& settings) {
  SL_RETURN_IF_ERROR(ValidateTransportSettings(settings));
  return RunOperation(Access::kSerialised, [&](Lock&) -> Status {
    bool registered = state_.registration == RegistrationState::kRegistered || !state_.pending_token.empty();
    if (registered && settings.mode != state_.transport.mode) {
      return FailedPrecondition(text::kDirectOnPremWhileRegistered);
    }
    const std::optional<ProxySettings> stored = state_.transport.proxy;
    state_.transport = settings;
    // GetStatus never shows the password, so a caller changing another option cannot
    // pass it back: an empty one keeps the stored one while the proxy user is the same.
    std::optional<ProxySettings>& proxy = state_.transport.proxy;
    if (proxy && stored && proxy->password.empty() && proxy->username == stored->username) {
      proxy->password = stored->password;
    }
    transport_.reset();
    return Commit();
  });
}

Status AgentImpl::SetPrivacy(bool on) {
  return RunOperation(Access::kLocal, [&](Lock&) {
    state_.privacy = on;
    CheckHostname();
    return Commit();
  });
}

Status AgentImpl::HostnameChanged() {
  return RunOperation(Access::kLocal, [&](Lock&) {
    CheckHostname();
    return Commit();
  });
}

Status AgentImpl::RunDue() {
  return RunOperation(Access::kSerialised, [&](Lock& lock) {
    CheckHostname();
    // One message per job at most; a failure stops the round (it set the retry time).
    bool last_job_saved = false;
    for (size_t round = 0; round < std::size(kJobs); ++round) {
      std::optional<Job> job = NextDueJob(state_);
      if (!job) break;
      const uint64_t saves_before = saves_;
      // Its outcome is in the status and the events, not an error of RunDue.
      Status done = RunJob(lock, *job);
      last_job_saved = saves_ > saves_before;
      if (!done.ok()) break;
    }
    // A job saves the state it leaves: saving it again would only wear a device's flash
    // (twice per retry, every 15 minutes of an outage).
    return last_job_saved ? Status::Ok() : Commit();
  });
}

std::optional<UnixSeconds> AgentImpl::NextDeadline() const {
  Lock lock(mu_);
  return sl::NextDeadline(View());
}

AgentStatus AgentImpl::GetStatus() const {
  Lock lock(mu_);
  AgentStatus status = MakeStatus(View());
  const std::string& key = !state_.device_key_pem.empty() ? state_.device_key_pem : state_.pending_key_pem;
  if (!key.empty()) status.device_key = key_store().DescribeKey(key);
  return status;
}

bool AgentImpl::MayChangeClusterConfiguration() const {
  Lock lock(mu_);
  return sl::MayChangeClusterConfiguration(View());
}

bool AgentImpl::MayRegisterNewDevices() const {
  Lock lock(mu_);
  return sl::MayRegisterNewDevices(View());
}

Result<std::string> AgentImpl::Backup(std::string_view passphrase) const {
  if (passphrase.empty()) return InvalidArgument("the backup passphrase is empty");
  Result<std::string> record = PlaintextBackup();
  if (!record.ok()) return record.status();
  // The key derivation runs outside the lock: it takes a tenth of a second on purpose.
  Result<std::string> file = EncryptBackup(*record, passphrase);
  WipeSecret(*record);
  return file;
}

Result<std::string> AgentImpl::PlaintextBackup() const {
  Lock lock(mu_);
  return SealPortableState(View(), *env_.secret);
}

Status AgentImpl::Restore(std::string_view backup, std::string_view passphrase) {
  std::string record;
  if (IsEncryptedBackup(backup)) {
    if (passphrase.empty()) return InvalidArgument("the backup is encrypted: its passphrase is needed");
    Result<std::string> opened = DecryptBackup(backup, passphrase);
    if (!opened.ok()) {
      return Status(opened.status().code(), "the backup cannot be restored: " + opened.status().message());
    }
    record = std::move(opened).value();
  } else {
    record = std::string(backup);
  }
  Status restored = RestoreRecord(record);
  WipeSecret(record);
  return restored;
}

Status AgentImpl::RestoreRecord(std::string_view backup) {
  return RunOperation(Access::kSerialised, [&](Lock&) -> Status {
    Result<RestoredState> restored = RestoreBackup(state_, backup, *env_.secret, udi_);
    if (!restored.ok()) return restored.status();
    state_ = std::move(restored->state);
    Emit(EventType::kStateRestored, restored->message);
    transport_.reset();
    return Commit();
  });
}

}  // namespace sl
