// The daemon's voice to its supervisor: one line per event, failure and decision on
// standard error, and systemd's readiness protocol.
//
// When standard error is the journal (systemd sets $JOURNAL_STREAM to its device and
// inode), each line starts with the syslog priority journald reads ("<4>" for a
// warning), so `journalctl -p warning -u slagent` finds the failures; otherwise lines
// read "slagent run: <text>". Readiness and status go to $NOTIFY_SOCKET through
// sd_notify (Type=notify): READY=1 once the daemon has done its first pass, STATUS=
// with what it waits for, STOPPING=1 on the way out; nothing without that socket.
// Thread-safety: one DaemonLog per daemon, used from its main thread.
#pragma once

#include <ostream>
#include <string>

#include "smartlicensing/agent.h"

namespace sl::cli {

// Syslog priorities (RFC 5424), as journald reads them.
enum class Priority { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6 };

// How much an agent event matters to an operator reading the journal.
Priority PriorityOf(const Event& event);

class DaemonLog {
 public:
  // Reads $JOURNAL_STREAM and compares it with what `err` is connected to (stderr).
  explicit DaemonLog(std::ostream& err);

  void Line(Priority priority, const std::string& text);
  void LogEvent(const Event& event);

  // sd_notify: READY=1 (the first time only) with STATUS=`status`; then STATUS= alone.
  void Ready(const std::string& status);
  void Stopping();

  bool journal() const { return journal_; }

 private:
  std::ostream& err_;
  bool journal_ = false;
  bool ready_ = false;
  std::string status_;
};

}  // namespace sl::cli
