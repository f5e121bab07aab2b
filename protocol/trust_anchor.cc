#include "protocol/trust_anchor.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "base/iso8601.h"

namespace sl {

namespace {

bool HasP256Key(const Certificate& cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {0};
  size_t length = 0;
  return EVP_PKEY_get_group_name(key, group, sizeof(group), &length) == 1 && std::string(group) == "prime256v1";
}

}  // namespace

Status CheckTrustAnchor(const Certificate& cert, UnixSeconds now) {
  const std::string name = "'" + cert.SubjectCommonName() + "'";
  const std::string expected = ": the trust anchor is the CSSM signing certificate, not a TLS certificate";
  // X509_check_ca also reads the extensions, which X509_get_extension_flags needs first.
  if (X509_check_ca(cert.get()) != 1) return InvalidArgument(name + " is not a CA certificate" + expected);
  uint32_t usage = X509_get_key_usage(cert.get());  // all bits when the extension is absent
  if ((usage & KU_DIGITAL_SIGNATURE) == 0 || (usage & KU_KEY_CERT_SIGN) == 0) {
    return InvalidArgument(name + " may not sign messages and certificates (keyUsage)" + expected);
  }
  if (!HasP256Key(cert)) {
    return InvalidArgument(name + " does not have an EC P-256 key, the only key CSSM signs with" + expected);
  }
  if (now < cert.NotBefore()) {
    return InvalidArgument(name + " is not valid before " + FormatIso8601(cert.NotBefore()) +
                           " (check the system clock)");
  }
  if (now > cert.NotAfter()) {
    return InvalidArgument(name + " expired on " + FormatIso8601(cert.NotAfter()) +
                           ": get the current CSSM signing certificate (or check the system clock)");
  }
  return Status::Ok();
}

}  // namespace sl
