// DeviceDirectory: the one way to wire an Agent to a device whose licensing state
// lives in files on Linux (public API). It makes and owns what AgentEnvironment points
// at:
//   <state_dir>/state         the sealed state record (FileStateStore)
//   <key_dir>/device.key      the device secret that seals it (HmacDeviceSecret)
//   <key_dir>/state.witness   records that a state was saved, so that deleting the
//                             state is reported as DataLoss, not a factory-new device
// plus the system's time source (SystemTimeSource) and the device identity. Keep the
// key directory outside the state directory: whoever can read device.key can forge
// state. slagent, the example consumer and the integration tests all open agents this
// way; firmware with its own storage, secret or identity fills AgentEnvironment itself.
//
//   sl::DeviceDirectoryOptions o;
//   o.state_dir = "/var/lib/licensing";  o.key_dir = "/etc/licensing";
//   o.udi = {"EXPWY-VE-L", "0A1B2C3D"};  o.trust_anchor_pem = pem;
//   o.transport_factory = sl::CurlTransportFactory();
//   std::unique_ptr<sl::DeviceDirectory> device = sl::DeviceDirectory::Open(o).value();
//   std::unique_ptr<sl::Agent> agent = sl::Agent::Open(device->Environment()).value();
//
// Thread-safety: Environment() may be called from any thread; the parts it points at
// are as their own headers say.
#pragma once

#include <memory>
#include <string>

#include "smartlicensing/agent.h"
#include "smartlicensing/device_identity.h"
#include "smartlicensing/device_key_store.h"
#include "smartlicensing/device_secret.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/state_store.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"
#include "smartlicensing/transport.h"

namespace sl {

struct DeviceDirectoryOptions {
  std::string state_dir;  // must exist, mode 0700 (not writable by group or others)
  std::string key_dir;    // must exist, mode 0700; outside state_dir
  Udi udi;
  std::string hostname;  // empty: the system's host name, read when opened
  // The CSSM signing certificate (PEM) responses must verify against.
  std::string trust_anchor_pem;
  TransportFactory transport_factory;  // e.g. CurlTransportFactory()
  EventCallback on_event;              // optional
  // Where the device key of a new registration is created (smartlicensing/
  // device_key_store.h): empty, in software, sealed in the state; else the OpenSSL
  // provider of that name (e.g. "tpm2"), and with key_uri set (e.g.
  // "handle:0x81000001") the one key it holds there. Keys already created load from
  // the state's reference whatever these say.
  std::string key_provider;
  std::string key_uri;
  // For a status display: the store never writes, and a missing device secret is not
  // created (a stored state then fails to open with DataLoss; no state shows as new).
  bool read_only = false;
};

class DeviceDirectory {
 public:
  // Checks that both directories are private (they belong to the caller or root, or
  // the caller is root, and group and others cannot write them: DataLoss naming the
  // chmod or chown that fixes it), then loads (or, unless read_only, creates) the
  // device secret; unless read_only, also removes the copies of it a creator killed
  // mid-write left. NotFound when a directory does not exist; DataLoss when one is
  // not private, or the key file cannot be read, is readable by others, or is damaged;
  // InvalidArgument for a key_uri without a key_provider.
  // REQUIRES: unless read_only, one opener at a time per key directory (slagent holds
  // its state directory's lock).
  static Result<std::unique_ptr<DeviceDirectory>> Open(DeviceDirectoryOptions options);
  // Erases the stored state (the state file, the witness and any temporary files a
  // crash left) without opening it: the recovery from DataLoss, and a factory reset.
  static Status EraseState(const std::string& state_dir, const std::string& key_dir);

  ~DeviceDirectory();
  DeviceDirectory(const DeviceDirectory&) = delete;
  DeviceDirectory& operator=(const DeviceDirectory&) = delete;

  // What Agent::Open needs; it points into this object, which must outlive the agent.
  AgentEnvironment Environment() const;

  std::string state_path() const;

 private:
  explicit DeviceDirectory(DeviceDirectoryOptions options);

  DeviceDirectoryOptions options_;
  SystemTimeSource time_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<DeviceSecret> secret_;
  std::unique_ptr<DeviceIdentity> identity_;
  std::unique_ptr<DeviceKeyStore> key_store_;
};

}  // namespace sl
