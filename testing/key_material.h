// Looks for private key material in files, for the tests that a device key held by a
// TPM leaves none on disk: a PKCS#8 or SEC1 PEM header, or any "PRIVATE KEY" PEM block
// that OpenSSL loads without a provider (a TPM's wrapped key does not load).
// Thread-safety: free functions.
#pragma once

#include <string>
#include <vector>

namespace sl::test {

// The files under `dirs` (recursively) holding private key material, each with what
// was found in it; empty when there is none.
std::vector<std::string> FilesWithPrivateKeys(const std::vector<std::string>& dirs);

// Whether OpenSSL, with its default provider only, loads a private key from `pem`.
bool LoadsWithoutProvider(const std::string& pem);

}  // namespace sl::test
