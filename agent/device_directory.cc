#include "smartlicensing/device_directory.h"

#include <unistd.h>

#include "base/files.h"
#include "base/private_files.h"
#include "base/secrets.h"

namespace sl {
namespace {

constexpr const char* kStateFile = "/state";
constexpr const char* kSecretFile = "/device.key";
constexpr const char* kWitnessFile = "/state.witness";

// A status display must not write: it sees the state as stored and changes nothing.
class ReadOnlyStore final : public StateStore {
 public:
  explicit ReadOnlyStore(std::unique_ptr<StateStore> inner) : inner_(std::move(inner)) {}
  Result<std::string> Load() override { return inner_->Load(); }
  Status Save(std::string_view) override { return Status::Ok(); }
  Status Erase() override { return FailedPrecondition("read-only"); }

 private:
  std::unique_ptr<StateStore> inner_;
};

std::string SystemHostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

DeviceDirectory::DeviceDirectory(DeviceDirectoryOptions options) : options_(std::move(options)) {}
DeviceDirectory::~DeviceDirectory() = default;

Result<std::unique_ptr<DeviceDirectory>> DeviceDirectory::Open(DeviceDirectoryOptions options) {
  std::unique_ptr<DeviceDirectory> device(new DeviceDirectory(std::move(options)));
  const DeviceDirectoryOptions& o = device->options_;
  if (o.key_provider.empty()) {
    if (!o.key_uri.empty()) return InvalidArgument("a key URI needs the key provider that holds it (e.g. tpm2)");
    device->key_store_ = NewSoftwareKeyStore();
  } else {
    Result<std::unique_ptr<DeviceKeyStore>> keys = NewProviderKeyStore({o.key_provider, o.key_uri});
    if (!keys.ok()) return keys.status();
    device->key_store_ = std::move(keys).value();
  }
  // Before any file in them is opened: in a directory others can write, a planted link
  // would make the agent (perhaps root) read or write a file of their choosing.
  SL_RETURN_IF_ERROR(CheckPrivateDirectory(o.state_dir, "the state directory"));
  SL_RETURN_IF_ERROR(CheckPrivateDirectory(o.key_dir, "the key directory"));
  std::unique_ptr<StateStore> store =
      std::make_unique<FileStateStore>(device->state_path(), o.key_dir + kWitnessFile);
  if (o.read_only) store = std::make_unique<ReadOnlyStore>(std::move(store));
  device->store_ = std::move(store);

  const std::string secret_path = o.key_dir + kSecretFile;
  // A creator killed mid-write leaves a copy of the secret under a temporary name; the
  // one writer (read_only opens never create) removes it.
  if (!o.read_only) (void)RemoveLeftoverTempFiles(secret_path);
  Result<std::unique_ptr<HmacDeviceSecret>> secret =
      o.read_only ? LoadDeviceSecretFile(secret_path) : LoadOrCreateDeviceSecretFile(secret_path);
  if (o.read_only && !secret.ok() && secret.status().code() == StatusCode::kNotFound) {
    // Without a secret there can be no state sealed with it: a stored state then fails
    // to open (DataLoss) and a fresh device shows as fresh.
    secret = std::make_unique<HmacDeviceSecret>(RandomHex(kDeviceSecretBytes));
  }
  if (!secret.ok()) return secret.status();
  device->secret_ = std::move(secret).value();
  device->identity_ = std::make_unique<StaticDeviceIdentity>(
      o.udi, o.hostname.empty() ? SystemHostname() : o.hostname);
  return device;
}

Status DeviceDirectory::EraseState(const std::string& state_dir, const std::string& key_dir) {
  FileStateStore store(state_dir + kStateFile, key_dir + kWitnessFile);
  return Agent::FactoryResetStore(store);
}

AgentEnvironment DeviceDirectory::Environment() const {
  AgentEnvironment env;
  env.time = &time_;
  env.store = store_.get();
  env.identity = identity_.get();
  env.secret = secret_.get();
  env.trust_anchor_pem = options_.trust_anchor_pem;
  env.transport_factory = options_.transport_factory;
  env.on_event = options_.on_event;
  env.key_store = key_store_.get();
  return env;
}

std::string DeviceDirectory::state_path() const { return options_.state_dir + kStateFile; }

}  // namespace sl
