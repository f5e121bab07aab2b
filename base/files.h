// Files, the one way every module reads and writes them: small files read whole with
// a size cap, and durable atomic writes (after a power loss at any instant the old or
// the new content is there, never a mixture). A file that cannot be read or written
// (disk full, read-only file system, no permission) is DataLoss, with the system's
// reason and what to do: a local storage problem, never PermissionDenied (which means
// a refusal by CSSM) nor Internal (a bug). Files of the state and key directories
// follow the stricter rules of base/private_files.h. Each step of a write can be
// failed or cut by a test through file_steps.h.
// Thread-safety: free functions; concurrent writers of one path each leave a
// complete file (the last rename wins).
#pragma once

#include <string>

#include <string_view>
#include <vector>

#include "smartlicensing/status.h"

namespace sl {

// The whole file, at most `max_bytes`. NotFound when it does not exist; DataLoss when
// it cannot be read (the message names the file and why); FailedPrecondition when it
// is larger than `max_bytes`.
Result<std::string> ReadFileCapped(const std::string& path, size_t max_bytes);
// The same from `fd`, opened on `path` (named in messages); closes `fd`.
Result<std::string> ReadOpenFileCapped(int fd, const std::string& path, size_t max_bytes);

// strerror(`error`), with what to do for the errors an operator can fix: a full disk,
// a read-only file system, a missing permission.
std::string FileErrorText(int error);

// Writes `bytes` to `path` atomically, with mode 0600 (the callers' files hold keys or
// licensing state): a new temporary file "<path>.tmp.XXXXXX" made by mkstemp in the
// same directory (never an existing file or a planted symlink), fsync, rename over
// `path`, fsync the directory. On failure the temporary file is removed and `path` is
// unchanged. DataLoss when it cannot be written.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

// Creates `path` with `bytes` (mode 0600) only if it does not exist: the same
// temporary file, then link() to `path`, so the file appears complete and synced or
// not at all. AlreadyExists when `path` exists (e.g. another process created it first).
Status CreateFileAtomically(const std::string& path, std::string_view bytes);

// Run as root, makes the new file `fd` in directory `dir` belong to the directory's
// owner and group: `sudo slagent ...` then writes files the daemon, which runs as the
// state directory's owner, can still read. Nothing to do for other users, or when
// root owns the directory. DataLoss, and nothing changes hands, when `fd` is not a
// regular file or has other hard links: a link planted in the directory must not make
// root give away a file elsewhere (/etc/shadow).
Status GiveToDirectoryOwner(int fd, const std::string& dir);

// The names in the directory `dir`, without "." and ".."; NotFound when it does not
// exist, DataLoss when it cannot be read.
Result<std::vector<std::string>> ListDirectory(const std::string& dir);

// Removes `path`; OK when it does not exist. Internal when it cannot be removed.
Status RemoveFile(const std::string& path);
// RemoveFile, then fsync the directory: the removal survives a power loss before
// whatever the caller does next.
Status RemoveFileDurably(const std::string& path);

// Removes the temporary files a crash may have left next to `path` (they may hold a
// copy of a secret).
Status RemoveLeftoverTempFiles(const std::string& path);

}  // namespace sl
