#!/usr/bin/env bash
# Entry point of the rolefit GitHub Action (action.yml), kept in a script so CI can run it
# locally with fake GITHUB_* variables (tests/action.rs).
#
# Inputs come as INPUT_* variables: INPUT_PATH (default .), INPUT_CONFIG, INPUT_FAIL_ON
# (default error), INPUT_BASELINE, INPUT_SARIF_FILE, INPUT_FORMAT (what goes to standard
# output, default github: annotations), INPUT_CDK_SYNTH (true: first run
# INPUT_CDK_SYNTH_COMMAND, default `npx --yes aws-cdk synth --quiet`, in every folder under
# INPUT_PATH that has a cdk.json, so the cloud assembly is audited), INPUT_FIX (true: also
# run `rolefit fix --diff` and write the diff, with the findings it leaves for a human, to the
# step summary; nothing is edited and its result does not change the exit status).
# ROLEFIT_BIN names the binary (default: rolefit on PATH). It writes the Markdown summary to $GITHUB_STEP_SUMMARY when set, SARIF to
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

if [[ "${INPUT_FIX:-false}" == "true" ]]; then
  fix_args=(fix --diff "$path")
  if [[ -n "${INPUT_CONFIG:-}" ]]; then
    fix_args+=(--config "$INPUT_CONFIG")
  fi
  left_file="$(mktemp)"
  fix_status=0
  patch="$("$bin" "${fix_args[@]}" 2>"$left_file")" || fix_status=$?
  cat "$left_file" >&2
  if [[ "$fix_status" -gt 1 ]]; then
    echo "rolefit: rolefit fix failed (exit $fix_status)" >&2
    rm -f "$left_file"
    exit 2
  fi
  # `fix` names files relative to the folder it fixed: the summary names them from the
  # repository root, so the patch applies there with `git apply`.
  prefix="$path"
  [[ -d "$prefix" ]] || prefix="$(dirname "$prefix")"
  prefix="${prefix#./}"
  prefix="${prefix%/}"
  if [[ -n "$patch" && -n "$prefix" && "$prefix" != "." ]]; then
    # Only header pairs (`--- a/…` followed by `+++ b/…`), never a line inside a hunk.
    patch="$(printf '%s\n' "$patch" | awk -v p="$prefix/" '
      pending != "" {
        if (substr($0, 1, 6) == "+++ b/") { print "--- a/" p substr(pending, 7); print "+++ b/" p substr($0, 7) }
        else { print pending; print }
        pending = ""; next
      }
      substr($0, 1, 6) == "--- a/" { pending = $0; next }
      { print }
      END { if (pending != "") print pending }')"
  fi
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    # A fence longer than any run of backticks in the patch.
    fence='```'
    while [[ "$patch" == *"$fence"* ]]; do fence+='`'; done
    {
      echo
      echo "### rolefit fix"
      echo
      if [[ -z "$patch" ]]; then
        echo "No change: every template is already fitted (or left for a human below)."
      else
        echo "Run \`rolefit fix\` or apply this patch with \`git apply\` from the repository root:"
        echo
        echo "${fence}diff"
        printf '%s\n' "$patch"
        echo "$fence"
      fi
      if [[ "$fix_status" -eq 1 ]]; then
        echo
        echo "Left for a human:"
        echo
        echo "${fence}text"
        grep -v '^rolefit: [0-9]* file(s) fixed' "$left_file" || true
        echo "$fence"
      fi
    } >>"$GITHUB_STEP_SUMMARY"
  fi
  rm -f "$left_file"
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
