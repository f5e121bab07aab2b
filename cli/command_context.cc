#include "cli/command_context.h"

#include "cli/pending_usage.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace sl::cli {

namespace {

// The option's value, else the environment variable's, else "".
std::string OptionOrEnvironment(const Invocation& inv, const std::string& option, const char* variable) {
  std::string value = inv.Get(option);
  if (value.empty() && std::getenv(variable) != nullptr) value = std::getenv(variable);
  return value;
}

// `path` made absolute against the working directory, without "." and ".." (unchanged
// if the working directory is unknown).
std::string Absolute(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) return path;
  std::string normal = absolute.lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

}  // namespace

CommandContext::CommandContext(const Command& command, Invocation invocation, Output& output)
    : command_(command), invocation_(std::move(invocation)), output_(output) {
  state_dir_ = OptionOrEnvironment(invocation_, "--state-dir", "SLAGENT_STATE_DIR");
  if (state_dir_.empty()) state_dir_ = kDefaultStateDir;
  key_dir_ = OptionOrEnvironment(invocation_, "--key-dir", "SLAGENT_KEY_DIR");
  key_provider_ = OptionOrEnvironment(invocation_, "--key-provider", "SLAGENT_KEY_PROVIDER");
  key_uri_ = OptionOrEnvironment(invocation_, "--key-uri", "SLAGENT_KEY_URI");
  // Absolute from here on: paths kept in the state (the CA bundle's copy) must not
  // depend on the directory a command happened to run in.
  state_dir_ = Absolute(state_dir_);
  if (!key_dir_.empty()) key_dir_ = Absolute(key_dir_);
}

CommandContext::~CommandContext() = default;

Status CommandContext::CheckArguments(size_t word_count) const {
  return cli::CheckArguments(invocation_, word_count, command_.Accepted());
}

Result<StateDir*> CommandContext::LockStateDir(std::optional<std::chrono::milliseconds> patience) {
  dir_ = std::make_unique<StateDir>(state_dir_, key_dir_);
  dir_->set_key_provider(key_provider_, key_uri_);
  dir_->set_event_echo(echo_);
  SL_RETURN_IF_ERROR(dir_->Prepare(/*lock=*/true, patience));
  return dir_.get();
}

Result<std::unique_ptr<Agent>> CommandContext::OpenLockedAgent(std::optional<std::chrono::milliseconds> patience) {
  Result<StateDir*> dir = LockStateDir(patience);
  if (!dir.ok()) return dir.status();
  Result<std::unique_ptr<Agent>> agent = (*dir)->OpenAgent(/*read_only=*/false);
  if (!agent.ok()) return agent;
  SL_RETURN_IF_ERROR(PendingUsage(state_dir_).ApplyTo(**agent));
  return agent;
}

Result<std::unique_ptr<Agent>> CommandContext::OpenReadOnlyAgent() {
  dir_ = std::make_unique<StateDir>(state_dir_, key_dir_);
  dir_->set_key_provider(key_provider_, key_uri_);
  return dir_->OpenAgent(/*read_only=*/true);
}

void CommandContext::ReleaseStateDir() { dir_.reset(); }

}  // namespace sl::cli
