// Loads a seed file into a Cssm: the accounts, virtual accounts, license pools and
// tokens a demo or an integration test starts from. Format (docs/mock-cssm.md):
//
//   {"accounts": [{"name": "Acme", "export_controlled_allowed": true,
//     "virtual_accounts": [{"name": "Video", "export_controlled_allowed": true,
//       "licenses": {"expressway_rms": 100},
//       "tokens": [{"token": "DEMO-TOKEN-0001", "export_controlled": true,
//                   "expires_in_days": 30, "max_uses": 10}]}]}]}
//
// Thread-safety: call before the server starts, or with the server's mutex held.
#pragma once

#include <string_view>

#include "mock_cssm/cssm.h"

namespace sl::mock {

constexpr size_t kMaxSeedBytes = 1024 * 1024;

// Applies the whole seed or, on the first error, stops and names the bad field.
Status ApplySeed(Cssm& cssm, std::string_view json);

}  // namespace sl::mock
