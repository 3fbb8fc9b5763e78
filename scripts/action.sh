#!/usr/bin/env bash
# Entry point of the rolefit GitHub Action (action.yml), kept in a script so CI can run it
# locally with fake GITHUB_* variables (tests/action.rs).
#
# Inputs come as INPUT_* variables: INPUT_PATH (default .), INPUT_CONFIG, INPUT_FAIL_ON
# (default error), INPUT_BASELINE, INPUT_SARIF_FILE, INPUT_FORMAT (what goes to standard
# output, default github: annotations). ROLEFIT_BIN names the binary (default: rolefit on
# PATH). It writes the Markdown summary to $GITHUB_STEP_SUMMARY when set, SARIF to
# INPUT_SARIF_FILE when set, `findings=<n>` and `exit-code=<n>` to $GITHUB_OUTPUT when set,
# and exits 0 (nothing at or above fail-on), 1 (findings at or above it) or 2 (the run
# failed: bad config, unreadable path).
set -euo pipefail

bin="${ROLEFIT_BIN:-rolefit}"
path="${INPUT_PATH:-.}"
fail_on="${INPUT_FAIL_ON:-error}"
format="${INPUT_FORMAT:-github}"

args=(audit "$path")
if [[ -n "${INPUT_CONFIG:-}" ]]; then
  args+=(--config "$INPUT_CONFIG")
fi
if [[ -n "${INPUT_BASELINE:-}" ]]; then
  args+=(--baseline "$INPUT_BASELINE")
fi

# Every rendering but the last ignores fail-on, so a finding never stops the others.
run() {
  "$bin" "${args[@]}" --fail-on never "$@"
}

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  run --format markdown >>"$GITHUB_STEP_SUMMARY"
fi
if [[ -n "${INPUT_SARIF_FILE:-}" ]]; then
  mkdir -p "$(dirname "$INPUT_SARIF_FILE")"
  run --format sarif --output "$INPUT_SARIF_FILE"
fi

status=0
"$bin" "${args[@]}" --format "$format" --fail-on "$fail_on" || status=$?

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  findings="$(run --format json | grep -c '"rule":' || true)"
  {
    echo "findings=$findings"
    echo "exit-code=$status"
  } >>"$GITHUB_OUTPUT"
fi
exit "$status"
