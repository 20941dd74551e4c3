// --trace FILE: the run in Chrome's trace event format, for Perfetto or
// chrome://tracing. One track per job slot with a slice per phase (and nested
// slices per command), a "cache" track with an instant per fresh phase and a
// "blocked" track with an instant per blocked phase. Written at Close().
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "orchestrate/events.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

using Json = nlohmann::json;

int64_t Micros(double seconds) { return std::llround(std::max(seconds, 0.0) * 1e6); }

// A phase whose slice is open, and its current command's.
struct OpenPhase {
  int slot = 0;
  double started_s = 0;
  std::string reason;
  std::string step;  ///< of the current command, empty when none
  std::string command;
  double command_started_s = 0;
};

class TraceWriter : public EventSink {
 public:
  explicit TraceWriter(const std::string& path) : file_(path, "w") {}
  ~TraceWriter() override { Close(); }

  void OnEvent(const Event& e) override {
    std::lock_guard lock(mutex_);
    now_ = std::max(now_, e.time_s);
    switch (e.type) {
      case Event::Type::kRunStarted:
        jobs_ = e.jobs;
        break;
      case Event::Type::kPhaseFresh:
        Instant(e, CacheTrack(), "fresh");
        break;
      case Event::Type::kPhaseStarted:
        OnPhaseStarted(e);
        break;
      case Event::Type::kCommandStarted:
        OnCommandStarted(e);
        break;
      case Event::Type::kPhaseRequeued:
        OnPhaseRequeued(e);
        break;
      case Event::Type::kPhaseFinished:
        OnPhaseFinished(e);
        break;
      default:
        break;
    }
  }

  void OnTick(double time_s) override {
    std::lock_guard lock(mutex_);
    now_ = std::max(now_, time_s);
  }

  // Phases still open (the run was interrupted) end now, as interrupted.
  void Close() override {
    std::lock_guard lock(mutex_);
    if (!file_.is_open()) return;
    for (auto& [phase, open] : open_) {
      EndPhase(phase, open, now_, {{"state", ToString(PhaseState::kInterrupted)}});
    }
    open_.clear();
    file_.Write(Document());
    file_.Close();
  }

 private:
  void OnPhaseStarted(const Event& e) {
    auto it = open_.find(e.phase);
    if (it != open_.end()) {  // started again after a requeue: close the first try
      EndPhase(e.phase, it->second, e.time_s, {{"state", "requeued"}});
    }
    OpenPhase& open = open_[e.phase] = OpenPhase();
    open.slot = e.slot;
    open.started_s = e.time_s;
    open.reason = e.reason;
    if (e.slot >= 0) slots_.insert(e.slot);
  }

  void OnCommandStarted(const Event& e) {
    auto it = open_.find(e.phase);
    if (it == open_.end()) return;
    EndCommand(it->second, e.time_s);
    it->second.step = e.step.empty() ? "command" : e.step;
    it->second.command = e.text;
    it->second.command_started_s = e.time_s;
  }

  void OnPhaseRequeued(const Event& e) {
    auto it = open_.find(e.phase);
    if (it == open_.end()) return;
    EndCommand(it->second, e.time_s);
    Json args = {{"pattern", e.text}, {"backoff_s", e.backoff_s}};
    Instant(e, it->second.slot, "requeued", args);
  }

  void OnPhaseFinished(const Event& e) {
    auto it = open_.find(e.phase);
    if (it == open_.end()) {  // never started: blocked
      Instant(e, CacheTrack() + 1, ToString(e.state), {{"reason", e.reason}});
      return;
    }
    Json args = {{"state", ToString(e.state)}, {"attempts", e.attempts}};
    if (!e.reason.empty()) args["reason"] = e.reason;
    EndPhase(e.phase, it->second, e.time_s, args);
    open_.erase(it);
  }

  void EndPhase(const std::string& phase, OpenPhase& open, double end_s, Json args) {
    EndCommand(open, end_s);
    if (!args.contains("reason") && !open.reason.empty()) args["reason"] = open.reason;
    Slice(phase, "phase", open.slot, open.started_s, end_s, std::move(args));
  }

  void EndCommand(OpenPhase& open, double end_s) {
    if (open.step.empty()) return;
    Slice(open.step, "command", open.slot, open.command_started_s, end_s,
          {{"command", open.command}});
    open.step.clear();
  }

  void Slice(const std::string& name, const char* category, int tid, double start_s, double end_s,
             Json args) {
    events_.push_back({{"name", name},
                       {"cat", category},
                       {"ph", "X"},
                       {"ts", Micros(start_s)},
                       {"dur", Micros(end_s - start_s)},
                       {"pid", 1},
                       {"tid", tid},
                       {"args", std::move(args)}});
  }

  void Instant(const Event& e, int tid, std::string_view category, Json args = Json::object()) {
    events_.push_back({{"name", e.phase},
                       {"cat", category},
                       {"ph", "i"},
                       {"s", "t"},
                       {"ts", Micros(e.time_s)},
                       {"pid", 1},
                       {"tid", tid},
                       {"args", std::move(args)}});
  }

  // The tracks after the job slots.
  int CacheTrack() const {
    int after_slots = slots_.empty() ? 0 : *slots_.rbegin() + 1;
    return std::max(jobs_, after_slots);
  }

  std::vector<Json> TrackNames() const {
    std::set<int> slots = slots_;
    for (int slot = 0; slot < jobs_; ++slot) slots.insert(slot);
    std::vector<Json> names{Metadata("process_name", 0, "orchestrate")};
    for (int slot : slots) names.push_back(Metadata("thread_name", slot, JobName(slot)));
    names.push_back(Metadata("thread_name", CacheTrack(), "cache"));
    names.push_back(Metadata("thread_name", CacheTrack() + 1, "blocked"));
    return names;
  }

  static std::string JobName(int slot) { return "job " + std::to_string(slot + 1); }

  static Json Metadata(const char* what, int tid, const std::string& name) {
    return {{"name", what}, {"ph", "M"}, {"pid", 1}, {"tid", tid}, {"args", {{"name", name}}}};
  }

  // One event per line, so the file also reads well in a diff.
  std::string Document() const {
    std::string text = "{\"traceEvents\": [\n";
    std::vector<Json> all = TrackNames();
    all.insert(all.end(), events_.begin(), events_.end());
    for (size_t i = 0; i < all.size(); ++i) {
      text += all[i].dump(-1, ' ', false, Json::error_handler_t::replace);
      text += i + 1 < all.size() ? ",\n" : "\n";
    }
    return text + "], \"displayTimeUnit\": \"ms\"}\n";
  }

  std::mutex mutex_;
  SinkFile file_;
  double now_ = 0;
  int jobs_ = 0;
  std::set<int> slots_;
  std::map<std::string, OpenPhase> open_;
  std::vector<Json> events_;
};

}  // namespace

std::unique_ptr<EventSink> MakeTraceWriter(const std::string& path) {
  return std::make_unique<TraceWriter>(path);
}

}  // namespace orchestrate
