#!/usr/bin/python3
"""gauntlet's stratified bootstrap against scipy.stats.bootstrap on the same data, same run.

Usage: /usr/bin/python3 bench/bench_metrics_vs_scipy.py [path/to/bench_metrics] [--policies K]

The data are bench_metrics' leaderboard (20 policies x 40 tasks x 50 episodes, written by
`bench_metrics --write-data`): success flags, and continuous scores for the second comparison.
For each policy scipy resamples the episodes of every task independently (each task one sample
of a multi-sample bootstrap, which is exactly the stratified bootstrap) and takes the mean over
tasks of the task means: 10,000 resamples, percentile interval, vectorized. gauntlet does the
same for all 20 policies in one call, on all hardware threads (BM_StratifiedBootstrap/0/0 for
success flags, BM_StratifiedBootstrapContinuous/0 for scores). The script prints both times,
the ratios, and the largest difference between the interval bounds, which differ only by Monte
Carlo error (the two draw different random numbers).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import stats


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", nargs="?",
                        default=os.path.join(here, "..", "build", "release", "bench", "bench_metrics"))
    parser.add_argument("--policies", type=int, default=20,
                        help="policies to run through scipy (its time is scaled to 20)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_path = os.path.join(tmp, "leaderboard.csv")
        subprocess.run([args.bench, "--write-data=" + data_path], check=True)
        columns = {"success": {}, "score": {}}
        with open(data_path, newline="") as f:
            for row in csv.DictReader(f):
                for c in columns:
                    columns[c].setdefault(row["policy"], {}).setdefault(row["task"], []).append(
                        float(row[c]))
        ours = {}
        for column, name in (("success", "BM_StratifiedBootstrap/0/0/"),
                             ("score", "BM_StratifiedBootstrapContinuous/0/")):
            out = subprocess.run(
                [args.bench, "--benchmark_filter=" + name, "--benchmark_format=json",
                 "--benchmark_repetitions=3"],
                check=True, capture_output=True, text=True)
            runs = [b for b in json.loads(out.stdout)["benchmarks"]
                    if b.get("run_type") == "iteration"]
            ours[column] = min(b["real_time"] for b in runs) / 1000.0  # ms -> s
        intervals = {}
        for column in columns:
            out = subprocess.run([args.bench, "--write-intervals=" + column],
                                 check=True, capture_output=True, text=True)
            intervals[column] = [tuple(map(float, line.split(","))) for line in out.stdout.split()]

    def statistic(*tasks, axis=-1):
        return np.mean([np.mean(t, axis=axis) for t in tasks], axis=0)

    print("data: 20 policies x 40 tasks x 50 episodes; stratified bootstrap of the task-mean, "
          "10000 resamples, percentile 95%")
    verdict = {}
    for column, label in (("success", "success flags"), ("score", "continuous scores")):
        episodes = columns[column]
        policies = sorted(episodes, key=lambda p: int(p.replace("policy", "")))[: args.policies]
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        worst = 0.0
        for i, p in enumerate(policies):
            tasks = tuple(np.array(episodes[p][t])
                          for t in sorted(episodes[p], key=lambda t: int(t[4:])))
            res = stats.bootstrap(tasks, statistic, n_resamples=10000, method="percentile",
                                  vectorized=True, random_state=rng)
            lo, hi = intervals[column][i]
            worst = max(worst, abs(res.confidence_interval.low - lo),
                        abs(res.confidence_interval.high - hi))
        scipy_time = (time.perf_counter() - start) * 20 / len(policies)
        ratio = scipy_time / ours[column]
        verdict[column] = ratio >= 20 and ours[column] < 1.0
        print(f"{label}: scipy.stats.bootstrap {scipy_time:.2f} s"
              + ("" if len(policies) == 20 else f" (measured on {len(policies)} policies, scaled)")
              + f", gauntlet {ours[column] * 1000:.0f} ms (best of 3): {ratio:.1f}x faster; "
              f"largest bound difference {worst:.4f} (Monte Carlo)")
    # The benchmark is the leaderboard of success flags; continuous scores are reported
    # for information (no binomial shortcut applies there).
    print("target on success flags (>= 20x faster than scipy and < 1 s): "
          + ("met" if verdict["success"] else "NOT met")
          + "; on continuous scores: " + ("met" if verdict["score"] else "not met"))


if __name__ == "__main__":
    main()
