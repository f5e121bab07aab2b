// FileStep: the named steps of the writes in files.h (create the temporary file, write,
// fsync, rename or link, fsync the directory, remove), and a hook a test installs to
// fail a step or to cut the power before it, the file-level half of LevelDB's
// FaultInjectionTestEnv. The product never installs a hook; without one each step costs
// one relaxed atomic load.
// Thread-safety: set the hook only while no file is being written (a test's set-up);
// the hook is called from the writing thread.
#pragma once

#include <functional>
#include <string>

#include "smartlicensing/status.h"

namespace sl {

enum class FileStep {
  kCreateTemp,     // mkstemp of "<path>.tmp.XXXXXX"
  kWriteTemp,      // write() of the bytes into it
  kSyncTemp,       // fsync of the temporary file
  kRename,         // rename over the final name (WriteFileAtomically)
  kLink,           // link to the final name (CreateFileAtomically)
  kSyncDirectory,  // fsync of the directory, which makes the rename or link durable
  kRemove,         // unlink of a file (a temporary file, or a file being erased)
};
const char* FileStepName(FileStep step);

// Called before each step with the step and the file it acts on. OK lets the step run;
// an error skips it and the write fails with that error, as if the system call had.
using FileStepHook = std::function<Status(FileStep step, const std::string& path)>;

// Installs `hook` (an empty function removes it). For tests only.
void SetFileStepHookForTesting(FileStepHook hook);

// What files.cc asks before each step: OK, or the error the hook injects.
Status BeforeFileStep(FileStep step, const std::string& path);

}  // namespace sl
