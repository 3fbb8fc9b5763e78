//! JSON to [`super::node::Node`] with spans and limits.
