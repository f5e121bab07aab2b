#include "smartlicensing/expressway/capacity.h"

namespace sl::expressway {

PlatformCapacity LargeVm() { return {"Large VM", 500, 5000, 2500}; }
PlatformCapacity Ce1100(int64_t calls) { return {"CE1100", calls, 5000, 2500}; }
PlatformCapacity Ce1200(int64_t calls) { return {"CE1200", calls, 5000, 5000}; }

// ---- Cluster

Status Cluster::AddPeer(const std::string& peer, PlatformCapacity capacity, int64_t pak_rms_licenses) {
  if (peer.empty()) return InvalidArgument("a peer needs a name");
  if (peers_.count(peer) != 0) return AlreadyExists("peer '" + peer + "' is already in the cluster");
  if (capacity.concurrent_video_calls < 0 || pak_rms_licenses < 0) {
    return InvalidArgument("capacity and licenses cannot be negative");
  }
  peers_[peer] = Peer{std::move(capacity), pak_rms_licenses, std::nullopt};
  return Status::Ok();
}

Status Cluster::SetPakRmsLicenses(const std::string& peer, int64_t licenses) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return NotFound("no peer '" + peer + "'");
  if (licenses < 0) return InvalidArgument("licenses cannot be negative");
  it->second.pak_rms = licenses;
  return Status::Ok();
}

Status Cluster::MarkLost(const std::string& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return NotFound("no peer '" + peer + "'");
  if (!it->second.lost_at) it->second.lost_at = clock_.Now();
  return Status::Ok();
}

Status Cluster::MarkRestored(const std::string& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return NotFound("no peer '" + peer + "'");
  it->second.lost_at.reset();
  return Status::Ok();
}

bool Cluster::IsAvailable(const std::string& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && !it->second.lost_at;
}

std::vector<std::string> Cluster::AvailablePeers() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : peers_) {
    if (!p.lost_at) out.push_back(name);
  }
  return out;
}

std::optional<int64_t> Cluster::LicensedRms() const {
  if (mode_ == LicensingMode::kSmart) return std::nullopt;
  UnixSeconds now = clock_.Now();
  int64_t total = 0;
  for (const auto& [name, p] : peers_) {
    if (!p.lost_at || now - *p.lost_at < kLostPeerLicenseGrace) total += p.pak_rms;
  }
  return total;
}

int64_t Cluster::PhysicalCalls(const std::string& peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() || it->second.lost_at ? 0 : it->second.capacity.concurrent_video_calls;
}

int64_t Cluster::ClusterPhysicalCalls() const {
  int64_t total = 0;
  for (const auto& [name, p] : peers_) {
    if (!p.lost_at) total += p.capacity.concurrent_video_calls;
  }
  return total;
}

int64_t Cluster::ClusterCapacity() const {
  int64_t physical = ClusterPhysicalCalls();
  std::optional<int64_t> licensed = LicensedRms();
  return licensed ? std::min(physical, *licensed) : physical;
}

// ---- CallTracker

int64_t CallTracker::HalfUnitsInUse() const {
  int64_t half = 0;
  for (const auto& [id, call] : calls_) half += call.HalfUnits();
  return half;
}

int64_t CallTracker::RmsInUse() const { return (HalfUnitsInUse() + 1) / 2; }

int64_t CallTracker::CallsOn(const std::string& peer) const {
  int64_t n = 0;
  for (const auto& [id, call] : calls_) n += call.peer == peer ? 1 : 0;
  return n;
}

Result<CallId> CallTracker::Begin(const std::string& peer, const CallScenario& scenario, bool sip) {
  if (!cluster_.IsAvailable(peer)) return FailedPrecondition("peer '" + peer + "' is not available");
  Result<RmsCharge> charge = ChargeFor(scenario);
  if (!charge.ok()) return charge.status();
  Call call;
  call.peer = peer;
  call.sip = sip;
  call.rms = cluster_.role() == Cluster::Role::kExpresswayE ? charge->on_expressway_e
                                                            : charge->on_expressway_c + charge->on_lync_gateway;
  // Every call, licensed or not, counts against the unit's physical capacity.
  if (CallsOn(peer) + 1 > cluster_.PhysicalCalls(peer)) {
    return ResourceExhausted("peer '" + peer + "' is at its physical capacity of " +
                             std::to_string(cluster_.PhysicalCalls(peer)) + " concurrent calls");
  }
  std::optional<int64_t> licensed = cluster_.LicensedRms();
  if (licensed && HalfUnitsInUse() + call.HalfUnits() > 2 * *licensed) {
    return ResourceExhausted("all " + std::to_string(*licensed) +
                             " Rich Media Session licenses of the cluster are in use");
  }
  CallId id = next_id_++;
  calls_[id] = call;
  return id;
}

Status CallTracker::SetupComplete(CallId id, std::string_view sdp) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return NotFound("no call " + std::to_string(id));
  Call& call = it->second;
  if (call.setup_complete) return Status::Ok();  // no mid-call license optimisation
  call.setup_complete = true;
  call.audio_only = call.sip && CountMediaLines(sdp) == 1;
  return Status::Ok();
}

Status CallTracker::End(CallId id) {
  if (calls_.erase(id) == 0) return NotFound("no call " + std::to_string(id));
  return Status::Ok();
}

std::vector<Alarm> CallTracker::Alarms() const {
  std::vector<Alarm> alarms;
  auto at_threshold = [](int64_t used, int64_t capacity) {
    return capacity > 0 && used * 100 >= capacity * kCapacityAlarmPercent;
  };
  int64_t capacity = cluster_.ClusterCapacity();
  if (at_threshold(Calls(), capacity)) {
    alarms.push_back({"capacity.cluster", std::to_string(Calls()) + " concurrent calls reach " +
                                              std::to_string(kCapacityAlarmPercent) + "% of the cluster's capacity of " +
                                              std::to_string(capacity)});
  }
  for (const std::string& peer : cluster_.AvailablePeers()) {
    int64_t physical = cluster_.PhysicalCalls(peer);
    if (at_threshold(CallsOn(peer), physical)) {
      alarms.push_back({"capacity.unit." + peer, std::to_string(CallsOn(peer)) + " concurrent calls on " + peer +
                                                     " reach " + std::to_string(kCapacityAlarmPercent) +
                                                     "% of its physical capacity of " + std::to_string(physical)});
    }
  }
  return alarms;
}

}  // namespace sl::expressway
