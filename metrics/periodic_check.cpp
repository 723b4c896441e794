#include "metrics/periodic_check.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <exception>

namespace ks3::metrics {
namespace asio = boost::asio;

struct PeriodicCheck::State {
  State(asio::any_io_executor executor, Readiness& r, std::string c, Probe p,
        PeriodicCheckOptions o)
      : timer(std::move(executor)),
        readiness(r),
        condition(std::move(c)),
        probe(std::move(p)),
        options(o) {}

  // Touched on the executor only.
  asio::steady_timer timer;
  asio::cancellation_signal cancel;  // stops the probe in flight
  Readiness& readiness;
  std::string condition;
  Probe probe;
  PeriodicCheckOptions options;
  bool started = false;
  bool stopped = false;
};

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

// The probe with its exceptions turned into a reason. (The || operator below waits for one
// *successful* branch, so an exception must not escape the probe or it would wait for the
// timeout and lose the message.)
asio::awaitable<std::optional<std::string>> guarded_probe(PeriodicCheck::State& s) {
  try {
    co_return co_await s.probe();
  } catch (const std::exception& e) {
    co_return s.condition + " check failed: " + e.what();
  }
}

// One probe, bounded by the timeout. Returns the reason the condition fails, if it does.
asio::awaitable<std::optional<std::string>> probe_once(PeriodicCheck::State& s) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer deadline(co_await asio::this_coro::executor);
  deadline.expires_after(s.options.timeout);
  // Whichever finishes first wins; the other is cancelled.
  auto result = co_await (guarded_probe(s) || deadline.async_wait(asio::use_awaitable));
  if (result.index() == 0) co_return std::get<0>(std::move(result));
  co_return s.condition + " check timed out after " + seconds_text(s.options.timeout);
}

asio::awaitable<void> run_checks(std::shared_ptr<PeriodicCheck::State> s) {
  while (!s->stopped) {
    auto failure = co_await probe_once(*s);
    if (s->stopped) co_return;
    if (failure) {
      s->readiness.set_not_ready(s->condition, std::move(*failure));
    } else {
      s->readiness.set_ready(s->condition);
    }
    s->timer.expires_after(s->options.interval);
    co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace

PeriodicCheck::PeriodicCheck(asio::any_io_executor executor, Readiness& readiness,
                             std::string condition, Probe probe, PeriodicCheckOptions options)
    : state_(std::make_shared<State>(std::move(executor), readiness, std::move(condition),
                                     std::move(probe), options)) {}

PeriodicCheck::~PeriodicCheck() {
  stop();
}

void PeriodicCheck::start() {
  asio::post(state_->timer.get_executor(), [s = state_] {
    if (s->started || s->stopped) return;
    s->started = true;
    asio::co_spawn(s->timer.get_executor(), run_checks(s),
                   asio::bind_cancellation_slot(s->cancel.slot(), asio::detached));
  });
}

void PeriodicCheck::stop() {
  asio::post(state_->timer.get_executor(), [s = state_] {
    if (s->stopped) return;
    s->stopped = true;
    s->timer.cancel();
    s->cancel.emit(asio::cancellation_type::terminal);
  });
}

}  // namespace ks3::metrics
