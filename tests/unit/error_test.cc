#include "orchestrate/error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <new>
#include <system_error>

namespace orchestrate {
namespace {

template <typename E>
ExitFailure FailureOf(E error) {
  return ExitFailureOf(std::make_exception_ptr(error));
}

TEST(ExitFailureTest, AUsageErrorExitsTwoWithItsMessage) {
  ExitFailure f = FailureOf(UsageError("no orchestrate.toml in /r"));
  EXPECT_EQ(f.code, kExitUsage);
  EXPECT_EQ(f.message, "no orchestrate.toml in /r");
}

TEST(ExitFailureTest, AnInfraErrorExitsThreeAndSaysRetryingMayHelp) {
  ExitFailure f = FailureOf(InfraError("git: cannot read object 1234"));
  EXPECT_EQ(f.code, kExitInfra);
  EXPECT_EQ(f.message, "git: cannot read object 1234 (retrying may help)");
}

TEST(ExitFailureTest, AFilesystemErrorExitsThreeNamingThePath) {
  std::filesystem::filesystem_error e("cannot get current path", std::filesystem::path("/gone/dir"),
                                      std::make_error_code(std::errc::no_such_file_or_directory));
  ExitFailure f = FailureOf(e);
  EXPECT_EQ(f.code, kExitInfra);
  EXPECT_EQ(f.message.rfind("cannot get current path: No such file or directory [/gone/dir]", 0),
            0u)
      << f.message;
  EXPECT_NE(f.message.find("check that the path exists"), std::string::npos) << f.message;
}

TEST(ExitFailureTest, OutOfMemoryExitsThree) {
  ExitFailure f = FailureOf(std::bad_alloc());
  EXPECT_EQ(f.code, kExitInfra);
  EXPECT_EQ(f.message, "out of memory (retrying with fewer jobs may help)");
}

TEST(ExitFailureTest, AnyOtherExceptionIsAnInternalErrorToReport) {
  ExitFailure f = FailureOf(std::logic_error("vector::_M_range_check: __n (which is 3)"));
  EXPECT_EQ(f.code, kExitInfra);
  EXPECT_EQ(f.message,
            "internal error: vector::_M_range_check: __n (which is 3); please report it, with "
            "the command line and the manifest");
}

TEST(ExitFailureTest, AnExceptionOfNoStandardTypeIsAnInternalErrorToo) {
  ExitFailure f = FailureOf(42);
  EXPECT_EQ(f.code, kExitInfra);
  EXPECT_EQ(f.message.rfind("internal error: an exception of unknown type; please report it", 0),
            0u)
      << f.message;
}

}  // namespace
}  // namespace orchestrate
