#include "protocol/crypto.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/secrets.h"
#include "protocol/envelope.h"
#include "testing/test_util.h"

namespace sl {
namespace {

TEST(CryptoTest, SignatureVerifiesWithTheSigningKeyOnly) {
  PrivateKey key = PrivateKey::Generate().value();
  PrivateKey other = PrivateKey::Generate().value();
  std::string sig = key.Sign("hello").value();
  EXPECT_TRUE(key.Public().Verify("hello", sig).ok());
  EXPECT_EQ(key.Public().Verify("hellO", sig).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(other.Public().Verify("hello", sig).code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(key.Public().Verify("hello", "garbage").ok());
}

TEST(CryptoTest, KeysRoundTripThroughPem) {
  PrivateKey key = PrivateKey::Generate().value();
  PrivateKey again = PrivateKey::FromPem(key.ToPem()).value();
  PublicKey pub = PublicKey::FromPem(key.Public().ToPem()).value();
  EXPECT_TRUE(pub.SameKeyAs(again.Public()));
  EXPECT_EQ(key.Public().ToPem().find("PRIVATE"), std::string::npos);
  EXPECT_TRUE(pub.Verify("x", again.Sign("x").value()).ok());
}

TEST(CryptoTest, BadPemIsRejectedWithoutQuotingIt) {
  Result<PrivateKey> k = PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().message().find("c2VjcmV0"), std::string::npos);
  EXPECT_FALSE(PublicKey::FromPem("nope").ok());
  EXPECT_FALSE(Certificate::FromPem("nope").ok());
  EXPECT_FALSE(ParseCertificateRequest("nope").ok());
}

TEST(CryptoTest, CsrCarriesKeyAndNameAndProvesPossession) {
  PrivateKey key = PrivateKey::Generate().value();
  std::string csr = MakeCertificateRequest(key, "EXPWY-VE-L:SN1").value();
  CertificateRequest parsed = ParseCertificateRequest(csr).value();
  EXPECT_EQ(parsed.common_name, "EXPWY-VE-L:SN1");
  EXPECT_TRUE(parsed.key.SameKeyAs(key.Public()));
}

TEST(CryptoTest, TamperedCsrIsRejected) {
  PrivateKey key = PrivateKey::Generate().value();
  std::string csr = MakeCertificateRequest(key, "device").value();
  // Flip one character inside the Base64 body (past the header line).
  size_t pos = csr.find('\n') + 40;
  csr[pos] = csr[pos] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(ParseCertificateRequest(csr).ok());
}

// A Signer that is not a PrivateKey (as a TPM's key is not, to OpenSSL's X509_REQ_sign):
// it signs with `key`, or with `impostor` for the public key of `key`.
class OtherSigner final : public Signer {
 public:
  OtherSigner(PrivateKey key, PrivateKey impostor) : key_(std::move(key)), impostor_(std::move(impostor)) {}
  PublicKey Public() const override { return key_.Public(); }
  Result<std::string> Sign(std::string_view data) const override { return impostor_.Sign(data); }

 private:
  PrivateKey key_;
  PrivateKey impostor_;
};

TEST(CryptoTest, ACertificateRequestIsSignedThroughAnySigner) {
  PrivateKey key = PrivateKey::Generate().value();
  Result<std::string> csr = MakeCertificateRequest(OtherSigner(key, key), "PID:EXPWY-VE-L SN:1");
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  Result<CertificateRequest> parsed = ParseCertificateRequest(*csr);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->key.SameKeyAs(key.Public()));
  EXPECT_EQ(parsed->common_name, "PID:EXPWY-VE-L SN:1");

  // The self-signature is checked: a signer that signs with another key is caught.
  Result<std::string> forged = MakeCertificateRequest(OtherSigner(key, PrivateKey::Generate().value()), "x");
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(ParseCertificateRequest(*forged).status().code(), StatusCode::kUnauthenticated);
}

TEST(CryptoTest, IssuedCertificateHasRequestedFieldsAndVerifies) {
  PrivateKey ca_key = PrivateKey::FromPem(test::ReadPki("cssm-signing.key")).value();
  Certificate ca = Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value();
  PrivateKey device = PrivateKey::Generate().value();
  const UnixSeconds start = 1795851683;
  Certificate cert =
      IssueCertificate(ca_key, ca, device.Public(), "instance-1", start, start + 365 * kDay).value();
  EXPECT_EQ(cert.SubjectCommonName(), "instance-1");
  EXPECT_EQ(cert.NotBefore(), start);
  EXPECT_EQ(cert.NotAfter(), start + 365 * kDay);
  EXPECT_EQ(cert.SerialHex().size(), 32u);
  EXPECT_TRUE(cert.Key().SameKeyAs(device.Public()));
  EXPECT_TRUE(cert.VerifyIssuedBy(ca).ok());
  Certificate again = Certificate::FromPem(cert.ToPem()).value();
  EXPECT_EQ(again.SerialHex(), cert.SerialHex());
}

TEST(CryptoTest, CertificateFromAnotherIssuerDoesNotVerify) {
  PrivateKey ca_key = PrivateKey::FromPem(test::ReadPki("cssm-signing.key")).value();
  Certificate ca = Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value();
  Certificate other_ca = Certificate::FromPem(test::ReadPki("other-ca.crt")).value();
  PrivateKey device = PrivateKey::Generate().value();
  Certificate cert = IssueCertificate(ca_key, ca, device.Public(), "x", 0, kDay).value();
  EXPECT_EQ(cert.VerifyIssuedBy(other_ca).code(), StatusCode::kUnauthenticated);
  // Same issuer name, wrong key: a forged certificate.
  PrivateKey forger = PrivateKey::Generate().value();
  Certificate forged = IssueCertificate(forger, ca, device.Public(), "x", 0, kDay).value();
  EXPECT_EQ(forged.VerifyIssuedBy(ca).code(), StatusCode::kUnauthenticated);
}

TEST(CryptoTest, SerialNumbersAreUnique) {
  PrivateKey ca_key = PrivateKey::FromPem(test::ReadPki("cssm-signing.key")).value();
  Certificate ca = Certificate::FromPem(test::ReadPki("cssm-signing.crt")).value();
  PrivateKey device = PrivateKey::Generate().value();
  EXPECT_NE(IssueCertificate(ca_key, ca, device.Public(), "x", 0, kDay)->SerialHex(),
            IssueCertificate(ca_key, ca, device.Public(), "x", 0, kDay)->SerialHex());
}

TEST(EncodingTest, Base64RoundTripsAndIsStrict) {
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)).value(), s);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(Base64Decode("aGVsbG8").ok());
  EXPECT_FALSE(Base64Decode("aGVs bG8=").ok());
  EXPECT_FALSE(Base64Decode("aGVs*G8=").ok());
  for (const char* misplaced_padding : {"====", "=AAA", "AB=C", "A=AA"}) {
    EXPECT_FALSE(Base64Decode(misplaced_padding).ok()) << misplaced_padding;
  }
}

TEST(EncodingTest, RandomHexHasTheRightLengthAndVaries) {
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(EncodingTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
}

TEST(EnvelopeTest, SealedMessageOpensAndVerifies) {
  PrivateKey key = PrivateKey::Generate().value();
  std::string text = SealMessage(R"({"x":1})", key).value();
  SignedMessage m = OpenEnvelope(text).value();
  EXPECT_EQ(m.body, R"({"x":1})");
  EXPECT_TRUE(VerifyMessage(m, key.Public()).ok());
}

TEST(EnvelopeTest, AlteredBodyOrForeignKeyFailsVerification) {
  PrivateKey key = PrivateKey::Generate().value();
  SignedMessage m = OpenEnvelope(SealMessage(R"({"count":1})", key).value()).value();
  SignedMessage altered = m;
  altered.body = R"({"count":9})";
  EXPECT_EQ(VerifyMessage(altered, key.Public()).code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(VerifyMessage(m, PrivateKey::Generate()->Public()).ok());
}

TEST(EnvelopeTest, MalformedEnvelopesAreRejectedWithReason) {
  EXPECT_EQ(OpenEnvelope("not json").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenEnvelope(R"({"body":"x"})").status().message(),
            "field 'envelope.signature' is missing");
  EXPECT_EQ(OpenEnvelope(R"({"body":1,"signature":"AA=="})").status().message(),
            "field 'envelope.body' must be a string");
  EXPECT_FALSE(OpenEnvelope(R"({"body":"x","signature":"@@"})").ok());
  EXPECT_EQ(OpenEnvelope(std::string(kMaxEnvelopeBytes + 1, ' ')).status().code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace sl
