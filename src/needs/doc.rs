//! `docs/needs.md`: everything rolefit models beyond the action a call is named after, each
//! row with its source, generated from the tables that drive it (`policies/parameters.json`,
//! `policies/overrides.json`, `policies/lambda.json`, the key settings of `parse::common` and
//! `parse::terraform`, the signed calls and invocation values of `parse::code`). The docs test
//! (`tests/docs.rs`) keeps the page fresh.

use std::fmt::Write as _;

use crate::data::{self, Statement, Strength};
use crate::parse::code::{EVENT_READS, SIGNED_CALLS};
use crate::parse::common::CFN_KEY_SETTINGS;
use crate::parse::terraform::KEY_SETTINGS as TF_KEY_SETTINGS;

/// A table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('\n', " ").replace('|', "\\|")
}

fn code(s: &str) -> String {
    format!("`{}`", cell(s))
}

fn codes<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| code(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn link(url: &str, section: &str) -> String {
    format!("[{}]({url})", cell(section))
}

fn header(out: &mut String, columns: &[&str]) {
    let _ = writeln!(out, "| {} |", columns.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        columns.iter().map(|_| " --- |").collect::<String>()
    );
}

fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

/// The S3 page listing the permissions of each operation, which the parameter-added actions
/// of `overrides.json` follow; other services' rows cite the Service Authorization Reference.
fn param_action_source(service: &str) -> String {
    match service {
        "s3" => link(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html",
            "Required permissions for Amazon S3 API operations",
        ),
        _ => link(
            "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
            "Actions, resources, and condition keys for AWS services",
        ),
    }
}

fn statements(out: &mut String, name: &str, doc: &str, list: &[Statement]) {
    for s in list {
        let alternatives =
            s.or.iter()
                .map(|a| format!("{} on {}", codes(&a.actions), code(&a.resource)))
                .collect::<Vec<_>>()
                .join("; ");
        let strength = match s.strength {
            Strength::Required => "required",
            Strength::Recommended => "recommended",
        };
        row(
            out,
            &[
                code(name),
                codes(&s.actions),
                code(&s.resource),
                cell(s.when.as_deref().unwrap_or("always")),
                strength.to_string(),
                if alternatives.is_empty() {
                    "-".to_string()
                } else {
                    alternatives
                },
                format!("<{doc}>"),
            ],
        );
    }
}

/// The whole page.
pub fn needs_page() -> String {
    let mut out = String::new();
    out.push_str(
        "# What rolefit models beyond the named action\n\n\
         IAM authorizes more than the action a call is named after: a parameter can pass a role \
         or tag what the call creates, the resource can be encrypted with a customer managed \
         key, a request can be signed by something other than an SDK client, and Lambda itself \
         needs actions for the function's event sources and settings. Every entry below is \
         what rolefit models, with the page it follows.\n\n\
         This page is generated from `policies/parameters.json`, `policies/overrides.json`, \
         `policies/lambda.json` and the tables in `src/parse` (`ROLEFIT_UPDATE_DOCS=1 cargo test \
         --test docs`); edit those, not this page.\n\n",
    );
    let params = data::params();

    out.push_str("## Roles passed to a service\n\n");
    out.push_str(
        "The call needs `iam:PassRole` on the role the parameter names (its ARN, or a role \
         name in the function's account). A grant's `iam:PassedToService` condition is matched \
         against the service below. Member names compare without case (`roleArn`, Java's \
         `roleArn(...)` setter, Go's `RoleArn` field); `A.B` is member `B` of structure `A`, \
         `A[].B` of the structures in list `A`. ECS `taskDefinition` names a task definition: \
         the roles passed are the task role and task execution role it declares, when the \
         input declares it.\n\n",
    );
    header(
        &mut out,
        &[
            "Service",
            "Operations",
            "Parameter",
            "iam:PassedToService",
            "Source",
        ],
    );
    for p in &params.pass_role {
        row(
            &mut out,
            &[
                code(&p.service),
                codes(&p.operations),
                code(&p.param),
                code(&p.passed_to),
                link(&p.doc, &p.section),
            ],
        );
    }

    out.push_str("\n## Tags on create\n\n");
    let _ = writeln!(
        out,
        "A call that passes {} also needs the operation's dependent actions of the Tagging \
         access level, as the Service Authorization Reference lists them \
         (`policies/iam-catalog.json`, `dependentActions`), on the resource the call creates \
         (the resource type the operation names: `CreateBackup`, a `backup`): {}.\n",
        codes(&params.tags.params),
        link(&params.tags.doc, &params.tags.section)
    );

    out.push_str("## Copy sources\n\n");
    header(
        &mut out,
        &[
            "Service",
            "Operations",
            "Parameter",
            "Actions on the source",
            "Source",
        ],
    );
    for c in &params.copy_sources {
        row(
            &mut out,
            &[
                code(&c.service),
                codes(&c.operations),
                code(&c.param),
                codes(&c.actions),
                link(&c.doc, &c.section),
            ],
        );
    }

    out.push_str("\n## Resources named inside a request structure\n\n");
    header(&mut out, &["Service", "Operations", "Member", "Source"]);
    for m in &params.resource_members {
        row(
            &mut out,
            &[
                code(&m.service),
                codes(&m.operations),
                code(&m.param),
                link(&m.doc, &m.section),
            ],
        );
    }

    out.push_str("\n## Parameters that add actions\n\n");
    header(
        &mut out,
        &["Service", "Operation", "Parameter", "Adds", "Source"],
    );
    for (svc, op, pa) in data::sdk().param_action_entries() {
        row(
            &mut out,
            &[
                code(svc),
                code(op),
                code(&pa.param),
                codes(&pa.actions),
                param_action_source(svc),
            ],
        );
    }

    out.push_str("\n## Keys and other resources a call reaches\n\n");
    out.push_str(
        "`key`: the actions apply to the customer managed KMS key of the resource the call \
         reaches (the declared resource its parameters or environment variables name, see \
         the next section); nothing when the resource uses an AWS managed key. `always`: to the \
         resource the named parameter gives, on every call.\n\n",
    );
    header(
        &mut out,
        &[
            "Service",
            "Operation",
            "Only with",
            "Applies to",
            "Actions",
            "Strength",
            "Source",
        ],
    );
    for (svc, op, f) in data::sdk().follow_on_entries() {
        let Some(applies) = f.applies.as_deref() else {
            continue;
        };
        let target = match (&f.resource_param, applies) {
            (Some(p), "key") => format!("the key of {}", code(p)),
            (Some(p), _) => code(p),
            (None, _) => "the key of the call's resource".to_string(),
        };
        row(
            &mut out,
            &[
                code(svc),
                code(op),
                f.param.as_deref().map_or_else(|| "-".to_string(), code),
                target,
                codes(&f.actions),
                if f.recommended {
                    "recommended"
                } else {
                    "required"
                }
                .to_string(),
                cell(f.doc.as_deref().unwrap_or("-")),
            ],
        );
    }

    out.push_str("\n## Customer managed keys of declared resources\n\n");
    out.push_str(
        "A resource is encrypted with a customer managed key when one of these settings names \
         a key other than an AWS managed one (`alias/aws/*`), which the service uses without a \
         grant in the caller's policy \
         ([AWS managed keys](https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key)). \
         An alias is the key a declared alias of that name targets (`TargetKeyId`, \
         `target_key_id`), else any key of the account (KMS authorizes the key behind it). \
         A Terraform key's `id`, `key_id` and `arn` name the same key.\n\n",
    );
    header(&mut out, &["Input", "Resource type", "Setting", "Source"]);
    for (kind, setting, doc) in CFN_KEY_SETTINGS {
        row(
            &mut out,
            &[
                "CloudFormation / SAM".to_string(),
                code(kind),
                code(setting),
                format!("<{doc}>"),
            ],
        );
    }
    for (kind, setting, doc) in TF_KEY_SETTINGS {
        row(
            &mut out,
            &[
                "Terraform".to_string(),
                code(kind),
                code(setting),
                format!("<{doc}>"),
            ],
        );
    }

    out.push_str("\n## Calls that are not SDK client methods\n\n");
    header(
        &mut out,
        &["Language", "Call", "Action", "Resource", "Source"],
    );
    for s in SIGNED_CALLS {
        row(
            &mut out,
            &[
                cell(s.language),
                cell(s.call),
                cell(s.action),
                cell(s.resource),
                link(s.doc, s.section),
            ],
        );
    }

    out.push_str("\n## Libraries that call AWS by themselves\n\n");
    out.push_str(
        "Code that imports one of these libraries (or a module below it) makes AWS calls \
         rolefit does not read call by call: the function gets one `incomplete-input` note, \
         so nothing on its role is `unused-permission` and `rolefit fix` narrows nothing on \
         it.\n\n",
    );
    header(
        &mut out,
        &["Language", "Module", "Library", "Calls", "Source"],
    );
    for l in data::sdk().libraries() {
        row(
            &mut out,
            &[
                cell(&l.language),
                code(&l.module),
                cell(&l.name),
                cell(&l.calls),
                cell(&l.doc),
            ],
        );
    }

    out.push_str("\n## Values read from the invocation\n\n");
    out.push_str(
        "Code that names a resource by what the invocation carries gets the value the \
         function's own triggers decide (several different sources leave it unknown), so a \
         write back to the event's source or an invocation of the function itself joins the \
         trigger graph (`recursive-invocation`).\n\n",
    );
    header(&mut out, &["Read", "Value", "Source"]);
    for (read, value, doc, section) in EVENT_READS {
        row(&mut out, &[cell(read), cell(value), link(doc, section)]);
    }

    let lambda = data::lambda();
    out.push_str("\n## Event source pollers\n\n");
    out.push_str(
        "What Lambda's poller needs from the execution role for each event source mapping. \
         A missing `recommended` statement is a note, never an error; an alternative AWS \
         accepts in its place satisfies it.\n\n",
    );
    let columns = [
        "Source",
        "Actions",
        "Resource",
        "When",
        "Strength",
        "Or instead",
        "Source page",
    ];
    header(&mut out, &columns);
    for (name, es) in &lambda.event_sources {
        statements(&mut out, name, &es.doc, &es.statements);
    }

    out.push_str("\n## Function settings\n\n");
    header(&mut out, &columns);
    for (name, c) in &lambda.config {
        statements(&mut out, name, &c.doc, &c.statements);
    }

    out.push_str("\n## Push triggers\n\n");
    out.push_str(
        "The service principal a trigger's invoke permission names, the condition keys that \
         scope it to the source, and the execution-role actions the trigger implies.\n\n",
    );
    header(
        &mut out,
        &[
            "Trigger",
            "Principal",
            "Scoped by",
            "Role actions",
            "Source",
        ],
    );
    for (name, t) in &lambda.triggers {
        row(
            &mut out,
            &[
                code(name),
                code(&t.principal),
                if t.conditions.is_empty() {
                    "-".to_string()
                } else {
                    codes(&t.conditions)
                },
                if t.role_actions.is_empty() {
                    "-".to_string()
                } else {
                    codes(&t.role_actions)
                },
                format!("<{}>", t.doc),
            ],
        );
    }
    out
}
