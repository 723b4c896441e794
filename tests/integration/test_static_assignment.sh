#!/usr/bin/env bash
# Static assignment (kafka.assign): two instances split the 16 partitions of a topic by ordinal
# (replicas 2, ordinals 0 and 1) with no consumer group rebalancing, while records keep arriving.
# Every record lands exactly once, the group's committed offsets reach the end offsets, and each
# partition's commit carries the owner tag of the ordinal that owns it. Overlaps never pass
# silently:
#  - a third instance listing partitions 1 and 3 (owned by the live ordinal 1) is refused at
#    start: exit status 1 and an error naming the partition and both owners;
#  - a listed partition that does not exist stops the sink before consuming (exit 2);
#  - two instances that both claim ordinal 1 (the start-up check cannot tell them from a restart:
#    same rule, same host) are detected while running: one of them stops with exit status 1 once
#    the other committed over its commit.
source "$(dirname "$0")/lib/common.sh"
KS3_BUILD=${1:?usage: test_static_assignment.sh BUILD_DIR}
source "$(dirname "$0")/lib/kafka.sh"
source "$(dirname "$0")/lib/s3.sh"
source "$(dirname "$0")/lib/sink.sh"

start_mock_broker --brokers 1 --topic events:16
start_s3 lake

config=$KS3_WORK/sink.yaml
write_sink_config "$config" events sink-static \
  "rotation: {max_records: 1000, idle_flush: 300ms}"
ordinal() { echo --set kafka.assign.replicas=2 --set kafka.assign.ordinal="$1" \
  --set kafka.assign.check_interval=300ms; }

note "--validate prints the rule"
"$KS3_SINK_BIN" --config "$config" --validate $(ordinal 1) >"$KS3_WORK/validate.txt" ||
  fail "--validate failed"
grep -q '^# kafka assignment: static, ordinal 1 of 2: partition p of every topic where p % 2 == 1' \
  "$KS3_WORK/validate.txt" || fail "--validate does not print the assignment rule"

produce_json_records events 20000 0
# shellcheck disable=SC2046 # word splitting of the --set options is intended
start_sink sink-0 "$config" $(ordinal 0)
a=$KS3_SINK_PID
# shellcheck disable=SC2046
start_sink sink-1 "$config" $(ordinal 1) --set http.listen=127.0.0.1:0
b=$KS3_SINK_PID
produce_json_records events 20000 20000
wait_committed_at_end 60 sink-static events

note "each partition's commit carries its owner's tag (ordinal p % 2 of 2)"
group_offsets sink-static events >"$KS3_WORK/offsets.txt"
awk -F'\t' '{
    want = "ks3o1:[0-9a-f]+,[0-9]+,l," ($2 % 2) "/2,"
    if ($5 !~ "^" want) { print "partition " $2 ": metadata " $5 " is not tagged " want; bad++ }
  } END { exit bad > 0 }' "$KS3_WORK/offsets.txt" >&2 || fail "owner tags are missing or wrong"
grep -q 'kafka static assignment.*events\[0\],events\[2\],events\[4\]' "$KS3_WORK/sink-0.log" ||
  fail "ordinal 0 does not own the even partitions"
grep -q 'kafka static assignment.*events\[1\],events\[3\],events\[5\]' "$KS3_WORK/sink-1.log" ||
  fail "ordinal 1 does not own the odd partitions"

note "a third instance overlapping ordinal 1 is refused"
start_sink sink-x "$config" --set kafka.assign.topics.events=1,3 --set http.listen=127.0.0.1:0
exit_status_within 30 "$KS3_SINK_PID"
[ "$rc" = 1 ] || fail "the overlapping instance exited with status $rc, not 1"
grep -q 'partition events\[[13]\] is owned by another live instance: instance [0-9a-f]* (rule 1/2' \
  "$KS3_WORK/sink-x.log" || fail "the overlapping instance did not name the partition and owner"
grep -q 'object completed' "$KS3_WORK/sink-x.log" && fail "the refused instance wrote objects"

note "a listed partition that does not exist: exit 2 before consuming"
start_sink sink-y "$config" --set kafka.assign.topics.events=0,99 --set http.listen=127.0.0.1:0
exit_status_within 30 "$KS3_SINK_PID"
[ "$rc" = 2 ] || fail "a missing partition gave exit status $rc, not 2"
grep -q 'partition 99 of topic events does not exist' "$KS3_WORK/sink-y.log" ||
  fail "the missing partition is not named"

note "the two owners kept running, with no rebalance"
kill -0 "$a" && kill -0 "$b" || fail "an owner stopped"
produce_json_records events 10000 40000
wait_committed_at_end 60 sink-static events
for log in sink-0 sink-1; do
  [ "$(grep -c 'kafka partitions assigned' "$KS3_WORK/$log.log")" = 1 ] ||
    fail "$log was assigned more than once"
  grep -q 'kafka partitions revoked' "$KS3_WORK/$log.log" && fail "$log had a revoke while running"
done
stop_sink "$a"
stop_sink "$b"
group_offsets sink-static events | awk -F'\t' '$5 !~ /^ks3o1:[0-9a-f]+,[0-9]+,r,/ { bad++ }
  END { exit bad > 0 }' || fail "a graceful stop did not release its partitions"

expect_file_for events >"$KS3_WORK/expect.txt"
[ "$(awk '{ s += $4 } END { print s }' "$KS3_WORK/expect.txt")" = 50000 ] ||
  fail "the topic does not hold 50000 records"
verify_landed "$KS3_WORK/expect.txt"

note "two instances claiming ordinal 1 at once: detected while running"
# shellcheck disable=SC2046
start_sink sink-c "$config" $(ordinal 1) --set http.listen=127.0.0.1:0
c=$KS3_SINK_PID
# shellcheck disable=SC2046
start_sink sink-d "$config" $(ordinal 1) --set http.listen=127.0.0.1:0
d=$KS3_SINK_PID
wait_for_log 20 sink-c 'kafka partitions assigned'
wait_for_log 20 sink-d 'kafka partitions assigned'
produce_json_records events 10000 50000
_one_gone() { _gone "$c" || _gone "$d"; }
wait_for 30 "one of two instances with the same ordinal to stop" _one_gone
if _gone "$c"; then loser=$c name=sink-c survivor=$d; else loser=$d name=sink-d survivor=$c; fi
rc=0
wait "$loser" || rc=$?
[ "$rc" = 1 ] || fail "$name exited with status $rc after the overlap, not 1"
grep -q 'was committed by another instance after this one: instance [0-9a-f]* (rule 1/2' \
  "$KS3_WORK/$name.log" || fail "$name did not say which instance committed over it"
stop_pid "$survivor"
note "ok"
