#!/usr/bin/env bash
# Exactly once across crashes: the sink is killed with SIGKILL several times mid-stream while
# records keep arriving, with an idle flush that fires (so cuts by the clock are journaled in the
# commit metadata and must be replayed), and restarted each time. Afterwards every record of the
# 16 partitions appears exactly once in S3 and the committed offsets equal the end offsets.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_pipeline_crash_restart.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic events:16
start_s3 lake

config=$KS3_WORK/sink.yaml
# Small deterministic segments plus an idle flush shorter than the gaps between batches: both
# kinds of cuts happen, and kills land between a journaled cut and its objects' completion.
write_sink_config "$config" events sink-crash \
  "rotation: {max_records: 700, idle_flush: 150ms}"

batch=10000
produced=0
for round in 1 2 3 4; do
  start_sink "sink-$round" "$config"
  pid=$KS3_SINK_PID
  # Every wait below has new records to consume: an earlier incarnation may have committed
  # everything produced so far before it was killed.
  before=$(committed_total sink-crash events)
  produce_json_records events $batch $produced
  produced=$((produced + batch))
  wait_committed_above 90 sink-crash events "$before"
  # Kill once this incarnation made progress, while more records are arriving.
  produce_json_records events $batch $produced
  produced=$((produced + batch))
  wait_committed_above 60 sink-crash events "$(committed_total sink-crash events)"
  kill_sink "$pid"
  note "round $round: killed the sink at $(committed_total sink-crash events) committed of $produced"
done
group_offsets sink-crash events | awk -F'\t' '$5 ~ /^ks3j1:/ { found = 1 } END { exit !found }' &&
  note "a journal was pending in the commit metadata at the last kill"

# The last incarnation gets new records too: its SIGTERM must come after it is consuming, not
# while it is still starting (the one before may have committed everything).
produce_json_records events $batch $produced
produced=$((produced + batch))
start_sink sink-final "$config"
final=$KS3_SINK_PID
wait_committed_at_end 120 sink-crash events
stop_sink "$final"

expect_file_for events >"$KS3_WORK/expect.txt"
[ "$(awk '{ s += $4 } END { print s }' "$KS3_WORK/expect.txt")" = "$produced" ] ||
  fail "the topic does not hold $produced records"
verify_landed "$KS3_WORK/expect.txt"
idle=$(cat "$KS3_WORK"/sink-*.log | grep -c 'reason=idle_flush' || true)
((idle > 0)) || fail "no idle flush fired: the test did not exercise journaled cuts"
replayed=$(cat "$KS3_WORK"/sink-*.log | grep -c 'reason=journal_replay' || true)
note "objects cut by the idle flush: $idle; by a replayed journal entry: $replayed"
note "ok"
