// The CA bundle libgit2 parses in git_libgit2_init is deferred to the first
// remote connection (src/git_certificates.cc). These tests link like the
// program: libgit2 static, its mbedtls_x509_crt_parse_file calls wrapped.
#include <gtest/gtest.h>
#include <mbedtls/x509_crt.h>
#include <sys/stat.h>

#include "orchestrate/git.h"

namespace orchestrate {
namespace {

// Where Debian's libgit2 1.5.1 looks for the system CA bundle.
constexpr const char* kDebianBundle = "/etc/ssl/certs/ca-certificates.crt";

bool IsFile(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

TEST(GitCertificatesTest, InitNotesTheBundleAndTheFirstRemoteUseParsesIt) {
  if (!IsFile(kDebianBundle)) GTEST_SKIP() << "no CA bundle at " << kDebianBundle;
  InitGit();
  // Another test may already have connected to a remote in this process.
  std::string pending = DeferredCertificateBundle();
  if (pending.empty()) GTEST_SKIP() << "the bundle was already loaded in this process";
  EXPECT_EQ(pending, kDebianBundle);
  EXPECT_EQ(LoadDeferredCertificates(), 0);  // the real mbedTLS parsed every certificate
  EXPECT_EQ(DeferredCertificateBundle(), "");
  EXPECT_EQ(LoadDeferredCertificates(), 0);  // nothing pending any more
}

TEST(GitCertificatesTest, OutsideInitCallsGoToMbedTls) {
  InitGit();
  // This call is wrapped too. mbedTLS reports a missing file as
  // MBEDTLS_ERR_PK_FILE_IO_ERROR; a deferred call would have returned 0.
  mbedtls_x509_crt chain{};
  EXPECT_NE(mbedtls_x509_crt_parse_file(&chain, "/nonexistent/bundle.crt"), 0);
}

}  // namespace
}  // namespace orchestrate
