// What the pipeline keeps for one assigned partition: the pure delivery state plus the open
// objects and the condition their coroutines wait on (journal acknowledged, objects settled).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "server/pipeline/async_condition.hpp"
#include "server/delivery/partition_state.hpp"

namespace ks3::server {

class ObjectWriter;

struct PartitionRuntime {
  PartitionRuntime(boost::asio::any_io_executor executor, PartitionState state_)
      : state(std::move(state_)), changed(executor) {}

  PartitionState state;
  // Open objects of the open segment, by group (the rendered key with the offset marker).
  std::map<std::string, std::shared_ptr<ObjectWriter>, std::less<>> open;
  std::uint64_t buffered_bytes = 0;  // held by the open objects
  std::set<ObjectWriter*> live;      // open or closing objects whose coroutine still runs
  bool revoking = false;             // no more records; open objects are being aborted
  bool gate_failed = false;          // the journal could not be committed: gated objects abort
  std::string cached_group;          // the group when the template depends on nothing else
  AsyncCondition changed;            // journal acknowledged, object settled, revoke started
};

}  // namespace ks3::server
