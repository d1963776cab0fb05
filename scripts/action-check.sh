#!/usr/bin/env bash
# The GitHub Action's step (action.yml): runs `llm-sizer check` on the changed serving files, writes SARIF for code
# scanning and the text diagnostics to the log, and reports `sarif` and `exit-code` in $GITHUB_OUTPUT. It exits 0
# itself (the action fails the job in a later step, after the SARIF upload), except for its own setup errors (2).
# Inputs (environment):
#   LLM_SIZER_FILES    whitespace-separated files to check; empty: `git diff` of LLM_SIZER_BASE..HEAD
#   LLM_SIZER_BASE     base commit for the changed-file list (pull request base or the push's previous commit)
#   LLM_SIZER_PATTERN  extended regex the files must match (default \.ya?ml$)
#   LLM_SIZER_GPU      --gpu for files that name none (optional)
#   LLM_SIZER_CLI      command that runs the CLI (default: this action's dist/cli.js, built on first use)
set -uo pipefail
ACTION_DIR="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${GITHUB_OUTPUT:-/dev/null}"
PATTERN="${LLM_SIZER_PATTERN:-\.ya?ml$}"
SARIF="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/llm-sizer.sarif"

if [ -n "${LLM_SIZER_FILES:-}" ]; then
  candidates=$(printf '%s\n' $LLM_SIZER_FILES)
else
  base="${LLM_SIZER_BASE:-}"
  # A new branch's first push has an all-zero "before": compare with the previous commit instead.
  if [ -z "$base" ] || [ -z "${base//0/}" ]; then base="HEAD~1"; fi
  if ! candidates=$(git diff --name-only --diff-filter=ACMR "$base" HEAD 2>/dev/null); then
    echo "llm-sizer action: cannot list the files changed since $base (check out with fetch-depth: 0)" >&2
    exit 2
  fi
fi
files=()
while IFS= read -r f; do
  [ -n "$f" ] && [ -f "$f" ] && printf '%s\n' "$f" | grep -Eq -- "$PATTERN" && files+=("$f")
done <<< "$candidates"

if [ ${#files[@]} -eq 0 ]; then
  echo "llm-sizer: no changed file matches $PATTERN"
  { echo "sarif="; echo "exit-code=0"; } >> "$OUT"
  exit 0
fi

if [ -n "${LLM_SIZER_CLI:-}" ]; then
  read -r -a cli <<< "$LLM_SIZER_CLI"
else
  if [ ! -f "$ACTION_DIR/dist/cli.js" ]; then
    ( cd "$ACTION_DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && node scripts/build.mjs --production ) >&2 \
      || { echo "llm-sizer action: building the CLI failed" >&2; exit 2; }
  fi
  cli=(node "$ACTION_DIR/dist/cli.js")
fi
opts=()
[ -n "${LLM_SIZER_GPU:-}" ] && opts+=(--gpu "$LLM_SIZER_GPU")

echo "llm-sizer check on ${#files[@]} file(s): ${files[*]}"
"${cli[@]}" check "${opts[@]}" "${files[@]}"
"${cli[@]}" check --format sarif "${opts[@]}" "${files[@]}" > "$SARIF"
code=$?
{ echo "sarif=$([ "$code" -le 1 ] && echo "$SARIF")"; echo "exit-code=$code"; } >> "$OUT"
exit 0
