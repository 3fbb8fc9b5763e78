//! The SDK side of `rolefit collect` (cargo feature `collect`): the official AWS SDK for Rust
//! with its standard credential chain and standard retry mode.
//!
//! Every account (the caller's, or each `--role-arn` assumed) is read once for IAM (global)
//! and once per region for Lambda; regions, accounts and the per-function calls run
//! concurrently, with at most `concurrency` requests in flight (one semaphore permit per
//! request or page). A failed call is a [`Gap`] in the manifest, never an abort; only an
//! account whose identity cannot be established (credentials, AssumeRole, region listing) is
//! a failure of the run.
//!
//! The files keep the AWS CLI's JSON shapes (the Lambda and IAM API Reference member names):
//! policy documents, which IAM returns URL-encoded (RFC 3986), are decoded into JSON objects
//! as the CLI prints them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{Context as _, anyhow, bail};
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;

use super::{Collected, Gap, MANIFEST, MANIFEST_VERSION, Manifest, operation};
use crate::progress::Progress;

/// What to collect and where.
#[derive(Clone, Debug)]
pub struct Options {
    pub profile: Option<String>,
    /// Regions to read; empty with `all_regions` false: the configured default region.
    pub regions: Vec<String>,
    pub all_regions: bool,
    /// Roles to assume, one per target account; empty: the caller's own account.
    pub role_arns: Vec<String>,
    pub external_id: Option<String>,
    pub out: PathBuf,
    /// Requests in flight at most (default 8).
    pub concurrency: usize,
}

/// One folder written.
#[derive(Clone, Debug)]
pub struct Written {
    pub folder: PathBuf,
    pub account: String,
    pub region: String,
    pub functions: usize,
    pub gaps: usize,
}

/// What a run did: the folders written and the accounts that could not be read at all.
#[derive(Debug, Default)]
pub struct Outcome {
    pub written: Vec<Written>,
    pub failures: Vec<String>,
}

/// Collects every target account and region into `options.out`.
pub fn run(options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    if options.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(collect_all(options, progress))
}

/// State shared by every task of a run.
struct Shared {
    options: Options,
    permits: Semaphore,
    progress: Progress,
    status: std::sync::Mutex<Status>,
}

#[derive(Default)]
struct Status {
    regions_done: usize,
    regions: usize,
    functions_done: usize,
    functions: usize,
}

impl Shared {
    fn update(&self, f: impl FnOnce(&mut Status)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
            self.progress.set(format!(
                "collect: {}/{} regions, {}/{} functions",
                s.regions_done, s.regions, s.functions_done, s.functions
            ));
        }
    }

    async fn permit(&self) -> anyhow::Result<tokio::sync::SemaphorePermit<'_>> {
        self.permits
            .acquire()
            .await
            .map_err(|_| anyhow!("the request limiter was closed"))
    }
}

async fn collect_all(options: &Options, progress: &Progress) -> anyhow::Result<Outcome> {
    let shared = Arc::new(Shared {
        options: options.clone(),
        permits: Semaphore::new(options.concurrency),
        progress: progress.clone(),
        status: std::sync::Mutex::new(Status::default()),
    });
    let base = loader(options, None).load().await;
    if base.region().is_none() && options.regions.is_empty() {
        bail!(
            "no region: pass --region REGION, or configure one (AWS_REGION, the profile's \
             `region`), which --all-regions also needs for its first calls"
        );
    }
    let targets: Vec<Option<String>> = if options.role_arns.is_empty() {
        vec![None]
    } else {
        options.role_arns.iter().cloned().map(Some).collect()
    };
    let mut tasks = tokio::task::JoinSet::new();
    for target in targets {
        let shared = shared.clone();
        let base = base.clone();
        tasks.spawn(async move {
            let label = target
                .clone()
                .unwrap_or_else(|| "the caller's account".to_string());
            collect_account(shared, base, target)
                .await
                .map_err(|e| format!("{label}: {e:#}"))
        });
    }
    let mut outcome = Outcome::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(written)) => outcome.written.extend(written),
            Ok(Err(failure)) => outcome.failures.push(failure),
            Err(e) => outcome
                .failures
                .push(format!("a collection task failed: {e}")),
        }
    }
    outcome
        .written
        .sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    outcome.failures.sort();
    Ok(outcome)
}

/// The SDK configuration loader: standard credential chain (or the profile), standard retry
/// mode, and the region when one is given.
fn loader(options: &Options, region: Option<&str>) -> aws_config::ConfigLoader {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::standard());
    if let Some(p) = &options.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region.or(options.regions.first().map(String::as_str)) {
        loader = loader.region(Region::new(r.to_string()));
    }
    loader
}

fn now() -> String {
    aws_smithy_types::DateTime::from(SystemTime::now())
        .fmt(Format::DateTime)
        .unwrap_or_default()
}

/// Counts per operation, in table order when written.
#[derive(Default, Clone)]
struct Counts(BTreeMap<String, usize>);

impl Counts {
    fn add(&mut self, service: &str, name: &str, n: usize) {
        *self.0.entry(api(service, name)).or_default() += n;
    }

    fn merge(&mut self, other: &Counts) {
        for (k, v) in &other.0 {
            *self.0.entry(k.clone()).or_default() += v;
        }
    }

    fn list(&self) -> Vec<Collected> {
        super::OPERATIONS
            .iter()
            .filter_map(|op| {
                let api = op.api();
                let count = *self.0.get(&api)?;
                Some(Collected { api, count })
            })
            .collect()
    }
}

/// `service:Operation` of an operation of the table (a debug check keeps the collector to it).
fn api(service: &str, name: &str) -> String {
    debug_assert!(
        operation(service, name).is_some(),
        "{service}:{name} is not in OPERATIONS"
    );
    format!("{service}:{name}")
}

/// A failed call as a manifest gap.
/// Every page of a paginated call (`$pages`, the SDK's paginator stream), each request under
/// the shared bound: `Ok((pages read, the error that ended the reading early, if one did))`;
/// `Err` when the bound itself is gone.
macro_rules! read_pages {
    ($shared:expr, $pages:expr) => {
        async {
            let mut pages = $pages;
            let mut out = Vec::new();
            loop {
                let page = {
                    let _permit = $shared.permit().await?;
                    pages.next().await
                };
                match page {
                    None => return anyhow::Ok((out, None)),
                    Some(Ok(page)) => out.push(page),
                    Some(Err(e)) => return Ok((out, Some(e))),
                }
            }
        }
        .await
    };
}

fn gap<E>(service: &str, name: &str, function: Option<&str>, err: &SdkError<E>) -> Gap
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = code_and_message(err);
    Gap {
        api: api(service, name),
        function: function.map(str::to_string),
        code,
        message,
    }
}

/// The error code (or what failed, when the service sent none) and a short message.
fn code_and_message<E>(err: &SdkError<E>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let code = match (err.code(), status) {
        (Some(code), _) => code.to_string(),
        (None, Some(status)) => format!("HTTP {status}"),
        (None, None) => match err {
            SdkError::ConstructionFailure(_) => "construction failure",
            SdkError::TimeoutError(_) => "timeout",
            SdkError::DispatchFailure(_) => "dispatch failure",
            _ => "response error",
        }
        .to_string(),
    };
    let message = match (err.message(), status) {
        (Some(m), _) => m.to_string(),
        // A response the SDK could not read: its status says more than the parse error.
        (None, Some(_)) => "the response is not the API's (no error code or message)".to_string(),
        (None, None) => {
            let mut m = DisplayErrorContext(err).to_string();
            if m.len() > 300 {
                let cut = (0..=300)
                    .rev()
                    .find(|&i| m.is_char_boundary(i))
                    .unwrap_or(0);
                m.truncate(cut);
                m.push('…');
            }
            m
        }
    };
    (code, message)
}

/// `code: message` of a failed call, for the errors that end an account's collection.
fn describe<E>(err: &SdkError<E>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = code_and_message(err);
    anyhow!("{code}: {message}")
}

/// The account-wide part of one account: identity, regions, IAM; then its regions.
async fn collect_account(
    shared: Arc<Shared>,
    base: SdkConfig,
    role_arn: Option<String>,
) -> anyhow::Result<Vec<Written>> {
    let started = now();
    let mut counts = Counts::default();
    let config = match &role_arn {
        None => base,
        Some(arn) => {
            let mut builder = aws_config::sts::AssumeRoleProvider::builder(arn.clone())
                .session_name("rolefit-collect")
                .configure(&base);
            if let Some(id) = &shared.options.external_id {
                builder = builder.external_id(id.clone());
            }
            let provider = builder.build().await;
            counts.add("sts", "AssumeRole", 1);
            loader(&shared.options, base.region().map(|r| r.as_ref()))
                .credentials_provider(provider)
                .load()
                .await
        }
    };
    let sts = aws_sdk_sts::Client::new(&config);
    let identity = {
        let _permit = shared.permit().await?;
        sts.get_caller_identity()
            .send()
            .await
            .map_err(|e| describe(&e))
            .context("sts:GetCallerIdentity (credentials or --role-arn)")?
    };
    counts.add("sts", "GetCallerIdentity", 1);
    let account = identity
        .account()
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| anyhow!("sts:GetCallerIdentity returned no 12-digit account"))?
        .to_string();
    let caller = identity.arn().unwrap_or_default().to_string();

    let regions = if shared.options.all_regions {
        let regions = enabled_regions(&shared, &config).await?;
        counts.add("account", "ListRegions", regions.len());
        regions
    } else if shared.options.regions.is_empty() {
        vec![
            config
                .region()
                .map(|r| r.to_string())
                .ok_or_else(|| anyhow!("no region configured"))?,
        ]
    } else {
        shared.options.regions.clone()
    };
    shared.update(|s| s.regions += regions.len());

    let mut account_gaps = Vec::new();
    let authorization =
        authorization_details(&shared, &config, &mut counts, &mut account_gaps).await;

    let mut tasks = tokio::task::JoinSet::new();
    for region in regions {
        let shared = shared.clone();
        let config = config.clone();
        let authorization = authorization.clone();
        let mut manifest = Manifest {
            version: MANIFEST_VERSION,
            account: account.clone(),
            region: region.clone(),
            identity: caller.clone(),
            started: started.clone(),
            finished: String::new(),
            tool: format!("rolefit {}", env!("CARGO_PKG_VERSION")),
            collected: Vec::new(),
            gaps: account_gaps.clone(),
        };
        let counts = counts.clone();
        tasks.spawn(async move {
            let written = collect_region(
                &shared,
                &config,
                &region,
                authorization,
                &mut manifest,
                counts,
            )
            .await;
            shared.update(|s| s.regions_done += 1);
            written
        });
    }
    let mut written = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        written.push(joined.map_err(|e| anyhow!("a region task failed: {e}"))??);
    }
    Ok(written)
}

/// The regions enabled for the account (`account:ListRegions`, opted-in and default ones).
async fn enabled_regions(shared: &Shared, config: &SdkConfig) -> anyhow::Result<Vec<String>> {
    use aws_sdk_account::types::RegionOptStatus;
    let client = aws_sdk_account::Client::new(config);
    let pages = client
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    let (pages, err) = read_pages!(shared, pages)?;
    if let Some(e) = err {
        return Err(anyhow!(describe(&e))).context("account:ListRegions (--all-regions)");
    }
    let mut regions: Vec<String> = pages
        .iter()
        .flat_map(|page| page.regions())
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    Ok(regions)
}

/// `aws iam get-account-authorization-details --filter Role LocalManagedPolicy`, all pages
/// merged into one document.
async fn authorization_details(
    shared: &Shared,
    config: &SdkConfig,
    counts: &mut Counts,
    gaps: &mut Vec<Gap>,
) -> Value {
    use aws_sdk_iam::types::EntityType;
    let client = aws_sdk_iam::Client::new(config);
    let pages = client
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send();
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    // The bound's semaphore closes only when the run is over: nothing more is read then.
    let (pages, err) = read_pages!(shared, pages).unwrap_or_default();
    for page in &pages {
        roles.extend(page.role_detail_list().iter().map(role_json));
        policies.extend(page.policies().iter().map(managed_policy_json));
    }
    if let Some(e) = err {
        gaps.push(gap("iam", "GetAccountAuthorizationDetails", None, &e));
    }
    counts.add(
        "iam",
        "GetAccountAuthorizationDetails",
        roles.len() + policies.len(),
    );
    json!({
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": roles,
        "Policies": policies,
    })
}

/// One function's per-function reads.
struct FunctionReads {
    name: String,
    policy: Option<Value>,
    urls: Vec<Value>,
    invoke_configs: Vec<Value>,
    counts: Counts,
    gaps: Vec<Gap>,
}

/// One region of one account: functions, mappings, then each function's policy, URLs and
/// invoke configurations; the folder is written at the end.
async fn collect_region(
    shared: &Arc<Shared>,
    config: &SdkConfig,
    region: &str,
    authorization: Value,
    manifest: &mut Manifest,
    mut counts: Counts,
) -> anyhow::Result<Written> {
    let lambda_config = aws_sdk_lambda::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .build();
    let client = aws_sdk_lambda::Client::from_conf(lambda_config);

    let pages = client.list_functions().into_paginator().send();
    let (pages, err) = read_pages!(shared, pages)?;
    let functions: Vec<Value> = pages
        .iter()
        .flat_map(|page| page.functions())
        .map(function_json)
        .collect();
    if let Some(e) = err {
        manifest.gaps.push(gap("lambda", "ListFunctions", None, &e));
    }
    counts.add("lambda", "ListFunctions", functions.len());
    shared.update(|s| s.functions += functions.len());

    let pages = client.list_event_source_mappings().into_paginator().send();
    let (pages, err) = read_pages!(shared, pages)?;
    let mappings: Vec<Value> = pages
        .iter()
        .flat_map(|page| page.event_source_mappings())
        .map(mapping_json)
        .collect();
    if let Some(e) = err {
        manifest
            .gaps
            .push(gap("lambda", "ListEventSourceMappings", None, &e));
    }
    counts.add("lambda", "ListEventSourceMappings", mappings.len());

    let names: Vec<String> = functions
        .iter()
        .filter_map(|f| f.get("FunctionName").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for name in names {
        let shared = shared.clone();
        let client = client.clone();
        tasks.spawn(async move {
            let reads = function_reads(&shared, &client, name).await;
            shared.update(|s| s.functions_done += 1);
            reads
        });
    }
    let mut reads = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        reads.push(joined.map_err(|e| anyhow!("a function task failed: {e}"))??);
    }
    reads.sort_by(|a, b| a.name.cmp(&b.name));

    let folder = shared.options.out.join(&manifest.account).join(region);
    prepare_folder(&folder)?;
    write_json(&folder.join("authorization-details.json"), &authorization)?;
    write_json(
        &folder.join("functions.json"),
        &json!({ "Functions": functions }),
    )?;
    write_json(
        &folder.join("event-source-mappings.json"),
        &json!({ "EventSourceMappings": mappings }),
    )?;
    let mut urls = Vec::new();
    let mut invoke_configs = Vec::new();
    for r in &mut reads {
        if let Some(policy) = &r.policy {
            write_json(
                &folder.join("policies").join(format!("{}.json", r.name)),
                policy,
            )?;
        }
        urls.append(&mut r.urls);
        invoke_configs.append(&mut r.invoke_configs);
        counts.merge(&r.counts);
        manifest.gaps.append(&mut r.gaps);
    }
    write_json(
        &folder.join("function-urls.json"),
        &json!({ "FunctionUrlConfigs": urls }),
    )?;
    write_json(
        &folder.join("event-invoke-configs.json"),
        &json!({ "FunctionEventInvokeConfigs": invoke_configs }),
    )?;
    manifest.collected = counts.list();
    manifest.finished = now();
    write_json(
        &folder.join(MANIFEST),
        &serde_json::to_value(&*manifest).context("the manifest")?,
    )?;
    Ok(Written {
        folder,
        account: manifest.account.clone(),
        region: region.to_string(),
        functions: functions.len(),
        gaps: manifest.gaps.len(),
    })
}

/// GetPolicy, the URL configurations and the event invoke configurations of one function.
async fn function_reads(
    shared: &Shared,
    client: &aws_sdk_lambda::Client,
    name: String,
) -> anyhow::Result<FunctionReads> {
    let mut r = FunctionReads {
        name,
        policy: None,
        urls: Vec::new(),
        invoke_configs: Vec::new(),
        counts: Counts::default(),
        gaps: Vec::new(),
    };
    let name = r.name.clone();

    let policy = {
        let _permit = shared.permit().await?;
        client.get_policy().function_name(&name).send().await
    };
    match policy {
        Ok(out) => {
            let mut doc = Obj::default();
            doc.s("Policy", out.policy());
            doc.s("RevisionId", out.revision_id());
            r.policy = Some(doc.into());
            r.counts.add("lambda", "GetPolicy", 1);
        }
        // No resource-based policy: nothing to write, nothing to report.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            r.counts.add("lambda", "GetPolicy", 0);
        }
        Err(e) => r.gaps.push(gap("lambda", "GetPolicy", Some(&name), &e)),
    }

    let pages = client
        .list_function_url_configs()
        .function_name(&name)
        .into_paginator()
        .send();
    let (pages, err) = read_pages!(shared, pages)?;
    r.urls.extend(
        pages
            .iter()
            .flat_map(|page| page.function_url_configs())
            .map(url_json),
    );
    let lacks_list = err.as_ref().is_some_and(lacks_operation);
    if let Some(e) = err.filter(|e| !lacks_operation(e)) {
        r.gaps
            .push(gap("lambda", "ListFunctionUrlConfigs", Some(&name), &e));
    }
    if lacks_list {
        // The endpoint does not implement ListFunctionUrlConfigs (an emulator): the
        // unqualified function's URL, written in the list's shape.
        let got = {
            let _permit = shared.permit().await?;
            client
                .get_function_url_config()
                .function_name(&name)
                .send()
                .await
        };
        match got {
            Ok(u) => {
                let mut o = Obj::default();
                o.s("FunctionUrl", Some(u.function_url()));
                o.s("FunctionArn", Some(u.function_arn()));
                o.s("CreationTime", Some(u.creation_time()));
                o.s("LastModifiedTime", Some(u.last_modified_time()));
                o.s("AuthType", Some(u.auth_type().as_str()));
                o.s("InvokeMode", u.invoke_mode().map(|m| m.as_str()));
                r.urls.push(o.into());
                r.counts.add("lambda", "GetFunctionUrlConfig", 1);
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                r.counts.add("lambda", "GetFunctionUrlConfig", 0);
            }
            Err(e) => r
                .gaps
                .push(gap("lambda", "GetFunctionUrlConfig", Some(&name), &e)),
        }
    } else {
        r.counts
            .add("lambda", "ListFunctionUrlConfigs", r.urls.len());
    }

    let pages = client
        .list_function_event_invoke_configs()
        .function_name(&name)
        .into_paginator()
        .send();
    let (pages, err) = read_pages!(shared, pages)?;
    r.invoke_configs.extend(
        pages
            .iter()
            .flat_map(|page| page.function_event_invoke_configs())
            .map(invoke_config_json),
    );
    if let Some(e) = err {
        r.gaps.push(gap(
            "lambda",
            "ListFunctionEventInvokeConfigs",
            Some(&name),
            &e,
        ));
    }
    r.counts.add(
        "lambda",
        "ListFunctionEventInvokeConfigs",
        r.invoke_configs.len(),
    );
    Ok(r)
}

/// An endpoint that does not implement the operation: a 404 without an AWS error code (AWS
/// answers a missing function with `ResourceNotFoundException`).
fn lacks_operation<E>(err: &SdkError<E>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    status == Some(404) && err.code().is_none()
}

/// Removes what an earlier collection wrote in `folder` (a folder with a manifest), refuses
/// to write over anything else.
fn prepare_folder(folder: &Path) -> anyhow::Result<()> {
    if folder.exists() {
        let empty = std::fs::read_dir(folder)
            .with_context(|| format!("reading {}", folder.display()))?
            .next()
            .is_none();
        if !empty {
            if !folder.join(MANIFEST).is_file() {
                bail!(
                    "{} exists and was not written by rolefit collect (no {MANIFEST}): refusing \
                     to write into it",
                    folder.display()
                );
            }
            std::fs::remove_dir_all(folder)
                .with_context(|| format!("clearing {}", folder.display()))?;
        }
    }
    std::fs::create_dir_all(folder.join("policies"))
        .with_context(|| format!("creating {}", folder.display()))
}

fn write_json(path: &Path, value: &Value) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value).context("serialising")?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// A JSON object that leaves out absent members, as the CLI does.
#[derive(Default)]
struct Obj(Map<String, Value>);

impl Obj {
    fn s(&mut self, key: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.0.insert(key.to_string(), Value::String(v.to_string()));
        }
    }

    fn i(&mut self, key: &str, v: Option<i64>) {
        if let Some(v) = v {
            self.0.insert(key.to_string(), json!(v));
        }
    }

    fn b(&mut self, key: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.0.insert(key.to_string(), Value::Bool(v));
        }
    }

    fn v(&mut self, key: &str, v: Option<Value>) {
        if let Some(v) = v {
            self.0.insert(key.to_string(), v);
        }
    }

    fn list(&mut self, key: &str, items: Vec<Value>) {
        self.0.insert(key.to_string(), Value::Array(items));
    }
}

impl From<Obj> for Value {
    fn from(o: Obj) -> Value {
        Value::Object(o.0)
    }
}

fn strings(items: &[String]) -> Vec<Value> {
    items.iter().map(|s| Value::String(s.clone())).collect()
}

fn date(d: Option<&aws_smithy_types::DateTime>) -> Option<Value> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
        .map(Value::String)
}

/// Epoch seconds, as the CLI prints Lambda's timestamp members.
fn epoch(d: Option<&aws_smithy_types::DateTime>) -> Option<Value> {
    d.map(|d| json!(d.as_secs_f64()))
}

/// `FunctionConfiguration` (Lambda API Reference).
fn function_json(f: &aws_sdk_lambda::types::FunctionConfiguration) -> Value {
    let mut o = Obj::default();
    o.s("FunctionName", f.function_name());
    o.s("FunctionArn", f.function_arn());
    o.s("Runtime", f.runtime().map(|r| r.as_str()));
    o.s("Role", f.role());
    o.s("Handler", f.handler());
    o.i("CodeSize", Some(f.code_size()));
    o.s("Description", f.description());
    o.i("Timeout", f.timeout().map(i64::from));
    o.i("MemorySize", f.memory_size().map(i64::from));
    o.s("LastModified", f.last_modified());
    o.s("CodeSha256", f.code_sha256());
    o.s("Version", f.version());
    o.v(
        "VpcConfig",
        f.vpc_config().map(|v| {
            let mut c = Obj::default();
            c.list("SubnetIds", strings(v.subnet_ids()));
            c.list("SecurityGroupIds", strings(v.security_group_ids()));
            c.s("VpcId", v.vpc_id());
            c.into()
        }),
    );
    o.v(
        "DeadLetterConfig",
        f.dead_letter_config().map(|d| {
            let mut c = Obj::default();
            c.s("TargetArn", d.target_arn());
            c.into()
        }),
    );
    o.v(
        "Environment",
        f.environment().map(|e| {
            let mut c = Obj::default();
            if let Some(vars) = e.variables() {
                let sorted: BTreeMap<&String, &String> = vars.iter().collect();
                c.v("Variables", Some(json!(sorted)));
            }
            c.into()
        }),
    );
    o.s("KMSKeyArn", f.kms_key_arn());
    o.v(
        "TracingConfig",
        f.tracing_config().map(|t| {
            let mut c = Obj::default();
            c.s("Mode", t.mode().map(|m| m.as_str()));
            c.into()
        }),
    );
    o.s("MasterArn", f.master_arn());
    o.s("RevisionId", f.revision_id());
    if !f.layers().is_empty() {
        let layers = f
            .layers()
            .iter()
            .map(|l| {
                let mut c = Obj::default();
                c.s("Arn", l.arn());
                c.i("CodeSize", Some(l.code_size()));
                c.into()
            })
            .collect();
        o.list("Layers", layers);
    }
    if !f.file_system_configs().is_empty() {
        let fs = f
            .file_system_configs()
            .iter()
            .map(|c| json!({ "Arn": c.arn(), "LocalMountPath": c.local_mount_path() }))
            .collect();
        o.list("FileSystemConfigs", fs);
    }
    o.s("PackageType", f.package_type().map(|p| p.as_str()));
    if !f.architectures().is_empty() {
        let archs = f
            .architectures()
            .iter()
            .map(|a| Value::String(a.as_str().to_string()))
            .collect();
        o.list("Architectures", archs);
    }
    o.v(
        "EphemeralStorage",
        f.ephemeral_storage().map(|e| json!({ "Size": e.size() })),
    );
    o.v(
        "SnapStart",
        f.snap_start().map(|s| {
            let mut c = Obj::default();
            c.s("ApplyOn", s.apply_on().map(|a| a.as_str()));
            c.s(
                "OptimizationStatus",
                s.optimization_status().map(|a| a.as_str()),
            );
            c.into()
        }),
    );
    o.v(
        "LoggingConfig",
        f.logging_config().map(|l| {
            let mut c = Obj::default();
            c.s("LogFormat", l.log_format().map(|x| x.as_str()));
            c.s(
                "ApplicationLogLevel",
                l.application_log_level().map(|x| x.as_str()),
            );
            c.s("SystemLogLevel", l.system_log_level().map(|x| x.as_str()));
            c.s("LogGroup", l.log_group());
            c.into()
        }),
    );
    o.v(
        "DurableConfig",
        f.durable_config().map(|d| {
            let mut c = Obj::default();
            c.i(
                "RetentionPeriodInDays",
                d.retention_period_in_days().map(i64::from),
            );
            c.i("ExecutionTimeout", d.execution_timeout().map(i64::from));
            c.into()
        }),
    );
    o.into()
}

fn destination_json(d: &aws_sdk_lambda::types::DestinationConfig) -> Value {
    let mut c = Obj::default();
    if let Some(s) = d.on_success() {
        let mut x = Obj::default();
        x.s("Destination", s.destination());
        c.v("OnSuccess", Some(x.into()));
    }
    if let Some(f) = d.on_failure() {
        let mut x = Obj::default();
        x.s("Destination", f.destination());
        c.v("OnFailure", Some(x.into()));
    }
    c.into()
}

/// `EventSourceMappingConfiguration` (Lambda API Reference).
fn mapping_json(m: &aws_sdk_lambda::types::EventSourceMappingConfiguration) -> Value {
    let mut o = Obj::default();
    o.s("UUID", m.uuid());
    o.s(
        "StartingPosition",
        m.starting_position().map(|p| p.as_str()),
    );
    o.i("BatchSize", m.batch_size().map(i64::from));
    o.i(
        "MaximumBatchingWindowInSeconds",
        m.maximum_batching_window_in_seconds().map(i64::from),
    );
    o.i(
        "ParallelizationFactor",
        m.parallelization_factor().map(i64::from),
    );
    o.s("EventSourceArn", m.event_source_arn());
    o.s("FunctionArn", m.function_arn());
    o.v("LastModified", epoch(m.last_modified()));
    o.s("LastProcessingResult", m.last_processing_result());
    o.s("State", m.state());
    o.s("StateTransitionReason", m.state_transition_reason());
    o.v(
        "DestinationConfig",
        m.destination_config().map(destination_json),
    );
    if !m.topics().is_empty() {
        o.list("Topics", strings(m.topics()));
    }
    if !m.queues().is_empty() {
        o.list("Queues", strings(m.queues()));
    }
    if !m.source_access_configurations().is_empty() {
        let access = m
            .source_access_configurations()
            .iter()
            .map(|a| {
                let mut c = Obj::default();
                c.s("Type", a.r#type().map(|t| t.as_str()));
                c.s("URI", a.uri());
                c.into()
            })
            .collect();
        o.list("SourceAccessConfigurations", access);
    }
    o.v(
        "SelfManagedEventSource",
        m.self_managed_event_source().map(|s| {
            let endpoints: BTreeMap<&str, Vec<Value>> = s
                .endpoints()
                .map(|e| e.iter().map(|(k, v)| (k.as_str(), strings(v))).collect())
                .unwrap_or_default();
            json!({ "Endpoints": endpoints })
        }),
    );
    o.i(
        "MaximumRecordAgeInSeconds",
        m.maximum_record_age_in_seconds().map(i64::from),
    );
    o.b(
        "BisectBatchOnFunctionError",
        m.bisect_batch_on_function_error(),
    );
    o.i(
        "MaximumRetryAttempts",
        m.maximum_retry_attempts().map(i64::from),
    );
    o.i(
        "TumblingWindowInSeconds",
        m.tumbling_window_in_seconds().map(i64::from),
    );
    if !m.function_response_types().is_empty() {
        let types = m
            .function_response_types()
            .iter()
            .map(|t| Value::String(t.as_str().to_string()))
            .collect();
        o.list("FunctionResponseTypes", types);
    }
    o.s("KMSKeyArn", m.kms_key_arn());
    o.s("EventSourceMappingArn", m.event_source_mapping_arn());
    o.into()
}

/// `FunctionUrlConfig` (Lambda API Reference).
fn url_json(u: &aws_sdk_lambda::types::FunctionUrlConfig) -> Value {
    let mut o = Obj::default();
    o.s("FunctionUrl", Some(u.function_url()));
    o.s("FunctionArn", Some(u.function_arn()));
    o.s("CreationTime", Some(u.creation_time()));
    o.s("LastModifiedTime", Some(u.last_modified_time()));
    o.s("AuthType", Some(u.auth_type().as_str()));
    o.s("InvokeMode", u.invoke_mode().map(|m| m.as_str()));
    o.into()
}

/// `FunctionEventInvokeConfig` (Lambda API Reference).
fn invoke_config_json(c: &aws_sdk_lambda::types::FunctionEventInvokeConfig) -> Value {
    let mut o = Obj::default();
    o.v("LastModified", epoch(c.last_modified()));
    o.s("FunctionArn", c.function_arn());
    o.i(
        "MaximumRetryAttempts",
        c.maximum_retry_attempts().map(i64::from),
    );
    o.i(
        "MaximumEventAgeInSeconds",
        c.maximum_event_age_in_seconds().map(i64::from),
    );
    o.v(
        "DestinationConfig",
        c.destination_config().map(destination_json),
    );
    o.into()
}

/// A policy document as IAM returns it (URL-encoded JSON), as the CLI prints it: the JSON
/// object, or the decoded text when it is not JSON.
fn document(encoded: &str) -> Value {
    let text = percent_decode(encoded);
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// RFC 3986 percent-decoding (`%7B` -> `{`); `+` stays as is. Malformed escapes are kept.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
                bytes.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `RoleDetail` (IAM API Reference).
fn role_json(r: &aws_sdk_iam::types::RoleDetail) -> Value {
    let mut o = Obj::default();
    o.s("Path", r.path());
    o.s("RoleName", r.role_name());
    o.s("RoleId", r.role_id());
    o.s("Arn", r.arn());
    o.v("CreateDate", date(r.create_date()));
    o.v(
        "AssumeRolePolicyDocument",
        r.assume_role_policy_document().map(document),
    );
    let inline = r
        .role_policy_list()
        .iter()
        .map(|p| {
            let mut c = Obj::default();
            c.s("PolicyName", p.policy_name());
            c.v("PolicyDocument", p.policy_document().map(document));
            c.into()
        })
        .collect();
    o.list("RolePolicyList", inline);
    let attached = r
        .attached_managed_policies()
        .iter()
        .map(|p| {
            let mut c = Obj::default();
            c.s("PolicyName", p.policy_name());
            c.s("PolicyArn", p.policy_arn());
            c.into()
        })
        .collect();
    o.list("AttachedManagedPolicies", attached);
    o.v(
        "PermissionsBoundary",
        r.permissions_boundary().map(|b| {
            let mut c = Obj::default();
            c.s(
                "PermissionsBoundaryType",
                b.permissions_boundary_type().map(|t| t.as_str()),
            );
            c.s("PermissionsBoundaryArn", b.permissions_boundary_arn());
            c.into()
        }),
    );
    let tags = r
        .tags()
        .iter()
        .map(|t| json!({ "Key": t.key(), "Value": t.value() }))
        .collect();
    o.list("Tags", tags);
    o.into()
}

/// `ManagedPolicyDetail` (IAM API Reference), every version kept.
fn managed_policy_json(p: &aws_sdk_iam::types::ManagedPolicyDetail) -> Value {
    let mut o = Obj::default();
    o.s("PolicyName", p.policy_name());
    o.s("PolicyId", p.policy_id());
    o.s("Arn", p.arn());
    o.s("Path", p.path());
    o.s("DefaultVersionId", p.default_version_id());
    o.i("AttachmentCount", p.attachment_count().map(i64::from));
    o.b("IsAttachable", Some(p.is_attachable()));
    o.v("CreateDate", date(p.create_date()));
    o.v("UpdateDate", date(p.update_date()));
    let versions = p
        .policy_version_list()
        .iter()
        .map(|v| {
            let mut c = Obj::default();
            c.v("Document", v.document().map(document));
            c.s("VersionId", v.version_id());
            c.b("IsDefaultVersion", Some(v.is_default_version()));
            c.v("CreateDate", date(v.create_date()));
            c.into()
        })
        .collect();
    o.list("PolicyVersionList", versions);
    o.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_decoded_as_the_cli_prints_them() {
        let doc = document("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D");
        assert_eq!(doc, json!({"Version": "2012-10-17", "Statement": []}));
        assert_eq!(percent_decode("a+b%2"), "a+b%2");
        assert_eq!(document("not%20json"), json!("not json"));
    }
}
