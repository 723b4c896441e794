#!/usr/bin/env bash
# Not in CI (issue 8): restarts a sink again and again while JoinGroup (2x) and SyncGroup (1x) fail
# with COORDINATOR_NOT_AVAILABLE, as the Kafka fault suite does, with librdkafka's cgrp debug log,
# and counts the restarts that are not assigned within 30 s (their logs are kept).
#   tests/integration/manual/repro_join_stall.sh BUILD_DIR [RESTARTS] [REFRESH_MS]
# REFRESH_MS: topic.metadata.refresh.interval.ms of the sink (default 1000, the suites' value;
# "default" leaves librdkafka's 300000). With 1000, librdkafka 2.0.2's elected leader restarts
# its join each time a refresh answers while it waits for the assignor's metadata
# ("subscription updated from metadata change: rejoining group in state wait-metadata").
source "$(dirname "$0")/../lib/common.sh"
KS3_BUILD=${1:?usage: repro_join_stall.sh BUILD_DIR [RESTARTS] [REFRESH_MS]}
restarts=${2:-15}
refresh=${3:-1000}
source "$(dirname "$0")/../lib/kafka.sh"
source "$(dirname "$0")/../lib/s3.sh"
source "$(dirname "$0")/../lib/sink.sh"

topic=events
group=sink-join-stall
KS3_BROKER_CONTROL=$KS3_WORK/broker.ctl
start_mock_broker --brokers 3 --topic $topic:16 --control "$KS3_BROKER_CONTROL"
start_s3 lake
config=$KS3_WORK/sink.yaml
write_sink_config "$config" $topic $group "rotation: {max_records: 150, idle_flush: 300ms}"
if [ "$refresh" = default ]; then
  sed -i '/topic.metadata.refresh.interval.ms/d' "$config"
else
  sed -i "s/topic.metadata.refresh.interval.ms: .*/topic.metadata.refresh.interval.ms: \"$refresh\"/" "$config"
fi
sed -i 's/^  properties:$/  properties:\n    debug: "cgrp"/' "$config"
produce_json_records $topic 2000
start_sink sink0 "$config"
sink=$KS3_SINK_PID
wait_for_log 30 sink0 'kafka partitions assigned'

keep=$(mktemp -d "${TMPDIR:-/tmp}/ks3-join-stall.XXXXXX")
stalls=0
for i in $(seq 1 "$restarts"); do
  kill_sink "$sink"
  broker_control request-errors 11 15 2   # JoinGroup: COORDINATOR_NOT_AVAILABLE
  broker_control request-errors 14 15 1   # SyncGroup: COORDINATOR_NOT_AVAILABLE
  start_sink sink$i "$config"
  sink=$KS3_SINK_PID
  t0=$SECONDS
  # A subshell: wait_for fails (exits) on its deadline.
  if (wait_for 30 "assignment" grep -q 'kafka partitions assigned' "$KS3_WORK/sink$i.log"); then
    outcome="assigned after $((SECONDS - t0)) s"
  else
    stalls=$((stalls + 1))
    cp "$KS3_WORK/sink$i.log" "$keep/"
    outcome="NOT assigned within 30 s (log: $keep/sink$i.log)"
  fi
  lost=$(grep -c 'subscription updated from metadata change: rejoining group in state wait-metadata' \
    "$KS3_WORK/sink$i.log" || true)
  # The first one is the join postponed for metadata at start; the others are leader rounds lost.
  note "restart $i: $outcome; leader rounds restarted by a metadata refresh: $((lost > 0 ? lost - 1 : 0))"
done
note "$stalls of $restarts restarts not assigned within 30 s (refresh $refresh)"
