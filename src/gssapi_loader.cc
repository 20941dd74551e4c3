// GSSAPI, for libgit2's Negotiate (Kerberos) authentication to HTTPS remotes,
// loaded on first use instead of at every start.
//
// Debian ships GSSAPI only as a shared library, and libgssapi_krb5.so.2
// brings six more (libkrb5, libk5crypto, libcom_err, libkrb5support,
// libkeyutils, libresolv). Loading them at start-up costs every command
// about 0.7 ms and 60 page faults (docs/performance.md, "Eleventh round"),
// for an authentication only `cache push/pull` to a Kerberos-protected
// server ever uses.
//
// In the static build (ORCHESTRATE_STATIC_GIT), libgit2's references to the
// nine GSSAPI symbols it uses are resolved here: each function opens the
// library with dlopen() on its first call and calls the real one. When the
// library is missing, libgit2 sees GSS_S_FAILURE and reports that Negotiate
// authentication failed, as it does for any GSSAPI error. The one data
// symbol, GSS_C_NT_HOSTBASED_SERVICE, is the name type RFC 2743 fixes
// (1.2.840.113554.1.2.1.4), defined here with the same bytes.
//
// A shared libgit2 brings its own GSSAPI: this file is not built then.
#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <mutex>

namespace {

// The types of RFC 2744 as they reach these functions: handles are
// pointers, statuses 32-bit unsigned.
using OM_uint32 = uint32_t;
struct gss_OID_desc {
  OM_uint32 length;
  void* elements;
};
using gss_OID = gss_OID_desc*;
using Handle = void*;  // gss_name_t, gss_ctx_id_t, gss_cred_id_t, ...

constexpr OM_uint32 kComplete = 0;
constexpr OM_uint32 kFailure = 13u << 16;  // GSS_S_FAILURE

void* Library() {
  static void* library = nullptr;
  static std::once_flag once;
  std::call_once(once, [] { library = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL); });
  return library;
}

// The real function `name` of type Fn, or null when the library is missing.
template <typename Fn>
Fn* Real(const char* name) {
  void* library = Library();
  return library ? reinterpret_cast<Fn*>(dlsym(library, name)) : nullptr;
}

gss_OID_desc host_based_service = {10,
                                   const_cast<char*>("\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04")};

}  // namespace

extern "C" {

gss_OID GSS_C_NT_HOSTBASED_SERVICE = &host_based_service;

// Each function: the real one when the library loads; otherwise
// GSS_S_FAILURE for those that would have made something, and success for
// those that release what could not have been made.
#define ORCHESTRATE_GSS_FORWARD(name, missing, params, args) \
  OM_uint32 name params {                                    \
    static auto* real = Real<OM_uint32 params>(#name);       \
    if (real) return real args;                              \
    if (minor) *minor = 0;                                   \
    return missing;                                          \
  }

ORCHESTRATE_GSS_FORWARD(gss_indicate_mechs, kFailure, (OM_uint32 * minor, Handle* mech_set),
                        (minor, mech_set))
ORCHESTRATE_GSS_FORWARD(gss_import_name, kFailure,
                        (OM_uint32 * minor, Handle input_name, gss_OID name_type, Handle* name),
                        (minor, input_name, name_type, name))
ORCHESTRATE_GSS_FORWARD(gss_init_sec_context, kFailure,
                        (OM_uint32 * minor, Handle credential, Handle* context, Handle target,
                         gss_OID mech, OM_uint32 flags, OM_uint32 time_req, Handle bindings,
                         Handle input_token, gss_OID* actual_mech, Handle output_token,
                         OM_uint32* ret_flags, OM_uint32* time_rec),
                        (minor, credential, context, target, mech, flags, time_req, bindings,
                         input_token, actual_mech, output_token, ret_flags, time_rec))
ORCHESTRATE_GSS_FORWARD(gss_display_status, kFailure,
                        (OM_uint32 * minor, OM_uint32 status, int status_type, gss_OID mech,
                         OM_uint32* message_context, Handle status_string),
                        (minor, status, status_type, mech, message_context, status_string))
ORCHESTRATE_GSS_FORWARD(gss_delete_sec_context, kComplete,
                        (OM_uint32 * minor, Handle* context, Handle output_token),
                        (minor, context, output_token))
ORCHESTRATE_GSS_FORWARD(gss_release_buffer, kComplete, (OM_uint32 * minor, Handle buffer),
                        (minor, buffer))
ORCHESTRATE_GSS_FORWARD(gss_release_name, kComplete, (OM_uint32 * minor, Handle* name),
                        (minor, name))
ORCHESTRATE_GSS_FORWARD(gss_release_oid_set, kComplete, (OM_uint32 * minor, Handle* set),
                        (minor, set))

#undef ORCHESTRATE_GSS_FORWARD

}  // extern "C"
