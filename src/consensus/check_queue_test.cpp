#include "consensus/check_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>

namespace bitloom {
namespace {

using Queue = CheckQueue<std::string>;

std::vector<Queue::Check> counting_checks(std::size_t n, std::atomic<std::size_t>& ran,
                                          const std::set<std::size_t>& failing) {
    std::vector<Queue::Check> checks;
    for (std::size_t i = 0; i < n; ++i) {
        checks.push_back([i, &ran, failing]() -> std::optional<std::string> {
            ran.fetch_add(1);
            if (failing.contains(i)) return "check " + std::to_string(i);
            return std::nullopt;
        });
    }
    return checks;
}

TEST(CheckQueue, runs_every_check_of_a_passing_batch) {
    for (unsigned workers : {0u, 1u, 3u}) {
        Queue queue(workers);
        std::atomic<std::size_t> ran{0};
        auto checks = counting_checks(5000, ran, {});
        EXPECT_FALSE(queue.run(checks).has_value());
        EXPECT_EQ(ran.load(), 5000u) << workers << " workers";
    }
}

TEST(CheckQueue, reports_the_lowest_failing_check_whatever_the_timing) {
    Queue queue(3);
    for (int round = 0; round < 200; ++round) {
        std::atomic<std::size_t> ran{0};
        auto checks = counting_checks(600, ran, {417, 90, 599, 91});
        auto failure = queue.run(checks);
        ASSERT_TRUE(failure.has_value());
        EXPECT_EQ(failure->index, 90u);
        EXPECT_EQ(failure->error, "check 90");
    }
}

TEST(CheckQueue, stops_claiming_work_after_a_failure) {
    Queue queue(0);  // single-threaded: nothing after the failure may run
    std::atomic<std::size_t> ran{0};
    auto checks = counting_checks(1000, ran, {10});
    auto failure = queue.run(checks);
    ASSERT_TRUE(failure.has_value());
    EXPECT_EQ(failure->index, 10u);
    EXPECT_EQ(ran.load(), 11u);
}

TEST(CheckQueue, uses_the_worker_threads) {
    Queue queue(2);
    std::mutex mutex;
    std::set<std::thread::id> threads;
    std::vector<Queue::Check> checks;
    for (int i = 0; i < 400; ++i) {
        checks.push_back([&]() -> std::optional<std::string> {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            std::lock_guard lock(mutex);
            threads.insert(std::this_thread::get_id());
            return std::nullopt;
        });
    }
    EXPECT_FALSE(queue.run(checks).has_value());
    EXPECT_GE(threads.size(), 2u);
    EXPECT_EQ(queue.worker_count(), 2u);
}

TEST(CheckQueue, handles_empty_batches_and_reuse) {
    Queue queue(2);
    std::vector<Queue::Check> none;
    EXPECT_FALSE(queue.run(none).has_value());
    std::atomic<std::size_t> ran{0};
    auto checks = counting_checks(10, ran, {3});
    EXPECT_EQ(queue.run(checks)->index, 3u);
    auto passing = counting_checks(10, ran, {});
    EXPECT_FALSE(queue.run(passing).has_value());
}

}  // namespace
}  // namespace bitloom
