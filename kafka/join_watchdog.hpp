// Noticing a consumer that waits for its group far longer than a rebalance takes (docs/DESIGN.md,
// "Group join watchdog").
//
// librdkafka 2.0.2 (Debian 12) can keep a member out of its group for a long time without a
// single line above debug level: while the elected leader waits for the metadata it needs to
// compute the assignment (join state wait-metadata), any metadata answer that updates the
// consumer group (the periodic topic.metadata.refresh.interval.ms refresh, for instance one
// queued on the coordinator's connection behind the JoinGroup the broker held) is taken for
// "the metadata the join was waiting for", and the leader starts the join again: one more full
// rebalance delay each time (rd_kafka_cgrp_metadata_update_check). Seen with the mock cluster as
// a restarted sink that took 30 s and more to join (issue 8).
//
// The watchdog turns such a wait into a warning and a metric. It does not leave and rejoin, nor
// exit: both would start the same join again (the cause is not in the member's state), and a
// long but healthy rebalance (a slow member holding it up to max.poll.interval.ms) would become
// a restart loop.
//
// Waiting means: no assignment yet since start, the assignment was lost, or the last rebalance
// event was a revoke not yet followed by an assignment (an eager rebalance in progress; a
// cooperative revoke is followed by an assignment event too, possibly empty). A stall is a wait
// longer than the threshold (join_stall_threshold); it is reported when it passes the threshold
// and again each time the wait doubles, and once more when the member is in the group again.
//
// Pure: fed with what the consumer reports and the time; join_monitor.cpp logs and counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "kafka/consumer_config.hpp"

namespace ks3::kafka {

// What the consumer reports at one moment (Consumer::joined and ConsumerCounters).
struct GroupObservation {
  bool joined = false;            // the group gave this member an assignment, not lost since
  std::uint64_t assignments = 0;  // assignment events handled so far
  std::uint64_t revocations = 0;  // revoke events handled so far (lost ones included)
};

// Why the member waits for the group.
enum class JoinWaitCause { first_join, lost, revoked };
std::string_view to_string(JoinWaitCause cause);

struct JoinWatchdogStep {
  enum class Action {
    none,
    stalled,            // the wait passed the threshold (first_report: the first time in this wait)
    joined_after_stall  // the member is in the group again after a reported stall
  };
  Action action = Action::none;
  bool first_report = false;
  JoinWaitCause cause = JoinWaitCause::first_join;
  std::chrono::milliseconds waited{0};  // the current wait (0 in the group), or the ended one
};

class JoinWatchdog {
 public:
  explicit JoinWatchdog(std::chrono::milliseconds threshold);

  // One look at the consumer; call it periodically (the status loop: once a second).
  JoinWatchdogStep observe(std::chrono::steady_clock::time_point now, const GroupObservation& seen);

  // How long the member has waited as of the last observe (0 when in the group).
  std::chrono::milliseconds waited() const { return waited_; }
  std::chrono::milliseconds threshold() const { return threshold_; }

 private:
  std::chrono::milliseconds threshold_;
  std::optional<GroupObservation> last_;
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  JoinWaitCause cause_ = JoinWaitCause::first_join;
  std::chrono::milliseconds next_report_{0};  // the wait at which the next stall is reported
  bool reported_ = false;                     // a stall was reported in the current wait
  std::chrono::milliseconds waited_{0};
};

// The stall threshold: 3 x session.timeout.ms. A join normally completes within about one
// session timeout (the coordinator waits that long for a member that died without leaving,
// plus a rebalance delay); three leave room for a second rebalance without crying wolf.
std::chrono::milliseconds join_stall_threshold(std::chrono::milliseconds session_timeout);

// session.timeout.ms as the consumer applies it (librdkafka's default 45000 unless set).
std::chrono::milliseconds session_timeout(const ConsumerConfig& config);

}  // namespace ks3::kafka
