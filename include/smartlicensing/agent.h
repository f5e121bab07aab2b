// Agent: the Smart Licensing agent that appliance firmware embeds (public API).
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
// Embedding, in short (device_directory.h wires the parts for files on Linux; a
// firmware with its own storage, secret or transport fills AgentEnvironment itself):
//
//   sl::DeviceDirectoryOptions o;
//   o.state_dir = "/var/lib/licensing";  o.key_dir = "/etc/licensing";
//   o.udi = {"EXPWY-VE-L", "0A1B2C3D"};  o.trust_anchor_pem = cssm_signing_cert_pem;
//   o.transport_factory = sl::CurlTransportFactory();
//   o.on_event = [](const sl::Event& e) { log(e.message); };
//   auto device = sl::DeviceDirectory::Open(std::move(o)).value();
//   auto agent = sl::Agent::Open(device->Environment());  // DataLoss if the state was tampered with
//   (*agent)->Enable();
//   (*agent)->Register(token, /*reregister=*/false);
//   for (;;) { sleep_for((*agent)->NextDeadline() - now); (*agent)->RunDue(); }
//
// Every operation returns its errors as values (Status / Result); nothing throws
// across this interface. Messages are in the specification's words where it has them
// and never contain a token, a private key or the proxy password.
//
// Time: the agent keeps its own clock that moves only forwards and spends licensing time
// once, however the wall clock fails (docs/time.md has every case). It counts the time
// the TimeSource's boot clock measures — within a process, and across the processes of
// one boot (every save stores the BootId() and boot clock reading) — and the wall
// clock's lead over the latest time it has already counted, so power-off time counts.
// It never follows the wall clock back: a clock set back, or a flat RTC battery that
// boots the device in 2000, spends nothing more than the boot clock measures until it
// passes the latest time counted again; a clock set back and then corrected spends
// nothing twice. A forward jump that would run out the authorization or the
// registration is held until CSSM's signed time (every reply carries it) confirms it,
// and is taken at face value only when CSSM cannot be reached; an unregistered device
// has no CSSM to ask and follows the wall clock forward. The firmware should sleep for
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smartlicensing/device_identity.h"
#include "smartlicensing/device_key_store.h"
#include "smartlicensing/device_secret.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/state_store.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"
#include "smartlicensing/transport.h"

namespace sl {

enum class LicensingMode { kPak, kSmart };
const char* LicensingModeName(LicensingMode mode);  // "PAK", "Smart Licensing"

// What kind of problem made the last communication with CSSM fail, so that an operator
// (or a tool's exit code) can tell an outage that passes by itself from a setting that
// someone must fix. The agent retries every 15 minutes whatever the kind: the operator
// may fix the setting meanwhile, and the next retry then succeeds. last_error says what
// to check.
enum class CommunicationProblem {
  kNone,           // the last communication succeeded, or none has failed
  kTransient,      // CSSM unreachable or not answering usefully now (network, DNS, timeout,
                   // proxy down, server error, a refusal that may pass): it may pass by itself
  kConfiguration,  // the transport settings or what they point at: the URL (HTTP 404 or another
                   // non-licensing 4xx, a redirect), TLS setup, proxy credentials, unusable settings
  kTrust,          // what the agent trusts: a reply not signed by the CSSM trust anchor (is the
                   // anchor the CSSM signing certificate?), or a server certificate the CA bundle
                   // does not trust
};
const char* CommunicationProblemName(CommunicationProblem problem);  // "none", "transient", ...

// Everything the specification's Smart Licensing page shows. Times are wall-clock
// seconds; an absent optional means "not applicable now".
struct AgentStatus {
  LicensingMode mode = LicensingMode::kPak;
  std::string registration_status;   // terms::kRegistered, ...
  std::string authorization_status;  // terms::kAuthorized, ...
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
  // The kind of that failure; kNone after a success (and after a signed refusal, which
  // is an answer: last_error then says what it means).
  CommunicationProblem communication_problem = CommunicationProblem::kNone;
  std::vector<LicenseStatus> licenses;  // the License usage table: types in use only
  TransportSettings transport;         // with the proxy password removed
  bool proxy_password_set = false;
  bool privacy = false;  // "Do not share my hostname or IP address with Cisco"
  // What is wrong with the system clock, in an operator's words; empty when nothing is.
  std::string clock_note;
  // Where the device key of the registration (or of the pending one) lives, as its
  // DeviceKeyStore describes it: "software (in the sealed state)", "TPM (tpm2
  // provider)"; empty when there is no key.
  std::string device_key;
};

enum class EventType {
  kModeChanged,                 // PAK -> Smart Licensing (or back, by factory reset)
  kRegistrationStatusChanged,   // from/to: registration status strings
  kAuthorizationStatusChanged,  // from/to: authorization status strings
  kCommunicationSucceeded,      // message: which exchange
  kCommunicationFailed,         // message: the error as status shows it
  kHostnameChanged,             // a registration renewal was scheduled to tell CSSM
  kClockMovedBackwards,         // the wall clock went back; timers were not extended
  kClockJumpedForwards,         // a forward jump held for CSSM, confirmed, refuted or taken
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

// The largest backup Agent::Restore reads: a state record and the encryption's header
// and tag.
constexpr size_t kMaxBackupBytes = kMaxStateBytes + 64;

// What the agent needs from its host. The pointers must outlive the Agent.
struct AgentEnvironment {
  const TimeSource* time = nullptr;  // SystemTimeSource on a device
  StateStore* store = nullptr;
  const DeviceIdentity* identity = nullptr;
  const DeviceSecret* secret = nullptr;
  TransportFactory transport_factory;
  // The CSSM signing certificate (PEM): responses and ID certificates must chain to it.
  std::string trust_anchor_pem;
  EventCallback on_event;  // optional
  // Where the device key of each registration is created and signs; nullptr: the
  // software store (NewSoftwareKeyStore). Must outlive the agent.
  DeviceKeyStore* key_store = nullptr;
};

// The result of a deregistration, which always removes the local registration.
struct Deregistration {
  bool released_on_server = false;
  // Operator's sentence; when !released_on_server it says to remove the product
  // instance by hand on CSSM / Smart Software Manager On-Prem, and names it.
  std::string message;
  // The product instance the device held, as CSSM named it: what to look for on CSSM
  // when it could not be told. Empty when only a pending registration was cancelled.
  std::string instance_id;
  std::string smart_account;
  std::string virtual_account;
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
  virtual ~Agent() = default;

  // --- Licensing mode -------------------------------------------------------------
  // Switches PAK -> Smart Licensing and starts (or continues) the 90-day evaluation.
  // Idempotent.
  virtual Status Enable() = 0;
  // kSmart is Enable(); kPak is refused once Smart Licensing is on (factory reset only).
  virtual Status SetLicensingMode(LicensingMode mode) = 0;
  // Wipes the stored state (keys, registration, evaluation record) and returns to PAK.
  // Does not contact CSSM: deregister first if the product instance should be released.
  virtual Status FactoryReset() = 0;

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
  //                       also when the cause needs an operator (a wrong URL, trust
  //                       anchor or CA bundle): GetStatus().communication_problem
  //                       tells which, last_error what to check;
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
  virtual Status Register(const std::string& token, bool reregister) = 0;
  // "Renew registration now". REQUIRES: registered.
  virtual Status RenewRegistration() = 0;
  // "Renew authorization now". REQUIRES: registered.
  virtual Status RenewAuthorization() = 0;
  // Releases the entitlements and forgets the registration, locally in every case.
  // The product reverts to evaluation mode if the evaluation has time left.
  // REQUIRES: registered or a registration pending.
  virtual Result<Deregistration> Deregister() = 0;

  // --- Usage ----------------------------------------------------------------------
  // Sets the current usage of a license type; 0 removes it. Local and cheap (no disk
  // write, no network): the firmware may call it on every change. At most
  // kMaxLicenseLines types (FailedPrecondition beyond: a local limit).
  // REQUIRES: IsValidLicenseTag(tag), 0 <= count <= kMaxLicenseCount.
  virtual Status SetUsage(const std::string& tag, int64_t count) = 0;
  // "Update usage details": reports the usage now when registered (else OK, local only).
  virtual Status UpdateUsage() = 0;
  // Saves the usage table now, without contacting CSSM. SetUsage() keeps it in memory
  // only (it is saved with the next change of state); a tool that runs one command
  // per process, like slagent, calls this after SetUsage().
  virtual Status SaveUsage() = 0;

  // --- Configuration --------------------------------------------------------------
  // Refuses a Direct <-> On-Prem change while registered (deregister first). A proxy
  // password left empty keeps the stored one while the proxy username is unchanged
  // (GetStatus never returns it); change or clear the username to drop it.
  virtual Status SetTransportSettings(const TransportSettings& settings) = 0;
  // "Do not share my hostname or IP address with Cisco".
  virtual Status SetPrivacy(bool on) = 0;
  // Tells the agent the hostname changed (RunDue also notices): schedules a
  // registration renewal so CSSM learns the new name.
  virtual Status HostnameChanged() = 0;

  // --- Scheduler ------------------------------------------------------------------
  // Performs whatever is due now: renewals, retries, usage reports, expiries.
  virtual Status RunDue() = 0;
  // When RunDue() next has work, as the TimeSource's wall clock will read then (so
  // that NextDeadline() - Now() is the time to wait, even while that clock is wrong);
  // nullopt when nothing is scheduled.
  virtual std::optional<UnixSeconds> NextDeadline() const = 0;

  // --- Status and policy (local, never touch the network) --------------------------
  virtual AgentStatus GetStatus() const = 0;
  // Cluster configuration is not allowed during the evaluation period (nor after it,
  // while unregistered). Always allowed with PAK.
  virtual bool MayChangeClusterConfiguration() const = 0;
  // New device registrations are refused when the evaluation has expired and the
  // product is not registered.
  virtual bool MayRegisterNewDevices() const = 0;

  // --- Backup and restore ---------------------------------------------------------
  // A backup holds the whole state: the device's private key, a pending registration's
  // token and the proxy password included, so whoever can read it can clone the device.
  //
  // An encrypted backup (docs/backup.md): AES-256-GCM under a key derived from
  // `passphrase` with scrypt, header and all authenticated. The passphrase is never
  // kept, logged or put in an error. InvalidArgument for an empty passphrase. Takes
  // about a tenth of a second (the key derivation), outside the agent's locks.
  virtual Result<std::string> Backup(std::string_view passphrase) const = 0;
  // The same state NOT encrypted: the private key, token and proxy password in clear
  // (sealed with this device's secret, so that an edit is detected on this device).
  // Only for firmware that encrypts or otherwise protects the bytes itself.
  virtual Result<std::string> PlaintextBackup() const = 0;
  // Restores a backup of either kind; `passphrase` opens an encrypted one and is not
  // used for a plaintext one (pass ""). On any error nothing changes:
  //   InvalidArgument     an encrypted backup and no passphrase;
  //   DataLoss            the wrong passphrase or a damaged, truncated or edited backup
  //                       (the message says "wrong passphrase or damaged file": the
  //                       encryption cannot tell them apart);
  //   FailedPrecondition  a backup that may not be restored now (below), or of a newer
  //                       format.
  // Same UDI: everything is restored, registration included (the backup must verify
  // with this device's secret). Another UDI: Smart Licensing is enabled and transport
  // and privacy settings restored, but the product must be registered again; transport
  // settings that fail ValidateTransportSettings are not restored (the current ones are
  // kept and the kStateRestored event says so). Never restores evaluation time or turns
  // Smart Licensing back into PAK.
  virtual Status Restore(std::string_view backup, std::string_view passphrase) = 0;

 protected:
  Agent() = default;
};

}  // namespace sl
