// Fault injection: a 20-phase run is killed (SIGKILL, SIGINT, SIGTERM, SIGHUP) at
// seeded random moments, then run to completion; after each round nothing
// may be lost or left behind (docs/security.md).
//
// ORCHESTRATE_FAULT_SEED=N replays a seed (printed by every run);
// ORCHESTRATE_FAULT_ROUNDS=N runs N kills (default 3: the CI version).
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <random>

#include "orchestrate/process.h"
#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

namespace fs = std::filesystem;
constexpr int kPhases = 20;

// Phases p0..p19: each depends on up to two earlier ones, takes a little
// while, and writes pN.txt. Seeded, so the graph replays too.
std::string Manifest(std::mt19937& rng) {
  std::string m = "version = 1\n[settings]\njobs = 4\n";
  for (int i = 0; i < kPhases; ++i) {
    std::string deps;
    for (int d = 0; d < 2 && i > 0; ++d) {
      int dep = static_cast<int>(rng() % static_cast<unsigned>(i));
      std::string name = "\"p" + std::to_string(dep) + "\"";
      if (rng() % 2 && deps.find(name) == std::string::npos)
        deps += (deps.empty() ? "" : ", ") + name;
    }
    m += "[phase.p" + std::to_string(i) + "]\ndeps = [" + deps + "]\nrun = \"sleep 0.0" +
         std::to_string(rng() % 10) + "; echo " + std::to_string(i) + " > p" + std::to_string(i) +
         ".txt\"\n";
  }
  return m;
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

size_t LogsStarted(const std::string& repo) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(repo + "/.orchestrate/logs", ec);
       !ec && it != fs::directory_iterator(); ++it)
    ++n;
  return n;
}

// Waits until `n` phases have started or the run has ended.
void WaitForPhases(const std::string& repo, const BackgroundRun& run, size_t n) {
  WaitUntil([&] { return LogsStarted(repo) >= n || !ProcessAlive(run.pid()); });
}

void CheckNothingLostOrLeft(const std::string& repo) {
  for (int i = 0; i < kPhases; ++i) {
    std::string file = "p" + std::to_string(i) + ".txt";
    EXPECT_EQ(Shell("git show orchestrate/integration:" + file, repo).out, std::to_string(i) + "\n")
        << file << " is not in the target";
  }
  EXPECT_FALSE(AnyProcessWorkingIn(fs::canonical(repo).string())) << "an orphan process is left";
  EXPECT_EQ(Shell("find .git -name '*.lock'", repo).out, "") << "a stale lock is left";
  // Every record holds what its phase writes: nothing unfinished was recorded.
  std::string refs =
      MustShell("git for-each-ref --format='%(refname)' refs/orchestrate/cache", repo);
  for (size_t start = 0, end; (end = refs.find('\n', start)) != std::string::npos;
       start = end + 1) {
    std::string ref = refs.substr(start, end - start);
    std::string phase = ref.substr(std::string("refs/orchestrate/cache/").size());
    phase = phase.substr(0, phase.find('/'));
    EXPECT_EQ(Shell("git show " + ref + "^:" + phase + ".txt", repo).out, phase.substr(1) + "\n")
        << ref;
  }
  // Every commit a phase made (authored by the user, not by orchestrate's
  // fixed signature) is reachable from a ref.
  std::string lost =
      Shell(
          "git fsck --unreachable --no-reflogs 2>/dev/null | awk '$2 == \"commit\" {print $3}' | "
          "while read c; do git log -1 --format='%an %s' $c; done | grep -v '^orchestrate '",
          repo)
          .out;
  EXPECT_EQ(lost, "") << "unreachable phase commits";
}

TEST(FaultTest, KilledAtRandomMomentsThenRunToCompletion) {
  unsigned seed = static_cast<unsigned>(EnvInt("ORCHESTRATE_FAULT_SEED", std::random_device{}()));
  int rounds = EnvInt("ORCHESTRATE_FAULT_ROUNDS", 3);
  std::printf("fault injection: seed %u, %d rounds (replay: ORCHESTRATE_FAULT_SEED=%u)\n", seed,
              rounds, seed);
  std::mt19937 rng(seed);
  Scenario s(Manifest(rng));
  const int kSignals[] = {SIGKILL, SIGINT, SIGTERM, SIGHUP};
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", round " + std::to_string(round));
    if (round > 0) {  // every phase stale again: a new base
      WriteFile(s.repo(), "round.txt", std::to_string(round) + "\n");
      MustShell("git add round.txt && git commit -qm round" + std::to_string(round), s.repo());
      fs::remove_all(s.repo() + "/.orchestrate/logs");
    }
    BackgroundRun killed(s.repo(), "run");
    size_t moment = rng() % kPhases;
    int signal = kSignals[rng() % std::size(kSignals)];
    WaitForPhases(s.repo(), killed, moment);
    std::printf("round %d: %s after %zu phases started\n", round, strsignal(signal),
                LogsStarted(s.repo()));
    kill(killed.pid(), signal);
    ASSERT_NE(killed.Wait(), -1) << "orchestrate " << killed.pid() << " did not stop";
    ShellResult r = s.Run("run");
    ASSERT_EQ(r.status, 0) << r.out << killed.Output();
    CheckNothingLostOrLeft(s.repo());
  }
}

}  // namespace
}  // namespace orchestrate::testing
