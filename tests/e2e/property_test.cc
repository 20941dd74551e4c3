// A randomized property test of incremental runs: random DAGs, random command
// edits, env and handoff changes, failures, forced runs, manifest commits and
// target conflicts over many consecutive `orchestrate run`s on one
// repository. After each run, exactly the phases a reference model calls
// stale must have run (never a false fresh result, never a needless rerun),
// the exit status and every phase's state in `status --json` must be the
// model's, and the target must hold exactly the model's merge set: nothing
// that setup or verify left behind, no result left out by a conflict (nor
// its dependents), and every result that merges cleanly, also those of
// phases outside a run's selection.
//
// Reproduce one seed with ORCHESTRATE_PROPERTY_SEED=N; set
// ORCHESTRATE_PROPERTY_SEEDS=K to try K seeds (default 5; 2 in the sanitizer
// build, where each run is several times slower: 5 seeds there took past
// two minutes on a busy 2-core machine, against 37-44 s in the release
// build there).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

/// One phase as the test controls it. Its command appends its name to a log
/// outside the repository, fails while `fail/<name>` exists there, and writes
/// `<name>.txt` holding "c<content>" (and " e<env>" when it uses its env);
/// when it `writes_shared`, also `shared.txt` holding "<name> c<content>".
/// `variant` changes the command text but not its output.
struct PhaseSpec {
  std::string name;
  std::vector<int> deps;
  int content = 0;
  int variant = 0;
  int env = 0;
  int handoff = 0;  ///< what it writes to ORCHESTRATE_HANDOFF_FILE
  bool uses_env = false;
  bool fails = false;
  bool writes_shared = false;
};

using Files = std::map<std::string, std::string>;

const std::string kShared = "shared.txt";
const std::string kTarget = "orchestrate/integration";

std::string Output(const PhaseSpec& p) {
  return "c" + std::to_string(p.content) + (p.uses_env ? " e" + std::to_string(p.env) : "");
}

std::string SharedOutput(const PhaseSpec& p) { return p.name + " c" + std::to_string(p.content); }

std::string Command(const PhaseSpec& p, const std::string& dir) {
  return "echo " + p.name + " >> " + dir + "/ran.log; test ! -e " + dir + "/fail/" + p.name +
         " || exit 1; : v" + std::to_string(p.variant) + "; echo c" + std::to_string(p.content) +
         (p.uses_env ? " $PV" : "") + " > " + p.name + ".txt; " +
         (p.writes_shared ? "echo " + SharedOutput(p) + " > " + kShared + "; " : "") + "echo h" +
         std::to_string(p.handoff) + " > $ORCHESTRATE_HANDOFF_FILE";
}

std::string ManifestOf(const std::vector<PhaseSpec>& phases, const std::string& dir) {
  std::string m = "version = 1\n";
  for (const auto& p : phases) {
    m += "\n[phase." + p.name + "]\ndeps = [";
    for (size_t i = 0; i < p.deps.size(); ++i)
      m += (i ? ", \"" : "\"") + phases[p.deps[i]].name + "\"";
    m +=
        "]\nrun = \"" + Command(p, dir) + "\"\nenv = { PV = \"e" + std::to_string(p.env) + "\" }\n";
    // Leftovers that must never reach a result or the target.
    m += "setup = [\"echo s > setup.out\"]\nverify = [\"echo v > verify-" + p.name + ".out\"]\n";
  }
  return m;
}

enum class Outcome { kFresh, kRan, kFailed, kBlocked, kUnselected, kReused };

bool Succeeded(Outcome o) {
  return o == Outcome::kFresh || o == Outcome::kRan || o == Outcome::kReused;
}

/// The reference model: a phase's key is its specification and its deps'
/// result contents; it is fresh iff it once succeeded with that key. The
/// target is the base merged with every succeeded result in the graph's
/// topological order, ties by manifest order (here deps always come earlier,
/// so it is the manifest order), each merged three-way onto its own input: a result that changed
/// shared.txt conflicts when the target's shared.txt is no longer the one its input held, and is
/// left out with every phase depending on it.
class Model {
 public:
  explicit Model(const std::vector<PhaseSpec>& phases)
      : phases_(phases), last_state_(phases.size()), last_reason_(phases.size()) {}

  /// A commit changed the base's content (not only orchestrate's own files).
  void BaseChanged() { ++base_; }

  /// What a run of `selected` (all when empty) does; updates the successes,
  /// the target and the states the run leaves. `forced`: the phase given to
  /// --force, or -1.
  std::vector<Outcome> Run(const std::set<int>& selected, int forced) {
    std::vector<Outcome> out(phases_.size(), Outcome::kUnselected);
    results_.assign(phases_.size(), Files{});
    for (size_t i = 0; i < phases_.size(); ++i) {
      if (!selected.empty() && !selected.count(i)) continue;
      out[i] = Step(i, out, static_cast<int>(i) == forced);
    }
    // Phases outside the selection keep their place in the target when
    // their recorded result is valid for the current inputs.
    for (size_t i = 0; i < phases_.size(); ++i) {
      if (out[i] != Outcome::kUnselected) continue;
      bool deps_succeeded = true;
      for (int d : phases_[i].deps) deps_succeeded &= Succeeded(out[d]);
      if (!deps_succeeded || !succeeded_[i].count(Key(i))) continue;
      out[i] = Outcome::kReused;
      results_[i] = Result(i);
    }
    Integrate(out);
    for (size_t i = 0; i < phases_.size(); ++i)
      if (out[i] != Outcome::kUnselected && out[i] != Outcome::kReused)
        last_state_[i] = StateName(out[i]);
    // A reused phase that last ended in a failure (left out, failed) is fresh.
    for (size_t i = 0; i < phases_.size(); ++i)
      if (out[i] == Outcome::kReused && last_state_[i] != "succeeded") last_state_[i] = "fresh";
    for (const auto& [i, why] : left_out_) last_state_[i] = "merge-conflict", last_reason_[i] = why;
    return out;
  }

  /// What `plan` should say: fresh iff every dep is fresh and the key succeeded.
  std::set<std::string> PlannedFresh() {
    std::set<std::string> fresh;
    results_.assign(phases_.size(), Files{});
    for (size_t i = 0; i < phases_.size(); ++i) {
      bool deps_fresh = true;
      for (int d : phases_[i].deps) deps_fresh &= fresh.count(phases_[d].name) > 0;
      if (!deps_fresh || !succeeded_[i].count(Key(i))) continue;
      fresh.insert(phases_[i].name);
      results_[i] = Result(i);
    }
    return fresh;
  }

  /// What `status --json` should say of each phase: a failure the last run
  /// that reached it left (failed, blocked, merge-conflict) as it is; else
  /// fresh or stale as planned now ("succeeded" when it ran last time).
  std::map<std::string, std::string> Status() {
    std::set<std::string> fresh = PlannedFresh();
    std::map<std::string, std::string> states;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const std::string& last = last_state_[i];
      std::string& state = states[phases_[i].name];
      if (!last.empty() && last != "succeeded" && last != "fresh")
        state = last;
      else if (!fresh.count(phases_[i].name))
        state = "stale";
      else
        state = last == "succeeded" ? "succeeded" : "fresh";
    }
    return states;
  }

  /// The files of the target after the last run.
  const Files& target() const { return target_; }
  /// The succeeded phases the last run left out of the target, each with
  /// the start of the reason the run gives.
  const std::map<size_t, std::string>& left_out() const { return left_out_; }
  /// The start of the reason `status` gives for a phase it shows
  /// merge-conflict.
  const std::string& conflict_reason(size_t i) const { return last_reason_[i]; }
  /// How many merged results rewrote a shared.txt their input held.
  int rewrites_merged() const { return rewrites_merged_; }

 private:
  static std::string StateName(Outcome o) {
    switch (o) {
      case Outcome::kFresh:
        return "fresh";
      case Outcome::kRan:
        return "succeeded";
      case Outcome::kFailed:
        return "failed";
      default:
        return "blocked";
    }
  }

  Outcome Step(size_t i, const std::vector<Outcome>& out, bool forced) {
    for (int d : phases_[i].deps)
      if (out[d] == Outcome::kFailed || out[d] == Outcome::kBlocked) return Outcome::kBlocked;
    std::string key = Key(i);
    if (!forced && succeeded_[i].count(key)) {
      results_[i] = Result(i);
      return Outcome::kFresh;
    }
    if (phases_[i].fails) return Outcome::kFailed;
    succeeded_[i].insert(key);
    results_[i] = Result(i);
    return Outcome::kRan;
  }

  void Integrate(const std::vector<Outcome>& out) {
    target_.clear();
    left_out_.clear();
    std::vector<std::string> writers;  // merged so far: what a conflict is with
    for (size_t i = 0; i < phases_.size(); ++i) {
      if (!Succeeded(out[i])) continue;
      const PhaseSpec& p = phases_[i];
      auto dep = std::find_if(p.deps.begin(), p.deps.end(),
                              [this](int d) { return left_out_.count(d) > 0; });
      if (dep != p.deps.end()) {
        left_out_[i] = "it depends on " + phases_[*dep].name + ", which is not in " + kTarget;
        continue;
      }
      if (p.writes_shared && SharedIn(target_) != SharedIn(Input(i))) {
        left_out_[i] = "its result conflicts with " + JoinNames(writers) + " in " + kShared + " (";
        continue;
      }
      rewrites_merged_ += p.writes_shared && !SharedIn(target_).empty();
      target_[p.name + ".txt"] = Output(p);
      if (p.writes_shared) target_[kShared] = SharedOutput(p), writers.push_back(p.name);
    }
  }

  static std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
      out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
    return out;
  }

  static std::string SharedIn(const Files& files) {
    auto it = files.find(kShared);
    return it == files.end() ? "" : it->second;
  }

  // The deps' results are complete when Key is called (topological order).
  std::string Key(size_t i) const {
    const PhaseSpec& p = phases_[i];
    std::string key = "base" + std::to_string(base_) + " c" + std::to_string(p.content) + " v" +
                      std::to_string(p.variant) + " e" + std::to_string(p.env) + " h" +
                      std::to_string(p.handoff) + (p.uses_env ? " uses" : "") +
                      (p.writes_shared ? " shared" : "") + "\n";
    for (int d : p.deps) {
      key += phases_[d].name + " h" + std::to_string(phases_[d].handoff) + ":";
      for (const auto& [file, content] : results_[d]) key += file + "=" + content + ";";
      key += "\n";
    }
    return key;
  }

  /// What the phase starts from: its deps' results merged (those holding
  /// shared.txt all hold the same version: KeepInputsApart).
  Files Input(size_t i) const {
    Files files;
    for (int d : phases_[i].deps) files.insert(results_[d].begin(), results_[d].end());
    return files;
  }

  Files Result(size_t i) const {
    Files files = Input(i);
    files[phases_[i].name + ".txt"] = Output(phases_[i]);
    if (phases_[i].writes_shared) files[kShared] = SharedOutput(phases_[i]);
    return files;
  }

  const std::vector<PhaseSpec>& phases_;
  std::map<size_t, std::set<std::string>> succeeded_;
  std::vector<Files> results_;
  std::vector<std::string> last_state_;  ///< in the state file; "" before any run reached it
  Files target_;
  std::map<size_t, std::string> left_out_;
  std::vector<std::string> last_reason_;  ///< of a phase left out of the target
  int base_ = 0;
  int rewrites_merged_ = 0;
};

/// The phases and everything they depend on.
std::set<int> Closure(const std::vector<PhaseSpec>& phases, int target) {
  std::set<int> out{target};
  for (int i = target; i >= 0; --i)
    if (out.count(i))
      for (int d : phases[i].deps) out.insert(d);
  return out;
}

/// The latest phase among `d` and everything it depends on that writes
/// shared.txt, or -1. While KeepInputsApart holds, it depends on every
/// other writer there, so d's result holds its version of shared.txt.
int LatestWriter(const std::vector<PhaseSpec>& phases, int d) {
  std::set<int> closure = Closure(phases, d);
  for (auto it = closure.rbegin(); it != closure.rend(); ++it)
    if (phases[*it].writes_shared) return *it;
  return -1;
}

/// Keeps conflicting versions of shared.txt out of input merges. Two deps
/// of one phase holding the same version merge cleanly (both sides agree);
/// holding two versions, the merge ends `input-conflict` or not depending on
/// the commits' history rather than their trees (a dependent kept fresh by
/// early cutoff holds its dep's older result commit, so the merge base may
/// lack the version both descend from: a spurious conflict). Only target
/// conflicts are modelled: while some phase has deps holding different
/// versions, the latest of their writers stops writing it.
std::string KeepInputsApart(std::vector<PhaseSpec>& phases) {
  std::string what;
  for (;;) {
    int writer = -1;
    for (size_t z = 0; z < phases.size() && writer < 0; ++z) {
      std::set<int> versions;
      for (int d : phases[z].deps)
        if (int w = LatestWriter(phases, d); w >= 0) versions.insert(w);
      if (versions.size() > 1) writer = *versions.rbegin();
    }
    if (writer < 0) return what;
    phases[writer].writes_shared = false;
    what += phases[writer].name + " stops writing " + kShared + " (inputs apart); ";
  }
}

/// A random DAG of 6-10 phases; phase i depends on up to 3 earlier ones.
std::vector<PhaseSpec> RandomGraph(std::mt19937& rng) {
  int n = std::uniform_int_distribution<int>(6, 10)(rng);
  std::vector<PhaseSpec> phases(n);
  for (int i = 0; i < n; ++i) {
    phases[i].name = "p" + std::to_string(i);
    phases[i].uses_env = rng() % 2 == 0;
    phases[i].writes_shared = rng() % 3 == 0;
    for (int j = 0; j < i && phases[i].deps.size() < 3; ++j)
      if (rng() % 10 < 3) phases[i].deps.push_back(j);
  }
  KeepInputsApart(phases);
  return phases;
}

/// Adds or removes a dependency of `p` on an earlier phase (keeps the graph acyclic).
std::string ToggleDep(const std::vector<PhaseSpec>& phases, PhaseSpec& p, std::mt19937& rng) {
  int index = std::stoi(p.name.substr(1));
  if (index == 0) return "";
  int dep = rng() % index;
  auto it = std::find(p.deps.begin(), p.deps.end(), dep);
  if (it != p.deps.end()) {
    p.deps.erase(it);
    return p.name + " drops dep " + phases[dep].name + "; ";
  }
  p.deps.push_back(dep);
  return p.name + " adds dep " + phases[dep].name + "; ";
}

/// Random edits between runs; returns a description for failure messages.
std::string Mutate(std::vector<PhaseSpec>& phases, std::mt19937& rng, const std::string& dir) {
  std::string what;
  for (auto& p : phases) {
    if (p.fails ? rng() % 2 == 0 : rng() % 14 == 0) {
      p.fails = !p.fails;
      what += p.name + (p.fails ? " fails; " : " passes; ");
    }
    switch (rng() % 14) {
      case 0:
        ++p.variant, what += p.name + " command edit (same output); ";
        break;
      case 1:
        p.content = (p.content + 1) % 3, what += p.name + " content; ";
        break;
      case 2:
        p.env = (p.env + 1) % 3, what += p.name + " env; ";
        break;
      case 3:
        what += ToggleDep(phases, p, rng);
        break;
      case 4:
        p.handoff = (p.handoff + 1) % 3, what += p.name + " handoff; ";
        break;
      case 5:
        p.writes_shared = !p.writes_shared;
        what += p.name + (p.writes_shared ? " writes " : " stops writing ") + kShared + "; ";
        break;
      default:
        break;
    }
  }
  what += KeepInputsApart(phases);
  Shell("rm -rf fail && mkdir fail", dir);
  for (const auto& p : phases)
    if (p.fails) WriteFile(dir + "/fail", p.name, "");
  return what.empty() ? "nothing changed" : what;
}

std::set<std::string> Names(const std::vector<PhaseSpec>& phases, const std::vector<Outcome>& out,
                            Outcome which) {
  std::set<std::string> names;
  for (size_t i = 0; i < phases.size(); ++i)
    if (out[i] == which) names.insert(phases[i].name);
  return names;
}

std::string Join(const std::set<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : " ") + n;
  return "{" + s + "}";
}

class PropertyRun {
 public:
  PropertyRun(unsigned seed, int runs) : seed_(seed), runs_(runs), rng_(seed) {}

  void Go() {
    phases_ = RandomGraph(rng_);
    std::vector<std::pair<std::string, std::string>> files{{"src.txt", "base 0\n"}};
    scenario_ = std::make_unique<Scenario>(ManifestOf(phases_, tmp_.path()), files);
    model_ = std::make_unique<Model>(phases_);
    Shell("mkdir -p fail", tmp_.path());
    for (int run = 0; run < runs_; ++run) {
      std::string changes = run == 0 ? "first run" : Mutate(phases_, rng_, tmp_.path());
      if (run > 0) changes += CommitSomething(run);
      if (!CheckPlan(run, changes) || !CheckRun(run, changes)) return;
    }
  }

 private:
  /// Writes the manifest; sometimes commits it, sometimes with a source change.
  std::string CommitSomething(int run) {
    scenario_->SetManifest(ManifestOf(phases_, tmp_.path()), /*commit=*/false);
    switch (rng_() % 10) {
      case 0:
        WriteFile(scenario_->repo(), "src.txt", "base " + std::to_string(run) + "\n");
        CommitAll(scenario_->repo(), "source change");
        model_->BaseChanged();
        return "[committed a source change] ";
      case 1:
        CommitAll(scenario_->repo(), "manifest");
        return "[committed the manifest] ";
      default:
        return "";
    }
  }

  bool CheckPlan(int run, const std::string& changes) {
    ShellResult plan = scenario_->Run("plan --json");
    std::set<std::string> fresh;
    nlohmann::json j = nlohmann::json::parse(plan.out, nullptr, false);
    if (!j.is_discarded())
      for (const auto& p : j["phases"])
        if (p["action"] == "fresh") fresh.insert(p["name"].get<std::string>());
    std::set<std::string> want = model_->PlannedFresh();
    if (plan.status == 0 && fresh == want) return true;
    Report(run, changes, "plan: fresh " + Join(fresh) + ", model says fresh " + Join(want), plan);
    return false;
  }

  bool CheckRun(int run, const std::string& changes) {
    std::set<int> selected;
    int forced = -1;
    std::string args = "run -j " + std::to_string(1 + rng_() % 4);
    if (run > 0 && rng_() % 5 == 0) {
      int target = rng_() % phases_.size();
      selected = Closure(phases_, target);
      args += " " + phases_[target].name;
    }
    if (run > 0 && rng_() % 6 == 0) {
      forced = rng_() % phases_.size();
      args += " --force " + phases_[forced].name;
      if (!selected.empty()) {  // a forced phase joins the selection
        std::set<int> more = Closure(phases_, forced);
        selected.insert(more.begin(), more.end());
      }
    }
    ShellResult r = scenario_->Run(args);
    std::vector<Outcome> want = model_->Run(selected, forced);
    Count(want);
    std::set<std::string> want_ran = Names(phases_, want, Outcome::kRan);
    for (const auto& n : Names(phases_, want, Outcome::kFailed)) want_ran.insert(n);
    bool want_failure =
        !Names(phases_, want, Outcome::kFailed).empty() || !model_->left_out().empty();
    std::string problem = Compare(Ran(), want_ran, r.status, want_failure);
    if (problem.empty()) problem = CompareTarget(model_->target());
    if (problem.empty()) problem = CompareStates(model_->Status());
    if (problem.empty()) return true;
    Report(run, changes + " [" + args + "]", problem, r);
    return false;
  }

  /// Tallies what the model says happened, to show what a seed exercised.
  void Count(const std::vector<Outcome>& out) {
    for (size_t i = 0; i < phases_.size(); ++i) {
      ++tally_[out[i]];
      bool dep_ran = false;
      for (int d : phases_[i].deps) dep_ran |= out[d] == Outcome::kRan;
      cutoffs_ += out[i] == Outcome::kFresh && dep_ran;
      bool kept_out = model_->left_out().count(i) > 0;
      conflicts_ += kept_out;
      // Left out last time, integrated now from its record.
      integrated_later_ += left_out_before_.count(i) && !kept_out &&
                           (out[i] == Outcome::kFresh || out[i] == Outcome::kReused);
    }
    left_out_before_.clear();
    for (const auto& [i, why] : model_->left_out()) left_out_before_.insert(i);
  }

 public:
  std::string Summary() const {
    auto n = [this](Outcome o) { return std::to_string(tally_.count(o) ? tally_.at(o) : 0); };
    return std::to_string(phases_.size()) + " phases: " + n(Outcome::kRan) + " ran, " +
           n(Outcome::kFresh) + " fresh (" + std::to_string(cutoffs_) + " after a dep ran), " +
           n(Outcome::kFailed) + " failed, " + n(Outcome::kBlocked) + " blocked, " +
           n(Outcome::kUnselected) + " unselected (" + n(Outcome::kReused) + " reused), " +
           std::to_string(conflicts_) + " merge-conflict (" + std::to_string(integrated_later_) +
           " integrated by a later run without running), " +
           std::to_string(model_->rewrites_merged()) + " rewrites of a dep's " + kShared +
           " merged";
  }

 private:
  /// Lines of ran.log (then removed); a phase listed twice is reported.
  std::multiset<std::string> Ran() {
    std::multiset<std::string> ran;
    std::istringstream in(ReadFile(tmp_.path() + "/ran.log"));
    for (std::string line; std::getline(in, line);) ran.insert(line);
    std::remove((tmp_.path() + "/ran.log").c_str());
    return ran;
  }

  std::string Compare(const std::multiset<std::string>& ran, const std::set<std::string>& want,
                      int status, bool want_failure) {
    std::set<std::string> ran_set(ran.begin(), ran.end());
    std::string problem;
    if (ran.size() != ran_set.size()) problem += "a phase ran twice in one run; ";
    if (ran_set != want) problem += "ran " + Join(ran_set) + ", model says " + Join(want) + "; ";
    int want_status = want_failure ? 1 : 0;
    if (status != want_status)
      problem += "exit " + std::to_string(status) + ", expected " + std::to_string(want_status);
    return problem;
  }

  /// The target's files and their contents, read with two commands rather
  /// than one per file (git grep prints "<rev>:<file>:<line>" a line).
  std::string CompareTarget(const Files& want) {
    std::string listing = Shell("git ls-tree --name-only " + kTarget, scenario_->repo()).out;
    std::set<std::string> have_files;
    std::istringstream in(listing);
    for (std::string f; std::getline(in, f);)
      if (f != "orchestrate.toml" && f != "src.txt") have_files.insert(f);
    std::set<std::string> want_files;
    for (const auto& [f, c] : want) want_files.insert(f);
    if (have_files != want_files)
      return "target holds " + Join(have_files) + ", model says " + Join(want_files);
    Files have;
    std::istringstream lines(
        Shell("git grep -I -e '' " + kTarget + " -- ':!orchestrate.toml'", scenario_->repo()).out);
    for (std::string line; std::getline(lines, line);) {
      size_t file_start = kTarget.size() + 1, colon = line.find(':', file_start);
      if (colon != std::string::npos)
        have[line.substr(file_start, colon - file_start)] += line.substr(colon + 1) + "\n";
    }
    for (const auto& [f, c] : want)
      if (have[f] != c + "\n")
        return "target " + f + " holds '" + have[f] + "', model says '" + c + "'";
    return "";
  }

  /// Every phase's state, and a merge-conflict's reason.
  std::string CompareStates(const std::map<std::string, std::string>& want) {
    std::map<std::string, std::pair<std::string, std::string>> have;
    nlohmann::json status = scenario_->Status();
    for (const auto& p : status["phases"]) have[p["name"]] = {p["state"], p["reason"]};
    std::string diff;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const std::string& name = phases_[i].name;
      const auto& [state, reason] = have[name];
      if (state != want.at(name))
        diff += name + " is '" + state + "', model says " + want.at(name) + "; ";
      else if (state == "merge-conflict" && reason.rfind(model_->conflict_reason(i), 0) != 0)
        diff += name + ": '" + reason + "', model says '" + model_->conflict_reason(i) + "...'; ";
    }
    return diff.empty() ? "" : "status: " + diff;
  }

  void Report(int run, const std::string& changes, const std::string& problem,
              const ShellResult& r) {
    ADD_FAILURE() << "seed " << seed_ << ", run " << run << " (" << changes << "): " << problem
                  << "\n--- manifest ---\n"
                  << ReadFile(scenario_->repo() + "/orchestrate.toml") << "--- output (exit "
                  << r.status << ") ---\n"
                  << r.out << "\nreproduce with ORCHESTRATE_PROPERTY_SEED=" << seed_;
  }

  unsigned seed_;
  int runs_;
  std::mt19937 rng_;
  TempDir tmp_;
  std::vector<PhaseSpec> phases_;
  std::unique_ptr<Scenario> scenario_;
  std::unique_ptr<Model> model_;
  std::map<Outcome, int> tally_;
  int cutoffs_ = 0;
  int conflicts_ = 0;
  int integrated_later_ = 0;
  std::set<size_t> left_out_before_;
};

#ifdef ORCHESTRATE_SANITIZED
constexpr int kDefaultSeeds = 2;
#else
constexpr int kDefaultSeeds = 5;
#endif

std::vector<unsigned> Seeds() {
  if (const char* one = std::getenv("ORCHESTRATE_PROPERTY_SEED")) return {unsigned(std::atoi(one))};
  int count = kDefaultSeeds;
  if (const char* n = std::getenv("ORCHESTRATE_PROPERTY_SEEDS")) count = std::atoi(n);
  std::vector<unsigned> seeds;
  for (int i = 1; i <= count; ++i) seeds.push_back(i);
  return seeds;
}

TEST(PropertyTest, ExactlyTheStalePhasesRunOverRandomEdits) {
  for (unsigned seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::printf("[ property ] seed %u\n", seed);
    PropertyRun run(seed, /*runs=*/10);
    run.Go();
    std::printf("[ property ] seed %u: %s\n", seed, run.Summary().c_str());
  }
}

// What the random runs check whenever a conflict goes away, on one fixed
// case: a result left out of the target stays recorded as a success, and
// once it merges cleanly it is integrated without running again, with the
// dependent that was left out with it, and `status` calls both fresh: also
// when the run that integrates them selected only the phase that moved out
// of the way.
TEST(PropertyTest, LeftOutResultIsIntegratedWithoutRunningOnceItMerges) {
  auto phase = [](const std::string& name, const std::string& deps, const std::string& file) {
    return "[phase." + name + "]\ndeps = [" + deps + "]\nrun = \"echo " + name +
           " >> ../../ran.log; echo " + name + " > " + file + "\"\n";
  };
  std::string rest = phase("b", "", "shared.txt") + phase("c", "\"b\"", "c.txt");
  for (std::string second_run : {"run", "run a"}) {
    SCOPED_TRACE(second_run);
    Scenario s("version = 1\n" + phase("a", "", "shared.txt") + rest);
    ShellResult r = s.Run("run");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(s.Files(kTarget), "orchestrate.toml\nshared.txt\n") << r.out;
    EXPECT_EQ(s.Show(kTarget + ":shared.txt"), "a\n");
    std::map<std::string, std::string> conflicted{
        {"a", "succeeded"}, {"b", "merge-conflict"}, {"c", "merge-conflict"}};
    EXPECT_EQ(s.States(), conflicted);
    Ran(s.repo());

    s.SetManifest("version = 1\n" + phase("a", "", "a.txt") + rest);
    r = s.Run(second_run);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(Ran(s.repo()), "a\n") << r.out;
    EXPECT_EQ(s.Files(kTarget), "a.txt\nc.txt\norchestrate.toml\nshared.txt\n");
    EXPECT_EQ(s.Show(kTarget + ":shared.txt"), "b\n");
    std::map<std::string, std::string> integrated{
        {"a", "succeeded"}, {"b", "fresh"}, {"c", "fresh"}};
    EXPECT_EQ(s.States(), integrated);
  }
}

}  // namespace
}  // namespace orchestrate::testing
