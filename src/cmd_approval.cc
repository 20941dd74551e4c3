// approve, reject: a person's decision on the result a phase with
// `approval = true` waits with (SPEC section 3 item 8).
#include <iostream>

#include "orchestrate/approval.h"
#include "orchestrate/cache.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/planner.h"

namespace orchestrate {
namespace {

// The successful record of `name` for its current key: the result that
// awaits a decision. Throws UsageError saying why there is none and what to do.
Record ResultAwaitingDecision(Project& project, const std::string& name, const std::string& verb) {
  Graph graph(project.manifest);
  std::vector<int> selected;
  std::string err;
  if (!graph.Select({name}, &selected, &err)) throw UsageError(err);
  if (!project.manifest.FindPhase(name)->approval)
    throw UsageError("cannot " + verb + " " + name + ": it does not wait for approval (add " +
                     "`approval = true` to [phase." + name + "] in " + project.manifest.path + ")");
  ObjectId base = ResolveBaseOrThrow(*project.repo, project.manifest, "");
  RunState state = project.workspace.LoadState();
  ResultCache& cache = project.StartRecords(/*writable=*/false);
  Planner planner(graph, *project.repo, cache, state, base, PlannerOptions{});
  PhaseDecision d = planner.PlanAll(selected).back();
  std::optional<Record> record;
  if (!d.key.empty()) record = cache.Lookup(name, d.key, /*with_log=*/false);
  if (record && record->status == "succeeded") return *record;
  throw UsageError("cannot " + verb + " " + name + ": it has no result awaiting approval (" +
                   (d.reason.empty() ? "no successful result for its current inputs" : d.reason) +
                   "); run it with `orchestrate run " + name + "`, then " + verb +
                   " the result it waits with");
}

// "git diff <input> <result>": how to see what a result changed.
std::string DiffCommand(Repo& repo, const Record& record) {
  ObjectId input = record.input;
  if (input.empty()) {
    std::vector<ObjectId> parents = repo.ParentsOf(record.result);
    input = parents.empty() ? record.result : parents.front();
  }
  return "git diff " + input.ShortHex(12) + " " + record.result.ShortHex(12);
}

}  // namespace

int CommandApprove(Project& project, const std::string& phase) {
  Record record = ResultAwaitingDecision(project, phase, "approve");
  Approvals approvals(*project.repo);
  std::string result = record.result.ShortHex(12);
  if (approvals.IsApproved(phase, record.result)) {
    std::cout << phase << ": result " << result << " is approved already\n";
    return kExitOk;
  }
  approvals.Approve(phase, record.result, record.key);
  std::cout << "approved " << phase << ": result " << result << " (its changes: `"
            << DiffCommand(*project.repo, record) << "`)\n"
            << "share the approval with `orchestrate cache push`\n";
  return kExitOk;
}

int CommandReject(Project& project, const std::string& phase, const std::string& message) {
  if (message.find_first_not_of(" \t\n") == std::string::npos)
    throw UsageError("reject " + phase + ": -m TEXT must say what to change; the phase's next " +
                     "attempt reads it");
  Record record = ResultAwaitingDecision(project, phase, "reject");
  Approvals(*project.repo).Reject(phase, record.result, record.key, message);
  std::cout << "rejected " << phase << ": result " << record.result.ShortHex(12)
            << ", with your text for its next attempt (" << Approvals::RefOf(phase, record.result)
            << ")\nshare the rejection with `orchestrate cache push`\n";
  return kExitOk;
}

}  // namespace orchestrate
