#include "orchestrate/error.h"

#include <filesystem>
#include <new>
#include <string_view>
#include <system_error>

namespace orchestrate {
namespace {

// GCC's "filesystem error: cannot create directories: Permission denied
// [/x/y]" without its first words, with a hint.
std::string FilesystemMessage(const std::filesystem::filesystem_error& e) {
  std::string_view what = e.what();
  constexpr std::string_view kPrefix = "filesystem error: ";
  if (what.starts_with(kPrefix)) what.remove_prefix(kPrefix.size());
  return std::string(what) + " (check that the path exists and that you may read and write it)";
}

constexpr const char* kReport = "; please report it, with the command line and the manifest";

}  // namespace

ExitFailure ExitFailureOf(const std::exception_ptr& error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const UsageError& e) {
      return {kExitUsage, e.what()};
    } catch (const InfraError& e) {
      return {kExitInfra, std::string(e.what()) + " (retrying may help)"};
    } catch (const std::filesystem::filesystem_error& e) {
      return {kExitInfra, FilesystemMessage(e)};
    } catch (const std::bad_alloc&) {
      return {kExitInfra, "out of memory (retrying with fewer jobs may help)"};
    } catch (const std::exception& e) {
      return {kExitInfra, std::string("internal error: ") + e.what() + kReport};
    } catch (...) {
      return {kExitInfra, std::string("internal error: an exception of unknown type") + kReport};
    }
  } catch (...) {  // building a message ran out of memory
    return {kExitInfra, {}};
  }
}

}  // namespace orchestrate
