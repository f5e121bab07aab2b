// What a command's handler is given: the command line, where to answer, and its way
// to the state directory. The context owns the state directory it opens, so the
// directory's lock is held until the command ends (or the daemon releases it to
// sleep), and an agent the handler opens must be gone before the context is.
// Thread-safety: one context per command line, used from that command's thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_table.h"
#include "cli/invocation.h"
#include "cli/output.h"
#include "cli/state_dir.h"
#include "smartlicensing/agent.h"
#include "smartlicensing/status.h"

namespace sl::cli {

class CommandContext {
 public:
  // The state directory is --state-dir, else $SLAGENT_STATE_DIR, else
  // kDefaultStateDir; the key directory --key-dir, else $SLAGENT_KEY_DIR, else as
  // StateDir chooses.
  CommandContext(const Command& command, Invocation invocation, Output& output);
  ~CommandContext();
  CommandContext(const CommandContext&) = delete;
  CommandContext& operator=(const CommandContext&) = delete;

  const Command& command() const { return command_; }
  const Invocation& invocation() const { return invocation_; }
  // words[i] of the command line (words[0] is the command).
  const std::string& word(size_t i) const { return invocation_.words[i]; }
  Output& output() { return output_; }

  // CheckArguments with the options the command's table entry accepts.
  Status CheckArguments(size_t word_count) const;

  const std::string& state_dir_path() const { return state_dir_; }
  // The state directory as it is, neither created nor locked: to read the identity
  // or the event log.
  StateDir UnlockedStateDir() const { return StateDir(state_dir_, key_dir_); }
  // The state directory, created if needed, under its exclusive lock (a command that
  // writes the identity or the trust anchor, or erases the state).
  // With a `patience`, Unavailable when another command still holds the lock after
  // that long.
  Result<StateDir*> LockStateDir(std::optional<std::chrono::milliseconds> patience = std::nullopt);
  // The agent over the locked state directory: every command that changes state. Usage
  // queued while the lock was busy (cli/pending_usage.h) is applied first.
  Result<std::unique_ptr<Agent>> OpenLockedAgent(std::optional<std::chrono::milliseconds> patience = std::nullopt);
  // The agent for `status`: no lock, nothing written, not even a device secret.
  Result<std::unique_ptr<Agent>> OpenReadOnlyAgent();
  // Every event of the agents opened for writing from now on also goes to `echo`.
  void EchoEvents(EventCallback echo) { echo_ = std::move(echo); }
  // Releases the lock (the daemon, before it sleeps). The agent must be gone already.
  void ReleaseStateDir();

 private:
  const Command& command_;
  Invocation invocation_;
  Output& output_;
  std::string state_dir_;
  std::string key_dir_;
  std::string key_provider_;  // --key-provider or SLAGENT_KEY_PROVIDER
  std::string key_uri_;       // --key-uri or SLAGENT_KEY_URI
  std::unique_ptr<StateDir> dir_;  // what the open agent points at; holds the lock
  EventCallback echo_;
};

}  // namespace sl::cli
