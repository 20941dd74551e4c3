#!/usr/bin/env python3
"""Workload generator for bench/run.sh.

  gen.py dag N WIDTH CMD DIR   orchestrate.toml + build.ninja for a layered DAG
  gen.py files N DIR           N small files spread over subdirectories

The DAG has layers of WIDTH phases; each phase after the first layer depends
on up to 3 phases of the previous layer (chosen with a fixed seed, so every
run generates the same graph). CMD is "true" (a command that changes
nothing) or "file" (each phase writes one small file out/<name>.txt).
build.ninja has the same nodes and edges, each edge writing its output file.
"""
import os
import random
import sys


def layered_deps(n, width):
    rng = random.Random(1234)
    deps = []
    for i in range(n):
        layer = i // width
        if layer == 0:
            deps.append([])
            continue
        start = (layer - 1) * width
        prev = list(range(start, start + width))
        deps.append(sorted(rng.sample(prev, rng.randint(1, 3))))
    return deps


def name(i):
    return f"p{i}"


def write_manifest(path, deps, cmd):
    with open(path, "w") as f:
        f.write('version = 1\n\n[settings]\ntarget = "bench/integration"\n\n')
        for i, ds in enumerate(deps):
            f.write(f"[phase.{name(i)}]\n")
            if cmd == "file":
                f.write(f'run = "mkdir -p out && echo {i} > out/{name(i)}.txt"\n')
            else:
                f.write('run = "true"\n')
            if ds:
                f.write("deps = [" + ", ".join(f'"{name(d)}"' for d in ds) + "]\n")
            f.write("\n")


def write_ninja(path, deps):
    with open(path, "w") as f:
        f.write("rule w\n  command = echo $out > $out\n\n")
        for i, ds in enumerate(deps):
            ins = " ".join(f"out/{name(d)}.txt" for d in ds)
            f.write(f"build out/{name(i)}.txt: w {ins}\n")


def dag(n, width, cmd, out):
    os.makedirs(out, exist_ok=True)
    deps = layered_deps(n, width)
    write_manifest(os.path.join(out, "orchestrate.toml"), deps, cmd)
    write_ninja(os.path.join(out, "build.ninja"), deps)


def files(n, out):
    for i in range(n):
        d = os.path.join(out, "src", f"d{i // 100:03d}")
        if i % 100 == 0:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
            f.write(f"file {i}\n" * 8)


def main(argv):
    if argv[1] == "dag":
        dag(int(argv[2]), int(argv[3]), argv[4], argv[5])
    elif argv[1] == "files":
        files(int(argv[2]), argv[3])
    else:
        sys.exit(f"unknown workload {argv[1]}")


if __name__ == "__main__":
    main(sys.argv)
