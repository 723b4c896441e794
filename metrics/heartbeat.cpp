#include "metrics/heartbeat.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

namespace ks3::metrics {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t to_ticks(Clock::time_point t) {
  return t.time_since_epoch().count();
}
Clock::time_point from_ticks(std::int64_t n) {
  return Clock::time_point(Clock::duration(n));
}

std::string seconds_text(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

HealthStatus evaluate_heartbeat(Clock::time_point last_beat, Clock::time_point now,
                                std::chrono::milliseconds stale_after) {
  auto age = now > last_beat ? now - last_beat : Clock::duration::zero();
  if (age > stale_after) {
    return {false, "event loop stalled: last heartbeat " + seconds_text(age) + " ago (limit " +
                       seconds_text(stale_after) + ")"};
  }
  return {true, "ok: event loop responsive (last heartbeat " + seconds_text(age) + " ago)"};
}

struct LoopHeartbeat::State {
  State(asio::any_io_executor loop, std::chrono::milliseconds interval, Histogram* delay)
      : timer(loop), interval(interval), delay(delay) {}
  asio::steady_timer timer;
  std::chrono::milliseconds interval;
  Histogram* delay;
  std::atomic<std::int64_t> last_beat{to_ticks(Clock::now())};
  bool stopped = false;  // touched on the loop only
  bool started = false;  // touched on the loop only
};

namespace {

asio::awaitable<void> beat(std::shared_ptr<LoopHeartbeat::State> state);

}  // namespace

LoopHeartbeat::LoopHeartbeat(asio::any_io_executor loop, std::chrono::milliseconds interval,
                             Histogram* delay)
    : state_(std::make_shared<State>(std::move(loop), interval, delay)) {}

LoopHeartbeat::~LoopHeartbeat() {
  stop();
}

void LoopHeartbeat::start() {
  state_->last_beat.store(to_ticks(Clock::now()));
  asio::post(state_->timer.get_executor(), [state = state_] {
    if (state->started || state->stopped) return;
    state->started = true;
    asio::co_spawn(state->timer.get_executor(), beat(state), asio::detached);
  });
}

void LoopHeartbeat::stop() {
  asio::post(state_->timer.get_executor(), [state = state_] {
    state->stopped = true;
    state->timer.cancel();
  });
}

HealthStatus LoopHeartbeat::check(std::chrono::milliseconds stale_after) const {
  return evaluate_heartbeat(last_beat(), Clock::now(), stale_after);
}

Clock::time_point LoopHeartbeat::last_beat() const {
  return from_ticks(state_->last_beat.load(std::memory_order_relaxed));
}

namespace {

asio::awaitable<void> beat(std::shared_ptr<LoopHeartbeat::State> state) {
  while (!state->stopped) {
    auto due = Clock::now() + state->interval;
    state->timer.expires_at(due);
    auto [ec] = co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || state->stopped) co_return;
    auto now = Clock::now();
    // A tick runs late by however long the loop was busy with other work.
    if (state->delay != nullptr) state->delay->observe_duration(now - due);
    state->last_beat.store(to_ticks(now), std::memory_order_relaxed);
  }
}

}  // namespace

}  // namespace ks3::metrics
