#!/usr/bin/env bash
# Re-runs after an offset reset write the same objects (issue 8, defect 3; docs/DESIGN.md,
# "Delivery: exactly-once object set"). A first run consumes a topic in batches, so idle flushes
# cut between them, and ends with a graceful stop that cuts by `shutdown`; then the group is
# reset to the earliest offsets and the sink runs again, and once more with a new group id. Each
# re-run must leave exactly the objects of the first run, byte for byte, and no other (read from
# s3rver's storage directory: its listings skip some keys, docs/DESIGN.md "Local
# infrastructure"). The same sequence with delivery.manifests off runs on a second topic and
# must fail that comparison: the check can tell.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_pipeline_rerun_manifests.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic with:4 --topic without:4
start_s3 lake

# objects_digest TOPIC: "sha256  path" of every object stored for TOPIC (manifests excluded).
objects_digest() {
  local dir=$KS3_S3RVER_DIR/$KS3_S3_BUCKET
  [ -d "$dir/$1" ] || return 0
  (cd "$dir" && find "$1" -name '*._S3rver_object' -print0 | sort -z | xargs -0 -r sha256sum)
}
manifest_files() {
  find "$KS3_S3RVER_DIR/$KS3_S3_BUCKET/_ks3/manifests/$1" -name '*._S3rver_object' 2>/dev/null |
    wc -l
}

# run_to_end NAME CONFIG GROUP TOPIC [ARGS...]: a whole run: start, wait until the group
# committed up to the end offsets, stop gracefully.
run_to_end() {
  local name=$1 config=$2 group=$3 topic=$4; shift 4
  start_sink "$name" "$config" "$@"
  local pid=$KS3_SINK_PID
  wait_committed_at_end 90 "$group" "$topic"
  stop_sink "$pid"
}

# scenario TOPIC MANIFESTS RERUNS: the first run and the re-runs named in RERUNS ("reset",
# "newgroup"); leaves the digests in $KS3_WORK/TOPIC-{first,reset,newgroup}.txt.
scenario() {
  local topic=$1 manifests=$2 reruns=$3
  local config=$KS3_WORK/$topic.yaml
  # Small segments (max_records) and an idle flush far shorter than the pauses between batches.
  write_sink_config "$config" "$topic" "$topic-g1" \
    "rotation: {max_records: 150, idle_flush: 300ms}" "delivery: {manifests: $manifests}"
  local port; port=$(http_port_of "$config")

  # First run, part 1: three batches; each one's tail is cut by the idle flush.
  start_sink "$topic-run1" "$config"
  local pid=$KS3_SINK_PID produced=0 size
  for size in 400 900 250; do
    produce_json_records "$topic" "$size" "$produced"
    produced=$((produced + size))
    wait_committed_at_end 60 "$topic-g1" "$topic"
  done
  stop_sink "$pid"
  # Part 2: the idle flush is far away; the tail of one more batch is cut by the graceful stop.
  start_sink "$topic-run1b" "$config" --set rotation.idle_flush=1h
  pid=$KS3_SINK_PID
  port=$(http_port_of "$config")
  produce_json_records "$topic" 200 "$produced"
  produced=$((produced + 200))
  wait_for 60 "the sink consuming the last 200 records of $topic" _consumed_at_least "$port" 200
  stop_sink "$pid"
  committed_at_end "$topic-g1" "$topic" || fail "$topic: the graceful stop did not commit the end"
  grep -q 'object completed.*reason=idle_flush' "$KS3_WORK/$topic-run1.log" ||
    fail "$topic: no idle flush cut in the first run (the test would not exercise moment cuts)"
  grep -q 'object completed.*reason=shutdown' "$KS3_WORK/$topic-run1b.log" ||
    fail "$topic: no shutdown cut at the end of the first run"
  expect_file_for "$topic" >"$KS3_WORK/$topic-expect.txt"
  verify_landed "$KS3_WORK/$topic-expect.txt" "$topic/"
  objects_digest "$topic" >"$KS3_WORK/$topic-first.txt"
  note "$topic: first run: $(wc -l <"$KS3_WORK/$topic-first.txt") objects, $(manifest_files "$topic") manifests, $produced records"

  # Re-run 1: the same group, reset to the earliest offsets (the commit metadata is gone).
  [[ $reruns == *reset* ]] || return 0
  "$KS3_GROUP_OFFSETS" --bootstrap "$KS3_BOOTSTRAP" --group "$topic-g1" --topic "$topic" \
    --reset-to earliest >/dev/null || fail "$topic: could not reset the group's offsets"
  [ "$(committed_total "$topic-g1" "$topic")" = 0 ] || fail "$topic: the reset did not take"
  run_to_end "$topic-reset" "$config" "$topic-g1" "$topic"
  objects_digest "$topic" >"$KS3_WORK/$topic-reset.txt"

  # Re-run 2: a new group id (no commit at all).
  [[ $reruns == *newgroup* ]] || return 0
  run_to_end "$topic-newgroup" "$config" "$topic-g2" "$topic" --set "kafka.group_id=$topic-g2"
  objects_digest "$topic" >"$KS3_WORK/$topic-newgroup.txt"
}

# same_objects TOPIC RUN: the objects after RUN are those of the first run, byte for byte.
same_objects() {
  diff -u "$KS3_WORK/$1-first.txt" "$KS3_WORK/$1-$2.txt" >"$KS3_WORK/$1-$2.diff"
}

scenario with true "reset newgroup"
for run in reset newgroup; do
  same_objects with "$run" || {
    head -40 "$KS3_WORK/with-$run.diff" >&2
    fail "with manifests: the $run re-run changed the object set"
  }
  grep -q 'reason=manifest_replay' "$KS3_WORK/with-$run.log" ||
    fail "with manifests: the $run re-run replayed no recorded cut"
  grep -q 'cut manifests read' "$KS3_WORK/with-$run.log" ||
    fail "with manifests: the $run re-run did not read the manifests"
done
verify_landed "$KS3_WORK/with-expect.txt" "with/"
note "with manifests: both re-runs left the same $(wc -l <"$KS3_WORK/with-first.txt") objects"

# The control: without manifests the offset reset loses the cuts and the objects overlap (one
# re-run is enough to show it).
scenario without false reset
if same_objects without reset; then
  fail "without manifests the re-run left the same objects: this test cannot tell"
fi
note "without manifests: the reset re-run changed $(grep -c '^[-+][0-9a-f]' "$KS3_WORK/without-reset.diff") digest lines (expected)"
note "ok"
