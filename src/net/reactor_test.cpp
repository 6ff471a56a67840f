// The epoll reactor on loopback: connects, accepts, bytes both ways, closes, pausing, the
// send-buffer limit, timeouts, post() and the timer.
#include "net/reactor.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "net/test_support.h"

namespace bitloom {
namespace {

using namespace std::chrono_literals;
using net_testing::accept_blocking;
using net_testing::connect_blocking;
using net_testing::loopback;
using net_testing::ReactorHarness;
using net_testing::read_exactly;
using net_testing::send_all;
using net_testing::text_of;
using net_testing::wait_for_fd;

NetService add_loopback_listener(ReactorHarness& harness) {
    return harness.call([](Reactor& reactor) {
        auto listener = listen_on(loopback());
        EXPECT_TRUE(listener.has_value());
        return reactor.add_listener(std::move(*listener)).value();
    });
}

TEST(Reactor, connects_to_its_own_listener_and_carries_bytes_both_ways) {
    ReactorHarness harness;
    const NetService listening = add_loopback_listener(harness);
    EXPECT_EQ(listening.address.to_string(), "127.0.0.1");
    ASSERT_NE(listening.port, 0);

    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(1, listening); }));
    ASSERT_TRUE(harness.wait_until(
        [&] { return harness.connected_.contains(1) && harness.accepted_.size() == 1; }));
    const auto [remote, local] = harness.inspect([&] { return harness.connected_[1]; });
    EXPECT_EQ(remote, listening);
    EXPECT_EQ(local.address.to_string(), "127.0.0.1");
    const ConnectionId inbound = harness.inspect([&] { return harness.accepted_[0]; });

    ASSERT_TRUE(harness.call([](Reactor& reactor) { return reactor.write(1, as_bytes("ping")); }));
    ASSERT_TRUE(harness.wait_until([&] { return harness.data_[inbound].size() == 4; }));
    EXPECT_EQ(harness.inspect([&] { return text_of(harness.data_[inbound]); }), "ping");

    ASSERT_TRUE(harness.call(
        [&](Reactor& reactor) { return reactor.write(inbound, as_bytes("pong!")); }));
    ASSERT_TRUE(harness.wait_until([&] { return harness.data_[1].size() == 5; }));
    EXPECT_EQ(harness.inspect([&] { return text_of(harness.data_[1]); }), "pong!");
    EXPECT_EQ(harness.call([](Reactor& reactor) { return reactor.connection_count(); }), 2u);
}

TEST(Reactor, reports_a_refused_connect_as_connect_failed) {
    NetService closed_port;
    {
        auto listener = listen_on(loopback());
        ASSERT_TRUE(listener.has_value());
        closed_port = local_address(*listener).value();
    }
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(5, closed_port); }));
    ASSERT_TRUE(harness.wait_until([&] { return harness.failed_.contains(5); }));
    const std::string error = harness.inspect([&] { return harness.failed_[5]; });
    EXPECT_NE(error.find("refused"), std::string::npos) << error;
    EXPECT_FALSE(harness.inspect([&] { return harness.closed_.contains(5); }));
    EXPECT_EQ(harness.call([](Reactor& reactor) { return reactor.connection_count(); }), 0u);
}

TEST(Reactor, reports_an_unreachable_network_as_connect_failed_later) {
    ReactorHarness harness;
    const auto onion = NetService::parse(
        "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333", 8333);
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(6, *onion); }));
    ASSERT_TRUE(harness.wait_until([&] { return harness.failed_.contains(6); }));
}

TEST(Reactor, refuses_a_second_connection_with_the_same_id) {
    ReactorHarness harness;
    const NetService listening = add_loopback_listener(harness);
    EXPECT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(1, listening); }));
    EXPECT_FALSE(harness.call([&](Reactor& reactor) { return reactor.connect(1, listening); }));
}

TEST(Reactor, times_out_a_connect_that_gets_no_answer) {
    // A listener that never accepts and whose queue is full drops further SYNs, so a connect
    // to it stays pending on loopback.
    auto listener = listen_on(loopback(), 0);
    ASSERT_TRUE(listener.has_value());
    const NetService address = local_address(*listener).value();
    std::vector<Socket> fillers;
    for (int i = 0; i < 4; ++i) {
        auto socket = start_connect(address);
        ASSERT_TRUE(socket.has_value());
        fillers.push_back(std::move(*socket));
    }
    std::this_thread::sleep_for(200ms);
    ReactorOptions options;
    options.connect_timeout = 300ms;
    ReactorHarness harness(options);
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(8, address); }));
    ASSERT_TRUE(harness.wait_until([&] { return harness.failed_.contains(8); }));
    const std::string error = harness.inspect([&] { return harness.failed_[8]; });
    EXPECT_NE(error.find("timed out"), std::string::npos) << error;
}

TEST(Reactor, reports_the_remote_close_once_with_on_closed) {
    auto listener = listen_on(loopback());
    ASSERT_TRUE(listener.has_value());
    const NetService address = local_address(*listener).value();
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(2, address); }));
    {
        Socket server_side = accept_blocking(*listener);
        ASSERT_TRUE(server_side.valid());
        ASSERT_TRUE(send_all(server_side.fd(), as_bytes("bye")));
    }  // closed
    ASSERT_TRUE(harness.wait_until([&] { return harness.closed_.contains(2); }));
    EXPECT_EQ(harness.inspect([&] { return text_of(harness.data_[2]); }), "bye");
    EXPECT_EQ(harness.inspect([&] { return harness.closed_[2]; }), "socket closed");
    EXPECT_FALSE(harness.call([](Reactor& reactor) { return reactor.write(2, as_bytes("x")); }));
    EXPECT_FALSE(harness.call([](Reactor& reactor) { return reactor.close(2); }));
}

TEST(Reactor, close_by_the_owner_sends_what_it_can_and_reports_nothing) {
    auto listener = listen_on(loopback());
    ASSERT_TRUE(listener.has_value());
    const NetService address = local_address(*listener).value();
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(3, address); }));
    Socket server_side = accept_blocking(*listener);
    ASSERT_TRUE(server_side.valid());
    ASSERT_TRUE(harness.wait_until([&] { return harness.connected_.contains(3); }));
    ASSERT_TRUE(harness.call([](Reactor& reactor) {
        return reactor.write(3, as_bytes("last words")) && reactor.close(3);
    }));
    auto got = read_exactly(server_side.fd(), 10);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(text_of(*got), "last words");
    ASSERT_TRUE(wait_for_fd(server_side.fd(), POLLIN));
    char byte;
    EXPECT_EQ(::recv(server_side.fd(), &byte, 1, 0), 0);  // EOF
    std::this_thread::sleep_for(100ms);
    EXPECT_FALSE(harness.inspect([&] { return harness.closed_.contains(3); }));
    EXPECT_EQ(harness.call([](Reactor& reactor) { return reactor.connection_count(); }), 0u);
}

TEST(Reactor, pausing_stops_reading_until_resumed) {
    auto listener = listen_on(loopback());
    ASSERT_TRUE(listener.has_value());
    const NetService address = local_address(*listener).value();
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(4, address); }));
    Socket server_side = accept_blocking(*listener);
    ASSERT_TRUE(harness.wait_until([&] { return harness.connected_.contains(4); }));
    harness.call([](Reactor& reactor) {
        reactor.set_receive_paused(4, true);
        return 0;
    });
    ASSERT_TRUE(send_all(server_side.fd(), as_bytes("held back")));
    std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(harness.inspect([&] { return harness.data_[4].empty(); }));
    harness.call([](Reactor& reactor) {
        reactor.set_receive_paused(4, false);
        return 0;
    });
    ASSERT_TRUE(harness.wait_until([&] { return harness.data_[4].size() == 9; }));
    EXPECT_EQ(harness.inspect([&] { return text_of(harness.data_[4]); }), "held back");
}

TEST(Reactor, stops_reading_while_too_many_bytes_wait_to_be_sent) {
    auto listener = listen_on(loopback());
    ASSERT_TRUE(listener.has_value());
    const NetService address = local_address(*listener).value();
    ReactorOptions options;
    options.max_send_buffer_bytes = 1000;
    ReactorHarness harness(options);
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(5, address); }));
    Socket server_side = accept_blocking(*listener);
    ASSERT_TRUE(harness.wait_until([&] { return harness.connected_.contains(5); }));

    // More than the kernel buffers of both ends can hold, while the other side does not read.
    const Bytes big(32 * 1024 * 1024, 0x42);
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.write(5, big); }));
    std::this_thread::sleep_for(200ms);
    const auto unsent =
        harness.call([](Reactor& reactor) { return reactor.unsent_bytes(5).value_or(0); });
    ASSERT_GT(unsent, 1000u);
    ASSERT_TRUE(send_all(server_side.fd(), as_bytes("request")));
    std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(harness.inspect([&] { return harness.data_[5].empty(); }));

    // Draining the buffer lets the reading resume.
    std::size_t drained = 0;
    while (drained < big.size()) {
        ASSERT_TRUE(wait_for_fd(server_side.fd(), POLLIN));
        std::vector<std::uint8_t> buffer(1 << 20);
        const ssize_t got = ::recv(server_side.fd(), buffer.data(), buffer.size(), 0);
        ASSERT_GT(got, 0);
        drained += static_cast<std::size_t>(got);
    }
    EXPECT_EQ(drained, big.size());
    ASSERT_TRUE(harness.wait_until([&] { return harness.data_[5].size() == 7; }));
    EXPECT_EQ(harness.call([](Reactor& reactor) { return reactor.unsent_bytes(5).value_or(1); }),
              0u);
}

TEST(Reactor, reads_in_chunks_of_at_most_64_kib) {
    auto listener = listen_on(loopback());
    ASSERT_TRUE(listener.has_value());
    const NetService address = local_address(*listener).value();
    ReactorHarness harness;
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(6, address); }));
    Socket server_side = accept_blocking(*listener);
    ASSERT_TRUE(harness.wait_until([&] { return harness.connected_.contains(6); }));
    const Bytes payload(1 << 20, 0x17);
    std::thread sender([&] { EXPECT_TRUE(send_all(server_side.fd(), payload)); });
    ASSERT_TRUE(harness.wait_until([&] { return harness.data_[6].size() == payload.size(); }));
    sender.join();
    EXPECT_GE(harness.inspect([&] { return harness.chunks_[6]; }),
              static_cast<int>(payload.size() / READ_CHUNK_BYTES));
    EXPECT_EQ(harness.inspect([&] { return harness.data_[6]; }), payload);
}

TEST(Reactor, runs_posted_functions_on_its_thread_in_order) {
    ReactorHarness harness;
    std::mutex mutex;
    std::vector<int> order;
    std::thread::id io_thread;
    std::promise<void> done;
    for (int i = 0; i < 100; ++i) {
        harness.reactor().post([&, i] {
            std::lock_guard lock(mutex);
            order.push_back(i);
            io_thread = std::this_thread::get_id();
        });
    }
    harness.reactor().post([&] { done.set_value(); });
    ASSERT_EQ(done.get_future().wait_for(20s), std::future_status::ready);
    std::lock_guard lock(mutex);
    ASSERT_EQ(order.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
    EXPECT_NE(io_thread, std::this_thread::get_id());
}

TEST(Reactor, calls_the_timer_callback_periodically) {
    ReactorOptions options;
    options.timer_interval = 10ms;
    ReactorHarness harness(options);
    ASSERT_TRUE(harness.wait_until([&] { return harness.timer_ticks_ >= 5; }));
}

TEST(Reactor, stop_from_another_thread_ends_run) {
    auto reactor = Reactor::create({}, {});
    ASSERT_TRUE(reactor.has_value());
    std::thread runner([&] { (*reactor)->run(); });
    (*reactor)->stop();
    runner.join();
    (*reactor)->run();  // returns at once once stopped
}

TEST(Reactor, close_all_closes_connections_and_listeners) {
    ReactorHarness harness;
    const NetService listening = add_loopback_listener(harness);
    ASSERT_TRUE(harness.call([&](Reactor& reactor) { return reactor.connect(1, listening); }));
    ASSERT_TRUE(harness.wait_until(
        [&] { return harness.connected_.contains(1) && harness.accepted_.size() == 1; }));
    harness.call([](Reactor& reactor) {
        reactor.close_all();
        return 0;
    });
    EXPECT_EQ(harness.call([](Reactor& reactor) { return reactor.connection_count(); }), 0u);
    auto attempt = start_connect(listening);
    ASSERT_TRUE(attempt.has_value());
    ASSERT_TRUE(wait_for_fd(attempt->fd(), POLLOUT));
    EXPECT_FALSE(finish_connect(*attempt).has_value());  // nothing listens any more
}

TEST(Reactor, ignores_writes_and_pauses_for_unknown_ids) {
    ReactorHarness harness;
    EXPECT_FALSE(harness.call([](Reactor& reactor) { return reactor.write(42, as_bytes("x")); }));
    EXPECT_FALSE(harness.call([](Reactor& reactor) { return reactor.unsent_bytes(42).has_value(); }));
    harness.call([](Reactor& reactor) {
        reactor.set_receive_paused(42, true);
        return 0;
    });
}

}  // namespace
}  // namespace bitloom
