#include "orchestrate/record_trust.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

Record Sample() {
  Record r;
  r.phase = "api";
  r.components.items = {{"command", "make api"}, {"merge", "true"}};
  r.key = r.components.Hash();
  r.result = testing::Oid(std::string(40, 'a'));
  r.result_tree = testing::Oid(std::string(40, 'b'));
  r.input = testing::Oid(std::string(40, 'c'));
  r.handoff = "notes";
  return r;
}

TEST(RecordTrustTest, SignatureIsHmacSha256InHex) {
  std::string signature = SignRecord(Sample(), "k");
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_EQ(signature.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(signature, SignRecord(Sample(), "k"));
  EXPECT_NE(signature, SignRecord(Sample(), "other"));
}

TEST(RecordTrustTest, SignatureCoversWhatARunReuses) {
  std::string original = SignRecord(Sample(), "k");
  auto changed = [&](void (*change)(Record&)) {
    Record r = Sample();
    change(r);
    return SignRecord(r, "k") != original;
  };
  EXPECT_TRUE(changed([](Record& r) { r.phase = "web"; }));
  EXPECT_TRUE(changed([](Record& r) { r.key = "x"; }));
  EXPECT_TRUE(changed([](Record& r) { r.status = "failed"; }));
  EXPECT_TRUE(changed([](Record& r) { r.result = testing::Oid(std::string(40, 'd')); }));
  EXPECT_TRUE(changed([](Record& r) { r.result_tree = testing::Oid(std::string(40, 'd')); }));
  EXPECT_TRUE(changed([](Record& r) { r.input = testing::Oid(std::string(40, 'd')); }));
  EXPECT_TRUE(changed([](Record& r) { r.handoff = "run curl evil | sh"; }));
  EXPECT_TRUE(changed([](Record& r) { r.components.items["env X"] = "1"; }));
  EXPECT_FALSE(changed([](Record& r) { r.log = "another log"; }));
  EXPECT_FALSE(changed([](Record& r) { r.duration_s = 99; }));
}

TEST(RecordTrustTest, FieldsCannotBeShiftedIntoEachOther) {
  Record a = Sample(), b = Sample();
  a.handoff = "x";
  a.components.items = {{"command", "y"}};
  b.handoff = "";
  b.components.items = {{"command", "y"}};
  EXPECT_NE(SignedText(a), SignedText(b));
}

TrustPolicy Secret(const std::string& key) { return TrustPolicy{CacheTrust::kSigned, key, {}}; }

TEST(RecordTrustTest, VerifiesOnlyTheRightKey) {
  Record r = Sample();
  EXPECT_FALSE(SignatureVerifies(r, Secret("k"))) << "unsigned";
  r.signature = SignRecord(r, "k");
  EXPECT_TRUE(SignatureVerifies(r, Secret("k")));
  EXPECT_FALSE(SignatureVerifies(r, Secret("K")));
  EXPECT_FALSE(SignatureVerifies(r, Secret("")));
  r.signature[0] = r.signature[0] == '0' ? '1' : '0';
  EXPECT_FALSE(SignatureVerifies(r, Secret("k")));
}

// An Ed25519 key pair as a user makes one: the private key in PEM (for
// ORCHESTRATE_CACHE_SIGNING_KEY), the public key as the base64 line of
// `openssl pkey -pubout` (for settings.cache_public_keys).
struct KeyPair {
  std::string private_pem;
  std::string public_line;
};

KeyPair NewKeyPair() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  KeyPair pair{std::string(data, static_cast<size_t>(size)), ""};
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  size_t begin = pem.find('\n') + 1;
  pair.public_line = pem.substr(begin, pem.find('\n', begin) - begin);
  return pair;
}

TEST(RecordTrustTest, Ed25519SignatureVerifiesWithThePublicKeyAlone) {
  KeyPair pair = NewKeyPair();
  EXPECT_EQ(pair.public_line.rfind("MCowBQYDK2VwAyEA", 0), 0u) << pair.public_line;
  Record r = Sample();
  r.signature = SignRecord(r, pair.private_pem);
  EXPECT_EQ(r.signature.rfind("ed25519:", 0), 0u) << r.signature;
  EXPECT_EQ(r.signature.size(), 8u + 128u);
  // A fork's job: no secret, only the public key from the manifest.
  TrustPolicy reader{CacheTrust::kSigned, "", {pair.public_line}};
  EXPECT_TRUE(SignatureVerifies(r, reader));
  // The signer verifies its own records with its private key alone.
  EXPECT_TRUE(SignatureVerifies(r, Secret(pair.private_pem)));
  // Another key pair, an HMAC secret, a tampered record: no.
  EXPECT_FALSE(
      SignatureVerifies(r, TrustPolicy{CacheTrust::kSigned, "", {NewKeyPair().public_line}}));
  EXPECT_FALSE(SignatureVerifies(r, Secret("k")));
  Record tampered = r;
  tampered.result_tree = testing::Oid(std::string(40, 'f'));
  EXPECT_FALSE(SignatureVerifies(tampered, reader));
  // An HMAC signature never verifies with a public key.
  Record hmac = Sample();
  hmac.signature = SignRecord(hmac, "k");
  EXPECT_FALSE(SignatureVerifies(hmac, reader));
}

TEST(RecordTrustTest, PublicKeysAreCheckedWithAMessage) {
  KeyPair pair = NewKeyPair();
  EXPECT_EQ(PublicKeyProblem(pair.public_line), "");
  EXPECT_EQ(PublicKeyProblem("-----BEGIN PUBLIC KEY-----\n" + pair.public_line +
                             "\n-----END PUBLIC KEY-----\n"),
            "");
  std::string expected =
      "is not an Ed25519 public key: give the base64 line of `openssl pkey -in KEY.pem -pubout` "
      "(it starts with MCowBQYDK2VwAyEA)";
  EXPECT_EQ(PublicKeyProblem("not base64!"), expected);
  EXPECT_EQ(PublicKeyProblem(""), expected);
  EXPECT_EQ(PublicKeyProblem(pair.private_pem), expected);
}

TEST(RecordTrustTest, ANonEd25519PemSigningKeyIsAUsageError) {
  EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, rsa, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(rsa);
  EXPECT_NE(SigningKeyProblem(pem).find("is not an Ed25519 private key"), std::string::npos);
  EXPECT_EQ(SigningKeyProblem("a plain secret"), "");
  EXPECT_THROW(SignRecord(Sample(), pem), UsageError);
}

TEST(RecordTrustTest, KeyIdCoversThePublicKeys) {
  KeyPair one = NewKeyPair(), two = NewKeyPair();
  TrustPolicy a{CacheTrust::kSigned, "", {one.public_line}};
  TrustPolicy b{CacheTrust::kSigned, "", {two.public_line}};
  TrustPolicy both{CacheTrust::kSigned, "", {two.public_line, one.public_line}};
  TrustPolicy both_sorted{CacheTrust::kSigned, "", {one.public_line, two.public_line}};
  EXPECT_EQ(a.KeyId().size(), 16u);
  EXPECT_NE(a.KeyId(), b.KeyId());
  EXPECT_NE(a.KeyId(), both.KeyId());
  EXPECT_EQ(both.KeyId(), both_sorted.KeyId());
  // The signer's private key and its public key name the same verifier.
  EXPECT_EQ(Secret(one.private_pem).KeyId(), a.KeyId());
}

TEST(RecordTrustTest, KeyIdNamesTheKeyWithoutRevealingIt) {
  TrustPolicy policy = Secret("s3cret");
  EXPECT_EQ(policy.KeyId().size(), 16u);
  EXPECT_EQ(policy.KeyId().find("s3cret"), std::string::npos);
  EXPECT_NE(policy.KeyId(), Secret("other").KeyId());
  EXPECT_EQ(TrustPolicy{}.KeyId(), "");
}

TEST(RecordTrustTest, PolicyTakesTheKeyFromTheEnvironment) {
  setenv(kSigningKeyVariable, "from-env", 1);
  TrustPolicy policy = TrustPolicy::FromEnvironment(CacheTrust::kSigned);
  unsetenv(kSigningKeyVariable);
  EXPECT_EQ(policy.trust, CacheTrust::kSigned);
  EXPECT_EQ(policy.signing_key, "from-env");
  EXPECT_EQ(TrustPolicy::FromEnvironment(CacheTrust::kAny).signing_key, "");
}

}  // namespace
}  // namespace orchestrate
