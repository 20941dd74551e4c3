// The command-line driver: parses arguments, builds the sinks, dispatches
// to the commands, and turns errors into exit statuses (SPEC section 5).
#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "orchestrate/build_config.h"
#include "orchestrate/cache_sync.h"
#include "orchestrate/color.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"
#include "orchestrate/reference.h"
#include "orchestrate/report.h"
#include "orchestrate/repository_checks.h"
#include "orchestrate/runner.h"

namespace fs = std::filesystem;
using namespace orchestrate;

namespace {

struct Options {
  std::string dir, file, base, color = "auto", junit, trace, events, report, output;
  int jobs = 0;
  bool dry_run = false, always = false, fail_fast = false, only = false, json = false;
  bool verbose = false, quiet = false, follow = false;
  CleanOptions clean;
  std::vector<std::string> force, phases;
  std::string format = "text", status_format = "text", action, remote, older_than, phase;
  std::string cache_remote, ci_engine, message;
  bool dynamic = false, child = false;
  std::string shell, help_command, help_format = "text";
  bool graph_status = false;
};

// The end of every command's help: an example and what its exit status means.
const char* kExitsRun =
    "Exit status: 0 every requested phase succeeded or was fresh; 1 a phase did not\n"
    "succeed (failed, timed out, conflicted, blocked); 2 usage, manifest or repository\n"
    "error, before anything ran; 3 infrastructure error (retrying may help);\n"
    "130 or 143 interrupted by SIGINT or SIGTERM.";
const char* kExitsRead =
    "Exit status: 0 done; 2 usage, manifest or repository error; 3 infrastructure\n"
    "error (retrying may help).";

std::string Footer(const std::string& example, const char* exits) {
  return "\nExample:\n" + example + "\n\n" + exits;
}

void AddDir(CLI::App* app, Options& o) {
  app->add_option("-C", o.dir, "Change to DIR before doing anything")->type_name("DIR");
}

void AddLocation(CLI::App* app, Options& o) {
  AddDir(app, o);
  app->add_option("-f,--file", o.file,
                  "Use this manifest instead of searching for orchestrate.toml")
      ->type_name("FILE");
}

// -j: a count of at least 1, said so ("-j 0" is a likely typo for "all CPUs").
CLI::Validator AtLeastOne() {
  return CLI::Validator(
      [](std::string& text) {
        char* end = nullptr;
        long value = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0') return std::string("must be a whole number, not " + text);
        return value >= 1 ? std::string() : std::string("must be at least 1, not " + text);
      },
      "");
}

// `--force api --force docs`: one name per use, so that `--force api docs`
// forces api and selects docs instead of forcing both.
void AddForce(CLI::App* app, Options& o, const char* help) {
  app->add_option("--force", o.force, help)->type_name("PHASE")->allow_extra_args(false);
}

void AddRunOptions(CLI::App* app, Options& o) {
  AddLocation(app, o);
  app->add_option("phases", o.phases, "Phases to run, with what they depend on (default: all)")
      ->type_name("PHASE");
  app->add_option("-j,--jobs", o.jobs,
                  "Run at most N phases at once (default: settings.jobs, else CPUs)")
      ->type_name("N")
      ->check(AtLeastOne());
  app->add_flag("-n,--dry-run", o.dry_run, "Print the plan and run nothing (= plan)");
  app->add_option("--base", o.base, "Start from this commit-ish instead of settings.base")
      ->type_name("REV");
  AddForce(app, o, "Run PHASE even if its result is recorded (one phase per --force; repeat it)");
  app->add_flag("-B,--always", o.always, "Ignore every recorded result");
  app->add_flag("--fail-fast", o.fail_fast, "Start no new phase after the first failure");
  app->add_flag("--only", o.only,
                "Run only the named phases, on their dependencies' recorded results");
  app->add_flag("--json", o.json, "With -n: print the plan as JSON");
  app->add_option("--junit", o.junit, "Write a JUnit XML report to FILE")->type_name("FILE");
  app->add_option("--trace", o.trace, "Write a Chrome trace (Perfetto) to FILE")->type_name("FILE");
  app->add_option("--events", o.events, "Write one JSON object per line to FILE as things happen")
      ->type_name("FILE");
  app->add_option("--report", o.report,
                  "Write a self-contained HTML page of the run (graph, timeline, failures) to FILE")
      ->type_name("FILE");
  app->add_option("--cache-remote", o.cache_remote,
                  "Pull records from REMOTE before planning, push new ones after (best effort; "
                  "default: settings.cache_remote)")
      ->type_name("REMOTE");
  app->add_flag("-v,--verbose", o.verbose, "Also print each command");
  app->add_flag("-q,--quiet", o.quiet, "Print only failures and the summary");
  app->add_option("--color", o.color,
                  "Color output: auto (a terminal; NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE), "
                  "always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

// The phases named on the command line: `run docs --force api` runs docs
// and api (forced). Without names every phase is selected anyway.
std::vector<std::string> Targets(const Options& o) {
  std::vector<std::string> targets = o.phases;
  if (targets.empty()) return targets;
  for (const auto& name : o.force)
    if (std::find(targets.begin(), targets.end(), name) == targets.end()) targets.push_back(name);
  return targets;
}

GetEnv ProcessEnv() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

int Run(Options& o, Project& project) {
  RunOptions ro{Targets(o), o.jobs,   o.fail_fast,
                o.only,     o.always, std::set<std::string>(o.force.begin(), o.force.end()),
                o.base};
  if (o.dry_run) return CommandPlan(project, ro, o.json);
  RefuseExternalFilters(*project.repo);
  ApplyEnvironmentKnobs(&ro, ProcessEnv());  // test knobs: ORCHESTRATE_KILL_GRACE, ...
  EventBus bus;
  bool live = isatty(STDOUT_FILENO) && !std::getenv("CI");
  Verbosity v = o.quiet ? Verbosity::kQuiet : o.verbose ? Verbosity::kVerbose : Verbosity::kNormal;
  bus.Add(
      MakeConsolePrinter(stdout, live, UseColor(o.color, isatty(STDOUT_FILENO), ProcessEnv()), v));
  if (!o.events.empty()) bus.Add(MakeEventsWriter(o.events));
  if (!o.trace.empty()) bus.Add(MakeTraceWriter(o.trace));
  if (!o.junit.empty()) bus.Add(MakeJunitWriter(o.junit));
  if (!o.report.empty()) bus.Add(MakeHtmlReportWriter(o.report, ReportSkeleton(project)));
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
    try {
      bus.Add(MakeStepSummaryWriter(summary));
    } catch (const UsageError& e) {  // the CI's file, not the user's flag: warn and go on
      spdlog::warn("GITHUB_STEP_SUMMARY: {}", e.what());
    }
  }
  for (const std::string& caveat : RepositoryCaveats(*project.repo)) {
    Event note;
    note.type = Event::Type::kMessage;
    note.warning = true;
    note.text = caveat;
    bus.OnEvent(note);
  }
  std::string remote =
      o.cache_remote.empty() ? project.manifest.settings.cache_remote : o.cache_remote;
  if (!remote.empty()) PullRecordsBestEffort(*project.repo, remote);
  int status = RunPhases(project, ro, bus);
  bus.Close();
  if (!remote.empty()) PushRecordsBestEffort(*project.repo, remote);
  return status;
}

GraphFormat ParseGraphFormat(const std::string& f) {
  if (f == "dot") return GraphFormat::kDot;
  if (f == "mermaid") return GraphFormat::kMermaid;
  if (f == "json") return GraphFormat::kJson;
  return GraphFormat::kText;
}

// Like Ninja: exit without destroying the project (the manifest, the
// repository), which on 10,000 phases costs milliseconds and achieves
// nothing. Static objects (the loggers) are still flushed and destroyed.
[[noreturn]] void ExitNow(int status) {
  std::fflush(nullptr);
  std::exit(status);
}

void CheckForced(const Project& project, const std::vector<std::string>& forced) {
  for (const auto& name : forced)
    if (!project.manifest.FindPhase(name))
      throw UsageError("--force: " + UnknownPhaseMessage(name, project.manifest.phases));
}

int DispatchOnProject(CLI::App& app, Options& o, Project& project) {
  auto sub = [&app](const char* name) { return app.got_subcommand(name); };
  CheckForced(project, o.force);
  if (sub("plan"))
    return CommandPlan(
        project,
        RunOptions{Targets(o), 0, false, false, o.always, {o.force.begin(), o.force.end()}, o.base},
        o.json);
  if (sub("explain")) return CommandExplain(project, o.phase, o.json);
  if (sub("graph"))
    return CommandGraph(project, o.phases, ParseGraphFormat(o.json ? "json" : o.format),
                        o.graph_status);
  if (sub("status")) return CommandStatus(project, o.json ? "json" : o.status_format);
  if (sub("log")) return CommandLog(project, o.phase, o.follow);
  if (sub("validate")) return CommandValidate(project);
  if (sub("clean")) return CommandClean(project, o.clean);
  if (sub("cache")) return CommandCache(project, o.action, o.remote, o.older_than);
  if (sub("approve")) return CommandApprove(project, o.phase);
  if (sub("reject")) return CommandReject(project, o.phase, o.message);
  if (sub("ci"))
    return CommandCiEmit(project, CiEmitOptions{o.ci_engine, o.phases, o.output,
                                                o.dynamic ? GitLabMode::kParent
                                                : o.child ? GitLabMode::kChild
                                                          : GitLabMode::kStatic});
  if (sub("report")) return CommandReport(project, o.output);
  if (sub("__phases")) return CommandPhaseNames(project);
  return Run(o, project);
}

// `run`, also the default command.
bool IsRun(const CLI::App& app) {
  return app.get_subcommands().empty() || app.got_subcommand("run");
}

// Only `run` keeps the manifest snapshot up to date; `validate` exists to
// check the manifest, so it always parses it.
ManifestSnapshotUse SnapshotUse(const CLI::App& app) {
  if (app.got_subcommand("validate")) return ManifestSnapshotUse::kIgnore;
  return IsRun(app) ? ManifestSnapshotUse::kReadAndWrite : ManifestSnapshotUse::kRead;
}

// The commands that look cache records up (they get the record index).
RecordsUse RecordsUseOf(const CLI::App& app) {
  if (IsRun(app)) return RecordsUse::kReadAndWrite;
  if (app.got_subcommand("plan") || app.got_subcommand("status")) return RecordsUse::kRead;
  return RecordsUse::kNone;
}

// The working directory. One removed under the shell is a failure the user
// can fix, said without an exception through the standard library.
std::string CurrentDirectory() {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec)
    throw InfraError("cannot get current path: " + ec.message() +
                     "; cd into a directory that exists, or pass -C DIR");
  return cwd.string();
}

int Dispatch(CLI::App& app, Options& o) {
  if (!o.dir.empty() && chdir(o.dir.c_str()) != 0)
    throw UsageError("-C " + o.dir + ": no such directory");
  if (app.got_subcommand("help")) return CommandHelp(app, o.help_command, o.help_format);
  if (app.got_subcommand("completion")) return CommandCompletion(app, o.shell);
  std::string cwd = CurrentDirectory();
  if (app.got_subcommand("init")) return CommandInit(cwd);
  if (app.got_subcommand("cache") && o.action != "prune")  // records only: no manifest needed
    ExitNow(CommandCacheRecords(*Repo::Discover(cwd), o.action, o.remote));
  Project project = OpenProject(cwd, o.file, SnapshotUse(app), RecordsUseOf(app));
  int status = DispatchOnProject(app, o, project);
  ExitNow(status);
}

// Messages on stderr follow the same colour rules as the output (no flag yet
// when the logger is made: --color governs stdout).
void ConfigureLogging() {
  bool color = UseColor("auto", isatty(STDERR_FILENO), ProcessEnv());
  auto logger = spdlog::stderr_color_mt(
      "orchestrate", color ? spdlog::color_mode::always : spdlog::color_mode::never);
  logger->set_pattern("orchestrate: %^%l%$: %v");
  spdlog::set_default_logger(logger);
}

int Main(int argc, char** argv) {
  // A short-lived process: big blocks (the manifest's phases, the state's
  // text) come from the heap rather than from fresh mmaps, the heap grows in
  // large steps and is never trimmed, so freed memory is reused instead of
  // faulted in again (about 350 fewer page faults at 2,000 phases).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  ConfigureLogging();
  InitGit();
  Options o;
  CLI::App app{
      "orchestrate: run a graph of phases (agents or commands) in parallel git worktrees,\n"
      "verify and merge their results, and cache every success by its inputs.",
      "orchestrate"};  // usage says `orchestrate`, not argv[0]
  app.footer(
      Footer("  orchestrate -j 4 api      # run api and what it depends on, 4 at a time\n"
             "  orchestrate help run      # the options of one command",
             kExitsRun));
  app.set_version_flag("--version", std::string("orchestrate ") + ORCHESTRATE_VERSION);
  app.require_subcommand(0, 1);
  AddRunOptions(&app, o);
  CLI::App* run =
      app.add_subcommand("run", "Run the phases (default: all) and what they depend on");
  AddRunOptions(run, o);
  run->footer(
      Footer("  orchestrate run --report run.html test   # run test and its deps; draw the run",
             kExitsRun));

  CLI::App* plan =
      app.add_subcommand("plan", "Show what would run and why; changes nothing (= run -n)");
  AddLocation(plan, o);
  plan->add_option("phases", o.phases, "Phases to plan, with what they depend on (default: all)")
      ->type_name("PHASE");
  plan->add_flag("--json", o.json, "Print the plan as JSON");
  plan->add_option("--base", o.base, "Plan from this commit-ish instead of settings.base")
      ->type_name("REV");
  AddForce(plan, o, "Treat PHASE as stale (one phase per --force; repeat it)");
  plan->add_flag("-B,--always", o.always, "Treat every phase as stale");
  plan->footer(Footer("  orchestrate plan --json api", kExitsRead));

  CLI::App* explain =
      app.add_subcommand("explain", "Print a phase's key components beside its last record's");
  AddLocation(explain, o);
  explain->add_option("phase", o.phase, "The phase")->required()->type_name("PHASE");
  explain->add_flag("--json", o.json,
                    "Print every key component, now and in the last record, in full");
  explain->footer(Footer("  orchestrate explain api --json", kExitsRead));

  CLI::App* graph = app.add_subcommand("graph", "Print the phase graph");
  AddLocation(graph, o);
  graph->add_option("phases", o.phases, "Limit to these phases and what they depend on")
      ->type_name("PHASE");
  graph->add_option("--format", o.format, "text, dot, mermaid or json")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "dot", "mermaid", "json"}));
  graph->add_flag("--json", o.json, "Same as --format json");
  graph->add_flag("--status", o.graph_status,
                  "dot, mermaid: colour phases by state (fresh, stale, failed, blocked, awaiting "
                  "approval)");
  graph->footer(
      Footer("  orchestrate graph --format dot --status | dot -Tsvg > graph.svg", kExitsRead));

  CLI::App* status = app.add_subcommand("status", "Show every phase's state");
  AddLocation(status, o);
  status->add_flag("--json", o.json, "Print JSON");
  status->add_option("--format", o.status_format, "text, json or markdown (a plan document)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  status->footer(Footer("  orchestrate status --format markdown > PLAN.md", kExitsRead));

  // As with `tail -f`, -f after `log` follows; the manifest is --file here,
  // or -f FILE before the command (`orchestrate -f m.toml log api -f`).
  CLI::App* log = app.add_subcommand("log", "Print a phase's latest log");
  AddDir(log, o);
  log->add_option("--file", o.file, "Use this manifest instead of searching for orchestrate.toml")
      ->type_name("FILE");
  log->add_option("phase", o.phase, "The phase")->required()->type_name("PHASE");
  log->add_flag("-f,--follow", o.follow,
                "Keep printing while the phase runs, like tail -f (the manifest: --file FILE)");
  log->footer(
      Footer("  orchestrate log -f api                 # follow api's log\n"
             "  orchestrate -f ci.toml log -f api      # the same, with another manifest",
             kExitsRead));

  CLI::App* validate = app.add_subcommand("validate", "Check the manifest only");
  AddLocation(validate, o);
  validate->footer(Footer("  orchestrate validate -f other.toml", kExitsRead));

  CLI::App* init = app.add_subcommand("init", "Write a commented starter orchestrate.toml");
  AddDir(init, o);
  init->footer(
      Footer("  orchestrate init && orchestrate plan",
             "Exit status: 0 written; 2 orchestrate.toml exists already; 3 cannot write."));

  CLI::App* clean = app.add_subcommand("clean", "Remove worktrees (never unsaved work)");
  AddLocation(clean, o);
  clean->add_flag("--branches", o.clean.branches,
                  "Also remove phase branches whose commits are saved elsewhere");
  clean->add_flag("--cache", o.clean.cache, "Also remove every cache record");
  clean->add_flag("--attempts", o.clean.attempts,
                  "Also remove every saved attempt (refs/orchestrate/attempts/)");
  clean->footer(Footer("  orchestrate clean --branches", kExitsRead));

  CLI::App* cache = app.add_subcommand("cache", "Share and maintain cache records");
  AddLocation(cache, o);
  cache->add_option("action", o.action, "push, pull, list or prune")
      ->required()
      ->type_name("ACTION")
      ->check(CLI::IsMember({"push", "pull", "list", "prune"}));
  cache->add_option("remote", o.remote, "Remote name or URL for push/pull (default: origin)")
      ->type_name("REMOTE");
  cache
      ->add_option("--older-than", o.older_than,
                   "prune: also remove records and saved attempts older than this "
                   "(e.g. 7d, 12h, 30m)")
      ->type_name("AGE");
  cache->footer(Footer("  orchestrate cache pull origin && orchestrate plan", kExitsRead));

  CLI::App* approve =
      app.add_subcommand("approve", "Approve the result a phase with approval = true waits with");
  AddLocation(approve, o);
  approve->add_option("phase", o.phase, "The phase")->required()->type_name("PHASE");
  approve->footer(Footer("  orchestrate approve schema && orchestrate cache push", kExitsRead));
  CLI::App* reject = app.add_subcommand(
      "reject", "Reject the result a phase with approval = true waits with, saying why");
  AddLocation(reject, o);
  reject->add_option("phase", o.phase, "The phase")->required()->type_name("PHASE");
  reject->add_option("-m,--message", o.message, "What to change: the next attempt reads it")
      ->required()
      ->type_name("TEXT");
  reject->footer(
      Footer("  orchestrate reject schema -m \"keep the old column names\"", kExitsRead));

  CLI::App* ci =
      app.add_subcommand("ci", "Write CI pipelines that run the phases")->require_subcommand(1);
  CLI::App* emit = ci->add_subcommand(
      "emit", "Write a GitHub Actions or GitLab CI pipeline, one job per phase (docs/ci.md)");
  AddLocation(emit, o);
  emit->add_option("engine", o.ci_engine, "github or gitlab")
      ->required()
      ->check(CLI::IsMember({"github", "gitlab"}));
  emit->add_option("phases", o.phases, "Phases to run, with what they depend on (default: all)")
      ->type_name("PHASE");
  emit->add_option("-o,--output", o.output, "Write the pipeline to FILE instead of stdout")
      ->type_name("FILE");
  CLI::Option* dynamic = emit->add_flag(
      "--dynamic", o.dynamic,
      "gitlab: a pipeline whose first job writes the stale phases' pipeline and triggers it");
  emit->add_flag("--child", o.child,
                 "gitlab: the stale phases' pipeline, as --dynamic's first job writes it")
      ->excludes(dynamic);
  emit->footer(
      Footer("  orchestrate ci emit github -o .github/workflows/orchestrate.yml", kExitsRead));
  ci->footer(Footer("  orchestrate ci emit gitlab -o .gitlab-ci.yml", kExitsRead));

  CLI::App* report =
      app.add_subcommand("report", "Write the last run as one self-contained HTML page");
  AddLocation(report, o);
  report->add_option("-o,--output", o.output, "Write to FILE instead of standard output")
      ->type_name("FILE");
  report->footer(Footer("  orchestrate report -o run.html", kExitsRead));

  CLI::App* help = app.add_subcommand("help", "Print the help of a command (= COMMAND --help)");
  help->add_option("command", o.help_command, "A command, or `manifest` for orchestrate.toml")
      ->type_name("COMMAND");
  help->add_option("--format", o.help_format,
                   "text; man or markdown: the whole reference (orchestrate(1), docs/cli.md)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "man", "markdown"}));
  help->footer(Footer("  orchestrate help run\n  orchestrate help manifest", kExitsRead));

  CLI::App* completion =
      app.add_subcommand("completion", "Print a shell completion script: bash, zsh or fish");
  completion->add_option("shell", o.shell, "bash, zsh or fish")
      ->required()
      ->type_name("SHELL")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->footer(Footer(
      "  orchestrate completion bash > ~/.local/share/bash-completion/completions/orchestrate",
      kExitsRead));

  // For the completion scripts: the manifest's phase names, one per line.
  CLI::App* phase_names = app.add_subcommand("__phases", "The manifest's phase names");
  AddLocation(phase_names, o);
  phase_names->group("");  // hidden

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  return Dispatch(app, o);
}

}  // namespace

// Every exception that reaches here becomes a message and an exit code
// (error.h); none aborts the process.
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (...) {
    ExitFailure failure = ExitFailureOf(std::current_exception());
    if (!failure.message.empty()) spdlog::error("{}", failure.message);
    return failure.code;
  }
}
