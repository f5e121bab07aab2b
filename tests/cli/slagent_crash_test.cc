// Crash test (issues 10 and 12): the real slagent is killed (SIGKILL) at random moments
// of every command that talks to CSSM -- `renew id`, `renew auth`, `usage update`,
// `run --once` with a job due, `register --reregister`, and `register` with a fresh
// one-use token after a `deregister` -- against the real mock CSSM over TLS. After each
// kill the state must open (`status --json`) and be the one from before the command or
// the one it writes: every field the command does not change (status --json) is as
// before, and the registration status is the old one or one the command leads to (see
// Changes()). Then one `run --once` must bring the device back: registered, authorized,
// agreeing with CSSM on its ID certificate (a `renew auth` succeeds) and on its
// instance (CSSM's admin API holds the instance the device names), with no temporary
// file of an interrupted save left behind.
//
// Why: a power cut, an OOM kill or an upgrade stops the agent anywhere -- before its
// request, after CSSM acted on it but before the reply was saved, half-way through a
// save. None of these may cost an appliance its registration or need an operator.
//
// Each command's typical duration is measured once; each kill waits a delay drawn from
// [0, that duration]. Knobs (environment): SL_CRASH_RUNS (iterations, default
// SL_CRASH_DEFAULT_RUNS: 1000, or 250 under AddressSanitizer), SL_CRASH_SECONDS (time
// bound including set-up, default 330, under the TIMEOUT of 400 s of its own ctest; the
// first of the two stops the loop), SL_CRASH_SEED (replays the printed seed: the same commands and the
// same delays as fractions of the typical durations; where a kill lands still depends
// on the machine). `run --once` finds a job due because the clocks of slagent
// (libfaketime) and of the mock (admin clock) are moved forward together before it:
// one day (a usage report is due) or, every fourth time, 31 days (an authorization
// renewal is due). The fixture is in slagent_fixture.h.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <iterator>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "smartlicensing/time_source.h"
#include "testing/test_util.h"
#include "slagent_fixture.h"

namespace sl {
namespace {

using Clock = std::chrono::steady_clock;
using Micros = std::chrono::microseconds;

// The commands that talk to CSSM, in the order of the tables printed.
enum Command { kRenewId, kRenewAuth, kUsageUpdate, kRunOnce, kReregister, kRegister, kCommandCount };
const char* const kCommandNames[kCommandCount] = {"renew id", "renew auth", "usage update", "run --once",
                                                  "register --reregister", "register (fresh)"};

// The `status --json` fields that make up the licensing state the old-or-new check compares.
const char* const kStateFields[] = {"registration_status", "authorization_status", "smart_account",
                                    "virtual_account",     "instance_id",          "initial_registration",
                                    "last_registration_renewal", "registration_expires", "last_authorization",
                                    "authorization_expires"};
using Snapshot = std::map<std::string, std::string>;

// Where a kill landed: while the command ran and before CSSM had acted on its request
// as far as the admin API could tell right after the kill (CSSM may still have been
// acting: so this count is an upper bound); while it ran and after CSSM acted (the
// reply was lost or not yet saved); or after the command had exited by itself.
enum Landing { kBeforeCssmActed, kAfterCssmActed, kAfterExit, kLandingCount };
const char* const kLandingNames[kLandingCount] = {"before CSSM acted", "after CSSM acted", "after it exited"};

struct Figures {
  std::array<std::array<int, kLandingCount>, kCommandCount> landed{};
  int iterations = 0;
  int leftovers = 0;  // temporary files left after a recovery (each also fails the test)
};

struct Settings {
  uint64_t seed = 0;
  int runs = SL_CRASH_DEFAULT_RUNS;
  int seconds = 330;
};

// The state and key directories go to a tmpfs (/dev/shm) unless TMPDIR names one: a
// SIGKILL loses nothing the page cache holds, so what a kill leaves does not depend on
// fsync, and on a shared disk the fsyncs of 1,000 kills and 6,000 commands would take
// half of the time bound. Set before the fixture makes its directories.
const bool kOnTmpfs = [] {
  if (std::getenv("TMPDIR") == nullptr && access("/dev/shm", W_OK) == 0) setenv("TMPDIR", "/dev/shm", 0);
  return true;
}();

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? fallback : std::strtoull(v, nullptr, 10);
}

Settings ReadSettings() {
  Settings s;
  s.seed = EnvNumber("SL_CRASH_SEED", std::random_device()());
  s.runs = static_cast<int>(EnvNumber("SL_CRASH_RUNS", SL_CRASH_DEFAULT_RUNS));
  s.seconds = static_cast<int>(EnvNumber("SL_CRASH_SECONDS", 330));
  return s;
}

// Waits `delay`, kills `pid` (SIGKILL) and reaps it; returns its wait status. A child
// that had exited already is a zombie until reaped, so the kill never hits another process.
int KillAfter(pid_t pid, Micros delay) {
  std::this_thread::sleep_for(delay);
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    // libfaketime names its shared memory and semaphore after the pid and removes them
    // at exit; a killed process leaves them, and a later process given the same pid then
    // fails to start ("shm_open failed: File exists").
    const std::string id = std::to_string(pid);
    unlink(("/dev/shm/faketime_shm_" + id).c_str());
    unlink(("/dev/shm/sem.faketime_sem_" + id).c_str());
  }
  return status;
}

// Waits for `pid` to exit, polling finely (test::WaitForChild backs off to 50 ms, too
// coarse to time a command of a few ms); kills it after test::kCommandTimeout. Returns
// the wait status, or nullopt when it had to be killed.
std::optional<int> WaitClosely(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const Clock::time_point deadline = Clock::now() + test::kCommandTimeout;
  while (Clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return std::nullopt;
    std::this_thread::sleep_for(Micros(200));
  }
  (void)KillAfter(pid, Micros(0));
  return std::nullopt;
}

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class SlagentCrashTest : public SlagentTest {
 protected:
  std::string Faketime() const { return "+" + std::to_string(offset_); }

  // Enables, reports usage and registers with the seed's token; makes the multi-use
  // token the re-registrations use.
  void RegisterDevice() {
    ASSERT_EQ(RunFaked({"enable"}, Faketime()).exit_code, 0);
    ASSERT_EQ(RunFaked({"usage", "set", "expressway_rms", "7"}, Faketime()).exit_code, 0);
    test::CommandResult r = RunFaked({"register", "--token", "TEST-TOKEN-EXPRESSWAY"}, Faketime());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    instance_ = Str(StatusFaked(Faketime()), "instance_id");
    ASSERT_NE(instance_, "<missing>");
    NewToken();
  }

  void NewToken() {
    token_ = mock_.CreateToken("Acme Video", "Expressway", false, /*expires_in_days=*/365, /*max_uses=*/1000000);
    token_offset_ = offset_;
  }

  std::vector<std::string> Args(Command c) const {
    switch (c) {
      case kRenewId: return {"renew", "id"};
      case kRenewAuth: return {"renew", "auth"};
      case kUsageUpdate: return {"usage", "update"};
      case kRunOnce: return {"run", "--once"};
      case kReregister: return {"register", "--reregister", "--token", token_};
      case kRegister: return {"register", "--token", fresh_token_};
      case kCommandCount: break;
    }
    return {};
  }

  // Before each command: a usage count CSSM has not seen (so that the admin API shows
  // whether CSSM acted on a usage-carrying request) and, before `run --once`, a job due.
  // Returns "" or what went wrong.
  std::string Prepare(Command c) {
    usage_ = usage_ % 50 + 1;
    test::CommandResult u = RunFaked({"usage", "set", "expressway_rms", std::to_string(usage_)}, Faketime());
    if (u.exit_code != 0) return "`usage set` failed: " + u.err;
    if (c == kRegister) {
      // A first registration each time: deregistered, and a token never used before.
      test::CommandResult d = RunFaked({"deregister"}, Faketime());
      if (d.exit_code != 0) return "`deregister` failed: " + d.err + d.out;
      fresh_token_ = mock_.CreateToken("Acme Video", "Expressway", false, /*expires_in_days=*/30, /*max_uses=*/1);
      return fresh_token_.empty() ? "cannot make a token" : "";
    }
    if (c != kRunOnce) return "";
    // A usage report is due 6 hours after the last authorization, an authorization
    // renewal 30 days after it (every iteration ends with one). The offset stays far
    // inside the mock's +-20 years; the token is replaced before it expires.
    const bool month = ++run_once_steps_ % 4 == 0 && offset_ < 10 * 365 * kDay;
    offset_ += month ? 31 * kDay : kDay;
    ServerClock(offset_);
    if (offset_ - token_offset_ > 300 * kDay) NewToken();
    return ::testing::Test::HasFatalFailure() || token_.empty() ? "cannot move the mock's clock or make a token" : "";
  }

  pid_t Spawn(Command c) {
    std::vector<std::string> argv = {SL_SLAGENT_BINARY, "--state-dir", dir_.File("state")};
    for (std::string& a : Args(c)) argv.push_back(std::move(a));
    std::vector<std::string> env = {std::string("LD_PRELOAD=") + kFaketimeLib, "FAKETIME=" + Faketime(),
                                    "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"};
    return test::StartCommand(argv, env, dir_.File("child.out"), dir_.File("child.err"));
  }

  // The median of five undisturbed runs of `c`, each of which must succeed.
  Micros Measure(Command c) {
    std::vector<Micros> took;
    for (int i = 0; i < 5; ++i) {
      std::string prepared = Prepare(c);
      EXPECT_EQ(prepared, "");
      Clock::time_point t0 = Clock::now();
      std::optional<int> status = WaitClosely(Spawn(c));
      took.push_back(std::chrono::duration_cast<Micros>(Clock::now() - t0));
      EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
          << kCommandNames[c] << ": " << test::ReadFile(dir_.File("child.err"));
    }
    std::sort(took.begin(), took.end());
    return took[2];
  }

  // The product instances as CSSM's admin API shows them (certificate serials, usage, times).
  std::string CssmView() const { return mock_.Admin("GET", "/admin/v1/product-instances").body; }

  // The licensing state as `status --json` shows it; empty when it does not open.
  Snapshot TakeSnapshot() {
    test::CommandResult r = RunFaked({"status", "--json"}, Faketime());
    Result<rapidjson::Document> doc = ParseJson(r.out);
    if (r.exit_code != 0 || !doc.ok()) return {};
    Snapshot s;
    for (const char* field : kStateFields) s[field] = Str(*doc, field);
    return s;
  }

  // Temporary files (".tmp" in the name) in the state and key directories not seen before.
  std::vector<std::string> NewLeftovers() {
    std::vector<std::string> fresh;
    for (const std::string& dir : {dir_.File("state"), dir_.File("state.keys")}) {
      for (const std::string& name : test::DirectoryEntries(dir)) {
        if (name.find(".tmp") != std::string::npos && leftovers_seen_.insert(dir + "/" + name).second) {
          fresh.push_back(name);
        }
      }
    }
    return fresh;
  }

  std::string Recover(Command c, Figures& figures, const std::string& context);
  static std::string OldOrNew(Command c, const Snapshot& before, const Snapshot& after);
  std::string CrashOnce(Command c, Micros delay, Figures& figures, Landing& landing);
  std::string Diagnosis() const;

  int64_t offset_ = 0;  // seconds slagent (libfaketime) and the mock run ahead of real time
  int64_t token_offset_ = 0;
  int run_once_steps_ = 0;
  int64_t usage_ = 7;
  std::string instance_;
  std::string token_;
  std::string fresh_token_;
  std::set<std::string> leftovers_seen_;
};

// After a kill: one `run --once`, then the device must be registered and authorized and
// CSSM must take its certificate. Returns "" when it converged, else what is wrong.
// A temporary file left behind fails the test (non-fatally: the loop goes on counting).
std::string SlagentCrashTest::Recover(Command c, Figures& figures, const std::string& context) {
  test::CommandResult once = RunFaked({"run", "--once"}, Faketime());
  for (const std::string& name : NewLeftovers()) {
    ++figures.leftovers;
    if (figures.leftovers <= 3) ADD_FAILURE() << "temporary file " << name << " left after " << context;
  }
  if (once.exit_code != 0) {
    return "the recovery `run --once` exited " + std::to_string(once.exit_code) + ": " + once.err + once.out;
  }
  rapidjson::Document s = StatusFaked(Faketime());
  if (c == kRegister && Str(s, "registration_status") == "Unregistered") {
    // Killed before it saved the registration it was starting: nothing happened, on
    // either side (CSSM must hold no instance). The operator runs it again.
    if (CssmView() != "{\"product_instances\":[]}") return "the device is unregistered but CSSM holds: " + CssmView();
    test::CommandResult again = RunFaked(Args(c), Faketime());
    if (again.exit_code != 0) return "`register` again exited " + std::to_string(again.exit_code) + ": " + again.err;
    s = StatusFaked(Faketime());
  }
  std::string registration = Str(s, "registration_status"), authorization = Str(s, "authorization_status");
  if (registration != "Registered" || authorization != "Authorized") {
    return "after the recovery `run --once` the status says registration \"" + registration +
           "\", authorization \"" + authorization + "\" (last error: " + Str(s, "last_error") + ")";
  }
  test::CommandResult renew = RunFaked({"renew", "auth"}, Faketime());
  if (renew.exit_code != 0) {
    return "`renew auth` after the recovery exited " + std::to_string(renew.exit_code) + ": " + renew.err;
  }
  instance_ = Str(s, "instance_id");
  if (mock_.Admin("GET", "/admin/v1/product-instances/" + instance_).status != 200) {
    return "the device names instance " + instance_ + ", which CSSM does not hold";
  }
  return "";
}

// The fields each command may change, and the registration statuses it may leave;
// every other field must be as before the command.
struct Changes {
  std::set<std::string> fields;
  std::set<std::string> registration;
};
Changes ChangesOf(Command c) {
  const std::set<std::string> renewal = {"last_registration_renewal", "registration_expires"};
  const std::set<std::string> authorization = {"authorization_status", "last_authorization", "authorization_expires"};
  std::set<std::string> all(std::begin(kStateFields), std::end(kStateFields));
  switch (c) {
    case kRenewId: return {renewal, {}};
    case kRenewAuth:
    case kUsageUpdate: return {authorization, {}};
    case kRunOnce: {
      std::set<std::string> both = renewal;
      both.insert(authorization.begin(), authorization.end());
      return {both, {}};
    }
    case kReregister:
    case kRegister: return {all, {"Registered", "Unregistered: Registration Pending"}};
    case kCommandCount: break;
  }
  return {};
}

// "" when `after` (the state a kill left) is `before` or a state command `c` writes.
std::string SlagentCrashTest::OldOrNew(Command c, const Snapshot& before, const Snapshot& after) {
  if (after.empty()) return "the state does not open after the kill (`status --json` failed)";
  const Changes changes = ChangesOf(c);
  for (const char* field : kStateFields) {
    if (before.at(field) == after.at(field) || changes.fields.count(field) > 0) continue;
    return std::string("after the kill ") + field + " is \"" + after.at(field) + "\", before it was \"" +
           before.at(field) + "\": neither the old state nor one the command writes";
  }
  const std::string& registration = after.at("registration_status");
  if (registration != before.at("registration_status") && changes.registration.count(registration) == 0) {
    return "after the kill the registration status is \"" + registration + "\", neither the old \"" +
           before.at("registration_status") + "\" nor one the command leads to";
  }
  return "";
}

// One iteration: start `c`, kill it after `delay`, recover. Returns "" when the device
// converged, else why not; `landing` says where the kill landed.
std::string SlagentCrashTest::CrashOnce(Command c, Micros delay, Figures& figures, Landing& landing) {
  landing = kAfterExit;
  if (std::string p = Prepare(c); !p.empty()) return p;
  const std::string before = CssmView();
  const Snapshot old_state = TakeSnapshot();
  if (old_state.empty()) return "the state does not open before the command";
  pid_t pid = Spawn(c);
  if (pid < 0) return "cannot start slagent";
  const int status = KillAfter(pid, delay);
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return std::string("it finished by itself with exit ") + std::to_string(WEXITSTATUS(status)) + ": " +
           test::ReadFile(dir_.File("child.err"));
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
    return "it died of signal " + std::to_string(WTERMSIG(status)) + " by itself";
  }
  if (WIFSIGNALED(status)) landing = CssmView() == before ? kBeforeCssmActed : kAfterCssmActed;
  ++figures.landed[c][landing];
  if (std::string wrong = OldOrNew(c, old_state, TakeSnapshot()); !wrong.empty()) return wrong;
  return Recover(c, figures, std::string(kCommandNames[c]) + " killed " + kLandingNames[landing]);
}

// What helps to read a failure: the device's last events and CSSM's view of it.
std::string SlagentCrashTest::Diagnosis() const {
  std::istringstream events(test::ReadFile(dir_.File("state") + "/events.jsonl"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(events, line);) lines.push_back(line);
  std::string text = "last events:\n";
  for (size_t i = lines.size() > 8 ? lines.size() - 8 : 0; i < lines.size(); ++i) text += "  " + lines[i] + "\n";
  std::string mock_log = test::ReadFile(mock_.stderr_path());
  if (mock_log.size() > 2000) mock_log = "..." + mock_log.substr(mock_log.size() - 2000);
  return text + "CSSM's product instances: " + CssmView() + "\nmock-cssm's stderr (tail): " + mock_log;
}

void PrintFigures(const Figures& f, Clock::duration loop, const std::array<Micros, kCommandCount>& typical) {
  std::printf("[crash] %d iterations in %.1f s (%.0f ms each on average); %d temporary files left over\n",
              f.iterations, Millis(loop) / 1000, f.iterations > 0 ? Millis(loop) / f.iterations : 0.0, f.leftovers);
  std::printf("[crash] %-22s %9s %20s %19s %18s\n", "command", "typical", "killed before CSSM", "killed after CSSM",
              "after it exited");
  std::array<int, kLandingCount> total{};
  for (int c = 0; c < kCommandCount; ++c) {
    std::printf("[crash] %-22s %6.1f ms %20d %19d %18d\n", kCommandNames[c], typical[c].count() / 1000.0,
                f.landed[c][kBeforeCssmActed], f.landed[c][kAfterCssmActed], f.landed[c][kAfterExit]);
    for (int l = 0; l < kLandingCount; ++l) total[l] += f.landed[c][l];
  }
  std::printf("[crash] %-22s %9s %20d %19d %18d\n", "all", "", total[kBeforeCssmActed], total[kAfterCssmActed],
              total[kAfterExit]);
  std::fflush(stdout);
}

TEST_F(SlagentCrashTest, OneRunOnceRecoversTheDeviceAfterAKillAnywhere) {
  const Clock::time_point start = Clock::now();
  const Settings settings = ReadSettings();
  std::printf("[crash] seed %llu (SL_CRASH_SEED=%llu replays it), at most %d runs or %d s\n",
              static_cast<unsigned long long>(settings.seed), static_cast<unsigned long long>(settings.seed),
              settings.runs, settings.seconds);
  ASSERT_NO_FATAL_FAILURE(RegisterDevice());
  std::array<Micros, kCommandCount> typical{};
  for (int c = 0; c < kCommandCount; ++c) typical[c] = Measure(static_cast<Command>(c));
  ASSERT_FALSE(HasFailure()) << "the commands must succeed undisturbed before they are killed";

  std::mt19937_64 rng(settings.seed);
  std::uniform_int_distribution<int> pick(0, kCommandCount - 1);
  std::uniform_real_distribution<double> fraction(0.0, 1.0);
  Figures figures;
  const Clock::time_point loop = Clock::now();
  for (int i = 0; i < settings.runs && Clock::now() - start < std::chrono::seconds(settings.seconds); ++i) {
    const Command c = static_cast<Command>(pick(rng));
    const double f = fraction(rng);
    const Micros delay(static_cast<int64_t>(f * static_cast<double>(typical[c].count())));
    Landing landing = kAfterExit;
    const std::string failure = CrashOnce(c, delay, figures, landing);
    figures.iterations = i + 1;
    if (!failure.empty() || HasFatalFailure()) {
      PrintFigures(figures, Clock::now() - loop, typical);
      FAIL() << "the device did not converge: seed " << settings.seed << ", iteration " << i << ", command `"
             << kCommandNames[c] << "`, delay " << delay.count() << " us (" << f << " of " << typical[c].count()
             << " us), kill landed " << kLandingNames[landing] << ", clock offset " << offset_ << " s:\n"
             << failure << "\n"
             << Diagnosis();
    }
  }
  PrintFigures(figures, Clock::now() - loop, typical);
  EXPECT_GT(figures.iterations, 0);
}

}  // namespace
}  // namespace sl
