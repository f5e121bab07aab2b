// Fuzzes the mock CSSM's seed file (mock_cssm/seed.h), loaded into a fresh Cssm each
// run. Property: ApplySeed never crashes, and whatever it accepted the admin views list.
#include "fuzz/fuzz_support.h"
#include "mock_cssm/seed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sl::SimulatedTimeSource* clock = new sl::SimulatedTimeSource(sl::fuzz::kNow);
  sl::mock::Cssm cssm(*clock, sl::fuzz::CssmKey(), sl::fuzz::CssmCertificate());
  if (!sl::mock::ApplySeed(cssm, sl::fuzz::AsText(data, size)).ok()) return 0;
  for (const auto& [name, account] : cssm.accounts()) {
    for (const auto& [va, unused] : account.virtual_accounts) {
      sl::fuzz::Check(cssm.Licenses(name, va).ok(), "a seeded virtual account lists its licenses", va);
    }
  }
  return 0;
}
