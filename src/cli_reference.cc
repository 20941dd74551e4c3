// CliReference: orchestrate(1) and docs/cli.md, from the command-line
// definitions plus the few pages of prose that belong to no one option.
#include <CLI/CLI.hpp>
#include <map>

#include "cli_model.h"
#include "orchestrate/reference.h"

namespace orchestrate {
namespace {

const char* kDescription =
    "orchestrate runs the phases described in orchestrate.toml (see orchestrate.toml(5)) the "
    "way Ninja runs a build: each phase, a shell command or an AI coding agent, runs in its "
    "own git worktree; its changes are committed and verified, its result is cached under "
    "refs/orchestrate/ by a key of its inputs, and merged into the target branch. A phase whose "
    "key has a recorded result is fresh and does not run again.\n\n"
    "The manifest is found by searching upward from the current directory for "
    "orchestrate.toml, or given with -f FILE; -C DIR changes directory first. The repository "
    "is the git repository containing the current directory; outside one, every command but "
    "init and help exits 2.\n\n"
    "With no command, orchestrate runs: orchestrate PHASE... is orchestrate run PHASE.... "
    "Every command takes --help; orchestrate help COMMAND prints the same.\n\n"
    "-f after log means follow, as with tail -f; elsewhere -f FILE names the manifest, as with "
    "make -f. To name the manifest for log, write it first (orchestrate -f m.toml log -f api) "
    "or use --file.";

const std::vector<RefEntry> kEnvironment = {
    {"NO_COLOR", "When set and not empty, no colours (no-color.org); --color always still wins."},
    {"FORCE_COLOR, CLICOLOR_FORCE",
     "When set, not empty and not 0, colours even when the output is not a terminal."},
    {"TERM", "dumb: no colours with --color auto."},
    {"CI", "When set, no status line redrawn in place: plain lines only."},
    {"GITHUB_STEP_SUMMARY", "When set, run appends a markdown summary to this file."},
    {"ORCHESTRATE_REQUEUE_BACKOFF",
     "First wait, in seconds, after output matched requeue_on and named no time to come back; "
     "doubles each time up to 600 s; also the margin added to a time the output named, at most "
     "30 s (default 10)."},
    {"ORCHESTRATE_CACHE_SIGNING_KEY",
     "When set, records this run writes are signed with it (HMAC-SHA256); with "
     "settings.cache_trust = \"signed\" only records signed with it are reused "
     "(docs/security.md)."},
    {"ORCHESTRATE_KILL_GRACE",
     "Seconds between TERM and KILL when a timeout or a signal stops a phase (default 5)."},
};

const std::vector<RefEntry> kExitStatus = {
    {"0", "Every requested phase succeeded or was fresh; the command did what it was asked."},
    {"1",
     "A phase did not succeed (failed, timed out, conflicted, blocked), or the target merge "
     "conflicted."},
    {"2",
     "Usage, manifest or repository error, before anything ran (also: another run holds the "
     "lock; the target branch holds foreign commits or is checked out, also when that "
     "happened during the run)."},
    {"3", "Infrastructure error (git object store, disk): retrying may help."},
    {"130, 143", "Interrupted by SIGINT, or by SIGTERM or SIGHUP."},
};

// What a command's options do not say: formats, states, side effects.
const std::map<std::string, std::string> kDetails = {
    {"run",
     "On a terminal that is not CI (CI unset), one status line is redrawn in place "
     "(`[3/8] running: api 1m12s, ui 20s`); otherwise only plain lines are printed. A failed "
     "phase prints its failed command, the last lines of its log, the log's path and its "
     "worktree's path. `--junit` writes one testcase per phase; `--trace` the Chrome trace "
     "format, one track per job slot; `--report` one HTML page with the graph coloured by "
     "state, a timeline per job slot (each try of a phase, requeue waits hatched), duration "
     "per phase and the failures' log tails."},
    {"plan",
     "Text: the phases grouped in waves that could run at once, each with `run`, `fresh`, "
     "`blocked` or `awaiting-approval` (a phase with `approval = true` whose result waits for "
     "`orchestrate approve`; its dependents are `blocked`) and, for `run` and `blocked`, why. "
     "The first line adds what the phases to run cost the last "
     "time, from the newest record of each (`3 to run, about $4.10 by their last runs`), and "
     "how many have no recorded cost. JSON, in dependency order (`key` is null when a "
     "dependency must run first; `cost_usd` is null when no phase to run has a recorded "
     "cost):\n\n"
     "  {\"base\": \"<commit id>\",\n"
     "   \"phases\": [{\"name\": \"schema\", \"action\": \"run\", \"reason\": \"never run\",\n"
     "               \"deps\": [], \"key\": \"<40 hex>\"}],\n"
     "   \"estimate\": {\"cost_usd\": 4.1, \"phases_with_cost\": 2, "
     "\"phases_without_cost\": 1}}"},
    {"explain",
     "Prints whether the phase is fresh and why not, its key, the last record's key, and every "
     "key component, marked `~` (changed), `+` (new) or `-` (gone) against the last record."},
    {"status",
     "Each phase's state from the last run that touched it; a recorded result that no longer "
     "matches its inputs shows as `stale`. States: `fresh`, `stale`, `running`, `requeued`, "
     "`succeeded`, "
     "`failed`, `timed-out`, `input-conflict`, `merge-conflict`, `blocked`, "
     "`awaiting-approval` (its notes give the `git diff` to review and the commands to approve "
     "or reject), `interrupted`, `error`, `skipped-budget`. A USAGE column and a total line appear "
     "when some phase "
     "reported tokens or cost. `flaky` (FLAKY in the notes): the phase's current key ended in "
     "failure in an earlier run and has a cache record, so the same inputs both failed and "
     "succeeded. JSON: `{\"phases\": [{\"name\", \"state\", \"result\", "
     "\"branch\", \"duration_s\", \"attempts\", \"reason\", \"log\", \"worktree\", "
     "\"recorded_at\", \"flaky\", \"handoff\", \"saved_attempts\"} plus \"cost_usd\", "
     "\"tokens\": {\"input\", \"output\"} and \"model\" when known], \"total\": {the same "
     "usage fields}}`. `--format markdown` renders a plan "
     "document with Completed / In progress / Pending / Failed sections."},
    {"log",
     "Prints `.orchestrate/logs/PHASE.log`: every command of the phase's latest run, each "
     "preceded by a `=== orchestrate: attempt N, step: command` line."},
    {"validate",
     "Prints `FILE: ok: N phases, N dependencies, N pools, N agents, longest chain N` or the "
     "errors."},
    {"clean",
     "Removes the worktrees under `.orchestrate/worktrees/` that hold no uncommitted work (it "
     "names the ones it keeps). `--branches` also deletes `orchestrate/phase/*` branches whose "
     "head is a recorded result or a saved attempt; `--cache` deletes every cache record."},
    {"cache",
     "`push` sends every record to REMOTE (existing ones are left as they are) and every "
     "approval or rejection (replacing the remote's decision on the same result); `pull` "
     "fetches `refs/orchestrate/cache/*` and `refs/orchestrate/approvals/*`; `list` shows phase, "
     "key, age and size of every record; "
     "`prune` removes records no current phase can use, and with `--older-than` every record "
     "older than that. A missing or unreachable remote exits 2 naming it."},
    {"approve",
     "PHASE must have `approval = true` and a successful result for its current key (as "
     "`plan` computes it); otherwise approve exits 2 saying what to run first. The approval "
     "belongs to that result commit: a new result needs a new approval. It is stored under "
     "`refs/orchestrate/approvals/PHASE/RESULT` with your git identity and the time, and "
     "shared by `cache push` and `cache pull`. Prints the `git diff` that shows the result's "
     "changes."},
    {"reject",
     "Records the rejection of the same result approve would approve, with TEXT for the "
     "phase's next attempt, under the same ref (a later approve or reject of that result "
     "replaces it). Exits 2 when there is no such result or TEXT is blank."},
    {"report",
     "The page `run --report` writes, made from the workspace's state instead of the run's "
     "events: one bar per phase that ran, without separate tries or requeue waits."},
};

RefSection CommandSection(const CliCommand& c) {
  auto details = kDetails.find(c.name);
  std::string text = "  " + c.Usage() + "\n\n" + c.description;
  if (details != kDetails.end()) text += "\n\n" + details->second;
  RefSection s{c.name, 2, text, {}, c.footer};
  for (const CliOption& o : c.options) s.entries.push_back({o.Term(), o.description});
  return s;
}

std::string Synopsis(const std::vector<CliCommand>& commands) {
  std::string out;
  for (const CliCommand& c : commands) out += (out.empty() ? "  " : "\n  ") + c.Usage();
  return out;
}

}  // namespace

RefDocument CliReference(const CLI::App& app) {
  std::vector<CliCommand> commands = ReadCli(app);
  RefDocument doc{"orchestrate",
                  1,
                  "run a graph of phases in git worktrees, cache and merge their results",
                  "Command-line reference",
                  "Generated by `orchestrate help --format markdown` from the command-line "
                  "definitions, like the man page orchestrate(1); do not edit by hand.",
                  {}};
  doc.sections.push_back({"SYNOPSIS", 1, Synopsis(commands), {}, ""});
  doc.sections.push_back({"DESCRIPTION", 1, kDescription, {}, ""});
  RefSection global = CommandSection(commands.front());
  global.title = "OPTIONS";
  global.level = 1;
  global.text = "Without a command, orchestrate runs; these are run's options.";
  doc.sections.push_back(global);
  doc.sections.push_back({"COMMANDS", 1, "", {}, ""});
  for (size_t i = 1; i < commands.size(); ++i) doc.sections.push_back(CommandSection(commands[i]));
  doc.sections.push_back({"ENVIRONMENT", 1, "", kEnvironment, ""});
  doc.sections.push_back({"EXIT STATUS", 1, "", kExitStatus, ""});
  doc.sections.push_back({"SEE ALSO", 1, "orchestrate.toml(5), git(1), ninja(1)", {}, ""});
  return doc;
}

}  // namespace orchestrate
