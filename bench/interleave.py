#!/usr/bin/env python3
"""Side-by-side no-op timing that a drifting machine cannot skew.

    bench/interleave.py [--runs N] [--rounds R] NINJA_DIR BINARY:REPO...

Runs `BINARY -C REPO run -q -j 2` for each pair and `ninja -C NINJA_DIR -j 2`
in turn, N times per round (the order reversed every other time), so that
a slow minute of a shared VM slows every command alike; hyperfine runs one
command's repetitions back to back. Each binary needs its own copy of the
workload: binaries of different versions rewrite each other's local caches
(the record index, the manifest snapshot). Prints, per round and command,
the median wall time and its ratio to Ninja's, and the median of the
per-iteration ratios ("paired"); then the medians over the rounds.
"""
import argparse
import os
import statistics
import subprocess
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("ninja_dir")
    parser.add_argument("pairs", nargs="+", metavar="BINARY:REPO")
    args = parser.parse_args()
    commands = []
    for pair in args.pairs:
        binary, repo = pair.rsplit(":", 1)
        commands.append([binary, "-C", repo, "run", "-q", "-j", "2"])
    commands.append(["ninja", "-C", args.ninja_dir, "-j", "2"])
    names = [os.path.basename(c[0]) + (" " + c[2] if c[0] != "ninja" else "") for c in commands]
    devnull = os.open(os.devnull, os.O_WRONLY)
    for command in commands:  # warm up: caches written, pages cached
        for _ in range(3):
            subprocess.run(command, stdout=devnull, stderr=devnull, check=False)
    ratios = [[] for _ in commands]
    paired = [[] for _ in commands]
    for round_number in range(1, args.rounds + 1):
        times = [[] for _ in commands]
        for i in range(args.runs):
            order = range(len(commands)) if i % 2 == 0 else reversed(range(len(commands)))
            for k in order:
                start = time.perf_counter()
                pid = os.posix_spawnp(commands[k][0], commands[k], os.environ,
                                      file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                                    (os.POSIX_SPAWN_DUP2, devnull, 2)])
                os.waitpid(pid, 0)
                times[k].append((time.perf_counter() - start) * 1000)
        ninja = statistics.median(times[-1])
        print(f"round {round_number}:")
        for k, name in enumerate(names):
            median = statistics.median(times[k])
            pair = statistics.median(t / n for t, n in zip(times[k], times[-1]))
            ratios[k].append(median / ninja)
            paired[k].append(pair)
            print(f"  {name:60} {median:7.1f} ms  {median / ninja:.2f}x  paired {pair:.2f}x")
    print(f"over {args.rounds} rounds (median; range of the rounds):")
    for k, name in enumerate(names[:-1]):
        print(f"  {name:60} {statistics.median(ratios[k]):.2f}x "
              f"({min(ratios[k]):.2f}x to {max(ratios[k]):.2f}x)  "
              f"paired {statistics.median(paired[k]):.2f}x "
              f"({min(paired[k]):.2f}x to {max(paired[k]):.2f}x)")


if __name__ == "__main__":
    main()
