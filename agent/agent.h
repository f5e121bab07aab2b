// Agent: the Smart Licensing agent that appliance firmware embeds.
//
// It implements the product side of Smart Licensing as the specification describes
// it ("About Smart Licensing" to "Manage Smart Licensing Registrations and
// Authorizations"): PAK by default; enabling Smart Licensing starts a 90-day
// evaluation; registration with a token yields an ID certificate valid one year and
// renewed every six months; authorization is renewed every 30 days and expires 90
// days after the last success; usage is reported with every authorization and every
// 6 hours; after a communication failure the agent retries every 15 minutes (plus a
// small per-device jitter, honouring Retry-After) and keeps its grants until their
// deadlines, while a signed refusal is acted on at once.
//
// Embedding, in short:
//
//   sl::FileStateStore store("/var/lib/licensing/state", "/etc/licensing/state.witness");
//   auto secret = sl::LoadOrCreateDeviceSecretFile("/etc/licensing/device.key");
//   (a read-only tool uses LoadDeviceSecretFile, which never creates the key file)
//   sl::AgentEnvironment env;
//   env.clock = &system_clock;  env.monotonic = &boot_time_clock;
//   env.store = &store;  env.identity = &identity;  env.secret = secret->get();  env.trust_anchor_pem = cssm_signing_cert_pem;
//   env.transport_factory = [](const sl::TransportSettings& s) { return MakeCurlTransport(s); };
//   env.on_event = [](const sl::Event& e) { log(e.message); };
//   auto agent = sl::Agent::Open(std::move(env));   // DataLoss if the state was tampered with
//   (*agent)->Enable();
//   (*agent)->Register(token, /*reregister=*/false);
//   for (;;) { sleep_until((*agent)->NextDeadline()); (*agent)->RunDue(); }
//
// Every operation returns its errors as values (Status / Result); nothing throws
// across this interface. Messages are in the specification's words where it has them
// and never contain a token, a private key or the proxy password.
//
// Time: the agent keeps its own clock that moves only forwards. Each observation adds
// the larger of the wall clock's forward movement and the time a MonotonicClock
// measured since the previous one. So setting the wall clock back never extends the
// evaluation, an authorization or a registration, while moving it forwards (an NTP
// step, or `faketime` in a test) moves the timers as if that time had passed — which
// can only cost the operator licensing time. The monotonic measure holds across
// processes of the same boot too: every save stores the clock's BootId() and reading,
// and Open() on the same boot measures the time since on the monotonic clock (a tool
// that runs one process per command, or a daemon that re-opens the agent every cycle,
// is protected like a long-running process). Across a reboot (or without a boot id)
// only the wall clock's forward movement counts (power-off time counts; a clock set
// back while off is not counted back). The firmware should sleep for
// NextDeadline() - now as a duration on a monotonic timer, not until a wall-clock time.
//
// Thread-safety: all methods may be called from any thread. Operations that talk to
// CSSM are serialised and may block for the transport's timeout; GetStatus(),
// NextDeadline(), the policy queries and SetUsage() never wait for the network.
// Event callbacks run on the thread of the operation that caused them, after the
// agent's locks are released, so a callback may call back into the agent.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent_state.h"
#include "agent/cssm_channel.h"
#include "agent/device_identity.h"
#include "agent/device_secret.h"
#include "agent/monotonic_clock.h"
#include "agent/state_store.h"
#include "agent/transport.h"
#include "protocol/clock.h"
#include "protocol/licensing_terms.h"
#include "protocol/messages.h"
#include "protocol/status.h"

namespace sl {

// The status strings of the specification, verbatim (protocol/licensing_terms.h;
// the name status_text is kept for existing callers).
namespace status_text = terms;

// One row of the license usage table.
// The wire's LicenseStatus: tag, current count and its per-license-type status string.
using LicenseUsage = LicenseStatus;

// Everything the specification's Smart Licensing page shows. Times are wall-clock
// seconds; an absent optional means "not applicable now".
struct AgentStatus {
  LicensingMode mode = LicensingMode::kPak;
  std::string registration_status;   // status_text::kRegistered, ...
  std::string authorization_status;  // status_text::kAuthorized, ...
  std::string smart_account;
  std::string virtual_account;
  std::string export_controlled;  // "Allowed" / "Not Allowed"; empty when not registered
  std::string instance_id;
  std::optional<int64_t> evaluation_remaining_seconds;  // Smart Licensing only
  std::optional<UnixSeconds> initial_registration;
  std::optional<UnixSeconds> last_registration_renewal;
  std::optional<UnixSeconds> next_registration_renewal;
  std::optional<UnixSeconds> registration_expires;
  std::optional<UnixSeconds> last_authorization;
  std::optional<UnixSeconds> next_authorization_renewal;
  std::optional<UnixSeconds> authorization_expires;
  std::optional<UnixSeconds> last_communication_attempt;
  std::optional<UnixSeconds> next_communication_attempt;
  // When communication must succeed before a grant runs out.
  std::optional<UnixSeconds> communication_deadline;
  // Why the last communication failed, in the specification's words; empty after a success.
  std::string last_error;
  std::vector<LicenseUsage> licenses;  // types in use only (count > 0)
  TransportSettings transport;         // with the proxy password removed
  bool proxy_password_set = false;
  bool privacy = false;  // "Do not share my hostname or IP address with Cisco"
};

enum class EventType {
  kModeChanged,                 // PAK -> Smart Licensing (or back, by factory reset)
  kRegistrationStatusChanged,   // from/to: registration status strings
  kAuthorizationStatusChanged,  // from/to: authorization status strings
  kCommunicationSucceeded,      // message: which exchange
  kCommunicationFailed,         // message: the error as status shows it
  kHostnameChanged,             // a registration renewal was scheduled to tell CSSM
  kClockMovedBackwards,         // the wall clock went back; timers were not extended
  kStateRestored,               // a backup was restored
};
const char* EventTypeName(EventType type);

struct Event {
  EventType type;
  UnixSeconds time = 0;  // wall clock
  std::string from;      // status changes: the old status
  std::string to;        // status changes: the new status
  std::string message;   // an operator's sentence
};
using EventCallback = std::function<void(const Event&)>;

// Builds the transport for the current settings; called again after they change.
using TransportFactory = std::function<std::unique_ptr<Transport>(const TransportSettings&)>;

// What the agent needs from its host. The pointers must outlive the Agent.
struct AgentEnvironment {
  const Clock* clock = nullptr;
  const MonotonicClock* monotonic = nullptr;  // optional, recommended (SystemMonotonicClock)
  StateStore* store = nullptr;
  const DeviceIdentity* identity = nullptr;
  const DeviceSecret* secret = nullptr;
  TransportFactory transport_factory;
  // The CSSM signing certificate (PEM): responses and ID certificates must chain to it.
  std::string trust_anchor_pem;
  EventCallback on_event;  // optional
};

// The result of a deregistration, which always removes the local registration.
struct Deregistration {
  bool released_on_server = false;
  // Operator's sentence; when !released_on_server it says to remove the product
  // instance by hand on CSSM / Smart Software Manager On-Prem.
  std::string message;
};

class Agent {
 public:
  // Loads the state (or starts a factory-new PAK device when there is none).
  // DataLoss when the stored state is truncated, corrupted, edited or missing although
  // it existed: the agent never resets silently. Recover with Agent::FactoryResetStore
  // (then optionally Restore a backup).
  static Result<std::unique_ptr<Agent>> Open(AgentEnvironment env);
  // Erases the stored state without opening it (recovery from DataLoss).
  static Status FactoryResetStore(StateStore& store);

  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent();

  // --- Licensing mode -------------------------------------------------------------
  // Switches PAK -> Smart Licensing and starts (or continues) the 90-day evaluation.
  // Idempotent.
  Status Enable();
  // kSmart is Enable(); kPak is refused once Smart Licensing is on (factory reset only).
  Status SetLicensingMode(LicensingMode mode);
  // Wipes the stored state (keys, registration, evaluation record) and returns to PAK.
  // Does not contact CSSM: deregister first if the product instance should be released.
  Status FactoryReset();

  // --- Registration and authorization (these talk to CSSM) -------------------------
  // Status codes of the operations that talk to CSSM:
  //   OK                  the exchange succeeded;
  //   PermissionDenied    a signed refusal the agent acted on at once: the token was
  //                       refused (token_invalid/expired/used_up), or CSSM no longer knows
  //                       the instance or its registration (unknown_instance,
  //                       certificate_mismatch, registration_expired), which removes the
  //                       local registration; the message says so in the specification's
  //                       words and gives the server's reason;
  //   Unavailable         no usable answer (unreachable, timeout, unsigned or forged
  //                       reply) or a refusal that may pass (stale or replayed message,
  //                       server fault): grants are kept and the exchange is retried;
  //   FailedPrecondition  not allowed in the current state (e.g. not registered) or a
  //                       local limit.
  // Registers with a Product Instance Registration Token: makes a key pair and CSR,
  // sends UDI, hostname (unless privacy) and token, stores the ID certificate, then
  // requests authorization for the current usage.
  // REQUIRES: Smart Licensing enabled. When already registered, `reregister` must be
  // true (e.g. to move to another virtual account), otherwise FailedPrecondition.
  // Returns OK when registered; PermissionDenied when the server refused the token
  // ("Unregistered: Registration Failed"); Unavailable when CSSM could not be reached:
  // the registration then stays pending and is retried every 15 minutes.
  Status Register(const std::string& token, bool reregister);
  // "Renew registration now". REQUIRES: registered.
  Status RenewRegistration();
  // "Renew authorization now". REQUIRES: registered.
  Status RenewAuthorization();
  // Releases the entitlements and forgets the registration, locally in every case.
  // The product reverts to evaluation mode if the evaluation has time left.
  // REQUIRES: registered or a registration pending.
  Result<Deregistration> Deregister();

  // --- Usage ----------------------------------------------------------------------
  // Sets the current usage of a license type; 0 removes it. Local and cheap (no disk
  // write, no network): the firmware may call it on every change. At most
  // kMaxLicenseLines types (FailedPrecondition beyond: a local limit).
  // REQUIRES: IsValidLicenseTag(tag), 0 <= count <= kMaxLicenseCount.
  Status SetUsage(const std::string& tag, int64_t count);
  // "Update usage details": reports the usage now when registered (else OK, local only).
  Status UpdateUsage();
  // Saves the usage table now, without contacting CSSM. SetUsage() keeps it in memory
  // only (it is saved with the next change of state); a tool that runs one command
  // per process, like slagent, calls this after SetUsage().
  Status SaveUsage();

  // --- Configuration --------------------------------------------------------------
  // Refuses a Direct <-> On-Prem change while registered (deregister first).
  Status SetTransportSettings(const TransportSettings& settings);
  // "Do not share my hostname or IP address with Cisco".
  Status SetPrivacy(bool on);
  // Tells the agent the hostname changed (RunDue also notices): schedules a
  // registration renewal so CSSM learns the new name.
  Status HostnameChanged();

  // --- Scheduler ------------------------------------------------------------------
  // Performs whatever is due now: renewals, retries, usage reports, expiries.
  Status RunDue();
  // When RunDue() next has work (wall clock); nullopt when nothing is scheduled.
  std::optional<UnixSeconds> NextDeadline() const;

  // --- Status and policy (local, never touch the network) --------------------------
  AgentStatus GetStatus() const;
  // Cluster configuration is not allowed during the evaluation period (nor after it,
  // while unregistered). Always allowed with PAK.
  bool MayChangeClusterConfiguration() const;
  // New device registrations are refused when the evaluation has expired and the
  // product is not registered.
  bool MayRegisterNewDevices() const;

  // --- Backup and restore ---------------------------------------------------------
  // The whole state, sealed with this device's secret. It holds the device's private
  // key and the proxy password: the firmware must keep backups encrypted.
  Result<std::string> Backup() const;
  // Same UDI: everything is restored, registration included (the backup must verify
  // with this device's secret). Another UDI: Smart Licensing is enabled and transport
  // and privacy settings restored, but the product must be registered again; transport
  // settings that fail ValidateTransportSettings are not restored (the current ones are
  // kept and the kStateRestored event says so). Never restores evaluation time or turns
  // Smart Licensing back into PAK.
  Status Restore(std::string_view backup);

 private:
  struct Summary {
    LicensingMode mode;
    std::string registration;
    std::string authorization;
  };
  enum class Job { kRegister, kRenewRegistration, kRenewAuthorization, kReportUsage };

  Agent(AgentEnvironment env, Certificate trust_anchor, Udi udi, AgentState state);

  // All below: REQUIRES mu_ held (and op_mu_ for those that communicate).
  // The state advanced to now (for read-only views).
  AgentState View() const;
  void Observe();
  // The device key and ID certificate serial, parsed once per change of the PEM.
  const PrivateKey* DeviceKey();
  std::string CertificateSerial();
  sl::Status Commit(bool save = true);
  void Emit(EventType type, std::string message, std::string from = "", std::string to = "");
  Summary Summarize(const AgentState& state) const;
  int64_t ScheduleAfter(int64_t interval);
  int64_t RetryTime(std::optional<int64_t> retry_after);
  void CheckHostname();
  std::optional<std::string> HostnameToSend() const;
  void DropRegistration(RegistrationState new_state);
  std::string Redact(std::string text) const;
  std::optional<Job> NextDueJob() const;

  // Communication; take `lock` (on mu_) and release it while the transport runs.
  sl::Status RunJob(std::unique_lock<std::mutex>& lock, Job job);
  sl::Status DoRegister(std::unique_lock<std::mutex>& lock, const std::string* token);
  sl::Status DoRenewRegistration(std::unique_lock<std::mutex>& lock);
  sl::Status DoAuthorize(std::unique_lock<std::mutex>& lock, MessageType type);
  void CheckRegistrationReply(Exchange& exchange, const PrivateKey& key) const;
  Exchange Communicate(std::unique_lock<std::mutex>& lock, const Request& request,
                       const PrivateKey& key);
  Request NewRequest(MessageType type);
  sl::Status OnFailure(const Exchange& exchange, const char* what, int64_t* job_due);
  sl::Status OnRefusal(const Response& response, const char* what, int64_t* job_due);

  void DispatchEvents();

  const AgentEnvironment env_;
  const CssmChannel channel_;
  const Udi udi_;
  const std::string boot_id_;  // env_.monotonic->BootId(), read once; "" when unknown

  std::mutex op_mu_;  // serialises operations that communicate (held across the network)
  mutable std::mutex mu_;  // guards everything below; never held across the network
  AgentState state_;
  Summary summary_;
  std::vector<Event> events_;
  std::unique_ptr<Transport> transport_;
  // The monotonic reading that agent_time/last_wall correspond to: from the last
  // Observe(), or from the state saved earlier in this boot (see Open).
  std::optional<int64_t> last_monotonic_;
  std::string cached_key_pem_;
  std::optional<PrivateKey> cached_key_;
  std::string cached_cert_pem_;
  std::string cached_cert_serial_;
};

}  // namespace sl
