#!/bin/sh
# stand-in-agent.sh: an offline stand-in for an AI coding agent.
#
# The orchestrate demo has to run anywhere, without network, accounts or API
# keys, so its agent phases call this script instead of `claude -p`, `codex
# exec` or `aider`. It behaves like one from orchestrate's point of view: it
# reads a prompt file, edits files in the current directory (the phase's
# worktree), prints a transcript, writes a handoff, reads feedback on a retry,
# and can fail with a rate-limit message. make-demo-repo.sh copies it into the
# demo repository as tools/agent.sh.
#
# Usage: sh tools/agent.sh [--model NAME] [--prompt FILE]
#   --prompt defaults to $ORCHESTRATE_PROMPT_FILE.
#
# The prompt is ordinary markdown for a human (or a real agent); the stand-in
# only acts on lines that start with one of these words, at the start of the
# line (they may sit inside a ``` fence, whose fence lines are ignored):
#
#   WRITE path <<WORD     replace `path` with the lines up to a line `WORD`
#   APPEND path: text     append the line `text` unless the file already has it
#   REPLACE path: a => b  replace every `a` with `b` (literal text, one line);
#                         nothing to do when only `b` is there already
#   HANDOFF: text         a line of the handoff for dependent phases, written
#                         to $ORCHESTRATE_HANDOFF_FILE
#   SAY: text             print text, the way an agent narrates its work
#   RATE_LIMIT_ONCE       the first time this phase runs in this repository,
#                         print "Error: rate limit exceeded (HTTP 429)" and exit 1
#   ON_RETRY              the instructions after this line are applied only on
#                         a retry, when $ORCHESTRATE_FEEDBACK_FILE exists
#
# Every other line is prose and ignored. A retry runs in the same worktree and
# applies the main instructions again, so they are written to be repeatable.
# Paths must be relative and stay inside the worktree.
#
# Environment:
#   DEMO_AGENT_DELAY      seconds to "think" before editing (default 1), so the
#                         parallel phases are visible; 0 for none
#   DEMO_AGENT_STATE_DIR  where RATE_LIMIT_ONCE keeps its markers (default: an
#                         `orchestrate-demo` directory inside the repository's
#                         .git directory, shared by all its worktrees and never
#                         committed; outside git, $TMPDIR or /tmp). Delete the
#                         marker `rate-limited-PHASE` to see the rate limit again.
#   ORCHESTRATE_*         set by orchestrate (SPEC section 2): PHASE, ATTEMPT,
#                         PROMPT_FILE, HANDOFF_FILE, DEPS_DIR, FEEDBACK_FILE.
#   ORCHESTRATE_USAGE_FILE  when set, the stand-in writes made-up figures there
#                         the way a real agent's wrapper reports them:
#                         {"input_tokens", "output_tokens", "cost_usd", "model"},
#                         4 bytes of prompt to a token, 40 output tokens per
#                         change, priced like a small ($3 in, $15 out per
#                         million tokens) or a large model (5 times that).
set -eu

say() { printf '%s\n' "$*"; }
temp_files=''
# shellcheck disable=SC2086 # the list holds mktemp names, without spaces
trap 'rm -f $temp_files' EXIT
fail() { printf 'agent: %s\n' "$*" >&2; exit 1; }

model=default
prompt=${ORCHESTRATE_PROMPT_FILE:-}
while [ $# -gt 0 ]; do
  case $1 in
    --model) [ $# -ge 2 ] || fail "--model needs a value"; model=$2; shift 2 ;;
    --prompt) [ $# -ge 2 ] || fail "--prompt needs a value"; prompt=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -eu$/{/^set -eu$/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
    *) fail "unknown argument '$1' (usage: agent.sh [--model NAME] [--prompt FILE])" ;;
  esac
done
[ -n "$prompt" ] || fail "no prompt: pass --prompt FILE or set ORCHESTRATE_PROMPT_FILE"
[ -f "$prompt" ] || fail "prompt file '$prompt' does not exist"

phase=${ORCHESTRATE_PHASE:-manual}
attempt=${ORCHESTRATE_ATTEMPT:-1}
delay=${DEMO_AGENT_DELAY:-1}
case $delay in
  ''|*[!0-9.]*) fail "DEMO_AGENT_DELAY must be a number of seconds, not '$delay'" ;;
esac

# Paths an instruction may touch: relative, inside the worktree.
check_path() {
  case /$1/ in
    //) fail "an instruction names no file" ;;
  esac
  case $1 in
    /*) fail "'$1' is absolute; paths must be relative to the worktree" ;;
  esac
  case /$1/ in
    */../*) fail "'$1' leaves the worktree" ;;
  esac
}

state_dir() {
  if [ -n "${DEMO_AGENT_STATE_DIR:-}" ]; then
    printf '%s\n' "$DEMO_AGENT_STATE_DIR"
  elif common=$(git rev-parse --git-common-dir 2>/dev/null); then
    printf '%s/orchestrate-demo\n' "$(cd "$common" && pwd)"
  else
    printf '%s/orchestrate-demo-%s\n' "${TMPDIR:-/tmp}" "$(id -u)"
  fi
}

# RATE_LIMIT_ONCE: fail like a rate-limited API the first time only.
simulate_rate_limit() {
  grep -qx 'RATE_LIMIT_ONCE' "$prompt" || return 0
  dir=$(state_dir)
  marker=$dir/rate-limited-$phase
  [ -e "$marker" ] && return 0
  mkdir -p "$dir"
  date > "$marker"
  say "-> calling the model API"
  sleep "$delay"
  say "Error: rate limit exceeded (HTTP 429). Please retry after a short wait." >&2
  exit 1
}

show_handoffs() {
  if [ -z "${ORCHESTRATE_DEPS_DIR:-}" ] || [ ! -d "$ORCHESTRATE_DEPS_DIR" ]; then
    return 0
  fi
  for file in "$ORCHESTRATE_DEPS_DIR"/*.md; do
    [ -f "$file" ] || continue
    say "-> reading the handoff of $(basename "$file" .md):"
    sed -e '/^# /d' -e '/^$/d' "$file" | sed -n '1,3s/^/     | /p'
  done
}

# Sets retry=1 when this is a retry with feedback, after showing the feedback.
show_feedback() {
  retry=0
  feedback=${ORCHESTRATE_FEEDBACK_FILE:-}
  if [ -n "$feedback" ] && [ -f "$feedback" ]; then
    say "-> received feedback:"
    sed -n '1,12s/^/     | /p' "$feedback"
    retry=1
  fi
}

do_write() {  # path, content file
  check_path "$1"
  mkdir -p "$(dirname "$1")"
  if [ -f "$1" ] && cmp -s "$2" "$1"; then
    say "-> $1 is already as intended"
  else
    cp "$2" "$1"
    say "-> wrote $1 ($(wc -l < "$1" | tr -d ' ') lines)"
    changed=$((changed + 1))
  fi
}

do_append() {  # "path: text"
  path=${1%%: *}
  text=${1#*: }
  [ "$path" != "$1" ] || fail "APPEND needs 'path: text', got '$1'"
  check_path "$path"
  if [ -f "$path" ] && grep -Fxq -- "$text" "$path"; then
    say "-> $path already has: $text"
    return 0
  fi
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$text" >> "$path"
  say "-> appended to $path: $text"
  changed=$((changed + 1))
}

do_replace() {  # "path: old => new"
  path=${1%%: *}
  spec=${1#*: }
  old=${spec%% => *}
  new=${spec#* => }
  if [ "$path" = "$1" ] || [ "$old" = "$spec" ]; then
    fail "REPLACE needs 'path: old => new', got '$1'"
  fi
  check_path "$path"
  [ -f "$path" ] || fail "REPLACE: $path does not exist"
  if ! grep -Fq -- "$old" "$path"; then
    grep -Fq -- "$new" "$path" || fail "REPLACE: '$old' not found in $path"
    say "-> $path already has: $new"
    return 0
  fi
  OLD=$old NEW=$new awk '
    BEGIN { old = ENVIRON["OLD"]; new = ENVIRON["NEW"] }
    {
      out = ""; rest = $0
      while ((i = index(rest, old)) > 0) {
        out = out substr(rest, 1, i - 1) new
        rest = substr(rest, i + length(old))
      }
      print out rest
    }' "$path" > "$path.agent-tmp"
  mv "$path.agent-tmp" "$path"
  say "-> edited $path: $old => $new"
  changed=$((changed + 1))
}

# Applies the instructions of the prompt; $1 is 1 on a retry.
apply_prompt() {
  retry=$1
  active=1         # 0 inside an ON_RETRY section on a first attempt
  terminator=''    # set while inside a WRITE block
  target=''
  skipped=0
  body=$(mktemp)
  temp_files="$temp_files $body"
  while IFS= read -r line || [ -n "$line" ]; do
    if [ -n "$terminator" ]; then
      if [ "$line" = "$terminator" ]; then
        if [ "$active" = 1 ]; then do_write "$target" "$body"; fi
        terminator=''
      else
        printf '%s\n' "$line" >> "$body"
      fi
      continue
    fi
    case $line in
      'WRITE '*' <<'*)
        target=${line#WRITE }
        target=${target%% <<*}
        terminator=${line##*<<}
        [ -n "$terminator" ] || fail "WRITE $target: no end word after <<"
        : > "$body" ;;
      'APPEND '*) if [ "$active" = 1 ]; then do_append "${line#APPEND }"; else skipped=1; fi ;;
      'REPLACE '*) if [ "$active" = 1 ]; then do_replace "${line#REPLACE }"; else skipped=1; fi ;;
      'HANDOFF: '*) if [ "$active" = 1 ]; then printf '%s\n' "${line#HANDOFF: }" >> "$handoff"; fi ;;
      'SAY: '*) if [ "$active" = 1 ]; then say "${line#SAY: }"; fi ;;
      ON_RETRY) if [ "$retry" = 1 ]; then say "-> applying what I learned from the feedback"; else active=0; skipped=1; fi ;;
    esac
  done < "$prompt"
  [ -z "$terminator" ] || fail "WRITE $target: the block never ends (no line '$terminator')"
  [ "$skipped" = 0 ] || say "-> (holding back the ON_RETRY instructions: there is no feedback yet)"
}

# Made-up usage, in the JSON orchestrate reads from ORCHESTRATE_USAGE_FILE.
write_usage() {
  [ -n "${ORCHESTRATE_USAGE_FILE:-}" ] || return 0
  input=$(( $(wc -c < "$prompt") / 4 + 200 ))
  output=$(( changed * 40 + 60 ))
  case $model in large) rate=5 ;; *) rate=1 ;; esac
  awk -v i="$input" -v o="$output" -v r="$rate" -v m="stand-in-$model" 'BEGIN {
    printf "{\"input_tokens\": %d, \"output_tokens\": %d, \"cost_usd\": %.6f, \"model\": \"%s\"}\n",
      i, o, (i * 3 + o * 15) * r / 1000000, m
  }' > "$ORCHESTRATE_USAGE_FILE"
  say "-> usage: $input tokens in, $output out"
}

say "stand-in agent | model: $model | phase: $phase | attempt: $attempt"
title=$(sed -n 's/^# //p' "$prompt" | sed -n 1p)
say "-> task: ${title:-(untitled prompt)}"
show_handoffs
show_feedback
simulate_rate_limit
say "-> thinking..."
sleep "$delay"

changed=0
handoff=$(mktemp)
temp_files="$temp_files $handoff"
apply_prompt "$retry"
if [ -s "$handoff" ] && [ -n "${ORCHESTRATE_HANDOFF_FILE:-}" ]; then
  { printf '# %s\n\n' "$phase"; cat "$handoff"; } > "$ORCHESTRATE_HANDOFF_FILE"
  say "-> wrote a handoff for the phases that depend on $phase"
fi
write_usage
say "done: $changed change(s)"
