// How slagent shows the agent's status: the specification's field names and values
// for people, and one JSON object for scripts (times in ISO 8601 UTC).
// Neither ever contains the proxy password. Thread-safety: pure functions.
#pragma once

#include <string>

#include "smartlicensing/agent.h"

namespace sl::cli {

std::string FormatStatusText(const AgentStatus& status);
std::string FormatStatusJson(const AgentStatus& status);
// "Direct (https://...)", "Smart Software Manager On-Prem (https://.../SmartTransport)",
// "Proxy Server proxy.example.com:3128 (user alice, password set)".
std::string DescribeTransport(const TransportSettings& settings, bool password_set);

}  // namespace sl::cli
