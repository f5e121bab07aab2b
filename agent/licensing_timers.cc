#include "agent/licensing_timers.h"

#include "protocol/crypto.h"

namespace sl {

int64_t CommunicationJitter(const Udi& udi, uint64_t sequence) {
  std::string digest =
      Sha256(udi.product_id + "\n" + udi.serial_number + "\n" + std::to_string(sequence));
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | static_cast<unsigned char>(digest[i]);
  return static_cast<int64_t>(n % static_cast<uint64_t>(kMaxJitter));
}

}  // namespace sl
