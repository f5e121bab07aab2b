#include "cli/configuration_commands.h"

#include <optional>
#include <set>
#include <string>

#include "base/iso8601.h"
#include "cli/status_output.h"
#include "protocol/crypto.h"
#include "protocol/trust_anchor.h"
#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/time_source.h"

namespace sl::cli {

namespace {

// The options only `transport proxy` takes.
const std::set<std::string> kProxyOptions = {"--address", "--port", "--username", "--password-file"};

// The identity as a --json result.
std::string IdentityJson(const DeviceIdentityConfig& id) {
  JsonWriter w;
  w.StartObject().Field("product_id", id.product_id).Field("serial_number", id.serial_number);
  w.Field("hostname", id.hostname).EndObject();
  return w.str();
}

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

// A registration lives on CSSM under the UDI it was made with: a new product ID or
// serial number would leave it there, holding licenses, while the device shows
// Unregistered. REQUIRES: `dir` is locked.
Status CheckUdiMayChange(StateDir& dir, const DeviceIdentityConfig& next) {
  Result<DeviceIdentityConfig> current = dir.LoadIdentity();
  if (!current.ok()) return Status::Ok();  // none yet: nothing registered under it
  if (current->product_id == next.product_id && current->serial_number == next.serial_number) return Status::Ok();
  Result<std::unique_ptr<Agent>> agent = dir.OpenAgent(/*read_only=*/true);
  if (!agent.ok()) return Status::Ok();  // no trust anchor or no state: never registered
  AgentStatus status = (*agent)->GetStatus();
  if (status.registration_status == terms::kUnregistered) return Status::Ok();
  return FailedPrecondition("this product instance is " + status.registration_status + " as product ID " +
                            current->product_id + ", serial number " + current->serial_number +
                            (status.instance_id.empty() ? "" : " (instance " + status.instance_id + ")") +
                            ": deregister first ('slagent deregister'), then change the identity, or CSSM keeps "
                            "that registration and its licenses");
}

int SetIdentity(CommandContext& ctx) {
  Output& out = ctx.output();
  const Invocation& inv = ctx.invocation();
  DeviceIdentityConfig id{inv.Get("--product-id"), inv.Get("--serial"), inv.Get("--hostname")};
  if (Status s = CheckIdentity(id); !s.ok()) return out.Fail(s);
  Result<StateDir*> dir = ctx.LockStateDir();
  if (!dir.ok()) return out.Fail(dir.status());
  if (Status s = CheckUdiMayChange(**dir, id); !s.ok()) return out.Fail(s);
  if (Status s = (*dir)->SaveIdentity(id); !s.ok()) return out.Fail(s);
  return out.Done("Device identity: product ID " + id.product_id + ", serial number " + id.serial_number +
                      HostnameText(id.hostname),
                  IdentityJson(id));
}

int ShowIdentity(CommandContext& ctx) {
  Result<DeviceIdentityConfig> id = ctx.UnlockedStateDir().LoadIdentity();
  if (!id.ok()) return ctx.output().Fail(id.status());
  return ctx.output().Done(
      "Product ID " + id->product_id + ", serial number " + id->serial_number + HostnameText(id->hostname),
      IdentityJson(*id));
}

// A CA bundle the operator named: at least one PEM certificate, every one readable.
// InvalidArgument (the operator's file) otherwise.
Result<std::string> ReadCaBundle(const std::string& path) {
  Result<std::string> pem = ReadOperatorFile(path, 4 * 1024 * 1024, "CA bundle");
  if (!pem.ok()) return pem.status();
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  size_t count = 0;
  for (size_t at = pem->find(kBegin); at != std::string::npos; at = pem->find(kBegin, at + 1)) {
    if (!Certificate::FromPem(std::string_view(*pem).substr(at)).ok()) {
      return InvalidArgument("the CA bundle '" + path + "' holds a certificate that cannot be read (PEM)");
    }
    ++count;
  }
  if (count == 0) return InvalidArgument("the CA bundle '" + path + "' holds no PEM certificate");
  return pem;
}

// The settings `transport KIND ...` asks for: the current ones with what the command
// line names changed, so that changing one option keeps the others. A change between
// Direct and On-Prem starts from that mode's URL; `--url default` and
// `--ca-bundle system` go back to the defaults. The CA bundle is copied into the state
// directory (the daemon may not see the operator's file) and refers to the copy.
Result<TransportSettings> TransportSettingsFrom(const Invocation& inv, const std::string& kind,
                                                TransportSettings settings, StateDir& dir) {
  TransportMode mode = kind == "onprem" ? TransportMode::kOnPrem : TransportMode::kDirect;
  if (mode != settings.mode) settings.url.clear();
  settings.mode = mode;
  if (inv.Has("--url")) settings.url = inv.Get("--url") == "default" ? "" : inv.Get("--url");
  if (kind == "onprem" && settings.url.empty()) {
    return UsageError("'transport onprem' needs --url https://<host>[:port]/SmartTransport");
  }
  if (kind != "proxy") settings.proxy.reset();
  const std::string bundle_path = inv.Get("--ca-bundle");
  if (bundle_path == "system") {
    settings.ca_bundle_path.clear();
  } else if (!bundle_path.empty()) {
    Result<std::string> bundle = ReadCaBundle(bundle_path);
    if (!bundle.ok()) return bundle.status();
    Result<std::string> copy = dir.SaveCaBundle(*bundle);
    if (!copy.ok()) return copy.status();
    settings.ca_bundle_path = *copy;
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

// The proxy `transport proxy ...` asks for, from the current one (`proxy`, without its
// password: the agent keeps the stored password while the username stays the same).
Result<ProxySettings> ProxySettingsFrom(const Invocation& inv, std::optional<ProxySettings> proxy) {
  if (!proxy && (!inv.Has("--address") || !inv.Has("--port"))) {
    return UsageError("'transport proxy' needs --address and --port");
  }
  if (!proxy) proxy.emplace();
  if (inv.Has("--address")) proxy->host = inv.Get("--address");
  if (inv.Has("--port")) {
    Result<int64_t> port = ParseInteger(inv.Get("--port"), 1, 65535, "--port");
    if (!port.ok()) return UsageError(port.status().message());
    proxy->port = static_cast<int>(*port);
  }
  if (inv.Has("--username")) proxy->username = inv.Get("--username");
  proxy->password.clear();
  if (inv.Has("--password-file")) {
    if (proxy->username.empty()) return UsageError("--password-file needs --username");
    Result<std::string> password = ReadSecretFile(inv.Get("--password-file"), "password");
    if (!password.ok()) return password.status();
    proxy->password = *password;
  }
  return *proxy;
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
  if (Status s = CheckTrustAnchor(*cert, SystemTimeSource().Now()); !s.ok()) {
    return out.Fail(InvalidArgument("'" + ctx.word(1) + "' cannot be the trust anchor: " + s.message()));
  }
  Result<StateDir*> dir = ctx.LockStateDir();
  if (!dir.ok()) return out.Fail(dir.status());
  if (Status s = (*dir)->SaveTrustAnchor(*pem); !s.ok()) return out.Fail(s);
  JsonWriter result;
  result.StartObject().Field("subject", cert->SubjectCommonName()).Field("serial", cert->SerialHex());
  result.Field("not_after", FormatIso8601(cert->NotAfter())).EndObject();
  return out.Done("CSSM trust anchor: " + cert->SubjectCommonName() + " (valid until " +
                      FormatIso8601(cert->NotAfter()) + ")",
                  result.str());
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

  Result<StateDir*> dir = ctx.LockStateDir();
  if (!dir.ok()) return out.Fail(dir.status());
  Result<std::unique_ptr<Agent>> agent = (*dir)->OpenAgent(/*read_only=*/false);
  if (!agent.ok()) return out.Fail(agent.status());
  const AgentStatus current = (*agent)->GetStatus();
  Result<TransportSettings> settings = TransportSettingsFrom(inv, kind, current.transport, **dir);
  if (!settings.ok()) return out.Fail(settings.status());
  if (kind == "proxy") {
    Result<ProxySettings> proxy = ProxySettingsFrom(inv, current.transport.proxy);
    if (!proxy.ok()) return out.Fail(proxy.status());
    settings->proxy = *proxy;
  }
  if (Status s = (*agent)->SetTransportSettings(*settings); !s.ok()) return out.Fail(s);
  (*dir)->RemoveCaBundlesExcept(settings->ca_bundle_path);
  const bool password_set = (*agent)->GetStatus().proxy_password_set;
  JsonWriter result;
  WriteTransportJson(result, *settings, password_set);
  return out.Done("Transport settings: " + DescribeTransport(*settings, password_set), result.str());
}

int SetPrivacy(CommandContext& ctx) {
  Output& out = ctx.output();
  if (Status s = ctx.CheckArguments(2); !s.ok()) return out.Usage("'privacy' needs on or off");
  const std::string& value = ctx.word(1);
  if (value != "on" && value != "off") return out.Usage("'privacy' needs on or off, not '" + value + "'");
  Result<std::unique_ptr<Agent>> agent = ctx.OpenLockedAgent();
  if (!agent.ok()) return out.Fail(agent.status());
  if (Status s = (*agent)->SetPrivacy(value == "on"); !s.ok()) return out.Fail(s);
  JsonWriter result;
  result.StartObject().Field("privacy", value == "on").EndObject();
  return out.Done(value == "on" ? "Hostname and IP address are no longer shared with Cisco"
                                : "Hostname is shared with Cisco again",
                  result.str());
}

}  // namespace sl::cli
