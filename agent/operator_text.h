// The agent's sentences for operators: what the status page's "Last error" says, the
// events' messages and the errors of refused operations, in the specification's words
// where it has them. Kept in one place so that the wording stays consistent and can be
// reviewed against the specification. None of them ever holds a token, a private key
// or the proxy password (Redact), and text from a peer is sanitized before it is used.
// Thread-safety: constants and pure functions.
#pragma once

#include <string>

#include "agent/agent_state.h"
#include "smartlicensing/time_source.h"

namespace sl::text {

// What an exchange was trying to do, as the status page says it.
inline constexpr const char* kWhatRegistration = "renew smart software licensing registration";
inline constexpr const char* kWhatAuthorization = "renew smart software licensing authorization";
inline constexpr const char* kWhatUsage = "report smart software licensing usage";

// Refused operations.
inline constexpr const char* kAlreadyRegistered =
    "This product instance is already registered. To register it again (for example to move it to "
    "another virtual account), select \"Reregister this product instance if it is already registered\".";
inline constexpr const char* kNotRegistered = "This product instance is not registered.";
inline constexpr const char* kNotEnabled = "Smart Licensing is not enabled: enable it before registering.";
inline constexpr const char* kMalformedToken =
    "The registration token is empty or malformed; paste the Product Instance Registration Token exactly "
    "as CSSM shows it.";
inline constexpr const char* kRevertToPak =
    "Smart Licensing is enabled: reverting to PAK-based licensing needs a factory reset (back up the system "
    "first).";
inline constexpr const char* kDirectOnPremWhileRegistered =
    "This product instance is registered: deregister it before changing the transport settings between "
    "Direct (CSSM) and Smart Software Manager On-Prem.";

// Deregistration.
inline constexpr const char* kPendingRegistrationCancelled = "The pending registration was cancelled.";
inline constexpr const char* kDeregistered =
    "The product instance was deregistered and its license entitlements were released to the virtual "
    "account.";
// Names the product instance (and its accounts when known) to remove by hand: the
// local registration, and with it the ID, is gone once this is said.
std::string DeregisteredLocallyOnly(const std::string& reason, const std::string& instance_id,
                                    const std::string& smart_account, const std::string& virtual_account);

// "The last attempt to <what> is in progress because of the following reason: <reason>."
std::string InProgress(const char* what, const std::string& reason);
std::string RegistrationExpiredOn(UnixSeconds when);
// A signed refusal, in the operator's words; `server_says` is already sanitized.
std::string TokenRefused(const std::string& code, const std::string& server_says);
std::string InstanceUnknownOnServer(const std::string& code, const std::string& server_says);
std::string RegistrationExpiredOnServer(const std::string& code, const std::string& server_says);
std::string RefusedForNow(const std::string& code, const std::string& server_says);

// Why a reply was no answer, when an operator must fix something (the reasons InProgress
// shows). A reply signed by another key than the anchor `anchor_cn` names (its subject
// CN, possibly empty); an HTTP status (3xx, 4xx) without a licensing message.
std::string SignatureNotFromTrustAnchor(const std::string& anchor_cn);
std::string NotALicensingService(int http_status);

// Events and the status page's clock note (docs/time.md).
std::string ClockMovedBack(int64_t seconds);
std::string ClockJumpHeld(int64_t seconds);
std::string ClockJumpConfirmed(int64_t seconds);
std::string ClockJumpRefuted(UnixSeconds device_clock, UnixSeconds cssm_time);
std::string ClockJumpTaken(int64_t seconds);
// What is wrong with the device clock, for the status page; empty when nothing is.
std::string ClockNote(const AgentState& view);
std::string HostnameChangeScheduled(const std::optional<std::string>& hostname);

// `text` with the secrets `state` holds (a pending registration's token, the proxy
// password) masked.
std::string Redact(const AgentState& state, std::string text);

}  // namespace sl::text
