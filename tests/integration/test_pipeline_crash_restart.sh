#!/usr/bin/env bash
# Exactly once across crashes (issue 8's crash suite): the sink is killed with SIGKILL at random
# moments while records keep arriving, and restarted each time:
#   - while it joins the group, loads manifests or takes over partitions (a rebalance: the killed
#     incarnation is still a member until its session times out);
#   - while records flow: mid-part, between an upload's completion and the commit, mid-cut;
#   - while a multipart object is being uploaded (a topic of big records).
# Keys are field-partitioned by a value that holds spaces, unicode and + = % # ? & ~ (so folder
# names carry percent escapes), an idle flush cuts by the clock (journaled cuts to replay), and
# the big-record topic makes multipart objects. Afterwards every record appears exactly once,
# read from s3rver's data directory (its listings skip some of these keys), and the committed
# offsets equal the end offsets.
#
# Rounds: 3, one per kind of moment (KS3_CRASH_ROUNDS), 50 under `scripts/test --long`
# (KS3_LONG=1). The kill moments come from KS3_CRASH_SEED (printed; set it to replay a run).
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_pipeline_crash_restart.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

rounds=${KS3_CRASH_ROUNDS:-3}
[ "${KS3_LONG:-0}" = 1 ] && rounds=${KS3_CRASH_ROUNDS:-50}
seed=${KS3_CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
note "$rounds rounds, KS3_CRASH_SEED=$seed"

# kafka-mock-broker keeps at most 5 MiB and 100,000 records per partition: the batches below stay
# far under that even over 50 rounds (the big records are compressed by the producer).
start_mock_broker --brokers 1 --topic events:16 --topic bulk:1
start_s3 lake

config=$KS3_WORK/sink.yaml
# Small deterministic segments plus an idle flush shorter than the gaps between batches: both
# kinds of cuts happen. No compression, so a bulk segment is several 5 MiB parts.
write_sink_config "$config" events sink-crash \
  "rotation: {max_records: 700, idle_flush: 150ms}" \
  "compression: {type: none}" \
  'key_template: "{{topic}}/cat={{value.category}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}"'
sed -i 's/^  topics: \["events"\]$/  topics: ["events", "bulk"]/' "$config"
grep -q '"bulk"' "$config" || fail "could not add the bulk topic to $config"

# gen_odd_records COUNT FIRST PAD [CATEGORY]: "key<TAB>json" lines whose category (one of six
# odd values in turn, or only the CATEGORY-th) holds odd characters.
gen_odd_records() {
  awk -v n="$1" -v first="$2" -v pad="$3" -v only="${4:-0}" 'BEGIN {
    split("with space|unicodé 日本 😀|plus+equals=|pct%20literal|hash#q?amp&|tilde~", cat, "|")
    filler = "x"; while (length(filler) < pad) filler = filler filler  # mawk: no long sprintf
    filler = substr(filler, 1, pad)
    for (i = first; i < first + n; i++)
      printf "doc-%d\t{\"id\":%d,\"category\":\"%s\",\"pad\":\"%s\"}\n", i, i,
        cat[only ? only : i % 6 + 1], filler
  }'
}
events_produced=0
produce_events() {
  local file=$KS3_WORK/events-$events_produced.txt
  gen_odd_records "$1" "$events_produced" 100 >"$file"
  produce_file events "$file"
  events_produced=$((events_produced + $1))
}
bulk_produced=0
produce_bulk() {
  local file=$KS3_WORK/bulk-$bulk_produced.txt
  # One category: the 6.4 MB of a batch go to one object, two 5 MiB parts.
  gen_odd_records "$1" "$bulk_produced" 32000 5 >"$file"
  kcat -P -b "$KS3_BOOTSTRAP" -t bulk -K$'\t' -z gzip -l "$file" || fail "kcat could not produce $file"
  bulk_produced=$((bulk_produced + $1))
}
# random_ms MAX: a random delay of 0..MAX ms, as seconds for sleep (the fault's timing, not a wait
# for an event).
random_delay() { printf '0.%03d' $((RANDOM % $1)); }

batch=2500
for round in $(seq 1 "$rounds"); do
  # The first rounds cover each moment once; later ones (long mode) pick at random.
  moment=$(((round - 1) % 3))
  ((round > 3)) && moment=$((RANDOM % 3))
  start_sink "sink-$round" "$config"
  pid=$KS3_SINK_PID
  before=$(committed_total sink-crash events)
  produce_events $batch
  case $moment in
    0) # Joining, taking over partitions, loading manifests: up to 4 s after the start (the mock
       # cluster's first join alone takes ~3 s).
      sleep "$((RANDOM % 4)).$((RANDOM % 10))"
      what="while joining" ;;
    1) # Records flowing: after this incarnation committed something, while more arrive.
      wait_committed_above 90 sink-crash events "$before"
      produce_events $batch
      sleep "$(random_delay 400)"
      what="while records flow" ;;
    2) # A multipart object of the bulk topic in progress.
      wait_committed_above 90 sink-crash events "$before"
      produce_bulk 200
      sleep "$(random_delay 999)"
      what="while a multipart object uploads" ;;
  esac
  kill_sink "$pid"
  note "round $round: killed $what at $(committed_total sink-crash events) committed of $events_produced events"
done
group_offsets sink-crash events | awk -F'\t' '$5 ~ /^ks3j1:/ { found = 1 } END { exit !found }' &&
  note "a journal was pending in the commit metadata at the last kill"

# The last incarnation gets new records too: its SIGTERM must come after it is consuming, not
# while it is still starting (the one before may have committed everything).
produce_events $batch
produce_bulk 200
start_sink sink-final "$config"
final=$KS3_SINK_PID
wait_committed_at_end 120 sink-crash events bulk
stop_sink "$final"

{ expect_file_for events; expect_file_for bulk; } >"$KS3_WORK/expect.txt"
[ "$(awk '$1 == "events" { s += $4 } END { print s }' "$KS3_WORK/expect.txt")" = "$events_produced" ] ||
  fail "the events topic does not hold $events_produced records"
[ "$(awk '$1 == "bulk" { s += $4 } END { print s }' "$KS3_WORK/expect.txt")" = "$bulk_produced" ] ||
  fail "the bulk topic does not hold $bulk_produced records"
verify_landed "$KS3_WORK/expect.txt"

bucket_dir=$KS3_S3RVER_DIR/$KS3_S3_BUCKET
find "$bucket_dir/events" -path '*cat=unicod%C3%A9%20%E6%97%A5%E6%9C%AC%20%F0%9F%98%80/*' \
  -name '*._S3rver_object' -print -quit | grep -q . || fail "no object under the escaped unicode folder"
find "$bucket_dir/events" -path '*cat=hash%23q%3Famp%26/*' -name '*._S3rver_object' -print -quit | grep -q . ||
  fail "no object under the escaped # ? & folder"
multipart=$(find "$bucket_dir/bulk" -name '*._S3rver_object' -size +5M | wc -l)
((multipart > 0)) || fail "no bulk object is larger than a 5 MiB part: no multipart upload ran"
idle=$(cat "$KS3_WORK"/sink-*.log | grep -c 'reason=idle_flush' || true)
((idle > 0)) || fail "no idle flush fired: the test did not exercise journaled cuts"
replayed=$(cat "$KS3_WORK"/sink-*.log | grep -c 'reason=journal_replay' || true)
note "$rounds kills; multipart objects: $multipart; cut by the idle flush: $idle; by a replayed journal entry: $replayed"
note "ok"
