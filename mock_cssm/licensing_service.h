// The licensing endpoint's logic, below HTTP: takes a request envelope, checks it
// (well-formed, fresh, not replayed, signed by the device key the server holds),
// runs the operation on the Cssm and returns the signed response envelope with the
// HTTP status to send. A request that names no known sender (an unknown product
// instance, a registration with a token this CSSM did not issue) is refused before
// any signature is checked, and only messages that passed their signature check are
// remembered (per sender, docs/mock-cssm.md "Limits").
//
// Thread-safety: Handle() may be called from many server threads; one mutex guards
// the Cssm and the replay cache, and signing happens outside it.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "mock_cssm/cssm.h"
#include "mock_cssm/replay_cache.h"
#include "protocol/crypto.h"
#include "protocol/envelope.h"

namespace sl::mock {

// Why a request is refused: a stable error code (error_code::...) and the
// operator's sentence.
struct RefusalReason {
  const char* code;
  std::string message;
};

struct LicensingReply {
  int http_status = 200;
  std::string body;  // a signed envelope
};

class LicensingService {
 public:
  // `cssm` is shared with the admin API; every use of it takes mutex().
  LicensingService(Cssm& cssm, std::mutex& mutex, PrivateKey signing_key, int64_t max_clock_skew_seconds);

  LicensingReply Handle(std::string_view request_envelope);
  // A signed refusal for a request the HTTP layer rejected before reading it.
  LicensingReply Refusal(const char* code, const std::string& message);
  // Signs `response` (the fault injector uses it, then spoils the signature).
  LicensingReply Seal(const Response& response);

  // The HTTP status each refusal code travels with.
  static int HttpStatusFor(const std::string& code);

 private:
  // Reads the envelope and the request (outside the lock), then Admit()s it.
  Response Process(std::string_view request_envelope);
  // A registration's token, when this CSSM did not issue it: refused before the CSR
  // is parsed or the signature checked. Takes the mutex.
  std::optional<RefusalReason> CheckTokenIssued(const Request& request);
  // The checks that need the domain, in the order a peer hears of them: whose key
  // signed it, freshness, replay, then the product instance's current certificate
  // and registration; then the operation. `device_key` is the CSR's key for a
  // registration, nullopt otherwise (the product instance's key is used).
  // `refusal` is the reply to refuse with. REQUIRES: mutex held.
  Response Admit(const SignedMessage& envelope, const Request& request, std::optional<PublicKey> device_key,
                 const Response& refusal);
  // Runs the operation on the Cssm. REQUIRES: mutex held, the request admitted.
  Response Dispatch(const Request& request, const PublicKey& device_key, const std::string& instance_id,
                    const Response& refusal);
  // Remembers the message of `sender` (whose signature has been checked); refuses a
  // replay, or any message when the sender's share of the cache is full.
  // REQUIRES: mutex held.
  std::optional<RefusalReason> CheckNotReplayed(const std::string& sender, const std::string& message_id,
                                                UnixSeconds now);

  Cssm& cssm_;
  std::mutex& mutex_;
  PrivateKey signing_key_;
  const int64_t max_skew_;
  ReplayCache seen_;  // guarded by mutex_
};

}  // namespace sl::mock
