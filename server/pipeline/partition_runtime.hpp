// What the pipeline keeps for one assigned partition: the pure delivery state plus the open
// objects and the condition their coroutines wait on (journal acknowledged, objects settled).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "server/delivery/commit_retry.hpp"
#include "server/delivery/partition_state.hpp"
#include "server/pipeline/async_condition.hpp"

namespace ks3::server {

class ObjectWriter;

// loading: just assigned, paused until its manifests in S3 are read (no record may arrive yet).
// active: records are written. revoking: no more records; open objects are aborted, closed ones
// may still complete once their journal is acknowledged. journal_lost: the completion gate can
// no longer open (on revoke the journal could not be committed, or a manifest could not be
// written): objects waiting for it abort.
enum class PartitionPhase { loading, active, revoking, journal_lost };

struct PartitionRuntime {
  PartitionRuntime(boost::asio::any_io_executor executor, PartitionState state_,
                   CommitRetry commit_retry_ = CommitRetry(),
                   PartitionPhase phase_ = PartitionPhase::active)
      : state(std::move(state_)),
        commit_retry(std::move(commit_retry_)),
        phase(phase_),
        changed(executor) {}

  bool active() const { return phase == PartitionPhase::active; }

  PartitionState state;
  CommitRetry commit_retry;  // backoff after failed commits, and the failure streak
  PartitionPhase phase;
  // Open objects of the open segment, by group (the rendered key with the offset marker).
  std::map<std::string, std::shared_ptr<ObjectWriter>, std::less<>> open;
  std::uint64_t buffered_bytes = 0;  // held by the partition's objects before they are parts
  std::uint64_t open_bytes = 0;      // of which held by objects still open
  std::set<ObjectWriter*> live;      // objects whose coroutine still runs
  std::string cached_group;          // the group when the template depends on nothing else
  AsyncCondition changed;            // journal acknowledged, object settled, revoke started
};

}  // namespace ks3::server
