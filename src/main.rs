//! The `rolefit` binary: parse flags, call the library, map the outcome to exit 0 / 1 / 2.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use rolefit::cli::{
    ActionsArgs, AuditArgs, Cli, CollectArgs, ColorChoice, Command, ExplainArgs, FailOn, FixArgs,
    Format, GraphArgs, MergeArgs, PolicyArgs, PolicyFormat, SdkArg, SimulateArgs, SimulateFormat,
};
use rolefit::config::Config;
use rolefit::finding::{Severity, catalog};
use rolefit::model::SdkKind;
use rolefit::policy::Syntax;
use rolefit::{analysis, app, baseline, data, fix, policy, report};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Audit(args) => run_audit(&args),
        Command::Graph(args) => run_graph(&args),
        Command::Actions(args) => run_actions(&args),
        Command::Explain(args) => run_explain(&args),
        Command::Policy(args) => run_policy(&args),
        Command::Simulate(args) => run_simulate(&args),
        Command::Fix(args) => run_fix(&args),
        Command::Merge(args) => run_merge(&args),
        Command::Collect(args) => run_collect(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("rolefit: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_audit(args: &AuditArgs) -> anyhow::Result<u8> {
    let config = Config::find(args.config.as_deref(), &args.paths)?;
    let progress = audit_progress(args);
    let mut audit = app::audit_with(&args.paths, &config, &progress)?;
    let root = rolefit::root::RootOptions {
        label: args.label.clone(),
        account: args.account_id.clone(),
        region: args.region.clone(),
    };
    if let Err(e) = app::set_root(&mut audit, &root) {
        eprintln!("rolefit: {e}");
        return Ok(2);
    }
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &audit)?;
    }
    if let Some(path) = &args.baseline {
        let recorded = baseline::load(path)?;
        baseline::apply(&mut audit, &recorded);
    }
    let prefix = path_prefix(&args.paths);
    let out = args.output.as_deref();
    match args.format {
        // Streamed: the text of a large report is not held in memory.
        Format::Json => write_output_with(out, |w| report::json::write(&audit.report, w))?,
        Format::Sarif => write_output(
            out,
            &report::sarif::render(&audit.findings, &audit.report, &audit.sources, &prefix),
        )?,
        Format::Github => write_output(out, &report::github::render(&audit.report, &prefix))?,
        Format::Markdown => write_output(out, &report::markdown::render(&audit.report))?,
        Format::Asff => {
            match report::asff::render(&audit.report, report::time::now_millis(), false) {
                Ok(text) => write_output(out, &text)?,
                Err(e) => {
                    eprintln!("rolefit: {e}");
                    return Ok(2);
                }
            }
        }
        Format::Ocsf => write_output(
            out,
            &report::ocsf::render(&audit.report, report::time::now_millis()),
        )?,
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    args.output.is_none()
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let text = report::human::render(&audit.findings, &audit.report, &audit.sources, color);
            write_output(out, &text)?;
        }
    }
    let status = u8::try_from(app::exit_status(&audit.report, fail_on(args.fail_on))).unwrap_or(1);
    // The process ends here: freeing the audit's many small allocations one by one would
    // only cost time (a tenth of a large run), the system takes the memory back at exit.
    std::mem::forget(audit);
    Ok(status)
}

fn fail_on(choice: FailOn) -> Option<Severity> {
    match choice {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    }
}

/// `rolefit merge`: reads each shard's JSON report, merges, renders the merged report. An
/// unreadable, malformed or foreign input ends the run with status 2 and names the file.
fn run_merge(args: &MergeArgs) -> anyhow::Result<u8> {
    let mut reports = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        let name = path.display().to_string();
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| report::read::parse(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(r) => reports.push((name, r)),
            Err(e) => {
                eprintln!("rolefit: {name}: {e}");
                return Ok(2);
            }
        }
    }
    let merged = match rolefit::merge::merge(reports) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("rolefit: {e}");
            return Ok(2);
        }
    };
    let out = args.output.as_deref();
    let now = report::time::now_millis();
    match args.format {
        Format::Json => write_output_with(out, |w| report::json::write(&merged, w))?,
        Format::Sarif => write_output(out, &report::sarif::render_report(&merged, ""))?,
        Format::Github => write_output(out, &report::github::render(&merged, ""))?,
        Format::Markdown => write_output(out, &report::markdown::render(&merged))?,
        Format::Human => write_output(out, &report::human::render_report(&merged))?,
        Format::Ocsf => write_output(out, &report::ocsf::render(&merged, now))?,
        Format::Asff => match report::asff::render(&merged, now, true) {
            Ok(text) => write_output(out, &text)?,
            Err(e) => {
                eprintln!("rolefit: {e}");
                return Ok(2);
            }
        },
    }
    Ok(u8::try_from(app::exit_status(&merged, fail_on(args.fail_on))).unwrap_or(1))
}

/// A progress bar only for people: human output with stderr on a terminal, outside CI.
/// JSON and other machine formats, pipes and CI logs never get one.
fn audit_progress(args: &AuditArgs) -> rolefit::progress::Progress {
    let wanted = matches!(args.format, Format::Human)
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    if wanted {
        rolefit::progress::Progress::stderr()
    } else {
        rolefit::progress::Progress::hidden()
    }
}

fn run_collect(args: &CollectArgs) -> anyhow::Result<u8> {
    if args.print_policy {
        let policies = rolefit::collect::policy(&args.role_arns).map_err(|e| anyhow::anyhow!(e))?;
        write_output(None, &policies.render())?;
        return Ok(0);
    }
    collect_accounts(args)
}

#[cfg(feature = "collect")]
fn collect_accounts(args: &CollectArgs) -> anyhow::Result<u8> {
    use rolefit::collect::aws;
    let Some(out) = &args.out else {
        anyhow::bail!("--out DIR is required");
    };
    let options = aws::Options {
        profile: args.profile.clone(),
        regions: args.regions.clone(),
        all_regions: args.all_regions,
        role_arns: args.role_arns.clone(),
        external_id: args.external_id.clone(),
        out: out.clone(),
        concurrency: args.concurrency,
    };
    let progress = if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
        rolefit::progress::Progress::stderr()
    } else {
        rolefit::progress::Progress::hidden()
    };
    let outcome = aws::run(&options, &progress)?;
    progress.finish();
    for w in &outcome.written {
        eprintln!(
            "collected {}: {} function{}, {} gap{}",
            w.folder.display(),
            w.functions,
            if w.functions == 1 { "" } else { "s" },
            w.gaps,
            if w.gaps == 1 { "" } else { "s" },
        );
    }
    for f in &outcome.failures {
        eprintln!("rolefit: could not collect {f}");
    }
    Ok(if outcome.failures.is_empty() { 0 } else { 2 })
}

#[cfg(not(feature = "collect"))]
fn collect_accounts(_args: &CollectArgs) -> anyhow::Result<u8> {
    eprintln!(
        "rolefit: this build has no `collect` (the AWS SDK is a cargo feature): build it with \
         `cargo build --release --features collect` (or `cargo install --path . --features \
         collect`); `rolefit collect --print-policy` works in every build"
    );
    Ok(2)
}

fn run_graph(args: &GraphArgs) -> anyhow::Result<u8> {
    let config = Config::find(None, &args.paths)?;
    let audit = app::audit(&args.paths, &config)?;
    let g =
        analysis::PermissionGraph::build(&audit.app, &audit.code, &audit.analysis, &audit.sources);
    let text = match args.format {
        rolefit::cli::GraphFormat::Dot => g.to_dot(),
        rolefit::cli::GraphFormat::Mermaid => g.to_mermaid(),
        rolefit::cli::GraphFormat::Json => g.to_json(),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(0)
}

fn run_actions(args: &ActionsArgs) -> anyhow::Result<u8> {
    let lines = match args.sdk {
        None => data::query::actions_lines(&args.pattern),
        Some(sdk) => {
            let kind = match sdk {
                SdkArg::Python => SdkKind::Python,
                SdkArg::Js => SdkKind::JsV3,
                SdkArg::Go => SdkKind::Go,
                SdkArg::Java => SdkKind::Java,
            };
            data::query::sdk_lines(kind, &args.pattern)
        }
    };
    match lines {
        Ok(lines) => {
            let mut text = lines.join("\n");
            text.push('\n');
            write_output(None, &text)?;
            Ok(0)
        }
        Err(message) => {
            eprintln!("rolefit: {message}");
            Ok(1)
        }
    }
}

fn run_explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    match &args.rule {
        None => {
            let mut text = String::new();
            for m in catalog::ALL {
                text.push_str(&format!(
                    "{:<24} {:<8} {}\n",
                    m.id,
                    m.severity.as_str(),
                    m.summary
                ));
            }
            write_output(None, &text)?;
            Ok(0)
        }
        Some(id) => match catalog::find(id) {
            Some(doc) => {
                write_output(None, &doc.explain())?;
                Ok(0)
            }
            None => {
                eprintln!("rolefit: unknown rule `{id}`; `rolefit explain` lists them");
                Ok(2)
            }
        },
    }
}

fn run_fix(args: &FixArgs) -> anyhow::Result<u8> {
    let config = Config::find(args.config.as_deref(), &args.paths)?;
    for rule in &args.rules {
        if catalog::find(rule).is_none() {
            eprintln!("rolefit: unknown rule `{rule}`; `rolefit explain` lists them");
            return Ok(2);
        }
    }
    let options = fix::Options {
        rules: args.rules.clone(),
        functions: args.functions.clone(),
    };
    let mut left = 0;
    let mut changed = 0;
    for root in &args.paths {
        let outcome = fix::plan(root, &config, &options)?;
        changed += outcome.changes.len();
        if args.diff {
            write_output(None, &fix::diff(&outcome))?;
        } else if args.dry_run {
            for c in &outcome.changes {
                println!("would fix {}", c.path.display());
            }
        } else {
            fix::apply(&outcome)?;
            for c in &outcome.changes {
                println!("fixed {}", c.path.display());
            }
        }
        for l in &outcome.left {
            let at = l
                .finding
                .location
                .as_ref()
                .map(|loc| format!("{}:{}:{}: ", loc.file, loc.line, loc.column))
                .unwrap_or_default();
            let line = format!(
                "{at}{}: {} (left: {})",
                l.finding.rule, l.finding.message, l.why
            );
            // With `--diff`, standard output is the patch alone (`git apply` takes it).
            if args.diff {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        }
        left += outcome.left.len();
    }
    eprintln!("rolefit: {changed} file(s) fixed, {left} finding(s) left for a human");
    Ok(u8::from(left > 0))
}

fn run_policy(args: &PolicyArgs) -> anyhow::Result<u8> {
    let (paths, names): (Vec<&String>, Vec<&String>) = args
        .targets
        .iter()
        .partition(|t| std::path::Path::new(t.as_str()).exists());
    let mut paths: Vec<std::path::PathBuf> = paths.into_iter().map(Into::into).collect();
    if paths.is_empty() {
        paths.push(".".into());
    }
    let names: Vec<String> = names.into_iter().cloned().collect();
    let config = Config::find(args.config.as_deref(), &paths)?;
    let audit = app::audit(&paths, &config)?;
    let selected = match policy::policies(&audit, &names) {
        Ok(s) => s,
        Err(unknown) => {
            eprintln!(
                "rolefit: no function named {} (neither a path nor a function name or id)",
                unknown.join(", ")
            );
            return Ok(2);
        }
    };
    let syntax = match args.format {
        PolicyFormat::Json => Syntax::Json,
        PolicyFormat::Sam => Syntax::Sam,
        PolicyFormat::Cloudformation => Syntax::CloudFormation,
        PolicyFormat::Terraform => Syntax::Terraform,
        PolicyFormat::Serverless => Syntax::Serverless,
        PolicyFormat::Native => Syntax::Native,
    };
    write_output(
        args.output.as_deref(),
        &policy::render(&audit, &selected, syntax),
    )?;
    Ok(0)
}

fn run_simulate(args: &SimulateArgs) -> anyhow::Result<u8> {
    use rolefit::simulate;
    let sim = if let Some(input) = &args.cli_input_json {
        let (name, text) = if input == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| anyhow::anyhow!("reading standard input: {e}"))?;
            ("-".to_string(), text)
        } else {
            let path = input.strip_prefix("file://").unwrap_or(input);
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("reading {path}: {e}"))?;
            (path.to_string(), text)
        };
        simulate::input::parse(&name, &text)?
    } else {
        let mut paths = args.paths.clone();
        if paths.is_empty() {
            paths.push(".".into());
        }
        let mut context = Vec::new();
        for c in &args.context {
            let Some((k, v)) = c.split_once('=') else {
                anyhow::bail!("--context `{c}`: expected KEY=VALUE");
            };
            context.push((k.trim().to_string(), v.to_string()));
        }
        let query = simulate::function::FunctionQuery {
            function: args.function.clone().unwrap_or_default(),
            action: args.action.clone().unwrap_or_default(),
            resource: args.resource.clone(),
            context,
        };
        let config = Config::find(args.config.as_deref(), &paths)?;
        let audit = app::audit(&paths, &config)?;
        simulate::function::build(audit, &query)?
    };
    let results = sim.run();
    if args.cli_input_json.is_some() {
        simulate::check_definite(&sim, &results)?;
    }
    let text = match args.format {
        SimulateFormat::Json => {
            let mut t = serde_json::to_string_pretty(&simulate::to_json(&sim, &results))?;
            t.push('\n');
            t
        }
        SimulateFormat::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            simulate::human::render(&sim, &results, color)
        }
    };
    write_output(None, &text)?;
    Ok(0)
}

/// What to put before report paths (relative to the audited root) so they are relative to
/// the working directory, as GitHub annotations and code scanning need: the single relative
/// root folder (or a single file's folder); nothing for `.`, absolute roots, or several
/// roots (whose report paths already start with the root).
fn path_prefix(paths: &[std::path::PathBuf]) -> String {
    let [root] = paths else {
        return String::new();
    };
    if root.is_absolute() {
        return String::new();
    }
    let dir = if root.is_file() {
        root.parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    } else {
        root.clone()
    };
    let parts: Vec<String> = dir
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

fn write_output(path: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    write_output_with(path, |w| w.write_all(text.as_bytes()))
}

/// Writes what `write` produces to the file at `path`, or to stdout.
fn write_output_with(
    path: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    const BUFFER: usize = 1 << 16;
    match path {
        Some(p) => {
            let written = std::fs::File::create(p).and_then(|file| {
                let mut out = std::io::BufWriter::with_capacity(BUFFER, file);
                write(&mut out)?;
                out.flush()
            });
            written.map_err(|e| anyhow::anyhow!("writing {}: {e}", p.display()))
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(BUFFER, std::io::stdout().lock());
            match write(&mut out).and_then(|()| out.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`rolefit ... | head`) is not an error worth a status of 2.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
    }
}
