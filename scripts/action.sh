#!/usr/bin/env bash
# Entry point of the rolefit GitHub Action (action.yml), kept in a script so CI can run it
# locally with fake GITHUB_* variables (tests/action.rs).
#
# Inputs come as INPUT_* variables: INPUT_PATH (default .), INPUT_CONFIG, INPUT_FAIL_ON
# (default error), INPUT_BASELINE, INPUT_SARIF_FILE, INPUT_FORMAT (what goes to standard
# output, default github: annotations), INPUT_CDK_SYNTH (true: first run
# INPUT_CDK_SYNTH_COMMAND, default `npx --yes aws-cdk synth --quiet`, in every folder under
# INPUT_PATH that has a cdk.json, so the cloud assembly is audited). ROLEFIT_BIN names the binary (default: rolefit on
# PATH). It writes the Markdown summary to $GITHUB_STEP_SUMMARY when set, SARIF to
# INPUT_SARIF_FILE when set, `findings=<n>` and `exit-code=<n>` to $GITHUB_OUTPUT when set,
# and exits 0 (nothing at or above fail-on), 1 (findings at or above it) or 2 (the run
# failed: bad config, unreadable path).
set -euo pipefail

bin="${ROLEFIT_BIN:-rolefit}"
path="${INPUT_PATH:-.}"
fail_on="${INPUT_FAIL_ON:-error}"
format="${INPUT_FORMAT:-github}"

if [[ "${INPUT_CDK_SYNTH:-false}" == "true" ]]; then
  synth="${INPUT_CDK_SYNTH_COMMAND:-npx --yes aws-cdk synth --quiet}"
  # Every CDK app under the path, never one inside dependencies or an earlier assembly.
  while IFS= read -r -d '' cdk_json; do
    app_dir="$(dirname "$cdk_json")"
    echo "rolefit: synthesizing the CDK app in $app_dir: $synth" >&2
    (cd "$app_dir" && bash -c "$synth") >&2 || {
      echo "rolefit: '$synth' failed in $app_dir" >&2
      exit 2
    }
  done < <(find "$path" -name node_modules -prune -o -name cdk.out -prune -o \
             -name cdk.json -type f -print0)
fi

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
