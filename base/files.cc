#include "base/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/file_steps.h"

namespace sl {

std::string FileErrorText(int error) {
  std::string text = std::strerror(error);
  switch (error) {
    case ENOSPC:
    case EDQUOT: return text + " (free space on that file system, then try again)";
    case EROFS: return text + " (the file system is mounted read-only)";
    case EACCES:
    case EPERM: return text + " (run as the owner of the file and its directory, or as root)";
    default: return text;
  }
}

Result<std::string> ReadFileCapped(const std::string& path, size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("'" + path + "' does not exist");
    return DataLoss("cannot read '" + path + "': " + FileErrorText(errno));
  }
  return ReadOpenFileCapped(fd, path, max_bytes);
}

Result<std::string> ReadOpenFileCapped(int fd, const std::string& path, size_t max_bytes) {
  std::string data;
  char buffer[16 * 1024];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return DataLoss("cannot read '" + path + "': " + FileErrorText(err));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      close(fd);
      return FailedPrecondition("'" + path + "' is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  close(fd);
  return data;
}

namespace {

std::string Errno() { return FileErrorText(errno); }

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return DataLoss("cannot write: " + Errno());
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Temporary files are "<path>.tmp.XXXXXX" (mkstemp), next to `path` so that the rename
// or link stays within one file system.
constexpr const char* kTempInfix = ".tmp.";
constexpr size_t kTempSuffixLength = 6;

// Creates a new temporary file next to `path` with mkstemp (O_EXCL: never an existing
// file or a symlink someone planted), mode 0600, writes `bytes` and fsyncs it. Returns
// its name; on failure nothing is left behind.
Result<std::string> WriteTempFile(const std::string& path, std::string_view bytes) {
  std::string name = path + kTempInfix + std::string(kTempSuffixLength, 'X');
  SL_RETURN_IF_ERROR(BeforeFileStep(FileStep::kCreateTemp, path));
  int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return DataLoss("cannot create a temporary file next to it: " + Errno());
  Status written = GiveToDirectoryOwner(fd, DirectoryOf(path));
  if (written.ok() && fchmod(fd, 0600) != 0) written = DataLoss("cannot make " + name + " owner-only: " + Errno());
  if (written.ok()) written = BeforeFileStep(FileStep::kWriteTemp, name);
  if (written.ok()) written = WriteAll(fd, bytes);
  if (written.ok()) written = BeforeFileStep(FileStep::kSyncTemp, name);
  if (written.ok() && fsync(fd) != 0) written = DataLoss("fsync of " + name + " failed: " + Errno());
  if (close(fd) != 0 && written.ok()) written = DataLoss("close of " + name + " failed: " + Errno());
  if (!written.ok()) {
    (void)RemoveFile(name);
    return written;
  }
  return name;
}

// A rename or link is durable only once the directory entry is on disk.
Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = DirectoryOf(path);
  SL_RETURN_IF_ERROR(BeforeFileStep(FileStep::kSyncDirectory, dir));
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return DataLoss("cannot open the directory " + dir + ": " + Errno());
  int rc = fsync(dfd);
  close(dfd);
  if (rc != 0) return DataLoss("cannot write the directory " + dir + " to disk: " + Errno());
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  Result<std::string> temp = WriteTempFile(path, bytes);
  if (!temp.ok()) return DataLoss("cannot save " + path + ": " + temp.status().message());
  Status renamed = BeforeFileStep(FileStep::kRename, path);
  if (renamed.ok() && rename(temp->c_str(), path.c_str()) != 0) {
    renamed = DataLoss("cannot rename " + *temp + " to " + path + ": " + Errno());
  }
  if (!renamed.ok()) {
    (void)RemoveFile(*temp);
    return renamed;
  }
  return SyncDirectoryOf(path);
}

Status CreateFileAtomically(const std::string& path, std::string_view bytes) {
  Result<std::string> temp = WriteTempFile(path, bytes);
  if (!temp.ok()) return DataLoss("cannot create " + path + ": " + temp.status().message());
  // link() never replaces: of two processes creating the file at once, one wins and the
  // other gets EEXIST; and the name appears only with the complete, synced content.
  Status linked = BeforeFileStep(FileStep::kLink, path);
  int rc = linked.ok() ? link(temp->c_str(), path.c_str()) : -1;
  int link_errno = errno;
  (void)RemoveFile(*temp);
  if (!linked.ok()) return linked;
  if (rc != 0) {
    if (link_errno == EEXIST) return AlreadyExists(path + " already exists");
    return DataLoss("cannot create " + path + ": " + FileErrorText(link_errno));
  }
  return SyncDirectoryOf(path);
}

Status GiveToDirectoryOwner(int fd, const std::string& dir) {
  if (geteuid() != 0) return Status::Ok();  // only root creates files for someone else
  struct stat file{};
  if (fstat(fd, &file) != 0) return DataLoss("cannot read a file's owner in " + dir + ": " + Errno());
  if (!S_ISREG(file.st_mode) || file.st_nlink != 1) {
    return DataLoss("a file in " + dir + " is not a regular file of its own (it has other hard links): remove it");
  }
  struct stat st{};
  if (stat(dir.c_str(), &st) != 0) return DataLoss("cannot read the owner of " + dir + ": " + Errno());
  if (st.st_uid == 0 && st.st_gid == 0) return Status::Ok();
  if (fchown(fd, st.st_uid, st.st_gid) != 0) return DataLoss("cannot give a file in " + dir + " to its owner: " + Errno());
  return Status::Ok();
}

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return NotFound(dir + " does not exist");
    return DataLoss("cannot list " + dir + ": " + Errno());
  }
  std::vector<std::string> names;
  while (struct dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  closedir(d);
  return names;
}

Status RemoveFile(const std::string& path) {
  SL_RETURN_IF_ERROR(BeforeFileStep(FileStep::kRemove, path));
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return DataLoss("cannot remove " + path + ": " + Errno());
  return Status::Ok();
}

Status RemoveFileDurably(const std::string& path) {
  SL_RETURN_IF_ERROR(RemoveFile(path));
  return SyncDirectoryOf(path);
}

Status RemoveLeftoverTempFiles(const std::string& path) {
  const std::string dir = DirectoryOf(path);
  size_t slash = path.rfind('/');
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + kTempInfix;
  Result<std::vector<std::string>> names = ListDirectory(dir);
  if (!names.ok()) return names.status().code() == StatusCode::kNotFound ? Status::Ok() : names.status();
  Status result;
  for (const std::string& name : *names) {
    if (name.size() != prefix.size() + kTempSuffixLength || name.compare(0, prefix.size(), prefix) != 0) continue;
    Status removed = RemoveFile(dir + "/" + name);
    if (!removed.ok() && result.ok()) result = removed;
  }
  return result;
}

}  // namespace sl
