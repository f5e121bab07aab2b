// AgentImpl: the Agent of the public API (smartlicensing/agent.h), as LevelDB's DBImpl
// is its DB. It owns the state and the locks and runs the operations; the rules live
// in pure functions: agent_time.h (time), state_transitions.h (what an answer does to
// the state), scheduler.h (what is due), status_view.h (the status page), backup.h.
// agent_impl.cc holds the operations, agent_exchanges.cc the exchanges with CSSM.
//
// Thread-safety: as Agent. mu_ guards the state and is never held across the network;
// op_mu_ serialises the operations that may communicate and is held across it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent_state.h"
#include "agent/agent_time.h"
#include "agent/cssm_channel.h"
#include "agent/device_key_signer.h"
#include "agent/scheduler.h"
#include "agent/state_transitions.h"
#include "protocol/crypto.h"
#include "protocol/messages.h"
#include "smartlicensing/agent.h"

namespace sl {

class AgentImpl final : public Agent {
 public:
  AgentImpl(AgentEnvironment env, Certificate trust_anchor, Udi udi, AgentState state);
  ~AgentImpl() override;

  // Applies the loaded state: a state written for another UDI keeps its settings
  // only (`moved`), a state of this boot resumes its boot-clock measure, a state with
  // secrets in clear (the previous version's record) is saved again sealed.
  // REQUIRES: called once, by Agent::Open, before any other method.
  Status Start(bool moved, bool secrets_in_clear);

  Status Enable() override;
  Status SetLicensingMode(LicensingMode mode) override;
  Status FactoryReset() override;
  Status Register(const std::string& token, bool reregister) override;
  Status RenewRegistration() override;
  Status RenewAuthorization() override;
  Result<Deregistration> Deregister() override;
  Status SetUsage(const std::string& tag, int64_t count) override;
  Status UpdateUsage() override;
  Status SaveUsage() override;
  Status SetTransportSettings(const TransportSettings& settings) override;
  Status SetPrivacy(bool on) override;
  Status HostnameChanged() override;
  Status RunDue() override;
  std::optional<UnixSeconds> NextDeadline() const override;
  AgentStatus GetStatus() const override;
  bool MayChangeClusterConfiguration() const override;
  bool MayRegisterNewDevices() const override;
  Result<std::string> Backup(std::string_view passphrase) const override;
  Result<std::string> PlaintextBackup() const override;
  Status Restore(std::string_view backup, std::string_view passphrase) override;

 private:
  // What the operator last saw, to tell changes as events.
  struct Summary {
    LicensingMode mode;
    std::string registration;
    std::string authorization;
  };
  using Lock = std::unique_lock<std::mutex>;
  enum class Access {
    kLocal,        // changes the state without communicating: mu_ only
    kSerialised,   // may communicate, or must not overlap an exchange: op_mu_, then mu_
  };

  // The one shell of every operation: takes the locks, brings the state to now
  // (Observe, Normalize), runs `work(lock)` (which commits what it changes), then
  // dispatches the events once the locks are released.
  template <typename Work>
  auto RunOperation(Access access, Work work) -> decltype(work(std::declval<Lock&>()));

  // All below: REQUIRES mu_ held (and op_mu_ for those that communicate).
  // The state advanced to now, for read-only views (the state itself does not move).
  AgentState View() const;
  void Observe();
  // A jump of the wall clock held for CSSM's confirmation is settled by `reply`: its
  // signed time confirms or refutes it; no signed reply (CSSM unreachable) takes it.
  void SettleHeldJump(const CssmReply& reply);
  // Saves the state (unless !save) and turns what changed into events.
  Status Commit(bool save = true);
  void Emit(EventType type, std::string message, std::string from = "", std::string to = "");
  Summary Summarize(const AgentState& state) const;
  std::optional<std::string> HostnameToSend() const;
  void CheckHostname();

  // The exchanges (agent_exchanges.cc). Each takes `lock` (on mu_) and releases it
  // while the transport runs.
  Status RunJob(Lock& lock, Job job);
  // `token` null: the automatic retry of a pending registration.
  Status DoRegister(Lock& lock, const std::string* token);
  Status DoRenewRegistration(Lock& lock);
  // kAuthorize renews the authorization; kReportUsage only reports usage.
  Status DoAuthorize(Lock& lock, MessageType type);
  Result<Deregistration> DoDeregister(Lock& lock);
  CssmReply Communicate(Lock& lock, const Request& request, const Signer& key);
  Request NewRequest(MessageType type);
  // A registration or renewal answer without a usable ID certificate or period is
  // made a failed exchange (retried), never a registration; a period longer than the
  // protocol gives is cut to it.
  void CheckRegistrationReply(CssmReply& reply, const Signer& key);
  // The key a reference in the state names (device_key_pem or pending_key_pem), loaded
  // from the key store once per change of the reference. NotFound when the store
  // cannot load it (e.g. its TPM is absent), DataLoss when it is unreadable.
  Result<const Signer*> LoadSigner(const std::string& reference);
  DeviceKeyStore& key_store() const { return env_.key_store != nullptr ? *env_.key_store : *software_keys_; }
  // The ID certificate serial, parsed once per change of the PEM.
  std::string CertificateSerial();

  void DispatchEvents();
  // Restores the record inside a backup (backup.h); the operation's shell.
  Status RestoreRecord(std::string_view record);

  const AgentEnvironment env_;
  const CssmChannel channel_;
  const Udi udi_;

  std::mutex op_mu_;
  mutable std::mutex mu_;  // guards everything below
  AgentClock clock_;
  AgentState state_;
  Summary summary_;
  uint64_t saves_ = 0;  // states saved: RunDue does not save again what a job just saved
  std::vector<Event> events_;
  std::unique_ptr<Transport> transport_;
  const std::unique_ptr<DeviceKeyStore> software_keys_ = NewSoftwareKeyStore();
  std::string cached_key_reference_;
  std::unique_ptr<DeviceKeySigner> cached_key_;
  std::string cached_cert_pem_;
  std::string cached_cert_serial_;
};

template <typename Work>
auto AgentImpl::RunOperation(Access access, Work work) -> decltype(work(std::declval<Lock&>())) {
  auto result = [&] {
    Lock op(op_mu_, std::defer_lock);
    if (access == Access::kSerialised) op.lock();
    Lock lock(mu_);
    Observe();
    Normalize(state_);
    return work(lock);
  }();
  DispatchEvents();
  return result;
}

}  // namespace sl
