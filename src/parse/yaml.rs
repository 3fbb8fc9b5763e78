//! YAML to [`super::node::Node`] with spans, CloudFormation short-form tags and limits.
