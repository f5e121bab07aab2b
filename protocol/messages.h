// The licensing protocol's messages (version 1), shared by the agent and the mock
// CSSM so that both sides encode and validate them the same way. docs/protocol.md
// describes the wire format with examples.
//
// A Request or Response is one flat struct whatever its type; the fields a type does
// not use stay empty. Decode* validates everything a peer could get wrong (types,
// lengths, ranges, the fields each message type requires) and names the bad field.
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smartlicensing/licensing_terms.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl {

constexpr int kProtocolVersion = 1;

enum class MessageType {
  kRegister,     // token + CSR -> ID certificate
  kRenewId,      // renew the ID certificate (registration), carries the hostname
  kAuthorize,    // request or renew authorization for the usage it carries
  kReportUsage,  // periodic usage report
  kDeregister,   // release everything and forget the product instance
  kUnknown,      // only in a response to a request that could not be read
};
const char* MessageTypeName(MessageType type);  // "register", "renew_id", ...

// Error codes of a refusal, stable strings the agent acts on.
namespace error_code {
inline constexpr const char* kMalformedRequest = "malformed_request";
inline constexpr const char* kUnsupportedProtocol = "unsupported_protocol";
inline constexpr const char* kTokenInvalid = "token_invalid";
inline constexpr const char* kTokenExpired = "token_expired";
inline constexpr const char* kTokenUsedUp = "token_used_up";
inline constexpr const char* kUnknownInstance = "unknown_instance";
inline constexpr const char* kBadSignature = "bad_signature";
inline constexpr const char* kStaleMessage = "stale_message";
inline constexpr const char* kReplayedMessage = "replayed_message";
inline constexpr const char* kCertificateMismatch = "certificate_mismatch";
inline constexpr const char* kRegistrationExpired = "registration_expired";
inline constexpr const char* kPayloadTooLarge = "payload_too_large";
inline constexpr const char* kInternalError = "internal_error";
}  // namespace error_code

struct LicenseCount {
  std::string tag;
  int64_t count = 0;
};

struct Request {
  MessageType type = MessageType::kUnknown;
  std::string message_id;  // 32 hex characters, unique per message: replay protection
  UnixSeconds sent_at = 0;  // the device's clock: freshness
  Udi udi;
  // Every type but kRegister: who is asking, and with which ID certificate.
  std::string instance_id;
  std::string cert_serial;
  // kRegister only.
  std::string token;
  std::string csr_pem;
  // kRegister and kRenewId; absent when the device asked for privacy.
  std::optional<std::string> hostname;
  // kAuthorize and kReportUsage: current usage per license tag.
  std::vector<LicenseCount> usage;
};

struct Response {
  MessageType type = MessageType::kUnknown;
  std::string in_reply_to;  // the request's message_id; empty if it could not be read
  UnixSeconds server_time = 0;
  bool ok = false;
  // When !ok: why, as a stable code and an operator's sentence.
  std::string error_code;
  std::string error_message;
  // kRegister and kRenewId.
  std::string instance_id;
  std::string id_certificate_pem;
  std::string smart_account;
  std::string virtual_account;
  bool export_controlled = false;
  UnixSeconds registration_expires = 0;
  // kAuthorize and kReportUsage.
  std::vector<LicenseStatus> licenses;
  std::string authorization_status;     // overall status string of the specification
  UnixSeconds authorization_expires = 0;  // kAuthorize only
};

// The encoders refuse (InvalidArgument, naming the field) a message the decoders would
// refuse: what a peer sends and what it accepts are the same set of messages
// (docs/protocol.md, "Strings").
Result<std::string> EncodeRequest(const Request& request);
Result<Request> DecodeRequest(std::string_view json);
Result<std::string> EncodeResponse(const Response& response);
Result<Response> DecodeResponse(std::string_view json);

}  // namespace sl
