// Approvals: a person's decisions on phase results, as refs under
// refs/orchestrate/approvals/ (approval.h).
#include "orchestrate/approval.h"

#include <cstdlib>
#include <map>
#include <sstream>

#include "orchestrate/error.h"
#include "orchestrate/refs.h"

namespace orchestrate {
namespace {

const char* kDecisionFile = "decision";
const char* kFeedbackFile = "feedback.md";

// The person deciding: git's configured identity, now.
Signature Person(Repo& repo) { return repo.UserSignature(); }

std::string DecisionText(const Decision& d) {
  return std::string(d.approved ? "approved" : "rejected") + "\nphase " + d.phase + "\nresult " +
         d.result.hex() + "\nkey " + d.key + "\nwho " + d.who + "\nat " + std::to_string(d.at) +
         "\n";
}

// Parses DecisionText; false when it is not one.
bool ParseDecision(const std::string& text, Decision* d) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || (line != "approved" && line != "rejected")) return false;
  d->approved = line == "approved";
  while (std::getline(in, line)) {
    size_t space = line.find(' ');
    std::string name = line.substr(0, space);
    std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (name == "phase") d->phase = value;
    if (name == "result") d->result = ObjectId::FromHex(value).value_or(ObjectId());
    if (name == "key") d->key = value;
    if (name == "who") d->who = value;
    if (name == "at") d->at = std::strtoll(value.c_str(), nullptr, 10);
  }
  return !d->phase.empty() && !d->result.empty();
}

InfraError NotADecision(const std::string& ref) {
  return InfraError(ref +
                    " is not an approval orchestrate wrote; remove it with `git update-ref -d " +
                    ref + "` and approve or reject again");
}

}  // namespace

std::string Approvals::RefOf(const std::string& phase, const ObjectId& result) {
  return refs::ApprovalRef(phase, result);
}

void Approvals::Approve(const std::string& phase, const ObjectId& result, const std::string& key) {
  Decision d;
  d.approved = true;
  d.phase = phase;
  d.result = result;
  d.key = key;
  Write(d);
}

void Approvals::Reject(const std::string& phase, const ObjectId& result, const std::string& key,
                       const std::string& feedback) {
  Decision d;
  d.phase = phase;
  d.result = result;
  d.key = key;
  d.feedback = feedback;
  Write(d);
}

void Approvals::Write(const Decision& decision) {
  Signature person = Person(repo_);
  Decision d = decision;
  d.who = person.name + " <" + person.email + ">";
  d.at = person.time;
  std::map<std::string, ObjectId> files = {{kDecisionFile, repo_.WriteBlob(DecisionText(d))}};
  if (!d.approved) files[kFeedbackFile] = repo_.WriteBlob(d.feedback);
  std::string message =
      (d.approved ? "approve " : "reject ") + d.phase + ": result " + d.result.hex();
  ObjectId commit = repo_.CreateCommit(repo_.WriteTree(files), {d.result}, message, person);
  repo_.WriteRef(RefOf(d.phase, d.result), commit, "orchestrate: " + message);
}

std::optional<Decision> Approvals::Find(const std::string& phase, const ObjectId& result) {
  std::string ref = RefOf(phase, result);
  std::optional<ObjectId> commit = repo_.ReadRef(ref);
  if (!commit) return std::nullopt;
  std::map<std::string, ObjectId> files;
  try {
    files = repo_.ReadTree(repo_.TreeOf(*commit));
  } catch (const InfraError&) {
    throw NotADecision(ref);
  }
  Decision d;
  auto decision = files.find(kDecisionFile);
  if (decision == files.end() || !ParseDecision(repo_.ReadBlob(decision->second), &d) ||
      d.phase != phase || d.result != result)
    throw NotADecision(ref);
  auto feedback = files.find(kFeedbackFile);
  if (feedback != files.end()) d.feedback = repo_.ReadBlob(feedback->second);
  return d;
}

bool Approvals::IsApproved(const std::string& phase, const ObjectId& result) {
  return IsApproval(Find(phase, result));
}

std::string RejectionFeedback(const Decision& rejection) {
  std::string text = "A person rejected the previous result of phase " + rejection.phase +
                     " (commit " + rejection.result.ShortHex(12) + ")";
  if (!rejection.who.empty()) text += ", " + rejection.who;
  text += ":\n\n" + rejection.feedback;
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

std::string AwaitingApprovalHint(const std::string& phase, const ObjectId& input,
                                 const ObjectId& result) {
  std::string r = result.ShortHex(12);
  std::string review =
      input.empty() ? "`git show " + r + "`" : "`git diff " + input.ShortHex(12) + " " + r + "`";
  return "its result " + r + " awaits approval: review it with " + review +
         ", then `orchestrate approve " + phase + "` (or `orchestrate reject " + phase +
         " -m \"what to change\"`) and run again";
}

}  // namespace orchestrate
