#!/usr/bin/python3
"""bench/report.py RUNS_TSV ENVIRONMENT_TXT: the markdown report of a bench/run.

Medians over the runs of each (dataset, consumer). "vs kcat" is computed within each run (the
sink and kcat read the same topic on the same broker, minutes apart at most) and then the median
of those ratios is taken, so a machine that is slower in one run affects both sides alike.
With bench/run --baseline, "C@base" rows are consumer C run by the baseline build on the same
topic in the same run; "vs baseline" compares C with C@base the same way (per-run ratios, then
their median).
"""
import csv
import statistics
import sys
from collections import defaultdict


def median(values):
    return statistics.median(values) if values else float("nan")


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        for key, value in row.items():
            if key not in ("dataset", "consumer"):
                row[key] = float(value)
    return rows


def summarize(rows):
    groups = defaultdict(list)
    reference_seconds = {"kcat": {}, "shell-gzip": {}}
    for row in rows:
        groups[(row["dataset"], row["consumer"])].append(row)
        if row["consumer"] in reference_seconds:
            reference_seconds[row["consumer"]][(row["run"], row["dataset"])] = row["seconds"]
    table = []
    for (dataset, consumer), runs in groups.items():
        def med(fn):
            return median([fn(r) for r in runs])

        def vs(reference):
            seconds = reference_seconds[reference]
            ratios = [seconds[(r["run"], dataset)] / r["seconds"]
                      for r in runs if (r["run"], dataset) in seconds and r["seconds"] > 0]
            return median(ratios) if ratios else None
        table.append({
            "dataset": dataset,
            "consumer": consumer,
            "runs": len(runs),
            "records": runs[0]["records"],
            "mb": runs[0]["bytes"] / 1e6,
            "seconds": med(lambda r: r["seconds"]),
            "records_per_s": med(lambda r: r["records"] / r["seconds"] if r["seconds"] else 0),
            "mb_per_s": med(lambda r: r["bytes"] / 1e6 / r["seconds"] if r["seconds"] else 0),
            "vs_kcat": vs("kcat"),
            "vs_shell": vs("shell-gzip"),
            "cpu_s": med(lambda r: r["cpu_s"]),
            "cpu_util": med(lambda r: r["cpu_s"] / r["seconds"] if r["seconds"] > 0 else 0),
            # None (shown blank) for a runs.tsv from before bench/run measured the event loop.
            "loop_util": (med(lambda r: r["loop_cpu_s"] / r["seconds"] if r["seconds"] > 0 else 0)
                          if "loop_cpu_s" in runs[0] else None),
            "cpu_s_per_gb": med(lambda r: r["cpu_s"] / (r["bytes"] / 1e9) if r["bytes"] else 0),
            "pressure_cuts": med(lambda r: r.get("pressure_cuts", 0)),
            "rss_mib": med(lambda r: r["rss_kb"] / 1024),
            "broker_cpu_s": med(lambda r: r["broker_cpu_s"]),
            "objects": med(lambda r: r["objects"]),
            "ratio": med(lambda r: r["bytes"] / r["stored_bytes"] if r["stored_bytes"] else 0),
            "latency_p50_s": med(lambda r: r.get("latency_p50_s", 0)),
            "latency_p99_s": med(lambda r: r.get("latency_p99_s", 0)),
        })
    order = ["kcat", "shell-gzip", "raw-none", "jsonl-none", "jsonl-gzip", "jsonl-zstd", "jsonl-gzip-routed", "jsonl-gzip-nowake",
             "jsonl-gzip-q64", "jsonl-gzip-rtt"]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    table.sort(key=lambda t: (datasets.index(t["dataset"]),
                              order.index(t["consumer"]) if t["consumer"] in order else 99))
    return table


# The targets of the "Pipeline v2" issue, each checked where its dataset and consumer ran:
# (dataset, consumer, what, unit, value of a summary row, "min" or "max", goal). The memory
# targets assume the default memory.high_watermark (256 MiB); environment.txt shows overrides.
HIGH_WATERMARK_MIB = 256
TARGETS = [
    ("1k", "jsonl-gzip", "throughput", "MB/s", lambda t: t["mb_per_s"], "min", 250),
    ("1k", "jsonl-gzip", "vs the shell pipeline", "x", lambda t: t["vs_shell"], "min", 3),
    ("1k", "jsonl-gzip", "sink CPU", "CPU s/GB", lambda t: t["cpu_s_per_gb"], "max", 6),
    ("1k", "jsonl-gzip", "peak RSS (high watermark + 64 MiB)", "MiB", lambda t: t["rss_mib"],
     "max", HIGH_WATERMARK_MIB + 64),
    ("small", "jsonl-gzip", "throughput", "records/s", lambda t: t["records_per_s"], "min",
     500_000),
    ("objects", "jsonl-gzip-by-key", "peak RSS (high watermark + 64 MiB)", "MiB",
     lambda t: t["rss_mib"], "max", HIGH_WATERMARK_MIB + 64),
    ("objects", "jsonl-gzip-by-key", "memory-pressure cuts", "% of objects",
     lambda t: 100 * t["pressure_cuts"] / t["objects"] if t["objects"] else None, "max", 1),
    ("idle", "jsonl-gzip", "peak RSS", "MiB", lambda t: t["rss_mib"], "max", 64),
    ("stream", "jsonl-gzip", "p99 record-to-durable (rotation.idle_flush default 30 s + 2 s)",
     "s", lambda t: t["latency_p99_s"] or None, "max", 32),
]


def paired_ratio(rows, dataset, consumer, reference):
    """Median over the runs of reference seconds / consumer seconds on the same topic (> 1: the
    consumer is faster), or None when they never ran together."""
    seconds = {(r["run"], r["consumer"]): r["seconds"] for r in rows if r["dataset"] == dataset}
    ratios = [seconds[(run, reference)] / s for (run, c), s in seconds.items()
              if c == consumer and s > 0 and (run, reference) in seconds]
    return median(ratios) if ratios else None


def target_rows(rows, table):
    """(dataset, consumer, what, goal text, measured text, verdict) for every target that ran."""
    by_key = {(t["dataset"], t["consumer"]): t for t in table}
    checks = []
    for dataset, consumer, what, unit, value_of, kind, goal in TARGETS:
        t = by_key.get((dataset, consumer))
        if t is not None:
            checks.append((dataset, consumer, what, unit, value_of(t), kind, goal))
    # S3 answering every request after --rtt-ms: at most 20% less throughput, paired per run.
    ratio = paired_ratio(rows, "1k", "jsonl-gzip-rtt", "jsonl-gzip")
    if ratio is not None:
        checks.append(("1k", "jsonl-gzip-rtt", "throughput vs an immediate S3", "x", ratio, "min",
                       0.8))
    out = []
    for dataset, consumer, what, unit, value, kind, goal in checks:
        goal_text = f"{'>=' if kind == 'min' else '<='} {goal:,} {unit}"
        if value is None:  # e.g. no shell pipeline in this run
            continue
        met = value >= goal if kind == "min" else value <= goal
        shortfall = (goal - value) / goal if kind == "min" else (value - goal) / goal
        verdict = "met" if met else (f"missed by {100 * shortfall:.0f}%" if kind == "min"
                                     else f"{100 * shortfall:.0f}% over")
        out.append((dataset, consumer, what, goal_text, f"{value:,.0f} {unit}" if value >= 100 else f"{value:.2f} {unit}", verdict))
    return out


def baseline_comparison(rows):
    """(dataset, consumer, runs, throughput ratio, CPU s/GB ratio, peak RSS ratio) per consumer
    that has a C@base twin; each ratio is this build / the baseline, median over the runs."""
    by_key = {(r["run"], r["dataset"], r["consumer"]): r for r in rows}
    pairs = defaultdict(list)
    for (run, dataset, consumer), base in by_key.items():
        if not consumer.endswith("@base"):
            continue
        head = by_key.get((run, dataset, consumer[:-len("@base")]))
        if head and head["seconds"] > 0 and base["cpu_s"] > 0 and base["rss_kb"] > 0:
            pairs[(dataset, consumer[:-len("@base")])].append(
                (base["seconds"] / head["seconds"], head["cpu_s"] / base["cpu_s"],
                 head["rss_kb"] / base["rss_kb"]))
    return [(d, c, len(v), median([x[0] for x in v]), median([x[1] for x in v]),
             median([x[2] for x in v])) for (d, c), v in pairs.items()]


def main():
    rows = load(sys.argv[1])
    with open(sys.argv[2]) as f:
        environment = f.read().strip()
    print("# kafka-s3-sink benchmark\n")
    print("```\n" + environment + "\n```\n")
    print("Medians of the runs. Sink time: first partition assigned -> every record committed "
          "(objects durable in ks3_null_s3); kcat: the whole read to /dev/null. MB = 10^6 bytes "
          "of keys and values. vs kcat: throughput relative to kcat on the same topic in the "
          "same run (median of the per-run ratios); vs shell: the same against the shell-gzip "
          "pipeline (kcat | gzip -1 | aws s3 cp), when it ran. CPU: the consumer process only; broker CPU "
          "is kafka-mock-broker's over the same interval; CPU util = CPU s / s (1.00 = one core "
          "busy all the time); loop util: the same for the sink's event-loop thread alone (near "
          "1.00: the loop thread is busy the whole run, it is the bottleneck). pressure cuts: "
          "objects cut because the memory budget was full. The idle dataset has no records: s is its measurement window. ratio: input bytes / "
          "stored bytes.\n")
    print("| dataset | consumer | records | MB | s | records/s | MB/s | vs kcat | vs shell | CPU s "
          "| CPU util | loop util | CPU s/GB | peak RSS MiB | broker CPU s | objects | pressure cuts | ratio |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: | ---: | ---: | ---: | ---: | ---: |")
    table = summarize(rows)
    for t in table:
        vs = f"{t['vs_kcat']:.2f}" if t["vs_kcat"] is not None else ""
        vs_shell = f"{t['vs_shell']:.2f}" if t["vs_shell"] is not None else ""
        sink = t["consumer"] != "kcat"
        ours = sink and t["consumer"] != "shell-gzip"  # kafka-s3-sink itself
        objects = f"{t['objects']:.0f}" if sink else ""
        pressure = f"{t['pressure_cuts']:.0f}" if ours else ""
        loop = f"{t['loop_util']:.2f}" if ours and t["loop_util"] is not None else ""
        ratio = f"{t['ratio']:.2f}" if sink else ""
        print(f"| {t['dataset']} | {t['consumer']} | {t['records']:.0f} | {t['mb']:.0f} "
              f"| {t['seconds']:.2f} | {t['records_per_s']:,.0f} | {t['mb_per_s']:.1f} | {vs} | {vs_shell} "
              f"| {t['cpu_s']:.2f} | {t['cpu_util']:.2f} | {loop} | {t['cpu_s_per_gb']:.1f} | {t['rss_mib']:.0f} "
              f"| {t['broker_cpu_s']:.2f} | {objects} | {pressure} | {ratio} |")
    latencies = [t for t in table if t["latency_p99_s"] > 0]
    if latencies:
        print("\n## Record-to-durable latency (produce-while-consume runs)\n")
        print("Per durable object, from the Kafka timestamp of its oldest record to the object "
              "being durable (kafka_s3_sink_end_to_end_latency_seconds, quantiles interpolated "
              "within histogram buckets), median over the runs.\n")
        print("| dataset | consumer | p50 s | p99 s |")
        print("| --- | --- | ---: | ---: |")
        for t in latencies:
            print(f"| {t['dataset']} | {t['consumer']} | {t['latency_p50_s']:.2f} "
                  f"| {t['latency_p99_s']:.2f} |")
    targets = target_rows(rows, table)
    if targets:
        print("\n## Targets\n")
        print("The issue's targets where this run measured them (medians as above). Where one is "
              "missed, README.md, Benchmarks, says what the last profile of the sink's CPU "
              "showed.\n")
        print("| dataset | consumer | target | goal | measured | verdict |")
        print("| --- | --- | --- | ---: | ---: | --- |")
        for row in targets:
            print("| " + " | ".join(row) + " |")
    comparison = baseline_comparison(rows)
    if comparison:
        print("\n## vs baseline\n")
        print("This build / the baseline on the same topic in the same run, median of the per-run "
              "ratios. throughput > 1: this build is faster; CPU s/GB and peak RSS < 1: it uses "
              "less.\n")
        print("| dataset | consumer | runs | throughput | CPU s/GB | peak RSS |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for dataset, consumer, n, speed, cpu, rss in comparison:
            print(f"| {dataset} | {consumer} | {n} | {speed:.2f} | {cpu:.2f} | {rss:.2f} |")
    print(f"\n{len(rows)} measurements; every one is in runs.tsv.")


if __name__ == "__main__":
    main()
