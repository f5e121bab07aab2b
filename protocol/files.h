// Reading small files whole, with a size cap, the one way every module does it.
// (Durable writes are agent/state_store.h's WriteFileAtomically.)
// Thread-safety: free functions.
#pragma once

#include <string>

#include "protocol/status.h"

namespace sl {

// The whole file, at most `max_bytes`. NotFound when it does not exist;
// PermissionDenied when it cannot be read (the message names the file and why);
// ResourceExhausted when it is larger than `max_bytes`.
Result<std::string> ReadFileCapped(const std::string& path, size_t max_bytes);

}  // namespace sl
