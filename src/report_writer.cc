// run --report FILE: the report's model filled from the run's events, the
// page written at Close(). Unlike `orchestrate report`, it knows every try
// of a phase and the waits after requeues.
#include <algorithm>
#include <map>
#include <mutex>

#include "orchestrate/report.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

class HtmlReportWriter : public EventSink {
 public:
  HtmlReportWriter(const std::string& path, ReportModel model)
      : file_(path, "w"), model_(std::move(model)) {
    for (size_t i = 0; i < model_.phases.size(); ++i) index_[model_.phases[i].name] = i;
  }
  ~HtmlReportWriter() override { Close(); }

  void OnEvent(const Event& e) override {
    std::lock_guard lock(mutex_);
    now_ = std::max(now_, e.time_s);
    switch (e.type) {
      case Event::Type::kRunStarted:
        model_.jobs = e.jobs;
        model_.base = e.base.hex();
        model_.started_at = std::time(nullptr);
        break;
      case Event::Type::kPhaseFresh:
        if (ReportPhase* p = Find(e.phase)) p->state = "fresh";
        break;
      case Event::Type::kPhaseStarted:
        OnStarted(e);
        break;
      case Event::Type::kPhaseRequeued:
        OnRequeued(e);
        break;
      case Event::Type::kPhaseFinished:
        OnFinished(e);
        break;
      case Event::Type::kTargetUpdated:
        model_.target_commit = e.result;
        break;
      case Event::Type::kRunFinished:
        model_.duration_s = e.duration_s;
        break;
      default:
        break;
    }
  }

  void OnTick(double time_s) override {
    std::lock_guard lock(mutex_);
    now_ = std::max(now_, time_s);
  }

  void Close() override {
    std::lock_guard lock(mutex_);
    if (!file_.is_open()) return;
    for (auto& [phase, bar] : open_) {  // interrupted
      bar.end_s = now_;
      bar.state = "interrupted";
      model_.bars.push_back(bar);
    }
    open_.clear();
    model_.duration_s = std::max(model_.duration_s, now_);
    file_.Write(RenderHtmlReport(model_));
    file_.Close();
  }

 private:
  ReportPhase* Find(const std::string& name) {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &model_.phases[it->second];
  }

  void OnStarted(const Event& e) {
    auto waiting = open_.find(e.phase);
    if (waiting != open_.end()) {  // back from a requeue wait
      waiting->second.end_s = e.time_s;
      model_.bars.push_back(waiting->second);
    }
    open_[e.phase] = {e.phase, std::max(e.slot, 0), e.time_s, e.time_s, false, "running"};
    if (ReportPhase* p = Find(e.phase)) p->state = "running";
  }

  void OnRequeued(const Event& e) {
    auto it = open_.find(e.phase);
    if (it == open_.end()) return;
    it->second.end_s = e.time_s;
    it->second.state = "requeued";
    model_.bars.push_back(it->second);
    it->second = {e.phase, it->second.slot, e.time_s, e.time_s, true, "requeued"};
  }

  void OnFinished(const Event& e) {
    if (ReportPhase* p = Find(e.phase)) {
      p->state = std::string(ToString(e.state));
      p->reason = e.reason;
      p->duration_s = e.duration_s;
      p->attempts = e.attempts;
      p->cost_usd = e.usage.cost_usd;
      p->log_path = e.log_path;
      if (IsFailure(e.state)) p->log_tail = e.log_tail;
    }
    auto it = open_.find(e.phase);
    if (it == open_.end()) return;  // never started: blocked
    it->second.end_s = e.time_s;
    it->second.state = std::string(ToString(e.state));
    model_.bars.push_back(it->second);
    open_.erase(it);
  }

  std::mutex mutex_;
  SinkFile file_;
  ReportModel model_;
  std::map<std::string, size_t> index_;
  std::map<std::string, ReportBar> open_;  ///< a phase's current try or wait
  double now_ = 0;
};

}  // namespace

std::unique_ptr<EventSink> MakeHtmlReportWriter(const std::string& path, ReportModel skeleton) {
  return std::make_unique<HtmlReportWriter>(path, std::move(skeleton));
}

}  // namespace orchestrate
