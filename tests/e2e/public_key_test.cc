// Ed25519-signed records (docs/security.md, "Public-key signing"): CI on the
// default branch signs with a private key; every other job -- a pull request
// from a fork included -- verifies with the public key in the manifest and
// reuses the records, without holding any secret.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

struct KeyPair {
  std::string private_pem;
  std::string public_line;  ///< the base64 line of `openssl pkey -pubout`
};

std::string MemoryText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<size_t>(size));
  BIO_free(bio);
  return text;
}

KeyPair NewKeyPair() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  KeyPair pair{MemoryText(bio), ""};
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  std::string pem = MemoryText(bio);
  EVP_PKEY_free(key);
  size_t begin = pem.find('\n') + 1;
  pair.public_line = pem.substr(begin, pem.find('\n', begin) - begin);
  return pair;
}

std::string Manifest(const std::string& public_key) {
  return "version = 1\n[settings]\ncache_trust = \"signed\"\ncache_public_keys = [\"" + public_key +
         "\"]\n[phase.build]\nrun = \"echo built > out.txt\"\n";
}

std::string Trim(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

class PublicKeyTest : public ::testing::Test {
 protected:
  // The default branch's CI: runs with the private key, pushes main and the records.
  void SignAndPublish(const KeyPair& signer) {
    WriteFile(s_.dir(), "signing.pem", signer.private_pem);
    ShellResult r = s_.Run("run", SigningEnv());
    ASSERT_EQ(r.status, 0) << r.out;
    MustShell(
        "git init -q --bare ../remote.git && git remote add origin ../remote.git && "
        "git push -q origin main && git push -q origin "
        "'refs/orchestrate/cache/*:refs/orchestrate/cache/*'",
        s_.repo());
  }
  std::string SigningEnv() const {
    return "ORCHESTRATE_CACHE_SIGNING_KEY=\"$(cat " + s_.dir() + "/signing.pem)\" ";
  }
  // A pull request's job: a clone, the cache pulled, no secret at all.
  std::string Fork() {
    MustShell("git clone -q -b main remote.git fork", s_.dir());
    std::string fork = s_.dir() + "/fork";
    EXPECT_EQ(Orchestrate("cache pull", fork).status, 0);
    return fork;
  }

  KeyPair team_ = NewKeyPair();
  Scenario s_{Manifest(team_.public_line)};
};

TEST_F(PublicKeyTest, AJobWithoutASecretReusesRecordsSignedByTheTeamKey) {
  SignAndPublish(team_);
  std::string ref =
      Trim(MustShell("git for-each-ref --format='%(refname)' refs/orchestrate/cache/", s_.repo()));
  nlohmann::json record = nlohmann::json::parse(s_.Show(ref + ":record.json"));
  EXPECT_EQ(std::string(record["signature"]).rfind("ed25519:", 0), 0u) << record.dump();
  std::string fork = Fork();
  ShellResult r = Orchestrate("run", fork);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 fresh"), std::string::npos) << r.out;
  EXPECT_EQ(CountLines(r.out, "warning"), 0) << r.out;
}

TEST_F(PublicKeyTest, ARecordSignedWithAnotherKeyIsIgnored) {
  SignAndPublish(NewKeyPair());  // an attacker's own key pair: a valid signature, untrusted
  std::string fork = Fork();
  ShellResult r = Orchestrate("run", fork);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find(": its Ed25519 signature does not verify with settings.cache_public_keys"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 succeeded"), std::string::npos) << r.out;
}

TEST_F(PublicKeyTest, AMalformedPublicKeyIsAManifestError) {
  s_.SetManifest(Manifest("not-a-key"));
  ShellResult r = s_.Run("validate");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("orchestrate.toml:4:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("this 'cache_public_keys' entry is not an Ed25519 public key: give the "
                       "base64 line of `openssl pkey -in KEY.pem -pubout`"),
            std::string::npos)
      << r.out;
}

TEST_F(PublicKeyTest, APemSigningKeyThatIsNotEd25519IsRefused) {
  EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, rsa, nullptr, nullptr, 0, nullptr, nullptr);
  EVP_PKEY_free(rsa);
  WriteFile(s_.dir(), "signing.pem", MemoryText(bio));
  ShellResult r = s_.Run("run", SigningEnv());
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("ORCHESTRATE_CACHE_SIGNING_KEY holds a PEM key that is not an Ed25519 "
                       "private key"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
