#!/usr/bin/env python3
"""Validates rolefit's `--format ocsf` output (NDJSON on stdin) as OCSF 1.3.0 Detection
Findings with the pinned PyPI model package `pydantic-ocsf` (its `ocsf.v1_3_0` models are
generated from the OCSF 1.3.0 schema; the package also checks class_uid/category_uid/type_uid
against the class). Its models allow extra attributes and leave some base-event attributes to
the schema, so this script also checks, from the OCSF 1.3.0 schema (base_event, finding and
detection_finding classes, https://schema.ocsf.io/1.3.0/classes/detection_finding), that the
required attributes are present and that no top-level attribute is foreign to the class.

Exit 0 when every event validates, 1 with the errors otherwise, 3 when the package is absent
(the Rust test then skips with the reason printed).
"""
import json
import sys

try:
    from ocsf.v1_3_0.events import DetectionFinding
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"pydantic-ocsf is not installed ({e})", file=sys.stderr)
    sys.exit(3)

# OCSF 1.3.0: required attributes of base_event + finding + detection_finding.
REQUIRED = {
    "activity_id", "category_uid", "class_uid", "type_uid", "severity_id", "time",
    "metadata", "finding_info",
}
# Attributes of the class (base_event, finding, detection_finding, and the cloud profile's
# `cloud`) that rolefit may write; anything else is a typo the model's `extra=allow` hides.
KNOWN = set(DetectionFinding.model_fields) | REQUIRED | {
    "activity_name", "category_name", "class_name", "type_name", "cloud", "unmapped",
}

errors = []
count = 0
for n, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    count += 1
    event = json.loads(line)
    missing = REQUIRED - event.keys()
    if missing:
        errors.append(f"line {n}: missing {sorted(missing)}")
    foreign = event.keys() - KNOWN
    if foreign:
        errors.append(f"line {n}: not attributes of Detection Finding: {sorted(foreign)}")
    if event.get("metadata", {}).get("version") != "1.3.0":
        errors.append(f"line {n}: metadata.version is not 1.3.0")
    if event.get("class_uid") != 2004 or event.get("type_uid") != 200400 + event.get("activity_id", 0):
        errors.append(f"line {n}: not a Detection Finding (class 2004, type 2004xx)")
    try:
        DetectionFinding.model_validate(event)
    except Exception as e:  # pydantic.ValidationError
        errors.append(f"line {n}: {e}")
print(f"{count} event(s)")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
