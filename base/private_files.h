// Private directories and their files: the rules for a directory that holds secrets or
// state (slagent's state and key directories), so that nobody but its owner can make
// the process, which may be root, read, write, append to or give away a file it did
// not mean to.
//   - The directory must belong to the caller or to root (root accepts any owner: it
//     is the daemon user's directory, and that user receives the files root writes
//     there) and must not be writable by group or others (like OpenSSH's StrictModes).
//   - Its files are opened never through a symbolic link (O_NOFOLLOW), only when they
//     are regular files (a FIFO or a device never blocks or acts), and appended to or
//     given away only when they have no other hard link.
//   - New files are 0600 whatever the umask; a key file group or others may read is
//     refused, not used.
// Writes that replace a file go through WriteFileAtomically (base/files.h), which
// never writes through a planted link either. Every problem is DataLoss (a local state
// problem), with what to run to fix it.
// Thread-safety: free functions.
#pragma once

#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

// OK when `dir` is a directory that belongs to the caller or root (or the caller is
// root) and that group and others cannot write; DataLoss saying why and what to run
// (chmod 700, chown) otherwise; NotFound when it does not exist. `what` names it in
// messages ("the state directory").
Status CheckPrivateDirectory(const std::string& dir, const std::string& what);

// A file of a private directory, read whole (at most `max_bytes`), never through a
// symbolic link. NotFound when it does not exist; DataLoss when it is a link or not a
// regular file, or cannot be read; FailedPrecondition when larger than `max_bytes`.
Result<std::string> ReadPrivateFile(const std::string& path, size_t max_bytes);

// As ReadPrivateFile, for a file that holds a key: also DataLoss when group or others
// may read or write it (whoever read it can use the key), with the chmod that fixes it.
Result<std::string> ReadKeyFile(const std::string& path, size_t max_bytes);

// Opens (creating it 0600 if needed) the file `path` of a private directory with
// `flags` (O_WRONLY | O_APPEND, O_RDWR, ...) and gives it to the directory's owner
// when run as root (GiveToDirectoryOwner). Never through a symbolic link; DataLoss when
// it is not a regular file, has other hard links, or cannot be opened. The caller
// closes the descriptor.
Result<int> OpenPrivateFile(const std::string& path, int flags);

// Appends `line` to the file `path` of a private directory (OpenPrivateFile) in one
// write, and fsyncs it when `sync` (a file whose loss costs more than a flash write).
// A write cut short (a full disk) is undone, so the file never keeps half a line that
// the next append would run into. Appenders of one file are serialised (flock), so
// none undoes another's line. DataLoss when it cannot be written.
Status AppendToPrivateFile(const std::string& path, std::string_view line, bool sync);

}  // namespace sl
