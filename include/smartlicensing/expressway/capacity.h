// Usage limits: the physical capacity of each unit, the licensed RMS capacity of a
// cluster, call admission against both, and the capacity alarms, per the
// specification's "Usage Limits" and "License Usage for Clustered Systems".
//
// PAK mode pools RMS licenses across peers; a peer the cluster lost contact with
// keeps its licenses in the pool for 14 days, then they are removed. In Smart mode
// the licensed capacity is the CSSM pool, which the device does not enforce locally:
// calls are limited only by physical capacity and the usage is reported.
// Thread-safety: not thread-safe; the owner serialises calls.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "smartlicensing/expressway/calls.h"
#include "smartlicensing/expressway/license_types.h"
#include "smartlicensing/expressway/option_keys.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl::expressway {

constexpr int64_t kLostPeerLicenseGrace = 14 * kDay;
constexpr int kCapacityAlarmPercent = 90;

// What one unit can physically carry.
struct PlatformCapacity {
  std::string name;
  int64_t concurrent_video_calls = 0;
  int64_t registrations = 0;      // local, proxy and MRA registrations together
  int64_t mra_registrations = 0;  // MRA registrations proxied to Unified CM
};

// The specification's figures: a Large VM carries 500 concurrent video calls; the
// Large VM, CE1100 and CE1200 5000 registrations, of which MRA 2500 (5000 on the
// CE1200). The specification gives no call figure for the appliances: they default
// to the Large VM's 500, and the firmware should pass the real figure.
PlatformCapacity LargeVm();
PlatformCapacity Ce1100(int64_t concurrent_video_calls = 500);
PlatformCapacity Ce1200(int64_t concurrent_video_calls = 500);

struct Alarm {
  std::string id;       // "capacity.cluster", "capacity.unit.<peer>"
  std::string message;
};

// The peers of a cluster (a single unit is a cluster of one) and its RMS pool.
class Cluster {
 public:
  // Which side this cluster is: RMS licenses are consumed on the node the RMS table
  // names, so a cluster counts only its own side's column.
  enum class Role { kExpresswayC, kExpresswayE };

  Cluster(const TimeSource& clock, Role role) : clock_(clock), role_(role) {}
  Role role() const { return role_; }

  Status AddPeer(const std::string& peer, PlatformCapacity capacity, int64_t pak_rms_licenses = 0);
  Status SetPakRmsLicenses(const std::string& peer, int64_t licenses);
  // The cluster lost contact with `peer`: its licenses stay pooled for 14 days.
  Status MarkLost(const std::string& peer);
  Status MarkRestored(const std::string& peer);

  LicensingMode mode() const { return mode_; }
  void set_mode(LicensingMode mode) { mode_ = mode; }

  bool IsAvailable(const std::string& peer) const;
  std::vector<std::string> AvailablePeers() const;
  // PAK: RMS licenses of available peers plus those of peers lost less than 14 days
  // ago. Smart: nullopt (not enforced locally).
  std::optional<int64_t> LicensedRms() const;
  int64_t PhysicalCalls(const std::string& peer) const;
  // Sum of the available peers' physical capacity.
  int64_t ClusterPhysicalCalls() const;
  // What the cluster can carry: physical capacity, capped by licenses in PAK mode.
  int64_t ClusterCapacity() const;

 private:
  struct Peer {
    PlatformCapacity capacity;
    int64_t pak_rms = 0;
    std::optional<UnixSeconds> lost_at;
  };
  const TimeSource& clock_;
  Role role_;
  LicensingMode mode_ = LicensingMode::kPak;
  std::map<std::string, Peer> peers_;
};

using CallId = int64_t;

// Admits, tracks and ends calls across the cluster.
class CallTracker {
 public:
  explicit CallTracker(const Cluster& cluster) : cluster_(cluster) {}

  // Starts a call on `peer`. A call being set up counts as a video call. Refused
  // (ResourceExhausted) past the peer's physical capacity or, in PAK mode, past the
  // licensed RMS capacity of the cluster.
  Result<CallId> Begin(const std::string& peer, const CallScenario& scenario, bool sip);
  // Setup finished with `sdp`: a SIP call with exactly one m= line is audio-only
  // from now on and takes half an RMS license. Later renegotiation changes nothing
  // (the Expressway does no mid-call license optimisation).
  Status SetupComplete(CallId id, std::string_view sdp);
  Status End(CallId id);

  // RMS licenses in use (whole licenses: two audio-only calls make one).
  int64_t RmsInUse() const;
  int64_t CallsOn(const std::string& peer) const;
  int64_t Calls() const { return static_cast<int64_t>(calls_.size()); }
  // Capacity alarms: concurrent calls at 90% of the cluster's capacity, or on any
  // one unit at 90% of its physical capacity.
  std::vector<Alarm> Alarms() const;

 private:
  struct Call {
    std::string peer;
    int rms = 0;         // whole licenses a video call of this scenario takes
    bool sip = false;
    bool setup_complete = false;
    bool audio_only = false;
    int HalfUnits() const { return rms * (audio_only ? 1 : 2); }
  };
  int64_t HalfUnitsInUse() const;

  const Cluster& cluster_;
  std::map<CallId, Call> calls_;
  CallId next_id_ = 1;
};

}  // namespace sl::expressway
