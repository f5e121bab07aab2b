// AgentImpl: the Agent of the public API (smartlicensing/agent.h), as LevelDB's DBImpl
// is its DB. Internal to the agent library.
// Thread-safety: as Agent; see the locking notes on the members.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent_state.h"
#include "agent/cssm_channel.h"
#include "protocol/crypto.h"
#include "protocol/messages.h"
#include "smartlicensing/agent.h"

namespace sl {

class AgentImpl final : public Agent {
 public:
  AgentImpl(AgentEnvironment env, Certificate trust_anchor, Udi udi, AgentState state);
  ~AgentImpl() override;

  // Opening: applies the loaded state (REQUIRES: called once, by Agent::Open).
  Status Start(bool moved);

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
  Result<std::string> Backup() const override;
  Status Restore(std::string_view backup) override;

 private:
  struct Summary {
    LicensingMode mode;
    std::string registration;
    std::string authorization;
  };
  enum class Job { kRegister, kRenewRegistration, kRenewAuthorization, kReportUsage };


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
  void CheckRegistrationReply(CssmReply& reply, const PrivateKey& key) const;
  CssmReply Communicate(std::unique_lock<std::mutex>& lock, const Request& request,
                       const PrivateKey& key);
  Request NewRequest(MessageType type);
  sl::Status OnFailure(const CssmReply& reply, const char* what, int64_t* job_due);
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
