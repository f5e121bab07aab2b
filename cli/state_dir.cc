#include "cli/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "base/encoding.h"
#include "base/files.h"
#include "base/json.h"
#include "base/private_files.h"
#include "protocol/crypto.h"
#include "smartlicensing/curl_transport.h"

namespace sl::cli {

namespace {

constexpr const char* kCaBundlePrefix = "ca-bundle.";

// A file of the state directory, never through a link: missing is NotFound; any other
// problem is a local state problem (DataLoss).
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  Result<std::string> data = ReadPrivateFile(path, max_bytes);
  if (!data.ok() && data.status().code() != StatusCode::kNotFound) return DataLoss(data.status().message());
  return data;
}

// flock(LOCK_EX) on `fd`, waiting at most `patience` when there is one (polling: flock
// has no timeout); -1 with errno EWOULDBLOCK when it is still held by then.
int Lock(int fd, std::optional<std::chrono::milliseconds> patience) {
  if (!patience) return flock(fd, LOCK_EX);
  const auto give_up = std::chrono::steady_clock::now() + *patience;
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
    if (errno != EWOULDBLOCK || std::chrono::steady_clock::now() >= give_up) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Creates `path` (0700) if needed; refuses one that is not private (CheckPrivateDirectory).
Status MakePrivateDir(const std::string& path, const std::string& what) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return DataLoss("cannot create " + what + " '" + path + "': " + FileErrorText(errno));
  }
  SL_RETURN_IF_ERROR(CheckPrivateDirectory(path, what));
  if (access(path.c_str(), R_OK | W_OK | X_OK) != 0) {
    return DataLoss(what + " '" + path + "' is not readable and writable: " + FileErrorText(errno));
  }
  return Status::Ok();
}

}  // namespace

StateDir::StateDir(std::string state_dir, std::string key_dir) : dir_(std::move(state_dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  if (!key_dir.empty()) {
    key_dir_ = std::move(key_dir);
  } else {
    key_dir_ = dir_ == kDefaultStateDir ? kDefaultKeyDir : dir_ + ".keys";
  }
}

StateDir::~StateDir() {
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the flock
}

Status StateDir::Prepare(bool lock, std::optional<std::chrono::milliseconds> patience) {
  SL_RETURN_IF_ERROR(MakePrivateDir(dir_, "the state directory"));
  SL_RETURN_IF_ERROR(MakePrivateDir(key_dir_, "the key directory"));
  if (lock && lock_fd_ < 0) {
    Result<int> fd = OpenPrivateFile(LockPath(), O_RDWR);
    if (!fd.ok()) return fd.status();
    lock_fd_ = *fd;
    if (Lock(lock_fd_, patience) != 0) {
      const int error = errno;
      close(lock_fd_);
      lock_fd_ = -1;
      if (error == EWOULDBLOCK) return Unavailable("another slagent command is running");
      return DataLoss("cannot lock '" + LockPath() + "': " + FileErrorText(error));
    }
    // The lock makes this the one writer: temporary files of a writer killed mid-write
    // are leftovers (the state's own are the store's, the device key's DeviceDirectory's).
    for (const char* file : {"/identity.json", "/cssm-signing.crt", "/events.jsonl"}) {
      (void)RemoveLeftoverTempFiles(dir_ + file);
    }
  }
  return Status::Ok();
}

Result<DeviceIdentityConfig> StateDir::LoadIdentity() const {
  Result<std::string> text = ReadSmallFile(dir_ + "/identity.json", 4096);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return FailedPrecondition("the device identity is not set: run 'slagent identity --product-id ID --serial SN'");
    }
    return text.status();
  }
  Result<rapidjson::Document> doc = ParseJson(*text, 4096);
  if (!doc.ok()) return DataLoss("identity.json: " + doc.status().message());
  JsonReader r(*doc, "identity");
  DeviceIdentityConfig id;
  id.product_id = r.String("product_id", 64);
  id.serial_number = r.String("serial_number", 64);
  id.hostname = r.OptionalString("hostname", 253).value_or("");
  if (!r.ok()) return DataLoss("identity.json: " + r.status().message());
  return id;
}

Status StateDir::SaveIdentity(const DeviceIdentityConfig& id) const {
  JsonWriter w;
  w.StartObject().Field("product_id", id.product_id).Field("serial_number", id.serial_number);
  if (!id.hostname.empty()) w.Field("hostname", id.hostname);
  w.EndObject();
  return WriteFileAtomically(dir_ + "/identity.json", w.str());
}

Result<std::string> StateDir::LoadTrustAnchor() const {
  Result<std::string> pem = ReadSmallFile(dir_ + "/cssm-signing.crt", 16 * 1024);
  if (!pem.ok() && pem.status().code() == StatusCode::kNotFound) {
    return FailedPrecondition("the CSSM trust anchor is not set: run 'slagent trust-anchor FILE'");
  }
  return pem;
}

Status StateDir::SaveTrustAnchor(const std::string& pem) const {
  return WriteFileAtomically(dir_ + "/cssm-signing.crt", pem);
}

Result<std::string> StateDir::SaveCaBundle(const std::string& pem) const {
  const std::string path = dir_ + "/" + kCaBundlePrefix + HexEncode(Sha256(pem)).substr(0, 16) + ".pem";
  SL_RETURN_IF_ERROR(WriteFileAtomically(path, pem));
  return path;
}

void StateDir::RemoveCaBundlesExcept(const std::string& in_use) const {
  Result<std::vector<std::string>> names = ListDirectory(dir_);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    const std::string path = dir_ + "/" + name;
    if (name.rfind(kCaBundlePrefix, 0) == 0 && path != in_use) unlink(path.c_str());
  }
}

Result<std::unique_ptr<Agent>> StateDir::OpenAgent(bool read_only) {
  Result<DeviceIdentityConfig> id = LoadIdentity();
  if (!id.ok()) return id.status();
  Result<std::string> anchor = LoadTrustAnchor();
  if (!anchor.ok()) return anchor.status();

  DeviceDirectoryOptions options;
  options.state_dir = dir_;
  options.key_dir = key_dir_;
  options.udi = Udi{id->product_id, id->serial_number};
  options.hostname = id->hostname;
  options.trust_anchor_pem = *anchor;
  options.transport_factory = CurlTransportFactory();
  options.key_provider = key_provider_;
  options.key_uri = key_uri_;
  if (!read_only) {
    options.on_event = [log = event_log(), echo = echo_](const Event& e) {
      log.Append(e);
      if (echo) echo(e);
    };
  }
  options.read_only = read_only;
  Result<std::unique_ptr<DeviceDirectory>> device = DeviceDirectory::Open(std::move(options));
  if (!device.ok()) return device.status();
  device_ = std::move(device).value();
  return Agent::Open(device_->Environment());
}

Status StateDir::FactoryReset() {
  SL_RETURN_IF_ERROR(DeviceDirectory::EraseState(dir_, key_dir_));
  // What only the erased state referred to, or would have been applied to it.
  RemoveCaBundlesExcept("");
  if (unlink((dir_ + "/usage.pending").c_str()) != 0 && errno != ENOENT) {
    return DataLoss("cannot remove '" + dir_ + "/usage.pending': " + FileErrorText(errno));
  }
  return event_log().Erase();
}

}  // namespace sl::cli
