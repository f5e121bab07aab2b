// How slagent shows the agent's status: the specification's field names and values
// for people, and one JSON object for scripts (times in ISO 8601 UTC).
// Neither ever contains the proxy password. Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "smartlicensing/agent.h"

namespace sl::cli {

// What a device still needs before the agent can run, for the status page.
struct SetupStep {
  std::string name;     // "identity", "trust_anchor": stable, for scripts
  std::string command;  // what the operator runs
};

// `setup` lists what is not configured yet (then `status` is that of a new device).
std::string FormatStatusText(const AgentStatus& status, const std::vector<SetupStep>& setup = {});
// The status's members, written into an answer object (Output::Data).
void WriteStatusJson(JsonWriter& w, const AgentStatus& status, const std::vector<SetupStep>& setup = {});
// The licensing outcome of a command (register, renew, enable, run --once, restore,
// usage update) as a --json result: the statuses, the accounts, the instance and when
// things expire or happen next.
std::string LicensingResultJson(const AgentStatus& status);

// {"mode":...,"url":...,["proxy":{...},]"ca_bundle":...,"description":...}
void WriteTransportJson(JsonWriter& w, const TransportSettings& settings, bool password_set);
// "Direct (https://...)", "Smart Software Manager On-Prem (https://.../SmartTransport)",
// "Proxy Server proxy.example.com:3128 (user alice, password set)".
std::string DescribeTransport(const TransportSettings& settings, bool password_set);

}  // namespace sl::cli
