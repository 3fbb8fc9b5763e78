//! Command-line flags (clap derive types only).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Fit every AWS Lambda execution role to what the function really needs.
///
/// rolefit reads SAM and CloudFormation templates (CDK's `cdk.out` too), Serverless Framework
/// configurations, Terraform (HCL and plan JSON) and exported account state, the functions'
/// code (Python boto3; JavaScript and TypeScript with the AWS SDK v2 and v3; Go and Java with
/// the AWS SDK) and their IAM policies, then reports what each function needs but cannot do
/// (missing permissions), what it may do but never needs (excess) and which resource-based
/// grants are risky, with the exact line to change. It never runs your code, and the audit
/// never talks to AWS (only the optional `collect` reads a deployed account).
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
    /// Print the least-privilege policy each function needs (its code, triggers, settings).
    Policy(PolicyArgs),
    /// Decide one IAM request offline and show which statement decides: from the input of
    /// `aws iam simulate-custom-policy --cli-input-json`, or from a function of the app.
    Simulate(SimulateArgs),
    /// Edit CloudFormation/SAM templates (YAML, JSON), serverless.yml/.json and Terraform .tf files so the role
    /// findings go away (least privilege in place); exit 0 when none is left, 1 when some need a human, 2 on
    /// failure.
    Fix(FixArgs),
    /// Merge the JSON reports of several shards (accounts, regions, repositories) into one
    /// report: paths and function ids get each shard's label, findings are deduplicated by
    /// fingerprint, totals are recounted.
    Merge(MergeArgs),
    /// Read deployed accounts' IAM and Lambda state with the AWS SDK into export folders
    /// (`DIR/<account>/<region>/`) that `audit` reads; read-only (cargo feature `collect`).
    Collect(CollectArgs),
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' reports (`rolefit audit --format json`), or earlier merged reports.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Output format of the merged report.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write the merged report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a finding has this severity or a higher one.
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
}

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    /// The AWS profile to start from (default: the standard credential chain).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// A region to read (repeatable; default: the configured region).
    #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions")]
    pub regions: Vec<String>,
    /// Read every region enabled for each account (`account:ListRegions`).
    #[arg(long)]
    pub all_regions: bool,
    /// A role to assume in each target account (repeatable; default: the caller's account).
    #[arg(long = "role-arn", value_name = "ARN")]
    pub role_arns: Vec<String>,
    /// The external id the roles' trust policies require.
    #[arg(long, value_name = "ID", requires = "role_arns")]
    pub external_id: Option<String>,
    /// The folder to write (`DIR/<account>/<region>/`, one complete export per region).
    #[arg(long, value_name = "DIR", required_unless_present = "print_policy")]
    pub out: Option<PathBuf>,
    /// API requests in flight at most (regions, accounts and functions share the bound).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Print the least-privilege IAM policies the collection needs (from the collector's
    /// operation table) and exit; `--role-arn` values narrow the AssumeRole statement.
    #[arg(long)]
    pub print_policy: bool,
}

#[derive(Debug, clap::Args)]
pub struct FixArgs {
    /// Folders or single templates to fix (default `.`).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Fix only findings of this rule (repeatable; default missing-permission,
    /// unused-permission and wildcard-permission).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,
    /// Fix only the roles of this function, by name or id (repeatable).
    #[arg(long = "function", value_name = "NAME")]
    pub functions: Vec<String>,
    /// Print the changes as a unified diff instead of writing them (the findings left go to
    /// standard error, so standard output is the patch alone).
    #[arg(long)]
    pub diff: bool,
    /// Write nothing: list the files that would change and the findings left.
    #[arg(long)]
    pub dry_run: bool,
    /// Configuration file (default: `rolefit.toml` at the first PATH, when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["cli_input_json", "function"])))]
pub struct SimulateArgs {
    /// The input JSON of `aws iam simulate-custom-policy` (plus `ServiceControlPolicies`,
    /// `ResourceControlPolicies`, `SessionPolicyInputList`, `ManagementAccountId`):
    /// `file://PATH`, a path, or `-` for standard input.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["function", "action", "resource", "context"])]
    pub cli_input_json: Option<String>,
    /// The function (name or report id) whose execution role makes the request.
    #[arg(long, value_name = "NAME", requires = "action")]
    pub function: Option<String>,
    /// The action of the request (`sqs:SendMessage`).
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// The resource: an ARN or a logical id of the app (default: the resources the function's
    /// needs name for the action).
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// A request context value, `KEY=VALUE` (repeat a key for several values).
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Folders or templates of the app (function mode; default `.`).
    pub paths: Vec<PathBuf>,
    /// `human`: the decision and diagnostics at the deciding statements; `json`: the AWS
    /// CLI's output shape (`EvaluationResults`).
    #[arg(long, value_enum, default_value_t = SimulateFormat::Human)]
    pub format: SimulateFormat,
    /// Colour in human output: auto (on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Configuration file (function mode; default: `rolefit.toml` at the first PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Human,
    Json,
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
    /// Configuration file (default: `rolefit.toml` at the first PATH, when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Leave out findings recorded in this baseline file, so only new ones are reported.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE as a baseline (the report is still written).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Name of this root among shards (`rolefit merge` puts it before every path); default
    /// `<account>/<region>` when the inputs state both, else the audited folder's name.
    #[arg(long, value_name = "NAME")]
    pub label: Option<String>,
    /// AWS account of the audited root, where the inputs do not state it (exports state it in
    /// `rolefit-collect.json` or their ARNs); `--format asff` needs one.
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,
    /// AWS Region of the audited root, where the inputs do not state it; `--format asff`
    /// needs one.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// Function names or ids to print (default: all), and folders or templates to audit
    /// (default `.`): an argument that exists on disk is a path.
    pub targets: Vec<String>,
    /// `json` (IAM policy documents by function id), a snippet in one syntax, or `native`:
    /// the syntax of the file that declares each function.
    #[arg(long, value_enum, default_value_t = PolicyFormat::Json)]
    pub format: PolicyFormat,
    /// Configuration file (default: `rolefit.toml` at the first path, when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyFormat {
    Json,
    Sam,
    Cloudformation,
    Terraform,
    Serverless,
    Native,
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
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// A Markdown summary (step summary, pull-request comment) with Mermaid pictures.
    Markdown,
    /// AWS Security Finding Format: a JSON array for `aws securityhub batch-import-findings`
    /// (needs the account and region: exports or --account-id/--region).
    Asff,
    /// OCSF 1.3.0 Detection Findings (class 2004), one JSON event per line.
    Ocsf,
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
