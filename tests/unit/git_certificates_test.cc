// The CA bundle libgit2 parses in git_libgit2_init is deferred to the first
// remote connection in the static build (src/git_certificates.cc), and
// parsed by libgit2 itself in the shared build. What InitGit() does happens
// once per process, so each check runs in a fresh process of its own (a
// death test in the "threadsafe" style re-executes this binary): the
// answer does not depend on which tests ran before in this one.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "orchestrate/git.h"

#if ORCHESTRATE_DEFER_CA_BUNDLE
#include <mbedtls/x509_crt.h>
#endif

namespace orchestrate {
namespace {

// Where Debian's libgit2 1.5.1 looks for the system CA bundle.
constexpr const char* kDebianBundle = "/etc/ssl/certs/ca-certificates.crt";

bool IsFile(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

// Runs `check` in a new process started from scratch; it exits with 0 when
// it is satisfied, or prints what was wrong and exits with 1.
template <typename Check>
void InFreshProcess(Check check) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(check()), ::testing::ExitedWithCode(0), "");
}

#if ORCHESTRATE_DEFER_CA_BUNDLE

TEST(GitCertificatesTest, InitNotesTheBundleAndTheFirstRemoteUseParsesIt) {
  if (!IsFile(kDebianBundle)) GTEST_SKIP() << "no CA bundle at " << kDebianBundle;
  InFreshProcess([] {
    InitGit();
    bool ok = DeferredCertificateBundle() == kDebianBundle &&
              LoadDeferredCertificates() == 0 &&  // the real mbedTLS parsed every certificate
              DeferredCertificateBundle().empty() &&
              LoadDeferredCertificates() == 0;  // nothing pending any more
    if (!ok) fprintf(stderr, "pending after init: '%s'\n", DeferredCertificateBundle().c_str());
    return ok ? 0 : 1;
  });
}

TEST(GitCertificatesTest, OutsideInitCallsGoToMbedTls) {
  InitGit();
  // This call is wrapped too. mbedTLS reports a missing file as
  // MBEDTLS_ERR_PK_FILE_IO_ERROR; a deferred call would have returned 0.
  mbedtls_x509_crt chain{};
  EXPECT_NE(mbedtls_x509_crt_parse_file(&chain, "/nonexistent/bundle.crt"), 0);
}

#else

TEST(GitCertificatesTest, ASharedLibgit2LoadsTheBundleItselfAndNothingIsPending) {
  InFreshProcess([] {
    InitGit();
    return DeferredCertificateBundle().empty() && LoadDeferredCertificates() == 0 ? 0 : 1;
  });
}

#endif

}  // namespace
}  // namespace orchestrate
