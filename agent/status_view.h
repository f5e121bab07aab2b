// The status view: what the specification's Smart Licensing page shows, made from a
// state advanced to now, and the policy questions the firmware asks of it. Pure
// functions: the agent passes a view of its state (AgentClock::View + Normalize).
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <vector>

#include "agent/agent_state.h"
#include "smartlicensing/agent.h"

namespace sl {

// "Registered", "Unregistered: Registration Pending", ... (terms::).
std::string RegistrationText(const AgentState& s);
// "Authorized", "Evaluation Mode", "Authorization Expired", ... (terms::).
std::string AuthorizationText(const AgentState& s);
// The License usage table: every type in use with its per-type status.
std::vector<LicenseStatus> LicenseTable(const AgentState& s);
// Everything the page shows. Never holds the proxy password.
AgentStatus MakeStatus(const AgentState& s);

// Cluster configuration is not allowed during the evaluation period (nor after it,
// while unregistered). Always allowed with PAK.
bool MayChangeClusterConfiguration(const AgentState& s);
// New device registrations are refused when the evaluation has expired and the
// product is not registered.
bool MayRegisterNewDevices(const AgentState& s);

}  // namespace sl
