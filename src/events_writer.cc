// --events FILE: one JSON object per event, a line each, flushed at once so
// a reader can follow the run as it happens.
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "orchestrate/events.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

using Json = nlohmann::json;
using Type = Event::Type;

std::string_view EventName(Type type) {
  switch (type) {
    case Type::kRunStarted:
      return "run_started";
    case Type::kPhaseFresh:
      return "phase_fresh";
    case Type::kPhaseStarted:
      return "phase_started";
    case Type::kCommandStarted:
      return "command_started";
    case Type::kPhaseRequeued:
      return "phase_requeued";
    case Type::kPhaseFinished:
      return "phase_finished";
    case Type::kTargetUpdated:
      return "target_updated";
    case Type::kMessage:
      return "message";
    case Type::kRunFinished:
      return "run_finished";
  }
  return "unknown";
}

// The JSON name of Event::text for each event type.
std::string_view TextField(Type type) {
  switch (type) {
    case Type::kCommandStarted:
      return "command";
    case Type::kPhaseRequeued:
      return "pattern";
    case Type::kTargetUpdated:
      return "branch";
    default:
      return "text";
  }
}

// Seconds to the millisecond: enough for people, short lines.
double Seconds(double s) { return std::round(s * 1000) / 1000; }

void PutString(Json& json, std::string_view name, const std::string& value) {
  if (!value.empty()) json[std::string(name)] = value;
}

Json CommandsJson(const std::vector<CommandOutcome>& commands) {
  Json list = Json::array();
  for (const CommandOutcome& c : commands) {
    list.push_back({{"step", c.step},
                    {"command", c.command},
                    {"exit_code", c.exit_code},
                    {"describe", c.describe},
                    {"duration_s", Seconds(c.duration_s)}});
  }
  return list;
}

void PutStrings(Json& json, const Event& e) {
  PutString(json, "phase", e.phase);
  PutString(json, "reason", e.reason);
  PutString(json, TextField(e.type), e.text);
  PutString(json, "step", e.step);
  PutString(json, "result", e.result.hex());
  PutString(json, "branch", e.branch);
  PutString(json, "worktree", e.worktree);
  PutString(json, "log_path", e.log_path);
  PutString(json, "failed_command", e.failed_command);
  PutString(json, "log_tail", e.log_tail);
  PutString(json, "base", e.base.hex());
}

// Numbers and flags only where the event type gives them a meaning.
void PutNumbers(Json& json, const Event& e) {
  bool finished = e.type == Type::kPhaseFinished;
  if (e.type == Type::kPhaseFresh) json["state"] = ToString(PhaseState::kFresh);
  if (finished) json["state"] = ToString(e.state);
  if ((e.type == Type::kPhaseStarted || finished) && e.slot >= 0) json["slot"] = e.slot;
  if (finished || e.type == Type::kPhaseFresh) json["duration_s"] = Seconds(PhaseDuration(e));
  if (e.type == Type::kRunFinished) json["duration_s"] = Seconds(e.duration_s);
  if (e.attempts > 0) json["attempts"] = e.attempts;
  if (e.type == Type::kPhaseRequeued) json["backoff_s"] = Seconds(e.backoff_s);
  if (e.started_at != 0) json["started_at"] = e.started_at;
  if (e.type == Type::kRunStarted) {
    json["total"] = e.total;
    json["jobs"] = e.jobs;
  }
  if (e.type == Type::kRunFinished) json["exit_status"] = e.exit_status;
  if (e.type == Type::kMessage && e.warning) json["warning"] = true;
  if (!e.commands.empty()) json["commands"] = CommandsJson(e.commands);
  if (!e.paths.empty()) json["paths"] = e.paths;
  if (!e.conflicts_with.empty()) json["conflicts_with"] = e.conflicts_with;
  if (finished || e.type == Type::kRunFinished) PutUsageFields(e.usage, &json);
}

class EventsWriter : public EventSink {
 public:
  explicit EventsWriter(const std::string& path) : file_(path, "w") {}

  void OnEvent(const Event& event) override {
    Json json = {{"event", EventName(event.type)}, {"time_s", Seconds(event.time_s)}};
    PutStrings(json, event);
    PutNumbers(json, event);
    // Log text may hold invalid UTF-8: replace it rather than throw.
    std::string line = json.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    std::lock_guard lock(mutex_);
    file_.Write(line);
    file_.Flush();
  }

  void Close() override {
    std::lock_guard lock(mutex_);
    file_.Close();
  }

 private:
  std::mutex mutex_;
  SinkFile file_;
};

}  // namespace

std::unique_ptr<EventSink> MakeEventsWriter(const std::string& path) {
  return std::make_unique<EventsWriter>(path);
}

}  // namespace orchestrate
