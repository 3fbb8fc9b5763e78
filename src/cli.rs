//! Command-line flags (clap derive types only).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Fit every AWS Lambda execution role to what the function really needs.
///
/// rolefit reads SAM and CloudFormation templates, the functions' code (boto3, AWS SDK for
/// JavaScript v2 and v3) and their IAM policies, then reports what each function needs but
/// cannot do (missing permissions) and what it may do but never needs (excess), with the
/// exact line to change. It never runs your code and never talks to AWS.
#[derive(Debug, Parser)]
#[command(
    name = "rolefit",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit the Lambda functions under PATH (default `.`): required vs granted permissions.
    Audit(AuditArgs),
    /// Draw the permission graph (functions, roles, policies, resources, SDK calls).
    Graph(GraphArgs),
    /// Expand an IAM action pattern (`s3:Get*`), or show what an SDK method needs (`--sdk`).
    Actions(ActionsArgs),
    /// Print the documentation of a rule (what, why, example, fix), or list all rules.
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Folders (walked recursively, honouring .gitignore) or single template files.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a finding has this severity or a higher one.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Colour in human output: auto (on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ActionsArgs {
    /// An action pattern (`s3:Get*`, `dynamodb:*Item`) or, with --sdk, an SDK method
    /// (`s3.list_objects_v2`, `PutCommand`, `GetObjectCommand`).
    pub pattern: String,
    /// Resolve PATTERN as a method of this SDK.
    #[arg(long, value_enum)]
    pub sdk: Option<SdkArg>,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A rule id such as `missing-permission`; without one, all rules are listed.
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics for people, with the offending lines.
    Human,
    /// The versioned JSON report (REPORT.md, schema/report-v1.json).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SdkArg {
    Python,
    Js,
    Go,
    Java,
}
