// StateDir: where slagent keeps an appliance's licensing state on disk, and how a
// command opens the agent over it.
//
// Layout (the defaults; see README):
//   <state-dir>/state            the agent's sealed state record (FileStateStore)
//   <state-dir>/identity.json    product ID, serial number, optional hostname
//   <state-dir>/cssm-signing.crt the CSSM trust anchor (responses must verify against it)
//   <state-dir>/ca-bundle.H.pem  the CAs trusted for CSSM's TLS certificate, when not the system's
//                                (H: the start of its SHA-256, so that a new copy never
//                                replaces the one the current settings use)
//   <state-dir>/events.jsonl     the history of operations and results (cli/event_log.h)
//   <state-dir>/usage.pending    usage set while the lock was busy (cli/pending_usage.h)
//   <state-dir>/lock             flock(2) target: one operation at a time
//   <key-dir>/device.key         the device secret that seals the state (outside the state dir)
//   <key-dir>/state.witness      records that a state existed (so deleting it is detected)
//
// Every command that changes state holds an exclusive lock on <state-dir>/lock for
// the whole operation, so commands and the daemon never lose each other's updates.
// `status` takes no lock: it reads the atomically replaced state file and never
// writes, so it cannot hang behind a network operation.
// The agent is wired here, and only here, through sl::DeviceDirectory and
// sl::CurlTransportFactory, like any other embedder of the library.
// Thread-safety: one StateDir per process, used from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/event_log.h"
#include "smartlicensing/agent.h"
#include "smartlicensing/device_directory.h"
#include "smartlicensing/status.h"

namespace sl::cli {

inline constexpr const char* kDefaultStateDir = "/var/lib/slagent";
inline constexpr const char* kDefaultKeyDir = "/etc/slagent";

struct DeviceIdentityConfig {
  std::string product_id;
  std::string serial_number;
  std::string hostname;  // empty: the system's hostname
};

class StateDir {
 public:
  // `key_dir` empty: kDefaultKeyDir for the default state dir, else "<state-dir>.keys".
  StateDir(std::string state_dir, std::string key_dir);
  ~StateDir();
  // It owns the lock's file descriptor and what the open agent points at.
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;

  // Creates the directories (0700) if needed and takes the exclusive lock.
  // DataLoss (exit 5) when they cannot be created, read or locked, or are not private
  // (CheckPrivateDirectory: writable by group or others, or another user's). With a `patience`,
  // Unavailable when another process still holds the lock after that long.
  Status Prepare(bool lock, std::optional<std::chrono::milliseconds> patience = std::nullopt);

  Result<DeviceIdentityConfig> LoadIdentity() const;
  Status SaveIdentity(const DeviceIdentityConfig& identity) const;
  Result<std::string> LoadTrustAnchor() const;
  Status SaveTrustAnchor(const std::string& pem) const;
  // Keeps a copy of the operator's CA bundle in the state directory, so that the
  // daemon (no working directory, its own user, ProtectHome=) can always read it.
  // Returns the copy's path. REQUIRES: the state directory's path is absolute.
  Result<std::string> SaveCaBundle(const std::string& pem) const;
  // Removes the copies of CA bundles other than `in_use` (empty: all of them).
  void RemoveCaBundlesExcept(const std::string& in_use) const;

  // Opens the agent; this StateDir must outlive it. `read_only`: the store never
  // writes and no event is logged (status); otherwise the agent's events are appended
  // to the event log.
  Result<std::unique_ptr<Agent>> OpenAgent(bool read_only);
  // Erases the stored state, the event log, queued usage and the CA bundle copies the
  // state's transport settings referred to; keeps identity and trust anchor.
  Status FactoryReset();

  // Also passes every event of the agents opened for writing to `echo` (the daemon's
  // log), after the event log.
  void set_event_echo(EventCallback echo) { echo_ = std::move(echo); }
  // Where the agents it opens create new device keys (DeviceDirectoryOptions::key_provider,
  // key_uri): --key-provider and --key-uri.
  void set_key_provider(std::string provider, std::string key_uri) {
    key_provider_ = std::move(provider);
    key_uri_ = std::move(key_uri);
  }

  std::string StatePath() const { return dir_ + "/state"; }
  EventLog event_log() const { return EventLog::InStateDirectory(dir_); }
  std::string LockPath() const { return dir_ + "/lock"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string key_dir_;
  std::string key_provider_;
  std::string key_uri_;
  int lock_fd_ = -1;
  EventCallback echo_;
  std::unique_ptr<DeviceDirectory> device_;  // what the open agent points at
};

}  // namespace sl::cli
