#include "mock_cssm/licensing_service.h"

#include "base/iso8601.h"
#include "base/json.h"
#include "protocol/messages.h"

namespace sl::mock {

namespace {

Response Refuse(const Response& refusal, RefusalReason why) {
  return Refused(refusal, why.code, std::move(why.message));
}

// Checked before anything else, so that a newer peer hears why.
std::optional<RefusalReason> CheckProtocolVersion(const std::string& body) {
  Result<rapidjson::Document> doc = ParseJson(body);
  if (!doc.ok()) return RefusalReason{error_code::kMalformedRequest, "body: " + doc.status().message()};
  JsonReader version(*doc, "request");
  int64_t v = version.Int("protocol", 0, 1000000);
  if (!version.ok() || v == kProtocolVersion) return std::nullopt;
  return RefusalReason{error_code::kUnsupportedProtocol,
                       "protocol version " + std::to_string(v) + " is not supported; this server speaks version " +
                           std::to_string(kProtocolVersion)};
}

std::optional<RefusalReason> CheckSignature(const SignedMessage& envelope, const PublicKey& device_key) {
  if (VerifyMessage(envelope, device_key).ok()) return std::nullopt;
  return RefusalReason{error_code::kBadSignature, "the request is not signed by the device's registered key"};
}

std::optional<RefusalReason> CheckFreshness(UnixSeconds sent_at, UnixSeconds now, int64_t max_skew) {
  if (sent_at >= now - max_skew && sent_at <= now + max_skew) return std::nullopt;
  return RefusalReason{error_code::kStaleMessage,
                       "the request was sent at " + FormatIso8601(sent_at) + " but the server time is " +
                           FormatIso8601(now) + "; clocks may differ by at most " + std::to_string(max_skew) + " s"};
}

// The request must come from the instance's registered UDI with its current ID
// certificate, and the registration must still run (except to deregister).
std::optional<RefusalReason> CheckCurrentInstance(const ProductInstance& instance, const Request& request,
                                                  UnixSeconds now) {
  if (!(instance.udi == request.udi)) {
    return RefusalReason{error_code::kCertificateMismatch, "the UDI does not match the registered product instance"};
  }
  bool previous = !instance.previous_cert_serial.empty() && instance.previous_cert_serial == request.cert_serial;
  if (instance.cert_serial != request.cert_serial && !previous) {
    return RefusalReason{error_code::kCertificateMismatch,
                         "ID certificate " + request.cert_serial + " is not the current one for this product instance"};
  }
  if (now >= instance.registration_expires && request.type != MessageType::kDeregister) {
    return RefusalReason{error_code::kRegistrationExpired,
                         "the registration expired on " + FormatIso8601(instance.registration_expires) +
                             "; register again with a new token"};
  }
  return std::nullopt;
}

}  // namespace

LicensingService::LicensingService(Cssm& cssm, std::mutex& mutex, PrivateKey signing_key,
                                   int64_t max_clock_skew_seconds)
    : cssm_(cssm),
      mutex_(mutex),
      signing_key_(std::move(signing_key)),
      max_skew_(max_clock_skew_seconds),
      // Anything older than the skew window is refused as stale anyway, so forgetting
      // it keeps the cache small without opening a replay window.
      seen_(2 * max_clock_skew_seconds) {}

int LicensingService::HttpStatusFor(const std::string& code) {
  static const std::map<std::string, int> statuses = {
      {error_code::kMalformedRequest, 400},     {error_code::kUnsupportedProtocol, 400},
      {error_code::kBadSignature, 401},         {error_code::kStaleMessage, 401},
      {error_code::kReplayedMessage, 401},      {error_code::kCertificateMismatch, 401},
      {error_code::kTokenInvalid, 403},         {error_code::kTokenExpired, 403},
      {error_code::kTokenUsedUp, 403},          {error_code::kRegistrationExpired, 403},
      {error_code::kUnknownInstance, 404},      {error_code::kPayloadTooLarge, 413},
      {error_code::kInternalError, 500},
  };
  auto it = statuses.find(code);
  return it == statuses.end() ? 500 : it->second;
}

LicensingReply LicensingService::Seal(const Response& response) {
  Result<std::string> body = EncodeResponse(response);
  Result<std::string> sealed = body.ok() ? SealMessage(*body, signing_key_) : body.status();
  if (!sealed.ok()) {
    return {500, R"({"error":{"code":"internal_error","message":"cannot encode or sign the response"}})"};
  }
  return {response.ok ? 200 : HttpStatusFor(response.error_code), std::move(*sealed)};
}

LicensingReply LicensingService::Refusal(const char* code, const std::string& message) {
  Response r;
  r.server_time = cssm_.clock().Now();
  return Seal(Refused(std::move(r), code, message));
}

LicensingReply LicensingService::Handle(std::string_view request_envelope) {
  return Seal(Process(request_envelope));
}

std::optional<RefusalReason> LicensingService::CheckTokenIssued(const Request& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cssm_.IssuedToken(request.token)) return std::nullopt;
  return RefusalReason{error_code::kTokenInvalid, kUnknownTokenMessage};
}

Response LicensingService::Process(std::string_view request_envelope) {
  // The reply to refuse with, filled in as far as the request can be read.
  Response refusal;
  refusal.server_time = cssm_.clock().Now();
  Result<SignedMessage> envelope = OpenEnvelope(request_envelope);
  if (!envelope.ok()) return Refuse(refusal, {error_code::kMalformedRequest, envelope.status().message()});
  if (std::optional<RefusalReason> why = CheckProtocolVersion(envelope->body)) return Refuse(refusal, std::move(*why));
  Result<Request> request = DecodeRequest(envelope->body);
  if (!request.ok()) return Refuse(refusal, {error_code::kMalformedRequest, request.status().message()});
  refusal.type = request->type;
  refusal.in_reply_to = request->message_id;

  // A registration is signed by the key in its CSR (proof of possession); every
  // later request by the key of the ID certificate this server issued (in Admit).
  std::optional<PublicKey> csr_key;
  if (request->type == MessageType::kRegister) {
    // Anyone can send a token: one this CSSM never issued costs no more than a look-up.
    if (std::optional<RefusalReason> why = CheckTokenIssued(*request)) return Refuse(refusal, std::move(*why));
    Result<CertificateRequest> csr = ParseCertificateRequest(request->csr_pem);
    if (!csr.ok()) {
      return Refuse(refusal, {error_code::kMalformedRequest, "field 'request.csr': " + csr.status().message()});
    }
    csr_key = csr->key;
  }

  std::lock_guard<std::mutex> lock(mutex_);
  refusal.server_time = cssm_.clock().Now();
  return Admit(*envelope, *request, std::move(csr_key), refusal);
}

Response LicensingService::Admit(const SignedMessage& envelope, const Request& request,
                                 std::optional<PublicKey> device_key, const Response& refusal) {
  const UnixSeconds now = refusal.server_time;
  const ProductInstance* instance = nullptr;
  if (request.type != MessageType::kRegister) {
    instance = cssm_.FindInstance(request.instance_id);
    if (instance == nullptr) {
      return Refuse(refusal, {error_code::kUnknownInstance,
                              "product instance '" + request.instance_id +
                                  "' is not registered with this CSSM (removed or never registered)"});
    }
    // The key of the certificate the request presents: the current one, or the previous
    // one while the device has not yet used the newer (docs/protocol.md, lost replies).
    bool previous = !instance->previous_cert_serial.empty() && request.cert_serial == instance->previous_cert_serial;
    Result<PublicKey> key = PublicKey::FromPem(previous ? instance->previous_public_key_pem : instance->public_key_pem);
    if (!key.ok()) return Refuse(refusal, {error_code::kInternalError, "stored device key is unreadable"});
    device_key = *key;
  }
  std::optional<RefusalReason> why = CheckSignature(envelope, *device_key);
  if (!why) why = CheckFreshness(request.sent_at, now, max_skew_);
  // The sender whose share of the replay cache the message takes: the product
  // instance, or for a registration the token (not yet an instance).
  if (!why) why = CheckNotReplayed(instance != nullptr ? "instance " + instance->id : "token " + request.token,
                                   request.message_id, now);
  if (!why && instance != nullptr) why = CheckCurrentInstance(*instance, request, now);
  if (why) return Refuse(refusal, std::move(*why));
  if (instance != nullptr) cssm_.CertificatePresented(instance->id, request.cert_serial);
  return Dispatch(request, *device_key, instance != nullptr ? instance->id : "", refusal);
}

std::optional<RefusalReason> LicensingService::CheckNotReplayed(const std::string& sender,
                                                                const std::string& message_id, UnixSeconds now) {
  switch (seen_.Remember(sender, message_id, now)) {
    case ReplayCache::Outcome::kNew:
      return std::nullopt;
    case ReplayCache::Outcome::kReplayed:
      return RefusalReason{error_code::kReplayedMessage, "message " + message_id + " was already received"};
    case ReplayCache::Outcome::kFull:
      // Too many fresh messages from this sender to remember them all: refuse rather
      // than forget one early and open a replay window.
      return RefusalReason{error_code::kInternalError,
                           "too many messages from this sender within " + std::to_string(2 * max_skew_) +
                               " s; try again later"};
  }
  return std::nullopt;
}

Response LicensingService::Dispatch(const Request& request, const PublicKey& device_key,
                                    const std::string& instance_id, const Response& refusal) {
  switch (request.type) {
    case MessageType::kRegister: return cssm_.Register(request, device_key);
    case MessageType::kRenewId: return cssm_.RenewIdCertificate(request, instance_id);
    case MessageType::kAuthorize: return cssm_.Authorize(request, instance_id);
    case MessageType::kReportUsage: return cssm_.ReportUsage(request, instance_id);
    case MessageType::kDeregister: return cssm_.Deregister(request, instance_id);
    case MessageType::kUnknown: break;
  }
  return Refuse(refusal, {error_code::kMalformedRequest, "unknown message type"});
}

}  // namespace sl::mock
