//! The `rolefit` binary: parse flags, call the library, map the outcome to exit 0 / 1 / 2.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use rolefit::cli::{
    ActionsArgs, AuditArgs, Cli, ColorChoice, Command, ExplainArgs, FailOn, Format, GraphArgs,
    SdkArg,
};
use rolefit::config::Config;
use rolefit::finding::Severity;
use rolefit::model::SdkKind;
use rolefit::{app, data, graph, report, rules};

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
    let progress = audit_progress(args);
    let audit = app::audit_with(&args.paths, &Config::default(), &progress)?;
    let text = match args.format {
        Format::Json => report::json::render(&audit.report),
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
            report::human::render(&audit.findings, &audit.report, &audit.sources, color)
        }
    };
    write_output(args.output.as_deref(), &text)?;
    let fail_on = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    Ok(u8::try_from(app::exit_status(&audit.report, fail_on)).unwrap_or(1))
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

fn run_graph(args: &GraphArgs) -> anyhow::Result<u8> {
    let audit = app::audit(&args.paths, &Config::default())?;
    let g = graph::PermissionGraph::build(&audit.app, &audit.code, &audit.analysis, &audit.sources);
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
            for rule in rules::ALL {
                let m = rule.meta();
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
        Some(id) => match rules::find(id) {
            Some(rule) => {
                write_output(None, &rules::explain(rule.meta()))?;
                Ok(0)
            }
            None => {
                eprintln!("rolefit: unknown rule `{id}`; `rolefit explain` lists them");
                Ok(2)
            }
        },
    }
}

fn write_output(path: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()) {
                Ok(()) => Ok(()),
                // A closed pipe (`rolefit ... | head`) is not an error worth a status of 2.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
    }
}
