// The static build resolves libgit2's GSSAPI symbols in
// src/gssapi_loader.cc, which loads libgssapi_krb5 on first use: its
// constant must be the library's, and its calls must reach the library.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace {

struct Oid {
  uint32_t length;
  void* elements;
};
struct OidSet {
  size_t count;
  Oid* elements;
};

}  // namespace

extern "C" {
extern Oid* GSS_C_NT_HOSTBASED_SERVICE;
uint32_t gss_indicate_mechs(uint32_t* minor, OidSet** mech_set);
uint32_t gss_release_oid_set(uint32_t* minor, OidSet** set);
}

namespace orchestrate {
namespace {

void* RealLibrary() { return dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL); }

std::string Bytes(const Oid& oid) {
  return std::string(static_cast<const char*>(oid.elements), oid.length);
}

TEST(GssapiLoaderTest, TheHostBasedServiceNameTypeIsTheLibrarys) {
  void* library = RealLibrary();
  if (!library) GTEST_SKIP() << "libgssapi_krb5.so.2 is not installed";
  auto* real = static_cast<Oid**>(dlsym(library, "GSS_C_NT_HOSTBASED_SERVICE"));
  ASSERT_NE(real, nullptr);
  EXPECT_NE(*real, GSS_C_NT_HOSTBASED_SERVICE);  // ours, not the library's
  EXPECT_EQ(Bytes(*GSS_C_NT_HOSTBASED_SERVICE), Bytes(**real));
}

TEST(GssapiLoaderTest, CallsReachTheLibraryLoadedOnFirstUse) {
  if (!RealLibrary()) GTEST_SKIP() << "libgssapi_krb5.so.2 is not installed";
  uint32_t minor = 99;
  OidSet* mechs = nullptr;
  ASSERT_EQ(gss_indicate_mechs(&minor, &mechs), 0u);
  ASSERT_NE(mechs, nullptr);
  // The library knows Kerberos 5 (1.2.840.113554.1.2.2), whose mechanism
  // libgit2 asks for.
  const std::string krb5("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02", 9);
  bool found = false;
  for (size_t i = 0; i < mechs->count; ++i) found |= Bytes(mechs->elements[i]) == krb5;
  EXPECT_TRUE(found);
  EXPECT_EQ(gss_release_oid_set(&minor, &mechs), 0u);
  EXPECT_EQ(mechs, nullptr);
}

}  // namespace
}  // namespace orchestrate
