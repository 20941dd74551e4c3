// The production PhaseRunner: each phase on a worker thread running
// ExecutePhase; ends are queued for the Builder's thread.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "orchestrate/build_interfaces.h"

namespace orchestrate {
namespace {

class ThreadPhaseRunner : public PhaseRunner {
 public:
  ~ThreadPhaseRunner() override { Abort(); }

  void Start(int phase, PhaseJob job, EmitFn emit) override {
    threads_[phase] = std::thread([this, phase, job = std::move(job), emit = std::move(emit)] {
      PhaseOutcome outcome = ExecutePhase(job, cancel_, emit);
      std::lock_guard<std::mutex> lock(mutex_);
      ended_.push_back(PhaseEnd{phase, std::move(outcome)});
      cv_.notify_one();
    });
  }

  std::vector<PhaseEnd> Wait(std::chrono::milliseconds timeout) override {
    std::deque<PhaseEnd> ended;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait_for(lock, timeout, [this] { return !ended_.empty(); });
      ended.swap(ended_);
    }
    std::vector<PhaseEnd> out;
    for (auto& end : ended) {
      auto it = threads_.find(end.phase);
      it->second.join();
      threads_.erase(it);
      out.push_back(std::move(end));
    }
    return out;
  }

  void Cancel() override { cancel_ = true; }

  void Abort() override {
    cancel_ = true;
    for (auto& [phase, thread] : threads_)
      if (thread.joinable()) thread.join();
    threads_.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    ended_.clear();
  }

 private:
  std::atomic<bool> cancel_{false};
  std::map<int, std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<PhaseEnd> ended_;
};

class SystemClock : public BuildClock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  std::time_t WallNow() const override { return std::time(nullptr); }
};

}  // namespace

std::unique_ptr<PhaseRunner> MakeThreadPhaseRunner() {
  return std::make_unique<ThreadPhaseRunner>();
}

BuildClock& BuildClock::System() {
  static SystemClock clock;
  return clock;
}

}  // namespace orchestrate
