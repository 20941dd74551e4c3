// The manifest `orchestrate init` writes.
#include "orchestrate/build_config.h"
#include "orchestrate/manifest.h"

namespace orchestrate {

std::string StarterManifest() {
  // The first line lets editors (taplo, Even Better TOML) check the keys
  // against the installed JSON Schema.
  return "#:schema " ORCHESTRATE_SCHEMA_INSTALLED
         "\n"
         R"(# orchestrate.toml: the phases of this piece of work and what each depends on.
# Run `orchestrate plan` to see what would run, `orchestrate run` to run it.
# Every key is described in docs/manifest.md and `orchestrate help manifest`.
version = 1

[settings]
base = "HEAD"                       # the commit every run starts from
target = "orchestrate/integration"  # the branch that receives all merged results
# jobs = 4                          # phases at once (default: -j, else the number of CPUs)
keep_worktrees = "failed"           # "always" | "failed" | "never"
# worktree_copy = [".env"]          # untracked files copied into each worktree
# worktree_link = ["node_modules"]  # directories symlinked into each worktree

# At most `depth` phases of a pool run at once, e.g. to respect API rate limits.
# [pools.llm]
# depth = 2

# A reusable agent command. {model}, {prompt_file}, {phase}, {worktree},
# {branch} and every key of the table are placeholders, pasted as plain text:
# keep the quotes around "{prompt_file}". Checked against Claude Code 2.1:
# print mode (-p) edits files only with --permission-mode acceptEdits;
# --output-format json ends the output with its tokens and cost.
# [agents.claude]
# command = 'claude -p --permission-mode acceptEdits --output-format json --model {model} < "{prompt_file}"'
# model = "sonnet"
# usage = "claude-json"             # read tokens and cost from that JSON
# requeue_on = ["limit · resets", "rate_limit_error", "overloaded_error"]   # "try again later"

# Each phase runs in its own git worktree on branch orchestrate/phase/NAME;
# everything it changes is committed, then `verify` runs on that commit.
[phase.hello]
description = "Write a greeting"
run = "echo 'hello from orchestrate' > HELLO.txt"

[phase.check]
description = "Check the greeting"
deps = ["hello"]                    # starts from hello's result
run = "cat HELLO.txt > CHECKED.txt"
verify = ["grep -q hello CHECKED.txt"]   # every command must pass, in order
# An agent phase instead of `run`:
# agent = "claude"
# prompt = "prompts/check.md"       # relative to this file
# pool = "llm"
# timeout = "30m"
# retries = 2                       # re-run with feedback after a failure
# approval = true                   # a person approves the result: orchestrate approve check
)";
}

}  // namespace orchestrate
