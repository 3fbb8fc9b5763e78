//! The IAM engine: policy parsing, matching, evaluation, coverage and synthesis. Pure, no I/O.
