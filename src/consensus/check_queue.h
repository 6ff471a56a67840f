// Parallel verification of independent checks (the script checks of a block's inputs) on a
// fixed pool of worker threads, with a deterministic verdict.
//
// A batch is a vector of checks; each check returns std::nullopt on success or an error. The
// calling thread works on the batch too. The verdict is the failure of the lowest-indexed
// failing check, whatever the thread timing, so the same block always gives the same reject
// reason. After the first failure is seen, workers stop claiming new checks (later indices
// cannot change the verdict unless they are lower, and claims go in index order).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace bitloom {

template <typename Error>
class CheckQueue {
public:
    using Check = std::function<std::optional<Error>()>;

    struct Failure {
        std::size_t index;
        Error error;
    };

    // `worker_threads` helpers besides the caller (0: everything runs on the calling thread).
    explicit CheckQueue(unsigned worker_threads) {
        workers_.reserve(worker_threads);
        for (unsigned i = 0; i < worker_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
    }
    CheckQueue(const CheckQueue&) = delete;
    CheckQueue& operator=(const CheckQueue&) = delete;

    ~CheckQueue() {
        {
            std::lock_guard lock(mutex_);
            shutting_down_ = true;
        }
        work_ready_.notify_all();
        for (auto& worker : workers_) worker.join();
    }

    // Runs every check (stopping early after a failure) and returns the lowest-indexed failure.
    // One batch at a time: concurrent calls are serialised.
    std::optional<Failure> run(std::vector<Check>& checks) {
        std::lock_guard batch_lock(batch_mutex_);
        {
            std::lock_guard lock(mutex_);
            checks_ = &checks;
            next_.store(0);
            failed_.store(false);
            first_failure_.reset();
            active_ = 0;
            ++generation_;
        }
        work_ready_.notify_all();
        drain();
        std::unique_lock lock(mutex_);
        batch_done_.wait(lock, [this] { return active_ == 0; });
        checks_ = nullptr;
        return first_failure_;
    }

    unsigned worker_count() const { return static_cast<unsigned>(workers_.size()); }

private:
    // Claims checks in index order until the batch is exhausted or has failed.
    void drain() {
        {
            std::lock_guard lock(mutex_);
            if (checks_ == nullptr) return;
            ++active_;
        }
        std::vector<Check>& checks = *checks_;
        while (!failed_.load(std::memory_order_relaxed)) {
            const std::size_t i = next_.fetch_add(1);
            if (i >= checks.size()) break;
            if (auto error = checks[i]()) {
                std::lock_guard lock(mutex_);
                if (!first_failure_ || i < first_failure_->index) first_failure_ = Failure{i, *error};
                failed_.store(true);
            }
        }
        std::lock_guard lock(mutex_);
        if (--active_ == 0) batch_done_.notify_all();
    }

    void worker_loop() {
        std::uint64_t seen = 0;
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                work_ready_.wait(lock, [&] { return shutting_down_ || generation_ != seen; });
                if (shutting_down_) return;
                seen = generation_;
            }
            drain();
        }
    }

    std::mutex batch_mutex_;  // one batch at a time
    std::mutex mutex_;        // guards checks_, first_failure_, active_, generation_, shutting_down_
    std::condition_variable work_ready_;
    std::condition_variable batch_done_;
    std::vector<Check>* checks_ = nullptr;
    std::optional<Failure> first_failure_;
    unsigned active_ = 0;
    std::uint64_t generation_ = 0;
    bool shutting_down_ = false;
    std::atomic<std::size_t> next_{0};
    std::atomic<bool> failed_{false};
    std::vector<std::thread> workers_;
};

}  // namespace bitloom
