#include "agent/operator_text.h"

#include "agent/agent_time.h"
#include "base/iso8601.h"
#include "base/secrets.h"
#include "protocol/messages.h"

namespace sl::text {

std::string DeregisteredLocallyOnly(const std::string& reason, const std::string& instance_id,
                                    const std::string& smart_account, const std::string& virtual_account) {
  std::string which = instance_id.empty() ? "this product instance" : "product instance " + instance_id;
  std::string accounts;
  if (!smart_account.empty()) accounts += "smart account \"" + smart_account + "\"";
  if (!virtual_account.empty()) {
    accounts += (accounts.empty() ? "" : ", ") + std::string("virtual account \"") + virtual_account + "\"";
  }
  if (!accounts.empty()) which += " (" + accounts + ")";
  return "The product instance was deregistered locally, but CSSM could not be told because " + reason +
         ". Remove " + which + " manually from CSSM or Smart Software Manager On-Prem to free its licenses.";
}

std::string InProgress(const char* what, const std::string& reason) {
  return std::string("The last attempt to ") + what + " is in progress because of the following reason: " +
         reason + ".";
}

std::string RegistrationExpiredOn(UnixSeconds when) {
  return "The registration expired on " + FormatIso8601(when) +
         " because it could not be renewed; register the product again with a new token.";
}

std::string TokenRefused(const std::string& code, const std::string& server_says) {
  const char* why = code == error_code::kTokenExpired   ? "the token has expired"
                    : code == error_code::kTokenUsedUp ? "the token has been used the maximum number of times"
                                                       : "the token is invalid";
  return std::string("Registration failed because ") + why + " (" + code + ": " + server_says +
         "). Generate a new Product Instance Registration Token and register again.";
}

std::string InstanceUnknownOnServer(const std::string& code, const std::string& server_says) {
  return "CSSM no longer recognises this product instance (" + code + ": " + server_says +
         "). The local registration was removed; register the product again with a new token.";
}

std::string RegistrationExpiredOnServer(const std::string& code, const std::string& server_says) {
  return "CSSM reports that the registration has expired (" + code + ": " + server_says +
         "); register the product again with a new token.";
}

std::string RefusedForNow(const std::string& code, const std::string& server_says) {
  std::string reason = "CSSM refused the request (" + code + ": " + server_says + ")";
  if (code == error_code::kStaleMessage) reason += "; check that this product's clock is correct (NTP)";
  return reason;
}

std::string SignatureNotFromTrustAnchor(const std::string& anchor_cn) {
  const std::string anchor = anchor_cn.empty() ? "the CSSM trust anchor (a certificate without a common name)"
                                               : "the CSSM trust anchor \"" + anchor_cn + "\"";
  return "the response signature does not verify against " + anchor +
         ": the trust anchor must be the CSSM signing certificate, not the CA of the server's TLS certificate; "
         "check which certificate is configured as the trust anchor";
}

std::string NotALicensingService(int http_status) {
  const std::string answered = "the server answered HTTP " + std::to_string(http_status);
  if (http_status >= 300 && http_status < 400) {
    return answered + ", a redirect, which the agent does not follow: set the URL to the final one";
  }
  if (http_status == 404) {
    return answered + " (Not Found) without a licensing message: no licensing service answers at the "
                      "configured URL; check the URL path (https://<host>[:port]/SmartTransport for On-Prem)";
  }
  return answered + " without a licensing message: check the URL, and that the server (or a proxy in front "
                    "of it) accepts licensing requests from this product";
}

std::string ClockMovedBack(int64_t seconds) {
  return "The system clock moved back by " + FormatDuration(seconds) +
         "; licensing time that has passed is not counted again when it moves forward.";
}

std::string ClockJumpHeld(int64_t seconds) {
  return "The system clock jumped " + FormatDuration(seconds) +
         " ahead, which would run out the authorization or the registration; licensing timers wait for "
         "CSSM to confirm the time.";
}

std::string ClockJumpConfirmed(int64_t seconds) {
  return "CSSM confirmed the system clock's jump of " + FormatDuration(seconds) + "; licensing timers follow it.";
}

std::string ClockJumpRefuted(UnixSeconds device_clock, UnixSeconds cssm_time) {
  return "The system clock (" + FormatIso8601(device_clock) + ") is ahead of CSSM's time (" +
         FormatIso8601(cssm_time) + "); licensing timers follow CSSM's time. Set the system clock (NTP).";
}

std::string ClockJumpTaken(int64_t seconds) {
  return "CSSM could not be reached to confirm the system clock's jump of " + FormatDuration(seconds) +
         "; licensing timers follow the system clock.";
}

std::string ClockNote(const AgentState& v) {
  if (v.wall_reading == 0) return "";
  if (JumpHeld(v)) {
    return "The system clock (" + FormatIso8601(v.wall_reading) + ") is " +
           FormatDuration(v.wall_reading - v.last_wall) +
           " ahead of the licensing time; timers wait for CSSM to confirm it.";
  }
  if (v.last_wall - v.wall_reading >= kClockStepThreshold) {
    return "The system clock (" + FormatIso8601(v.wall_reading) + ") is behind the latest time already counted (" +
           FormatIso8601(v.last_wall) + "); licensing time counts only the time this system measures running "
           "until the clock catches up. Set the system clock (NTP).";
  }
  return "";
}

std::string HostnameChangeScheduled(const std::optional<std::string>& hostname) {
  return hostname ? "The hostname changed to '" + *hostname + "'; renewing the registration to tell CSSM."
                  : std::string("Privacy is on; renewing the registration without the hostname.");
}

std::string Redact(const AgentState& state, std::string text) {
  // MaskSecret resumes after each mask, so a secret inside "<redacted>" cannot loop, and
  // masks secrets of any length (over-masking a short one is the safe failure).
  text = MaskSecret(std::move(text), state.pending_token);
  if (state.transport.proxy) text = MaskSecret(std::move(text), state.transport.proxy->password);
  return text;
}

}  // namespace sl::text
