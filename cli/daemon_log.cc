#include "cli/daemon_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <systemd/sd-daemon.h>

#include "cli/output.h"
#include "smartlicensing/licensing_terms.h"

namespace sl::cli {

namespace {

// Whether file descriptor 2 is the stream systemd connected to the journal: the
// variable alone is inherited by children whose stderr may be redirected elsewhere.
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st{};
  if (stream == nullptr || fstat(STDERR_FILENO, &st) != 0) return false;
  return std::string(stream) ==
         std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
             std::to_string(static_cast<unsigned long long>(st.st_ino));
}

void Notify(const std::string& state) { (void)sd_notify(0, state.c_str()); }

}  // namespace

Priority PriorityOf(const Event& event) {
  switch (event.type) {
    case EventType::kCommunicationFailed:
    case EventType::kClockMovedBackwards:
    case EventType::kClockJumpedForwards:
      return Priority::kWarning;
    case EventType::kRegistrationStatusChanged:
    case EventType::kAuthorizationStatusChanged:
      // Expired, failed and out-of-compliance states lose licenses: an operator must act.
      for (const char* bad : {terms::kRegistrationExpired, terms::kRegistrationFailed, terms::kAuthorizationExpired,
                              terms::kOutOfCompliance, terms::kEvaluationExpired}) {
        if (event.to == bad) return Priority::kError;
      }
      return Priority::kNotice;
    default:
      return Priority::kInfo;
  }
}

DaemonLog::DaemonLog(std::ostream& err) : err_(err), journal_(StderrIsJournal()) {}

void DaemonLog::Line(Priority priority, const std::string& text) {
  // std::endl: each line reaches the journal when it happens.
  if (journal_) {
    err_ << "<" << static_cast<int>(priority) << ">" << OneLine(text) << std::endl;
  } else {
    err_ << "slagent run: " << OneLine(text) << std::endl;
  }
}

void DaemonLog::LogEvent(const Event& event) {
  std::string text = EventTypeName(event.type);
  if (!event.to.empty()) text += ": " + (event.from.empty() ? "" : event.from + " -> ") + event.to;
  if (!event.message.empty()) text += ": " + event.message;
  Line(PriorityOf(event), text);
}

void DaemonLog::Ready(const std::string& status) {
  if (ready_ && status == status_) return;
  Notify((ready_ ? "" : "READY=1\n") + std::string("STATUS=") + OneLine(status));
  ready_ = true;
  status_ = status;
}

void DaemonLog::Stopping() { Notify("STOPPING=1\nSTATUS=stopping"); }

}  // namespace sl::cli
