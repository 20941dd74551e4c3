// libgit2's start-up, and the system's CA bundle.
//
// Debian's libgit2 1.5.1 does HTTPS through mbedTLS, and git_libgit2_init()
// parses the whole CA bundle (/etc/ssl/certs/ca-certificates.crt, ~140
// certificates) at once: 53 M instructions, about 5 ms, which a command
// that never connects to a remote (every one but `cache push/pull`) pays
// for nothing (docs/performance.md).
//
// In the static build (ORCHESTRATE_DEFER_CA_BUNDLE, set by CMakeLists.txt
// with ORCHESTRATE_STATIC_GIT), libgit2's calls to
// mbedtls_x509_crt_parse_file come here instead: the link wraps the symbol
// (-Wl,--wrap), which reaches libgit2's calls because libgit2 is linked
// into the program. While InitGit() runs, this notes which chain and file
// libgit2 asked for and returns success; LoadDeferredCertificates() parses
// that file into that same chain through the real function before the
// first connection to a remote. At any other time calls go straight through.
//
// A shared libgit2 calls mbedTLS inside its own library, out of the link's
// reach: there the bundle is parsed in InitGit(), as libgit2 does it.
#include <git2.h>
#include <openssl/crypto.h>

#include <mutex>
#include <string>

#include "orchestrate/git.h"

namespace orchestrate {
namespace {

// libgit2's SSH transport starts OpenSSL, which then loads the text of every
// OpenSSL error (a third of a 20-phase no-op's start-up instructions). No
// OpenSSL error text is ever shown: libssh2 and orchestrate say their own.
void StartLibgit2() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, nullptr);
  git_libgit2_init();
}

}  // namespace
}  // namespace orchestrate

#if ORCHESTRATE_DEFER_CA_BUNDLE

#include <mbedtls/x509_crt.h>

extern "C" int __real_mbedtls_x509_crt_parse_file(mbedtls_x509_crt* chain, const char* path);

namespace orchestrate {
namespace {

struct DeferredBundle {
  std::mutex mutex;
  bool deferring = false;             ///< true only inside git_libgit2_init
  mbedtls_x509_crt* chain = nullptr;  ///< libgit2's chain, owned by libgit2
  std::string path;
};

DeferredBundle& Deferred() {
  static DeferredBundle deferred;
  return deferred;
}

}  // namespace

void InitGit() {
  static std::once_flag once;
  std::call_once(once, [] {
    Deferred().deferring = true;
    StartLibgit2();
    Deferred().deferring = false;
  });
}

std::string DeferredCertificateBundle() {
  std::lock_guard<std::mutex> lock(Deferred().mutex);
  return Deferred().path;
}

int LoadDeferredCertificates() {
  DeferredBundle& d = Deferred();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (!d.chain) return 0;
  int rc = __real_mbedtls_x509_crt_parse_file(d.chain, d.path.c_str());
  d.chain = nullptr;
  d.path.clear();
  return rc;
}

}  // namespace orchestrate

extern "C" int __wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt* chain, const char* path) {
  orchestrate::DeferredBundle& d = orchestrate::Deferred();
  if (d.deferring && chain && path) {
    std::lock_guard<std::mutex> lock(d.mutex);
    d.chain = chain;
    d.path = path;
    return 0;
  }
  return __real_mbedtls_x509_crt_parse_file(chain, path);
}

#else  // a shared libgit2: nothing deferred

namespace orchestrate {

void InitGit() {
  static std::once_flag once;
  std::call_once(once, [] { StartLibgit2(); });
}

std::string DeferredCertificateBundle() { return ""; }

int LoadDeferredCertificates() { return 0; }

}  // namespace orchestrate

#endif
