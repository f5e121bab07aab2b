#include "cli/output.h"

#include "base/json.h"

namespace sl::cli {

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

Status UsageError(const std::string& message) { return InvalidArgument(message + " (see 'slagent help')"); }

Output::Output(bool json, std::ostream& out, std::ostream& err) : json_(json), out_(out), err_(err) {}

// std::endl, not "\n": each answer is flushed as it is made, so that a daemon's lines
// reach the journal when they happen and a crash loses nothing already said.
int Output::Fail(const Status& s) { return Fail(s, ExitCodeFor(s)); }

int Output::FailOperation(const Status& s, const Agent& agent) {
  const CommunicationProblem problem = agent.GetStatus().communication_problem;
  const bool fix_first = problem == CommunicationProblem::kConfiguration || problem == CommunicationProblem::kTrust;
  return Fail(s, fix_first && s.IsRetryable() ? kExitConfiguration : ExitCodeFor(s));
}

int Output::Fail(const Status& s, int code) {
  if (json_) {
    JsonWriter w;
    w.StartObject().Field("schema", kJsonSchema).Field("ok", false).Field("exit_code", code);
    w.Key("error").StartObject().Field("code", StatusCodeSlug(s.code())).Field("message", OneLine(s.message()));
    w.EndObject().EndObject();
    out_ << w.str() << std::endl;
  } else {
    err_ << "slagent: " << OneLine(s.message()) << std::endl;
  }
  return code;
}

int Output::Usage(const std::string& message) { return Fail(UsageError(message)); }

int Output::Done(const std::string& message, int code) { return Done(message, "", code); }

int Output::Done(const std::string& message, const std::string& result, int code) {
  if (json_) {
    JsonWriter w;
    w.StartObject().Field("schema", kJsonSchema).Field("ok", code == kExitOk).Field("exit_code", code);
    w.Field("message", OneLine(message));
    if (!result.empty()) w.Key("result").Raw(result);
    w.EndObject();
    out_ << w.str() << std::endl;
  } else {
    out_ << message << std::endl;
  }
  return code;
}

int Output::Data(JsonWriter& fields, const std::string& text) {
  if (json_) {
    fields.EndObject();
    out_ << fields.str() << std::endl;
  } else {
    out_ << text;
  }
  return kExitOk;
}

void StartData(JsonWriter& w) {
  w.StartObject().Field("schema", kJsonSchema).Field("ok", true).Field("exit_code", static_cast<int>(kExitOk));
}

}  // namespace sl::cli
