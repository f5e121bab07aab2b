// The JSON forms of the objects a test engineer creates, shared by the admin API
// (admin_accounts.cc) and the seed file (seed.cc), so that both read the same fields
// with the same defaults and bounds.
// Thread-safety: pure functions over the reader or writer they are given.
#pragma once

#include <string>

#include "base/json.h"
#include "mock_cssm/cssm.h"

namespace sl::mock {

// A smart account or a virtual account: {"name": ..., "export_controlled_allowed": ...}.
struct AccountFields {
  std::string name;
  bool export_controlled_allowed = true;  // absent: allowed
};

// Reads "name" (required, at most 128 characters) and "export_controlled_allowed".
AccountFields ReadAccountFields(JsonReader& r);
// Writes the two fields into the object `w` has open.
void WriteAccountFields(JsonWriter& w, const std::string& name, bool export_controlled_allowed);

// Reads a token's terms into `spec`: "export_controlled" (default false),
// "expires_in_days" (1-365, default 30) and "max_uses" (1-1000000, default 1).
void ReadTokenTerms(JsonReader& r, TokenSpec& spec);

}  // namespace sl::mock
