#include "base/file_steps.h"

#include <atomic>
#include <utility>

namespace sl {
namespace {

// Set only while no file is written (the header's contract), so the flag only saves
// the product a call through an empty std::function.
std::atomic<bool> g_hooked{false};
FileStepHook& Hook() {
  static FileStepHook hook;
  return hook;
}

}  // namespace

const char* FileStepName(FileStep step) {
  switch (step) {
    case FileStep::kCreateTemp: return "create the temporary file";
    case FileStep::kWriteTemp: return "write the temporary file";
    case FileStep::kSyncTemp: return "fsync the temporary file";
    case FileStep::kRename: return "rename over the file";
    case FileStep::kLink: return "link the file";
    case FileStep::kSyncDirectory: return "fsync the directory";
    case FileStep::kRemove: return "remove a file";
  }
  return "?";
}

void SetFileStepHookForTesting(FileStepHook hook) {
  g_hooked.store(static_cast<bool>(hook), std::memory_order_relaxed);
  Hook() = std::move(hook);
}

Status BeforeFileStep(FileStep step, const std::string& path) {
  if (!g_hooked.load(std::memory_order_relaxed)) return Status::Ok();
  return Hook()(step, path);
}

}  // namespace sl
