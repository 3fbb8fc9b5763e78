//! Typed access to the AWS knowledge embedded from `policies/`.
