#!/usr/bin/env bash
# orchestrate benchmarks, side by side with Ninja and the git command line.
#
#   bench/run.sh [--quick] [--runs N] [--keep] [PART...]
#
# PART: noop | overhead | largerepo | scaling | all (default: all).
# --quick   smaller workloads and fewer repetitions (a smoke test, ~2 minutes)
# --runs N  timed repetitions per measurement (default 10; --quick: 3)
# --keep    keep the temporary directory with the generated workloads
#
# ORCHESTRATE=/path/to/orchestrate picks the binary (default build/rel/orchestrate).
# Needs hyperfine, ninja, git, python3 and GNU time (/usr/bin/time).
# Prints a markdown report on stdout; progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ORCH=$(realpath "${ORCHESTRATE:-$ROOT/build/rel/orchestrate}")
QUICK=0
RUNS=""
KEEP=0
PARTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    noop|overhead|largerepo|scaling) PARTS+=("$1") ;;
    all) PARTS+=(noop overhead largerepo scaling) ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#PARTS[@]} -eq 0 ] && PARTS=(noop overhead largerepo scaling)
[ -z "$RUNS" ] && RUNS=$([ $QUICK = 1 ] && echo 3 || echo 10)
for tool in hyperfine ninja git python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
[ -x "$ORCH" ] || { echo "bench: no binary at $ORCH; build with cmake --build build/rel" >&2; exit 2; }

WORK=$(mktemp -d /tmp/orchestrate-bench.XXXXXX)
if [ $KEEP = 1 ]; then echo "bench: workloads kept in $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export CI=1 NO_COLOR=1

say() { echo "bench: $*" >&2; }

# A repository with one commit holding README (and whatever is in $2, if given).
make_repo() {
  local dir=$1
  mkdir -p "$dir"
  git -C "$dir" init -q -b main
  echo "bench" > "$dir/README"
  git -C "$dir" add -A
  git -C "$dir" commit -qm "initial"
}

# hyperfine wrapper: hf NAME [hyperfine args...] -- writes $WORK/NAME.json.
# Commands without shell syntax pass -N (no shell: exact for millisecond runs).
hf() {
  local name=$1; shift
  hyperfine --warmup 1 --style basic --runs "$RUNS" --export-json "$WORK/$name.json" "$@" >&2
}

# Median in milliseconds of command number $2 (0-based) in $WORK/$1.json.
median_ms() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.1f" % (r["median"]*1000))' \
    "$WORK/$1.json" "$2"
}

ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

# Peak RSS in MB of a command (run in the current directory).
peak_rss_mb() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident set size/ {printf "%.1f", $6 / 1024}'
}

# Seconds taken by one run of a command.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1"
}

# --- 1. no-op on a large graph ----------------------------------------------------
noop_one() {
  local n=$1 dir=$WORK/noop-$1
  say "no-op: generating $n phases"
  make_repo "$dir/repo"
  python3 "$HERE/gen.py" dag "$n" 100 true "$dir/gen"
  cp "$dir/gen/orchestrate.toml" "$dir/repo/"
  git -C "$dir/repo" add orchestrate.toml && git -C "$dir/repo" commit -qm manifest
  mkdir -p "$dir/ninja" && cp "$dir/gen/build.ninja" "$dir/ninja/"
  say "no-op: first run of $n phases (populates the cache)"
  local first
  first=$(cd "$dir/repo" && seconds "$ORCH" run -q -j 2)
  (cd "$dir/ninja" && ninja -j 2 >/dev/null)
  say "no-op: timing $n phases"
  hf "noop-$n" -N \
    -n "orchestrate run" "$ORCH -C $dir/repo run -q -j 2" \
    -n "orchestrate plan" "$ORCH -C $dir/repo plan" \
    -n "ninja" "ninja -C $dir/ninja" \
    -n "ninja -n" "ninja -C $dir/ninja -n"
  local run plan nj njn rss_run rss_plan rss_ninja
  run=$(median_ms "noop-$n" 0); plan=$(median_ms "noop-$n" 1)
  nj=$(median_ms "noop-$n" 2); njn=$(median_ms "noop-$n" 3)
  rss_run=$(cd "$dir/repo" && peak_rss_mb "$ORCH" run -q -j 2)
  rss_plan=$(cd "$dir/repo" && peak_rss_mb "$ORCH" plan)
  rss_ninja=$(cd "$dir/ninja" && peak_rss_mb ninja)
  echo "| $n | $first | $run | $plan | $nj | $njn | $(ratio "$run" "$nj") | $(ratio "$plan" "$njn") | $rss_run | $rss_plan | $rss_ninja |"
}

part_noop() {
  echo "## 1. No-op on a large graph"
  echo
  echo "Layered DAG, 100 phases per layer, each depending on 1-3 phases of the previous layer;"
  echo "\`run = \"true\"\`. Times are medians of $RUNS runs in ms; ratios are orchestrate / ninja."
  echo
  echo "| phases | first run (s) | run no-op | plan | ninja no-op | ninja -n | run / ninja | plan / ninja -n | run RSS MB | plan RSS MB | ninja RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  if [ $QUICK = 1 ]; then noop_one 500; noop_one 2000; else noop_one 2000; noop_one 10000; fi
  echo
}

# --- 2. per-phase overhead ----------------------------------------------------------
# The git command line doing what orchestrate does for independent phases: a
# worktree and branch per phase (2 at a time, like -j 2), a commit of its one
# file, then every branch merged into an integration branch.
write_git_script() {
  cat > "$1" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
n=$1
cd "$2"
phase() {
  local i=$1
  # git worktree add is not safe to run concurrently in one repository
  flock .git/bench-worktree.lock git worktree add -q -b "phase/p$i" "wt/p$i" HEAD
  mkdir -p "wt/p$i/out" && echo "$i" > "wt/p$i/out/p$i.txt"
  git -C "wt/p$i" add -A
  git -C "wt/p$i" commit -qm "p$i: phase"
}
export -f phase
seq 0 $((n - 1)) | xargs -P 2 -I{} bash -c 'phase {}'
git worktree add -q -b integration wt/integration HEAD
for i in $(seq 0 $((n - 1))); do
  git -C wt/integration merge -q --no-edit "phase/p$i"
done
EOF
  chmod +x "$1"
}

part_overhead() {
  local n=500
  [ $QUICK = 1 ] && n=100
  local dir=$WORK/overhead
  say "overhead: $n independent phases writing one file"
  make_repo "$dir/template"
  python3 "$HERE/gen.py" dag "$n" "$n" file "$dir/gen"
  cp "$dir/gen/orchestrate.toml" "$dir/template/"
  echo "/wt/" >> "$dir/template/.git/info/exclude"
  git -C "$dir/template" add orchestrate.toml && git -C "$dir/template" commit -qm manifest
  write_git_script "$dir/git-phases.sh"
  local runs=$RUNS
  RUNS=$(( RUNS < 3 ? RUNS : 3 ))  # a full run each: 3 is plenty
  hf overhead \
    --prepare "rm -rf $dir/w && cp -a $dir/template $dir/w" \
    -n "orchestrate run -j 2" "$ORCH -C $dir/w run -q -j 2" \
    -n "git CLI script" "$dir/git-phases.sh $n $dir/w"
  RUNS=$runs
  local orch git
  orch=$(median_ms overhead 0); git=$(median_ms overhead 1)
  echo "## 2. Per-phase overhead"
  echo
  echo "$n independent phases, each writing one small file (\`mkdir -p out && echo N > out/pN.txt\`),"
  echo "full run from nothing at \`-j 2\` on a one-file repository, against a bash script doing the"
  echo "same with the git CLI (\`worktree add\` + \`commit\` per phase, 2 at a time with xargs -P 2, then"
  echo "\`merge\` of every branch into an integration branch). Medians of $(( RUNS < 3 ? RUNS : 3 )) runs."
  echo
  echo "| | total ms | ms per phase |"
  echo "|---|---|---|"
  echo "| orchestrate run -j 2 | $orch | $(python3 -c "print('%.1f' % ($orch / $n))") |"
  echo "| git CLI script | $git | $(python3 -c "print('%.1f' % ($git / $n))") |"
  echo
  echo "git script / orchestrate: **$(ratio "$git" "$orch")x**"
  echo
}

# --- 3. large repository --------------------------------------------------------------
# Duration of the phase itself (phase_started to phase_finished) in the events file.
phase_ms() {
  python3 - "$1" <<'EOF'
import json, sys
start = end = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "phase_started": start = e["time_s"]
    if e["event"] == "phase_finished": end = e["time_s"]
print("%.1f" % ((end - start) * 1000))
EOF
}

part_largerepo() {
  local n=20000
  [ $QUICK = 1 ] && n=5000
  local dir=$WORK/large repo=$WORK/large/repo
  say "large repository: $n files"
  mkdir -p "$dir"
  make_repo "$repo"
  python3 "$HERE/gen.py" files "$n" "$repo"
  printf 'version = 1\n\n[phase.P]\nrun = "true"\n' > "$repo/orchestrate.toml"
  echo "/wt-git/" >> "$repo/.git/info/exclude"
  git -C "$repo" add -A && git -C "$repo" commit -qm files
  "$ORCH" -C "$repo" run -q -j 1 >/dev/null
  # Each timed run starts from a new base commit (one file changed), so P is
  # stale and its worktree is switched to a new input.
  local bump="echo x >> $repo/src/d000/f00000.txt && git -C $repo commit -qam bump"
  local fresh_prep="$bump && rm -rf $repo/.orchestrate/worktrees && git -C $repo worktree prune"
  hf large \
    --prepare "$bump" -n "run, reused worktree" "$ORCH -C $repo run -q -j 1" \
    --prepare "$fresh_prep" -n "run, fresh worktree" "$ORCH -C $repo run -q -j 1" \
    --prepare "rm -rf $repo/wt-git && git -C $repo worktree prune" \
    -n "git worktree add" "git -C $repo worktree add -q --detach $repo/wt-git HEAD"
  local reused fresh add pr pf
  reused=$(median_ms large 0); fresh=$(median_ms large 1); add=$(median_ms large 2)
  eval "$bump"
  "$ORCH" -C "$repo" run -q -j 1 --events "$dir/reused.ndjson" >/dev/null
  pr=$(phase_ms "$dir/reused.ndjson")
  eval "$fresh_prep"
  "$ORCH" -C "$repo" run -q -j 1 --events "$dir/fresh.ndjson" >/dev/null
  pf=$(phase_ms "$dir/fresh.ndjson")
  echo "## 3. Large repository"
  echo
  echo "$n files of 8 lines in 100-file directories; one phase \`P\` with \`run = \"true\"\`. Each timed"
  echo "run follows a commit changing one file, so P's key changes and its worktree gets a new input."
  echo "\"phase\" is phase_started to phase_finished in \`--events\` (switch, command, commit scan;"
  echo "one sample); \"run\" is the whole \`orchestrate run\` (median of $RUNS)."
  echo
  echo "| | run ms | phase ms | run / git worktree add |"
  echo "|---|---|---|---|"
  echo "| reused worktree, new input | $reused | $pr | $(ratio "$reused" "$add") |"
  echo "| fresh worktree | $fresh | $pf | $(ratio "$fresh" "$add") |"
  echo "| git worktree add --detach | $add | | 1.00 |"
  echo
}

# --- 4. scaling and memory --------------------------------------------------------------
scaling_one() {
  local n=$1 dir=$WORK/scale-$1
  say "scaling: plan on $n phases"
  make_repo "$dir"
  python3 "$HERE/gen.py" dag "$n" 100 true "$dir/gen"
  cp "$dir/gen/orchestrate.toml" "$dir/"
  rm -rf "$dir/gen"
  git -C "$dir" add orchestrate.toml && git -C "$dir" commit -qm manifest
  hf "scale-$n" -n "plan $n" "$ORCH -C $dir plan" -n "validate $n" "$ORCH -C $dir validate"
  local plan validate rss
  plan=$(median_ms "scale-$n" 0); validate=$(median_ms "scale-$n" 1)
  rss=$(cd "$dir" && peak_rss_mb "$ORCH" plan)
  echo "$n $plan $validate $rss" >> "$WORK/scaling.txt"
}

part_scaling() {
  local sizes=(1000 10000 50000)
  [ $QUICK = 1 ] && sizes=(1000 5000)
  : > "$WORK/scaling.txt"
  for n in "${sizes[@]}"; do scaling_one "$n"; done
  echo "## 4. Scaling and memory"
  echo
  echo "\`orchestrate plan\` on a layered DAG (100 per layer) never run, so every phase"
  echo "is either keyed (first layer) or waits on a dependency; \`validate\` parses and checks the"
  echo "manifest and builds the graph. Medians of $RUNS runs; RSS is one run of plan."
  echo
  echo "| phases | plan ms | validate ms | plan peak RSS MB | plan ms / previous size |"
  echo "|---|---|---|---|---|"
  local prev=""
  while read -r n plan validate rss; do
    local growth="-"
    [ -n "$prev" ] && growth=$(ratio "$plan" "$prev")
    echo "| $n | $plan | $validate | $rss | $growth |"
    prev=$plan
  done < "$WORK/scaling.txt"
  echo
}

echo "# orchestrate benchmarks ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM;"\
  "$("$ORCH" --version 2>/dev/null | head -1), $(git --version), ninja $(ninja --version)"
echo
for part in "${PARTS[@]}"; do "part_$part"; done
