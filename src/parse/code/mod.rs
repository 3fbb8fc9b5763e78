//! AWS SDK call extraction from function code with tree-sitter grammars.
//!
//! One driver, one profile per language. [`extract`] parses a file once (stepping over syntax
//! errors, see `parse`) and runs its language's walker through the shared driver
//! (`driver.rs`): the driver walks the tree in document order once per pass, keeps the
//! enclosing functions, and hands what a pass learned to the next (what callers pass local
//! functions' parameters, the bindings a file ends up with). The walker keeps a flat table of
//! what names are bound to (SDK clients, resource objects, environment reads, literals), turns
//! method calls on SDK objects into [`SdkCall`]s and records environment reads, imports and
//! [`Export`](crate::model::Export)s. Reading is best effort: a file with syntax errors still
//! yields the calls tree-sitter could place around the error.
//!
//! What differs between languages is in their [`Profile`] (`python.rs`, `javascript.rs`,
//! `go.rs`, `java.rs`, each with its evaluator files): extensions and grammar, the walker, where
//! a handler string and an import point ([`handler_candidates`], [`local_import_candidates`],
//! [`Packages`] for Go's package folders), and which export the handler names
//! ([`handler_entry`]: Python `module.function`, JavaScript `file.export`, Java
//! `package.Class::method` or the class's `handleRequest`, Go the function `package main`
//! hands to `lambda.Start`). `parse::codebase` reads each function's files through these and
//! gives each function its [`HandlerEntry`].
//!
//! Client factories: a function returning an SDK client (`def client(name): return
//! boto3.client(name)`, `function client(name) { return new AWS[name]() }`, a Go func declared
//! to return `*s3.Client`, a Java method returning a builder-built client) is read as the
//! client it makes at each call, the service taken from the call's argument where the factory
//! is given it. Each walker records the file's factories in
//! [`CodeFacts::factories`](crate::model::CodeFacts) when it finishes; `parse::codebase` reads
//! the files importing them again with [`extract_with`], so calls made on what they return
//! resolve across modules (and across the files of one Go package).
//!
//! Python and JavaScript walkers also build the file's [`Outline`](crate::model::Outline)
//! (through the driver's `Walker::unit`, `Walker::defers` and `Scope::bind_import`): which
//! module-level definitions reference which names, where each call and import sits, and what
//! each import binds. `parse::share` follows it from a function's handler so a module with
//! several handlers gives each only what its own handler reaches.
//!
//! Adding a language (C#, say):
//! 1. `csharp.rs`: a walker (`impl driver::Walker`: what to do when entering and leaving
//!    nodes — bind client constructions and declared client types, record SDK calls with
//!    `Scope::env_read`, `Scope::import`, `Scope::export`, and what calls of
//!    the file's own methods pass in `Scope::passed`) and `pub(super) static PROFILE: Profile`
//!    (extensions, runtimes such as `dotnet`, the grammar, handler files for
//!    `Assembly::Namespace.Class::Method`, import files, the entry). Evaluation helpers may
//!    live in a sibling file (`cseval.rs`), as for the other languages.
//! 2. Register it: a `Lang` variant, its arm in `Lang::profile`, and an entry in
//!    `profile::PROFILES`; a [`SdkKind`](crate::model::SdkKind) if its SDK names operations
//!    its own way (`data` maps calls to IAM actions per SDK kind).
//! 3. The grammar dependency (`tree-sitter-c-sharp`) in `Cargo.toml`.
//!
//! Spellings beyond the SDKs' own names (see [`SdkCall`](crate::model::SdkCall)):
//! - Calls that are no SDK client method are [`CallStyle::Action`] calls named by their IAM
//!   action (`pysigned.rs`, `jssigned.rs`, `gosigned.rs`; Java's `RdsUtilities` and
//!   `RdsIamAuthTokenGenerator` through `token_signer`, its durable `DurableContext.invoke` in
//!   `java.rs`):
//!   `rds-db` `connect` (`DBHostname`, `DBUsername`), `es` `ESHttp<Method>` and `aoss`
//!   `APIAccessAll` (`Endpoint`), `lambda` `InvokeFunction` (`FunctionName`) for a durable
//!   function's `context.invoke`; an `es` call with an empty name is a signed request whose
//!   HTTP method is unknown.
//! - Library entry points that call AWS on the function's behalf (the `library` entries of
//!   the helpers table in `policies/overrides.json`: Powertools parameters and idempotency,
//!   Strands agents, langchain-aws models, the Secrets Manager caching client) are calls whose
//!   service is the entry's module key and whose method is the name imported
//!   (`get_parameter`, `Agent`) or `Class.method` (`SecretCache.get_secret_string`), with the
//!   arguments under the request members the entry maps them to.
//! - boto3's injected S3 helpers keep their names and map positionals to the request members
//!   they fill (`upload_file(Filename, Bucket, Key)`); `generate_presigned_url` lists
//!   `ClientMethod` and then the members of `Params`.
//! - JS v2 `getSignedUrl(op, params)` lists `Operation` and then `params`; `waitFor("x")` is a
//!   waiter named `x`. JS v3 `getSignedUrl(client, new XCommand(...))` is the command itself.
//! - Go: the S3 transfer manager (v2 `feature/s3/manager`, v1 `s3manager`) is service `manager`
//!   with methods `Upload` / `Download`; presigning (`PresignGetObject`) is the operation
//!   itself; paginators and waiters are named by the operation (`ListObjectsV2`) or waiter
//!   (`ObjectExists`).
//! - Java: the enhanced DynamoDB client is service `dynamodb-enhanced` (its `DynamoDbTable`
//!   methods, with the table name as `TableName`) and the S3 Transfer Manager service
//!   `s3-transfer-manager` (the Maven artifacts), the nested `putObjectRequest` and friends
//!   flattened into the call's members; builder setters become member names by capitalising
//!   the first letter (`tableName` -> `TableName`).

mod driver;
mod extension;
mod go;
mod goeval;
mod gosigned;
mod handler;
mod java;
mod javaeval;
mod javascript;
mod jsbind;
mod jseval;
mod jssigned;
mod profile;
mod pyargs;
mod pyeval;
mod pyimport;
mod pysigned;
mod pystd;
mod python;
mod vendored;

pub use go::{module_path as go_module_path, package_files as go_package_files};
pub use handler::{handler_candidates, local_import_candidates};
pub use profile::{HandlerEntry, Packages, Profile, for_runtime, handler_entry};
pub use vendored::is_vendored;

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tree_sitter::{Node, ParseOptions, Parser, Tree};

/// Named children without comments. Tree-sitter puts comments ("extras") anywhere in a tree, so
/// `f( // why\n  arg)` has the comment as the argument list's first named child: every reader of
/// arguments, elements and operands goes through these instead of `named_child`.
pub(crate) trait Named<'t> {
    /// The `i`th named child that is not a comment.
    fn arg(&self, i: usize) -> Option<Node<'t>>;
    /// How many named children are not comments.
    fn arg_count(&self) -> usize;
}

impl<'t> Named<'t> for Node<'t> {
    fn arg(&self, i: usize) -> Option<Node<'t>> {
        let mut cursor = self.walk();
        self.named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .filter(|n| !n.is_extra())
            .nth(i)
    }

    fn arg_count(&self) -> usize {
        let mut cursor = self.walk();
        self.named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .filter(|n| !n.is_extra())
            .count()
    }
}

use crate::model::{
    Arg, CallStyle, CodeFacts, EVENT_BUCKET, EVENT_SOURCE_ARN, FUNCTION_NAME_VAR, Factory, SdkCall,
    SdkKind,
};
use crate::source::SourceFile;
use crate::source::Span;
use crate::syntax::ParseError;

/// Longest time one file may take to parse; past it the file becomes a parse error.
const PARSE_BUDGET: Duration = Duration::from_secs(5);

/// Deepest expression nesting the evaluators follow (deeper code is read as unknown).
pub(crate) const MAX_DEPTH: usize = 48;

/// A language the extractor reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
}

impl Lang {
    /// The language of a file, from its extension.
    pub fn from_path(path: &str) -> Option<Lang> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        profile::PROFILES
            .iter()
            .flat_map(|p| p.extensions)
            .find(|(e, _)| *e == ext)
            .map(|(_, lang)| *lang)
    }

    /// The language's profile (JavaScript's dialects share one).
    pub fn profile(self) -> &'static Profile {
        match self {
            Lang::Python => &python::PROFILE,
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => &javascript::PROFILE,
            Lang::Go => &go::PROFILE,
            Lang::Java => &java::PROFILE,
        }
    }

    fn grammar(self) -> tree_sitter::Language {
        (self.profile().grammar)(self)
    }
}

/// Reads the SDK calls, environment reads and imports of one file.
pub fn extract(file: &SourceFile, lang: Lang) -> Result<CodeFacts, ParseError> {
    extract_with(file, lang, &[])
}

/// [`extract`], knowing the client factories ([`Factory`]) of the local modules the file
/// imports: their calls are the clients they make.
pub fn extract_with(
    file: &SourceFile,
    lang: Lang,
    imported: &[Factory],
) -> Result<CodeFacts, ParseError> {
    let tree = parse(file, lang)?;
    let previous = NAMES.replace(grammar_names(lang));
    let mut facts = (lang.profile().extract)(file, &tree, imported);
    NAMES.set(previous);
    for call in &mut facts.calls {
        token_signer(call);
    }
    Ok(facts)
}

/// SDK utilities that sign an IAM database authentication token locally rather than call
/// an API (Java v2 `RdsUtilities.generateAuthenticationToken`, whose request's builder sets
/// `hostname`, `port` and `username`): the token is used to connect, which needs
/// `rds-db:connect` (RDS User Guide, "Connecting to your DB instance using IAM
/// authentication"), so the call is named by that action with the request's members renamed
/// to those of boto3's `generate_db_auth_token`.
fn token_signer(call: &mut SdkCall) {
    // v2 `RdsUtilities.generateAuthenticationToken`, v1
    // `RdsIamAuthTokenGenerator.getAuthToken(GetIamAuthTokenRequest)`.
    if call.style != CallStyle::Direct
        || call.service != "rds"
        || !matches!(
            call.method.as_str(),
            "generateAuthenticationToken" | "getAuthToken"
        )
    {
        return;
    }
    call.style = CallStyle::Action;
    call.service = "rds-db".to_string();
    call.method = "connect".to_string();
    for (name, _) in &mut call.args {
        match name.as_str() {
            "Hostname" => *name = "DBHostname".to_string(),
            "Username" | "UserName" => *name = "DBUsername".to_string(),
            _ => {}
        }
    }
}

/// One kind of call that is no SDK client method yet needs an IAM action, as the extractors
/// read it (docs/needs.md lists them).
pub struct SignedCall {
    pub language: &'static str,
    /// The call as written.
    pub call: &'static str,
    /// The action it needs, and what it applies to.
    pub action: &'static str,
    pub resource: &'static str,
    /// The page (URL) and section that say so.
    pub doc: &'static str,
    pub section: &'static str,
}

const RDS_IAM: (&str, &str) = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html",
    "Creating and using an IAM policy for IAM database access",
);
const RDS_PROXY: (&str, &str) = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html",
    "Connecting to a database using IAM authentication",
);
const OPENSEARCH: (&str, &str) = (
    "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html",
    "Identity and Access Management in Amazon OpenSearch Service",
);
const OPENSEARCH_SERVERLESS: (&str, &str) = (
    "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/security-iam-serverless.html",
    "Identity and Access Management for Amazon OpenSearch Serverless",
);
const DURABLE: (&str, &str) = (
    "https://docs.aws.amazon.com/lambda/latest/dg/durable-basic-concepts.html",
    "Basic concepts (durable operations: invoke)",
);

const fn signed(
    language: &'static str,
    call: &'static str,
    action: &'static str,
    resource: &'static str,
    (doc, section): (&'static str, &'static str),
) -> SignedCall {
    SignedCall {
        language,
        call,
        action,
        resource,
        doc,
        section,
    }
}

const DB_USER: &str = "`dbuser:<DbiResourceId or DBClusterResourceId>/<user>`";
const PROXY_USER: &str = "`dbuser:prx-<proxy resource id>/<user>` (host of a declared RDS Proxy or `*.proxy-*.rds.amazonaws.com`)";
const DOMAIN: &str = "`domain/<name>/*` (the declared domain the endpoint names, or the name in `search-<name>-<id>.<region>.es.amazonaws.com`)";
const COLLECTION: &str = "`collection/<id>` (from `<id>.<region>.aoss.amazonaws.com`)";
const FUNCTION: &str = "the function named (`function:<name>`)";

/// Every call `pysigned`, `jssigned`, `gosigned`, `token_signer` and Java's durable context
/// read as an IAM action.
pub const SIGNED_CALLS: &[SignedCall] = &[
    signed(
        "Python",
        "boto3 `rds.generate_db_auth_token(DBHostname, Port, DBUsername)`",
        "rds-db:connect",
        DB_USER,
        RDS_IAM,
    ),
    signed(
        "JavaScript",
        "`new Signer({ hostname, port, username }).getAuthToken()` (`@aws-sdk/rds-signer`)",
        "rds-db:connect",
        DB_USER,
        RDS_IAM,
    ),
    signed(
        "JavaScript",
        "SDK v2 `new AWS.RDS.Signer(options).getAuthToken(options?)`",
        "rds-db:connect",
        DB_USER,
        RDS_IAM,
    ),
    signed(
        "Go",
        "`auth.BuildAuthToken(ctx, endpoint, region, user, creds)` (`aws-sdk-go-v2/feature/rds/auth`), v1 `rdsutils.BuildAuthToken`",
        "rds-db:connect",
        DB_USER,
        RDS_IAM,
    ),
    signed(
        "Java",
        "SDK v2 `RdsUtilities.generateAuthenticationToken(request)`",
        "rds-db:connect",
        DB_USER,
        RDS_IAM,
    ),
    signed(
        "Java",
        "SDK v1 `RdsIamAuthTokenGenerator.getAuthToken(GetIamAuthTokenRequest)`",
        "rds-db:connect",
        DB_USER,
        RDS_IAM,
    ),
    signed(
        "any",
        "an IAM database token for an RDS Proxy endpoint",
        "rds-db:connect",
        PROXY_USER,
        RDS_PROXY,
    ),
    signed(
        "Python",
        "`requests_aws4auth.AWS4Auth`, `opensearchpy.AWSV4SignerAuth`, `botocore.auth.SigV4Auth`, `requests_auth_aws_sigv4.AWSSigV4` for service `es`, used by `requests` verbs, an `OpenSearch` client or `add_auth(AWSRequest(method, url))`",
        "es:ESHttp<Method> (the request's method; client methods by the REST API each wraps)",
        DOMAIN,
        OPENSEARCH,
    ),
    signed(
        "JavaScript",
        "`aws4.sign({ host, method, body, service: \"es\" })` (method `POST` with a body, else `GET`, when not given)",
        "es:ESHttp<Method>",
        DOMAIN,
        OPENSEARCH,
    ),
    signed(
        "JavaScript",
        "`@opensearch-project/opensearch` `Client` with `AwsSigv4Signer({ service: \"es\" })`, its methods and `transport.request({ method })`",
        "es:ESHttp<Method> (by client method)",
        DOMAIN,
        OPENSEARCH,
    ),
    signed(
        "Go",
        "opensearch-go client whose `Config.Signer` is `signer/awsv2.NewSigner` / `NewSignerWithService(cfg, \"es\")`, its methods and `opensearchapi.<Api>Request{...}.Do(ctx, client)`",
        "es:ESHttp<Method> (by client method)",
        DOMAIN,
        OPENSEARCH,
    ),
    signed(
        "Python, JavaScript, Go",
        "the same signers for service `aoss`",
        "aoss:APIAccessAll",
        COLLECTION,
        OPENSEARCH_SERVERLESS,
    ),
    signed(
        "Python",
        "durable `context.invoke(function_name, payload)` (`aws_durable_execution_sdk_python`)",
        "lambda:InvokeFunction",
        FUNCTION,
        DURABLE,
    ),
    signed(
        "JavaScript",
        "durable `context.invoke(name, funcId, input)` / `context.invoke(funcId, input)` (`@aws/durable-execution-sdk-js`)",
        "lambda:InvokeFunction",
        FUNCTION,
        DURABLE,
    ),
    signed(
        "Java",
        "durable `DurableContext.invoke(name, functionName, payload, type)` / `invokeAsync` (`software.amazon.lambda.durable`)",
        "lambda:InvokeFunction",
        FUNCTION,
        DURABLE,
    ),
];

/// One call named by the IAM action it needs ([`CallStyle::Action`]).
pub(crate) fn action_call(
    span: Span,
    sdk: SdkKind,
    service: &str,
    action: &str,
    args: Vec<(String, Arg)>,
    text: String,
) -> SdkCall {
    SdkCall {
        span,
        sdk,
        service: service.to_string(),
        resource_type: None,
        method: action.to_string(),
        style: CallStyle::Action,
        args,
        resource_ids: Vec::new(),
        text,
        alternative: None,
    }
}

/// The `es:ESHttp*` actions an OpenSearch client method sends, whatever the language's
/// spelling (`delete_by_query`, `deleteByQuery`, `DeleteByQuery`; `indices.put_mapping`,
/// `Indices.PutMapping`), from `pysigned::CLIENT_METHODS`; empty when the method is not listed.
pub(crate) fn search_methods(name: &str) -> &'static [&'static str] {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = norm(name);
    pysigned::CLIENT_METHODS
        .iter()
        .find(|(m, _)| norm(m) == wanted)
        .map_or(&[][..], |(_, v)| *v)
}

/// The `es:ESHttp*` action of an HTTP method (`GET`, `post`), if it is one.
pub(crate) fn http_action(method: &str) -> Option<&'static str> {
    const VERBS: &[(&str, &str)] = &[
        ("GET", "ESHttpGet"),
        ("POST", "ESHttpPost"),
        ("PUT", "ESHttpPut"),
        ("DELETE", "ESHttpDelete"),
        ("HEAD", "ESHttpHead"),
        ("PATCH", "ESHttpPatch"),
    ];
    VERBS
        .iter()
        .find(|(v, _)| v.eq_ignore_ascii_case(method))
        .map(|(_, a)| *a)
}

/// What [`event_read`] recognizes, for docs/needs.md: (read, value, page, section).
pub const EVENT_READS: &[(&str, &str, &str, &str)] = &[
    (
        "an S3 record's `s3.bucket.name` (`record[\"s3\"][\"bucket\"][\"name\"]`, `record.s3.bucket.name`, `record.S3.Bucket.Name`, `record.getS3().getBucket().getName()`)",
        "the bucket of the function's S3 notifications",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html",
        "Event message structure",
    ),
    (
        "a polled record's `eventSourceARN` (`EventSourceARN`, `getEventSourceArn()`)",
        "the queue, stream or table stream the function's event source mapping polls",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html",
        "Using Lambda with Amazon SQS (example event)",
    ),
    (
        "`context.function_name`, `context.functionName`, `context.getFunctionName()`, Go `lambdacontext.FunctionName`, the invoked function ARN, `AWS_LAMBDA_FUNCTION_NAME`",
        "the function itself",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime",
        "Defined runtime environment variables",
    ),
];

/// What a chain of member reads (`root.a.b`, `root["a"]["b"]`, Java `root.getA().getB()`)
/// stands for when it reads the invocation event or the Lambda context: the bucket of an S3
/// notification record (`…s3.bucket.name`, S3 User Guide, "Event message structure"), the
/// source of a polled record (`…eventSourceARN`), or the function's own name
/// (`context.function_name`, `context.functionName`, `context.getFunctionName()`, Go's
/// `lambdacontext.FunctionName`; also the invoked ARN), which is what the reserved
/// `AWS_LAMBDA_FUNCTION_NAME` variable holds. Members compare without case or underscores;
/// Java getters are given without their `get`.
pub(crate) fn event_read(root: &str, members: &[&str]) -> Option<Arg> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let members: Vec<String> = members.iter().map(|m| norm(m)).collect();
    let n = members.len();
    if n >= 3 && members[n - 3..] == ["s3", "bucket", "name"] {
        return Some(Arg::Event(EVENT_BUCKET));
    }
    if members.last().is_some_and(|m| m == "eventsourcearn") {
        return Some(Arg::Event(EVENT_SOURCE_ARN));
    }
    let context = matches!(norm(root).as_str(), "context" | "lambdacontext");
    if context && n == 1 && matches!(members[0].as_str(), "functionname" | "invokedfunctionarn") {
        return Some(Arg::Env(FUNCTION_NAME_VAR.to_string()));
    }
    None
}

/// Most lines blanked out to step over syntax errors (each costs a re-parse).
const MAX_REPAIRS: usize = 24;

/// Parses a file; where tree-sitter's error recovery swallows code after a syntax error
/// (it often folds the rest of a file into one `ERROR` node), the line where the error starts
/// is blanked with spaces and the file parsed again, so byte offsets stay those of the file.
fn parse(file: &SourceFile, lang: Lang) -> Result<Tree, ParseError> {
    let whole = file.span(0, file.text.len());
    let mut parser = Parser::new();
    parser
        .set_language(&lang.grammar())
        .map_err(|e| ParseError::new(whole, format!("cannot load the {lang:?} grammar: {e}")))?;
    let started = Instant::now();
    let mut text = file.text.as_bytes().to_vec();
    let mut tree = parse_bytes(&mut parser, &text, started).ok_or_else(|| {
        ParseError::new(
            whole,
            format!(
                "{} could not be parsed within {}s",
                file.path,
                PARSE_BUDGET.as_secs()
            ),
        )
    })?;
    for _ in 0..MAX_REPAIRS {
        let Some(at) = first_error(&tree) else { break };
        let start = text[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let end = text[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(text.len(), |i| at + i);
        if text[start..end].iter().all(|b| *b == b' ') {
            break;
        }
        text[start..end].fill(b' ');
        match parse_bytes(&mut parser, &text, started) {
            Some(repaired) => tree = repaired,
            None => break,
        }
    }
    Ok(tree)
}

fn parse_bytes(parser: &mut Parser, text: &[u8], started: Instant) -> Option<Tree> {
    // The progress callback returns true to cancel: a pathological file cannot hang a run.
    let mut over_budget = |_: &tree_sitter::ParseState| started.elapsed() > PARSE_BUDGET;
    let mut read = |offset: usize, _| text.get(offset..).unwrap_or(&[]);
    let options = ParseOptions::new().progress_callback(&mut over_budget);
    parser.parse_with_options(&mut read, None, Some(options))
}

/// The byte offset of the first syntax error (an `ERROR` or missing node), if any.
fn first_error(tree: &Tree) -> Option<usize> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node.start_byte());
        }
        // Descend only into subtrees that hold the error.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// Names of one grammar, read once: its node kinds by kind id, its fields sorted by name.
#[derive(Clone, Copy)]
struct Names {
    kinds: &'static [Option<&'static str>],
    fields: &'static [(&'static str, u16)],
}

impl Names {
    const NONE: Names = Names {
        kinds: &[],
        fields: &[],
    };
}

thread_local! {
    /// The names of the grammar whose tree this thread is reading (see [`kind`], [`by_field`]);
    /// empty outside [`extract_with`].
    static NAMES: Cell<Names> = const { Cell::new(Names::NONE) };
}

/// The names of a language's grammar, read once.
fn grammar_names(lang: Lang) -> Names {
    /// Kind names by kind id, and field names with their ids, sorted.
    type Tables = (Vec<Option<&'static str>>, Vec<(&'static str, u16)>);
    static TABLES: [OnceLock<Tables>; 6] = [const { OnceLock::new() }; 6];
    TABLES.get(lang as usize).map_or(Names::NONE, |table| {
        let (kinds, fields) = table.get_or_init(|| {
            let grammar = lang.grammar();
            let kinds = (0..grammar.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| grammar.node_kind_for_id(id))
                })
                .collect();
            let mut fields: Vec<(&'static str, u16)> = (1..=grammar.field_count())
                .filter_map(|id| u16::try_from(id).ok())
                .filter_map(|id| Some((grammar.field_name_for_id(id)?, id)))
                .collect();
            fields.sort_unstable();
            (kinds, fields)
        });
        Names { kinds, fields }
    })
}

/// `node.kind()`, looked up by kind id in the table of the grammar being read: `Node::kind`
/// measures and checks the name's C string at each call, and the walkers ask every node of
/// every pass. Kinds outside the table (`ERROR`) are asked of the node.
pub(crate) fn kind(node: Node<'_>) -> &'static str {
    let id = usize::from(node.kind_id());
    NAMES
        .with(|n| n.get().kinds.get(id).copied().flatten())
        .unwrap_or_else(|| node.kind())
}

/// `node.child_by_field_name(name)`, the field's id found by a binary search of the grammar
/// being read (tree-sitter compares the name with each field name in turn).
pub(crate) fn by_field<'t>(node: Node<'t>, name: &str) -> Option<Node<'t>> {
    let fields = NAMES.with(|n| n.get().fields);
    if fields.is_empty() {
        return node.child_by_field_name(name);
    }
    let i = fields.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
    node.child_by_field_id(fields[i].1)
}

/// The text of a node (empty when the node does not fall on character boundaries).
pub(crate) fn text<'a>(file: &'a SourceFile, node: Node<'_>) -> &'a str {
    file.text.get(node.byte_range()).unwrap_or("")
}

/// Visits every node in document order, calling `visit(node, true)` before and
/// `visit(node, false)` after its children (iteratively: deep trees cannot overflow the stack).
pub(crate) fn walk<'t>(tree: &'t Tree, mut visit: impl FnMut(Node<'t>, bool)) {
    let mut cursor = tree.walk();
    loop {
        visit(cursor.node(), true);
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            visit(cursor.node(), false);
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The longest value the evaluators keep (bytes of literal text, or parts of a
/// concatenation). Resource names, keys and ARNs are far shorter; values built by doubling a
/// variable at each assignment (`x1 = x0 + x0`, `x2 = x1 + x1`, ...) would otherwise grow
/// exponentially, so anything longer is [`Arg::Unknown`].
const MAX_VALUE: usize = 8 * 1024;

/// Flattens nested concatenations and merges adjacent literals; [`Arg::Unknown`] past
/// [`MAX_VALUE`].
pub(crate) fn concat(parts: Vec<Arg>) -> Arg {
    let size = |a: &Arg| match a {
        Arg::Str(s) | Arg::Env(s) => s.len(),
        Arg::Concat(items) => items.len().max(
            items
                .iter()
                .map(|i| match i {
                    Arg::Str(s) | Arg::Env(s) => s.len(),
                    _ => 1,
                })
                .sum(),
        ),
        Arg::Unknown | Arg::Event(_) => 1,
    };
    if parts.iter().map(size).sum::<usize>() > MAX_VALUE {
        return Arg::Unknown;
    }
    let mut out: Vec<Arg> = Vec::new();
    for part in parts {
        let items = match part {
            Arg::Concat(inner) => inner,
            other => vec![other],
        };
        for item in items {
            match (out.last_mut(), item) {
                (Some(Arg::Str(prev)), Arg::Str(s)) => prev.push_str(&s),
                (_, Arg::Str(s)) if s.is_empty() => {}
                // Unknown text next to unknown text is one unknown text.
                (Some(Arg::Unknown), Arg::Unknown) => {}
                (_, item) => out.push(item),
            }
        }
    }
    match out.len() {
        0 => Arg::Str(String::new()),
        1 => out.swap_remove(0),
        _ => Arg::Concat(out),
    }
}

/// A receiver for report text: short names as written, anything long or nested elided.
pub(crate) fn short_receiver(receiver: &str, fallback: &str) -> String {
    let plain = receiver
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '$');
    if plain && !receiver.is_empty() && receiver.len() <= 40 {
        receiver.to_string()
    } else {
        fallback.to_string()
    }
}

/// The common backslash escapes of a JavaScript, Go or Java string literal (`\n`, `\t`,
/// `\"`, `\\`); any other escaped character stands for itself.
pub(crate) fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    /// `kind` and `field` give what `Node::kind` and `Node::child_by_field_name` give for every
    /// node of every grammar, error nodes and aliased kinds included.
    #[test]
    fn kind_table_matches_tree_sitter() {
        let samples = [
            (
                Lang::Python,
                "import boto3\ns3 = boto3.client('s3')\ndef f(e, c):\n    s3.put_object(Bucket=e['b'], **{'Key': 1})\n    lambda x: [y async for y in x]\nif (:\n",
            ),
            (
                Lang::JavaScript,
                "import { S3 } from '@aws-sdk/client-s3';\nexport const h = async (e) => { await new S3({}).send(x); };\nclass A { #p = 1; m() { return `a${b}`; } }\nconst = ;\n",
            ),
            (
                Lang::TypeScript,
                "import type { X } from './x';\nexport async function h(e: X): Promise<void> { const a = <T,>(b: T) => b; }\nenum E { A }\nlet = ;\n",
            ),
            (
                Lang::Tsx,
                "export const C = () => <div a={1}>{x}</div>;\nconst f = (a: number) => a as unknown;\n",
            ),
            (
                Lang::Go,
                "package main\nimport \"github.com/aws/aws-lambda-go/lambda\"\nfunc main() { lambda.Start(h) }\nfunc h(ctx context.Context) error { s := x.(type); return nil }\nfunc {\n",
            ),
            (
                Lang::Java,
                "package a;\nimport software.amazon.awssdk.services.s3.S3Client;\npublic class H { @Override public String handleRequest(Object o, Context c) { var s = S3Client.create(); return switch (x) { case 1 -> \"a\"; default -> \"b\"; }; } void ( }\n",
            ),
        ];
        for (lang, text) in samples {
            let file = SourceFile::new(FileId(0), "sample", text);
            let tree = parse(&file, lang).expect("parses");
            let names = grammar_names(lang);
            assert!(!names.fields.is_empty(), "{lang:?}");
            let previous = NAMES.replace(names);
            let mut seen = 0;
            walk(&tree, |node, entering| {
                if entering {
                    assert_eq!(kind(node), node.kind(), "{lang:?} node {node:?}");
                    for (name, _) in names.fields {
                        assert_eq!(
                            by_field(node, name),
                            node.child_by_field_name(name),
                            "{lang:?} node {node:?} field {name}"
                        );
                    }
                    assert_eq!(by_field(node, "no_such_field"), None);
                    seen += 1;
                }
            });
            NAMES.set(previous);
            assert!(seen > 20, "{lang:?}: {seen} nodes");
        }
    }

    /// Outside a walk the kind and fields are asked of the node itself.
    #[test]
    fn kind_outside_a_walk() {
        let file = SourceFile::new(FileId(0), "a.py", "x = 1\n");
        let tree = parse(&file, Lang::Python).expect("parses");
        assert_eq!(kind(tree.root_node()), "module");
        let assignment = tree.root_node().child(0).and_then(|s| s.child(0));
        let left = assignment.and_then(|a| by_field(a, "left"));
        assert_eq!(left.map(|l| text(&file, l)), Some("x"));
    }
}

#[cfg(test)]
mod signed_tests {
    use super::*;

    #[test]
    fn event_reads() {
        let bucket = Some(Arg::Event(EVENT_BUCKET));
        assert_eq!(
            event_read("event", &["Records", "s3", "bucket", "name"]),
            bucket
        );
        assert_eq!(event_read("record", &["S3", "Bucket", "Name"]), bucket);
        assert_eq!(event_read("record", &["s3", "object", "key"]), None);
        assert_eq!(
            event_read("msg", &["eventSourceARN"]),
            Some(Arg::Event(EVENT_SOURCE_ARN))
        );
        let own = Some(Arg::Env(FUNCTION_NAME_VAR.to_string()));
        assert_eq!(event_read("context", &["function_name"]), own);
        assert_eq!(event_read("context", &["functionName"]), own);
        assert_eq!(event_read("lambdacontext", &["FunctionName"]), own);
        assert_eq!(event_read("context", &["FunctionName"]), own);
        // Another object's `function_name` names some other function.
        assert_eq!(event_read("config", &["function_name"]), None);
        assert_eq!(event_read("context", &["target", "function_name"]), None);
    }

    #[test]
    fn search_methods_in_every_spelling() {
        assert_eq!(search_methods("delete_by_query"), &["ESHttpPost"]);
        assert_eq!(search_methods("deleteByQuery"), &["ESHttpPost"]);
        assert_eq!(search_methods("DeleteByQuery"), &["ESHttpPost"]);
        assert_eq!(search_methods("Indices.PutMapping"), &["ESHttpPut"]);
        assert!(search_methods("transport").is_empty());
        assert_eq!(http_action("post"), Some("ESHttpPost"));
        assert_eq!(http_action("TRACE"), None);
    }
}
