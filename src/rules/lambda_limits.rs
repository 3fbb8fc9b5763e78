//! `lambda-limits`: configuration outside Lambda's documented quotas.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::LAMBDA_LIMITS`].
///
/// Timeout over 900 s, memory outside 128–10,240 MB, ephemeral storage outside
/// 512–10,240 MB, environment variables over 4 KB, more than 5 layers.
pub struct LambdaLimits;

static META: &RuleDoc = &catalog::LAMBDA_LIMITS;

/// AWS Lambda quotas (Lambda Developer Guide, "Lambda quotas").
const MAX_TIMEOUT_S: f64 = 900.0;
const MEMORY_MB: (f64, f64) = (128.0, 10_240.0);
const EPHEMERAL_MB: (f64, f64) = (512.0, 10_240.0);
const MAX_ENV_BYTES: usize = 4 * 1024;
const MAX_LAYERS: usize = 5;

impl Rule for LambdaLimits {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for func in &cx.app.functions {
            let c = &func.config;
            let mut push = |span, msg: String| {
                out.push(
                    META.finding(format!("{}: {msg}", func.name), span)
                        .function(&func.id),
                );
            };
            if let Some(t) = &c.timeout
                && (t.value > MAX_TIMEOUT_S || t.value < 1.0)
            {
                push(t.span, format!("timeout {} s is outside 1–900 s", t.value));
            }
            if let Some(m) = &c.memory
                && (m.value < MEMORY_MB.0 || m.value > MEMORY_MB.1)
            {
                push(
                    m.span,
                    format!("memory {} MB is outside 128–10,240 MB", m.value),
                );
            }
            if let Some(e) = &c.ephemeral_storage
                && (e.value < EPHEMERAL_MB.0 || e.value > EPHEMERAL_MB.1)
            {
                push(
                    e.span,
                    format!("ephemeral storage {} MB is outside 512–10,240 MB", e.value),
                );
            }
            if c.environment_bytes > MAX_ENV_BYTES
                && let Some(span) = c.environment_span
            {
                push(
                    span,
                    format!(
                        "environment variables take {} bytes, over Lambda's 4 KB limit",
                        c.environment_bytes
                    ),
                );
            }
            if c.layers.len() > MAX_LAYERS {
                push(
                    c.layers[MAX_LAYERS].span,
                    format!("{} layers, over Lambda's limit of 5", c.layers.len()),
                );
            }
        }
    }
}
