#include "cli/configuration_commands.h"

#include <set>
#include <string>

#include "base/iso8601.h"
#include "cli/status_output.h"
#include "protocol/crypto.h"

namespace sl::cli {

namespace {

// The options only `transport proxy` takes.
const std::set<std::string> kProxyOptions = {"--address", "--port", "--username", "--password-file"};

// "hostname from the system" / "hostname NAME": how the identity answers end.
std::string HostnameText(const std::string& hostname) {
  return hostname.empty() ? ", hostname from the system" : ", hostname " + hostname;
}

Status CheckIdentity(const DeviceIdentityConfig& id) {
  for (const std::string* part : {&id.product_id, &id.serial_number}) {
    if (part->empty() || part->size() > 64 || part->find_first_of(" \t\n\"\\") != std::string::npos) {
      return UsageError("--product-id and --serial are required: 1-64 characters without spaces or quotes");
    }
  }
  if (id.hostname.size() > 253 || id.hostname.find_first_of(" \t\n\"\\") != std::string::npos) {
    return UsageError("--hostname must be a host name");
  }
  return Status::Ok();
}

int SetIdentity(CommandContext& ctx) {
  Output& out = ctx.output();
  const Invocation& inv = ctx.invocation();
  DeviceIdentityConfig id{inv.Get("--product-id"), inv.Get("--serial"), inv.Get("--hostname")};
  if (Status s = CheckIdentity(id); !s.ok()) return out.Fail(s);
  Result<StateDir*> dir = ctx.LockStateDir();
  if (!dir.ok()) return out.Fail(dir.status());
  if (Status s = (*dir)->SaveIdentity(id); !s.ok()) return out.Fail(s);
  return out.Done("Device identity: product ID " + id.product_id + ", serial number " + id.serial_number +
                  HostnameText(id.hostname));
}

int ShowIdentity(CommandContext& ctx) {
  Result<DeviceIdentityConfig> id = ctx.UnlockedStateDir().LoadIdentity();
  if (!id.ok()) return ctx.output().Fail(id.status());
  return ctx.output().Done("Product ID " + id->product_id + ", serial number " + id->serial_number +
                           HostnameText(id->hostname));
}

// Usage errors here carry UsageError's pointer to the help; a file that cannot be
// read is reported as the file reader says.
Result<TransportSettings> TransportSettingsFrom(const Invocation& inv, const std::string& kind) {
  TransportSettings settings;
  settings.mode = kind == "onprem" ? TransportMode::kOnPrem : TransportMode::kDirect;
  settings.url = inv.Get("--url");
  if (kind == "onprem" && settings.url.empty()) {
    return UsageError("'transport onprem' needs --url https://<host>[:port]/SmartTransport");
  }
  settings.ca_bundle_path = inv.Get("--ca-bundle");
  if (!settings.ca_bundle_path.empty()) {
    // Checked now, so that a typo is an error here rather than a failed renewal later.
    Result<std::string> bundle = ReadOperatorFile(settings.ca_bundle_path, 4 * 1024 * 1024, "CA bundle");
    if (!bundle.ok()) return bundle.status();
  }
  if (inv.Has("--connect-timeout")) {
    Result<int64_t> t = ParseInteger(inv.Get("--connect-timeout"), 1, 600, "--connect-timeout");
    if (!t.ok()) return UsageError(t.status().message());
    settings.connect_timeout_seconds = *t;
  }
  if (inv.Has("--timeout")) {
    Result<int64_t> t = ParseInteger(inv.Get("--timeout"), 1, 3600, "--timeout");
    if (!t.ok()) return UsageError(t.status().message());
    settings.total_timeout_seconds = *t;
  }
  return settings;
}

Result<ProxySettings> ProxySettingsFrom(const Invocation& inv) {
  if (!inv.Has("--address") || !inv.Has("--port")) return UsageError("'transport proxy' needs --address and --port");
  Result<int64_t> port = ParseInteger(inv.Get("--port"), 1, 65535, "--port");
  if (!port.ok()) return UsageError(port.status().message());
  ProxySettings proxy{inv.Get("--address"), static_cast<int>(*port), inv.Get("--username"), ""};
  if (inv.Has("--password-file")) {
    if (proxy.username.empty()) return UsageError("--password-file needs --username");
    Result<std::string> password = ReadSecretFile(inv.Get("--password-file"), "password");
    if (!password.ok()) return password.status();
    proxy.password = *password;
  }
  return proxy;
}

}  // namespace

int SetOrShowIdentity(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  bool setting = inv.Has("--product-id") || inv.Has("--serial") || inv.Has("--hostname");
  if (Status s = ctx.CheckArguments(1); !s.ok()) return ctx.output().Usage(s.message());
  return setting ? SetIdentity(ctx) : ShowIdentity(ctx);
}

int SetTrustAnchor(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage(s.message());
  Result<std::string> pem = ReadOperatorFile(ctx.word(1), 16 * 1024, "certificate");
  if (!pem.ok()) return out.Fail(pem.status());
  Result<Certificate> cert = Certificate::FromPem(*pem);
  if (!cert.ok()) return out.Usage("'" + ctx.word(1) + "' is not a PEM certificate");
  Result<StateDir*> dir = ctx.LockStateDir();
  if (!dir.ok()) return out.Fail(dir.status());
  if (Status s = (*dir)->SaveTrustAnchor(*pem); !s.ok()) return out.Fail(s);
  return out.Done("CSSM trust anchor: " + cert->SubjectCommonName() + " (valid until " +
                  FormatIso8601(cert->NotAfter()) + ")");
}

int SetTransport(CommandContext& ctx) {
  Output& out = ctx.output();
  const Invocation& inv = ctx.invocation();
  if (inv.words.size() < 2) return out.Usage("'transport' needs direct, onprem or proxy");
  const std::string& kind = ctx.word(1);
  if (kind != "direct" && kind != "onprem" && kind != "proxy") {
    return out.Usage("'transport' needs direct, onprem or proxy, not '" + kind + "'");
  }
  std::set<std::string> accepted = ctx.command().Accepted();
  if (kind != "proxy") {
    for (const std::string& option : kProxyOptions) accepted.erase(option);
  }
  if (Status s = CheckArguments(inv, 2, accepted); !s.ok()) return out.Usage(s.message());

  Result<TransportSettings> settings = TransportSettingsFrom(inv, kind);
  if (!settings.ok()) return out.Fail(settings.status());
  if (kind == "proxy") {
    Result<ProxySettings> proxy = ProxySettingsFrom(inv);
    if (!proxy.ok()) return out.Fail(proxy.status());
    settings->proxy = *proxy;
  }
  if (Status s = ValidateTransportSettings(*settings); !s.ok()) return out.Fail(s);
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  if (Status s = (*agent)->SetTransportSettings(*settings); !s.ok()) return out.Fail(s);
  bool password_set = !settings->proxy || !settings->proxy->password.empty();
  return out.Done("Transport settings: " + DescribeTransport(*settings, password_set));
}

int SetPrivacy(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage("'privacy' needs on or off");
  const std::string& value = ctx.word(1);
  if (value != "on" && value != "off") return out.Usage("'privacy' needs on or off, not '" + value + "'");
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  if (Status s = (*agent)->SetPrivacy(value == "on"); !s.ok()) return out.Fail(s);
  return out.Done(value == "on" ? "Hostname and IP address are no longer shared with Cisco"
                                : "Hostname is shared with Cisco again");
}

}  // namespace sl::cli
