//! Terraform front end: evaluation, lowering, spans, errors, and agreement with SAM.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rolefit::model::{App, PolicySource, RoleBinding};
use rolefit::parse::terraform::parse_module;
use rolefit::source::{FileId, SourceFile, Span};

fn module(files: &[(&str, &str)], extra: &[(&str, &str)]) -> (Vec<SourceFile>, App, Vec<String>) {
    let sources: Vec<SourceFile> = files
        .iter()
        .enumerate()
        .map(|(i, (p, t))| SourceFile::new(FileId(i as u32), *p, *t))
        .collect();
    let refs: Vec<&SourceFile> = sources.iter().collect();
    let extra: BTreeMap<String, String> = extra
        .iter()
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .collect();
    let read = |p: &str| extra.get(p).cloned();
    let out = parse_module(&refs, &read);
    let issues = out.issues.iter().map(|e| e.message.clone()).collect();
    (sources, out.app, issues)
}

fn text_at(files: &[SourceFile], span: Span) -> &str {
    let f = &files[span.file.0 as usize];
    &f.text[span.start as usize..span.end as usize]
}

const MAIN: &str = r#"
variable "stage" {
  default = "prod"
}

locals {
  table_name = "orders-${var.stage}"
}

resource "aws_dynamodb_table" "orders" {
  name = local.table_name
}

resource "aws_sqs_queue" "jobs" {}

data "aws_region" "current" {}

data "aws_iam_policy_document" "rw" {
  statement {
    actions   = ["dynamodb:GetItem"]
    resources = [aws_dynamodb_table.orders.arn]
  }
  statement {
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = [data.aws_region.current.name]
    }
  }
}

resource "aws_iam_role" "api" {
  name = "api-${var.stage}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  inline_policy {
    name   = "rw"
    policy = data.aws_iam_policy_document.rw.json
  }
}

resource "aws_iam_role_policy" "file" {
  role   = aws_iam_role.api.id
  policy = file("${path.module}/policy.json")
}

resource "aws_lambda_function" "api" {
  count         = 2
  function_name = "api-${count.index}"
  role          = aws_iam_role.api.arn
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "${path.module}/src"
  timeout       = 15
  environment {
    variables = {
      TABLE = aws_dynamodb_table.orders.name
      QUEUE = aws_sqs_queue.jobs.url
      MODE  = "fast"
    }
  }
  vpc_config {
    subnet_ids         = ["subnet-1"]
    security_group_ids = ["sg-1"]
  }
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.api[0].arn
}
"#;

#[test]
fn variables_locals_and_references_resolve_with_spans() {
    let policy =
        r#"{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let (files, app, issues) = module(&[("infra/main.tf", MAIN)], &[("infra/policy.json", policy)]);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(app.functions.len(), 2, "one function per `count` instance");
    assert_eq!(app.functions[1].id, "infra/main.tf#api[1]");
    let f = &app.functions[0];
    assert_eq!(f.id, "infra/main.tf#api[0]");
    assert_eq!(text_at(&files, f.span), "\"api\"");
    assert_eq!(
        f.arn,
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:api-0"
    );
    assert_eq!(f.code_path.as_ref().unwrap().value, "infra/src");
    assert_eq!(f.config.timeout.as_ref().unwrap().value, 15.0);
    assert_eq!(text_at(&files, f.config.vpc.unwrap()), "vpc_config");
    let env: BTreeMap<_, _> = f
        .environment
        .iter()
        .map(|e| (e.name.value.as_str(), e))
        .collect();
    let table = env["TABLE"];
    assert_eq!(table.value.as_ref().unwrap().value, "orders-prod");
    assert_eq!(
        text_at(&files, table.value.as_ref().unwrap().span),
        "aws_dynamodb_table.orders.name"
    );
    assert_eq!(
        table.refers_to,
        Some((
            "aws_dynamodb_table.orders".to_string(),
            "AWS::DynamoDB::Table".to_string()
        ))
    );
    assert!(!table.literal);
    assert_eq!(
        env["QUEUE"].value.as_ref().unwrap().value,
        "https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/${aws_sqs_queue.jobs}"
    );
    assert!(env["MODE"].literal);
    assert_eq!(
        f.role,
        RoleBinding::Role("infra/main.tf#aws_iam_role.api".into())
    );
    let ev = &f.events[0];
    assert_eq!(ev.kind.name(), "EventSourceMapping");
    assert_eq!(
        ev.source_arn.as_ref().unwrap().value,
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${aws_sqs_queue.jobs}"
    );

    let role = &app.roles[0];
    assert_eq!(role.arn, "arn:aws:iam::${AWS::AccountId}:role/api-prod");
    let trust = role.trust.as_ref().unwrap();
    assert_eq!(text_at(&files, trust.span), "assume_role_policy");
    assert_eq!(
        trust.node.to_json()["Statement"][0]["Principal"]["Service"],
        "lambda.amazonaws.com"
    );
    assert_eq!(role.policies.len(), 2);
    let rw = role.policies[0].doc.as_ref().unwrap().node.to_json();
    assert_eq!(
        rw["Statement"][0]["Resource"][0],
        "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders-prod"
    );
    assert_eq!(rw["Statement"][0]["Effect"], "Allow");
    assert_eq!(
        rw["Statement"][1]["Condition"]["StringNotEquals"]["aws:RequestedRegion"][0],
        "${AWS::Region}"
    );
    let from_file = role.policies[1].doc.as_ref().unwrap().node.to_json();
    assert_eq!(from_file["Statement"][0]["Action"], "s3:GetObject");
    let queue = app
        .resources
        .iter()
        .find(|r| r.logical_id == "aws_sqs_queue.jobs")
        .unwrap();
    assert_eq!(queue.type_name, "AWS::SQS::Queue");
}

#[test]
fn unreadable_file_is_an_issue_not_a_panic() {
    let text = r#"
resource "aws_iam_role" "r" {}

resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = file("../../etc/passwd")
}
"#;
    let (_, app, issues) = module(&[("main.tf", text)], &[]);
    // Unknown, not malformed: an `incomplete-input` note, no parse error.
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(app.unknowns.len(), 1, "{:?}", app.unknowns);
    assert_eq!(
        app.unknowns[0].kind,
        rolefit::syntax::UnknownKind::MissingFile
    );
    assert!(
        app.unknowns[0]
            .message
            .contains("not in the audited folder")
    );
}

#[test]
fn lambda_module_inputs_become_a_generated_role() {
    let text = r#"
module "fn" {
  source        = "terraform-aws-modules/lambda/aws"
  function_name = "worker"
  handler       = "app.handler"
  runtime       = "python3.12"
  source_path   = "./src"
  attach_tracing_policy = true
  attach_policy_statements = true
  policy_statements = {
    s3 = {
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::b/*"]
      condition = {
        tls = { test = "Bool", variable = "aws:SecureTransport", values = ["true"] }
      }
    }
  }
  allowed_triggers = {
    api = { service = "apigateway", source_arn = "arn:aws:execute-api:eu-west-1:1:abc/*" }
  }
}
"#;
    let (files, app, issues) = module(&[("svc/main.tf", text)], &[]);
    assert!(issues.is_empty(), "{issues:?}");
    let f = &app.functions[0];
    assert_eq!(f.id, "svc/main.tf#fn");
    assert_eq!(f.code_path.as_ref().unwrap().value, "svc/src");
    let role = &app.roles[0];
    assert!(role.generated);
    assert_eq!(f.role, RoleBinding::Role(role.id.clone()));
    let reasons: Vec<&str> = role
        .policies
        .iter()
        .filter_map(|p| match &p.source {
            PolicySource::Implicit { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        ["attach_cloudwatch_logs_policy", "attach_tracing_policy"]
    );
    let stmts = role
        .policies
        .last()
        .unwrap()
        .doc
        .as_ref()
        .unwrap()
        .node
        .to_json();
    assert_eq!(stmts["Statement"][0]["Action"][0], "s3:GetObject");
    assert_eq!(
        stmts["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"][0],
        "true"
    );
    let p = &app.permissions[0];
    assert_eq!(p.principal.value, "apigateway.amazonaws.com");
    assert_eq!(text_at(&files, p.span), "api");
}

#[test]
fn bad_hcl_is_a_parse_error_with_line_and_column() {
    let text = "resource \"aws_lambda_function\" \"x\" {\n  handler = \n}\n";
    let (files, app, _) = module(&[("main.tf", text)], &[]);
    assert!(app.functions.is_empty());
    let refs: Vec<&SourceFile> = files.iter().collect();
    let out = parse_module(&refs, &|_| None);
    assert_eq!(out.issues.len(), 1);
    let (line, _) = files[0].line_col(out.issues[0].span.start);
    assert!(
        out.issues[0].message.starts_with("main.tf:"),
        "{}",
        out.issues[0].message
    );
    assert!(line >= 2, "points into the file: line {line}");
}

#[test]
fn every_prefix_of_a_valid_file_parses_or_fails_without_panicking() {
    let mut cut = 0;
    while cut < MAIN.len() {
        if MAIN.is_char_boundary(cut) {
            let _ = module(&[("main.tf", &MAIN[..cut])], &[]);
        }
        cut += 7;
    }
}

/// The payments app written twice (fixtures/twin-sam, fixtures/twin-tf): the same code must
/// need the same actions, granted or not alike, whichever format declares it.
#[test]
fn twin_apps_agree_on_required_actions() {
    let needs = |dir: &str| -> BTreeMap<String, BTreeSet<(String, bool)>> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(dir);
        let audit = rolefit::app::audit(&[root], &Default::default()).unwrap();
        audit
            .report
            .functions
            .iter()
            .map(|f| {
                let actions = f
                    .required
                    .iter()
                    .filter(|r| !r.action.starts_with("logs:"))
                    .map(|r| (r.action.clone(), r.granted))
                    .collect();
                (f.name.clone(), actions)
            })
            .collect()
    };
    let sam = needs("twin-sam");
    let tf = needs("twin-tf");
    assert_eq!(sam.len(), 2);
    assert!(sam["ChargeFunction"].contains(&("sqs:SendMessage".to_string(), false)));
    assert_eq!(sam, tf);
}

/// A `terraform show -json` plan: the role ARN is unknown until apply, so the function binds
/// to its role through the configuration's references.
#[test]
fn plan_json_lowers_functions_and_roles() {
    let plan = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_iam_role.exec", "mode": "managed", "type": "aws_iam_role", "name": "exec",
     "values": {"name": "exec",
       "assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}",
       "inline_policy": [{"name": "rw", "policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"}]}},
    {"address": "aws_iam_role_policy_attachment.logs", "mode": "managed", "type": "aws_iam_role_policy_attachment", "name": "logs",
     "values": {"role": "exec", "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}},
    {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api",
     "values": {"function_name": "api", "runtime": "python3.12", "handler": "app.handler",
       "environment": [{"variables": {"MODE": "fast"}}]}}
  ]}},
  "configuration": {"root_module": {"resources": [
    {"address": "aws_lambda_function.api", "expressions": {"role": {"references": ["aws_iam_role.exec.arn", "aws_iam_role.exec"]}}}
  ]}}
}"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.json"), plan).unwrap();
    let audit = rolefit::app::audit(&[dir.path().to_path_buf()], &Default::default()).unwrap();
    let f = &audit.app.functions[0];
    assert_eq!(f.id, "plan.json#api");
    assert_eq!(
        f.role,
        RoleBinding::Role("plan.json#aws_iam_role.exec".into())
    );
    assert_eq!(f.environment[0].name.value, "MODE");
    let role = &audit.app.roles[0];
    assert_eq!(role.policies.len(), 2);
    assert!(
        matches!(&role.policies[1].source, PolicySource::Managed { arn } if arn.ends_with("AWSLambdaBasicExecutionRole"))
    );
    assert_eq!(
        role.policies[0].doc.as_ref().unwrap().node.to_json()["Statement"][0]["Action"],
        "s3:GetObject"
    );
}

#[test]
fn resources_know_their_customer_managed_keys() {
    let main = r#"
resource "aws_kms_key" "k" {}

resource "aws_sqs_queue" "cmk" {
  kms_master_key_id = aws_kms_key.k.arn
}

resource "aws_sqs_queue" "managed" {
  kms_master_key_id = "alias/aws/sqs"
}

resource "aws_dynamodb_table" "t" {
  name = "t"
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.k.arn
  }
}

resource "aws_kinesis_stream" "plain" {
  name = "s"
}

resource "aws_s3_bucket" "b" {
  bucket = "b"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
  }
}

resource "aws_ssm_parameter" "p" {
  name   = "p"
  type   = "SecureString"
  key_id = "arn:aws:kms:us-east-1:111122223333:key/abc"
  value  = "x"
}
"#;
    let (files, app, _) = module(&[("main.tf", main)], &[]);
    let key = |addr: &str| {
        app.resources
            .iter()
            .find(|r| r.logical_id == addr)
            .unwrap_or_else(|| panic!("{addr} lowered"))
            .encryption
            .as_ref()
            .map(|k| (k.value.clone(), text_at(&files, k.span).to_string()))
    };
    let (value, text) = key("aws_sqs_queue.cmk").expect("customer managed key");
    assert_eq!(text, "aws_kms_key.k.arn");
    assert!(value.contains("aws_kms_key.k"), "{value}");
    assert_eq!(key("aws_sqs_queue.managed"), None, "AWS managed key");
    assert!(key("aws_dynamodb_table.t").is_some());
    assert_eq!(key("aws_kinesis_stream.plain"), None);
    assert!(
        key("aws_s3_bucket.b").is_some(),
        "from the separate SSE resource"
    );
    assert_eq!(
        key("aws_ssm_parameter.p").map(|k| k.0).as_deref(),
        Some("arn:aws:kms:us-east-1:111122223333:key/abc")
    );
}

fn tree(files: &[(&str, &str)]) -> (App, Vec<String>, Vec<String>) {
    let sources: Vec<SourceFile> = files
        .iter()
        .enumerate()
        .map(|(i, (p, t))| SourceFile::new(FileId(i as u32), *p, *t))
        .collect();
    let refs: Vec<&SourceFile> = sources.iter().collect();
    let read = |_: &str| None;
    let out = parse_module(&refs, &read);
    let issues = out.issues.iter().map(|e| e.message.clone()).collect();
    let incomplete = out.incomplete.iter().map(|e| e.message.clone()).collect();
    (out.app, issues, incomplete)
}

const LAMBDA_MODULE: &str = r#"
variable "name" {}
variable "code" {}
variable "queue_arn" {}
variable "create_role" {
  default = true
}

resource "aws_iam_role" "this" {
  count = var.create_role ? 1 : 0
  name  = "${var.name}-role"
}

resource "aws_iam_role_policy" "send" {
  count = var.create_role ? 1 : 0
  role  = aws_iam_role.this[0].id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = var.queue_arn }]
  })
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  role          = aws_iam_role.this[0].arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "${path.module}/${var.code}"
}

output "arn" {
  value = aws_lambda_function.this.arn
}
"#;

#[test]
fn local_modules_are_instantiated_with_bound_variables_and_sibling_outputs() {
    let root = r#"
module "queue" {
  source = "./modules/queue"
  name   = "jobs"
}
module "fn" {
  for_each  = toset(["a", "b"])
  source    = "./modules/lambda"
  name      = "fn-${each.key}"
  code      = "src/${each.value}"
  queue_arn = module.queue.arn
}
module "nested" {
  source = "./modules/wrapper"
}
"#;
    let queue = r#"
variable "name" {}
resource "aws_sqs_queue" "this" {
  name = var.name
}
output "arn" {
  value = aws_sqs_queue.this.arn
}
"#;
    let wrapper = r#"
module "inner" {
  source    = "../lambda"
  name      = "inner"
  code      = "x"
  queue_arn = "arn:aws:sqs:eu-west-1:111122223333:other"
}
"#;
    let (app, issues, incomplete) = tree(&[
        ("infra/main.tf", root),
        ("infra/modules/queue/main.tf", queue),
        ("infra/modules/lambda/main.tf", LAMBDA_MODULE),
        ("infra/modules/wrapper/main.tf", wrapper),
    ]);
    assert!(issues.is_empty(), "{issues:?}");
    assert!(incomplete.is_empty(), "{incomplete:?}");
    let ids: BTreeSet<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    // The lambda folder is only a child: it is not also audited as a root with unbound
    // variables.
    assert_eq!(
        ids,
        BTreeSet::from([
            "infra/modules/lambda/main.tf#module.fn[\"a\"].aws_lambda_function.this",
            "infra/modules/lambda/main.tf#module.fn[\"b\"].aws_lambda_function.this",
            "infra/modules/lambda/main.tf#module.nested.module.inner.aws_lambda_function.this",
        ])
    );
    let a = app
        .functions
        .iter()
        .find(|f| f.id.contains("fn[\"a\"]"))
        .unwrap();
    assert_eq!(a.name, "module.fn[\"a\"].this");
    assert_eq!(
        a.arn,
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:fn-a"
    );
    // Paths resolve from the root's folder; `path.module` is the module's own folder.
    assert_eq!(
        a.code_path.as_ref().unwrap().value,
        "infra/modules/lambda/src/a"
    );
    let RoleBinding::Role(rid) = &a.role else {
        panic!("{:?}", a.role)
    };
    assert_eq!(
        rid,
        "infra/modules/lambda/main.tf#module.fn[\"a\"].aws_iam_role.this[0]"
    );
    let role = app.roles.iter().find(|r| &r.id == rid).unwrap();
    let doc = role.policies[0].doc.as_ref().unwrap();
    let res = doc.node.get("Statement").unwrap().items().next().unwrap();
    // The sibling module's output, passed as an argument.
    assert_eq!(
        res.get("Resource").unwrap().as_str(),
        Some("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs")
    );
    assert_eq!(
        app.roles.len(),
        3,
        "{:?}",
        app.roles.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
}

#[test]
fn a_reusable_module_without_caller_is_audited_with_its_defaults() {
    let (app, _, incomplete) = tree(&[("modules/lambda/main.tf", LAMBDA_MODULE)]);
    assert!(incomplete.is_empty());
    assert_eq!(app.functions.len(), 1);
    assert_eq!(app.functions[0].id, "modules/lambda/main.tf#this");
    assert_eq!(
        app.functions[0].arn,
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${var.name}"
    );
}

#[test]
fn count_zero_resources_are_not_created() {
    let root = r#"
module "fn" {
  source      = "./lambda"
  name        = "f"
  code        = "src"
  queue_arn   = "arn:aws:sqs:eu-west-1:111122223333:q"
  create_role = false
}
"#;
    let (app, _, _) = tree(&[("main.tf", root), ("lambda/main.tf", LAMBDA_MODULE)]);
    assert_eq!(app.functions.len(), 1);
    assert!(
        app.roles.is_empty(),
        "{:?}",
        app.roles.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
}

#[test]
fn module_cycles_and_unknown_for_each_are_incomplete_not_guessed() {
    let a = r#"
module "b" {
  source = "../b"
}
"#;
    let b = r#"
module "a" {
  source = "../a"
}
resource "aws_sqs_queue" "q" {
  name = "q"
}
"#;
    let root = r#"
variable "names" {}
module "fn" {
  for_each  = var.names
  source    = "./lambda"
  name      = each.key
  code      = "src"
  queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q"
}
"#;
    let (app, issues, incomplete) = tree(&[
        ("a/main.tf", a),
        ("b/main.tf", b),
        ("main.tf", root),
        ("lambda/main.tf", LAMBDA_MODULE),
    ]);
    assert!(issues.is_empty(), "{issues:?}");
    assert!(
        incomplete.iter().any(|m| m.contains("module cycle")),
        "{incomplete:?}"
    );
    assert!(
        incomplete
            .iter()
            .any(|m| m.contains("`for_each` of module `module.fn`")),
        "{incomplete:?}"
    );
    // The unknown for_each is audited once, its name unknown rather than guessed.
    let f = app
        .functions
        .iter()
        .find(|f| f.id.contains("module.fn[*]"))
        .unwrap();
    assert!(f.arn.contains("${"), "{}", f.arn);
    // The cycle's folders are still audited, each once.
    assert_eq!(
        app.resources
            .iter()
            .filter(|r| r.type_name == "AWS::SQS::Queue")
            .count(),
        1
    );
}

#[test]
fn module_fan_out_is_bounded() {
    let level = |next: &str| {
        format!(
            "module \"m\" {{\n  count  = 40\n  source = \"./{next}\"\n}}\nresource \"aws_sqs_queue\" \"q\" {{}}\n"
        )
    };
    let files = [
        ("main.tf".to_string(), level("l1")),
        ("l1/main.tf".to_string(), level("l2")),
        ("l1/l2/main.tf".to_string(), level("l3")),
        ("l1/l2/l3/main.tf".to_string(), level("l4")),
        (
            "l1/l2/l3/l4/main.tf".to_string(),
            "resource \"aws_sqs_queue\" \"q\" {}\n".to_string(),
        ),
    ];
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (app, _, incomplete) = tree(&refs);
    assert!(
        incomplete.iter().any(|m| m.contains("module instances")),
        "{incomplete:?}"
    );
    assert!(app.resources.len() <= 2_100, "{}", app.resources.len());
}

#[test]
fn conditionals_take_a_branch_only_when_the_condition_is_known() {
    let src = r#"
variable "known" {
  default = null
}
variable "unknown" {}
resource "aws_sqs_queue" "a" {
  name = var.known == null ? "fallback" : var.known
}
resource "aws_sqs_queue" "b" {
  name = var.unknown == null ? "fallback" : var.unknown
}
resource "aws_sqs_queue" "c" {
  name = var.unknown ? "same" : "same"
}
"#;
    let (app, _, _) = tree(&[("main.tf", src)]);
    let arn = |n: &str| {
        app.resources
            .iter()
            .find(|r| r.logical_id == n)
            .and_then(|r| r.arn.clone())
            .unwrap()
    };
    assert!(arn("aws_sqs_queue.a").ends_with(":fallback"));
    // Unknown, not the `null` branch.
    let b = arn("aws_sqs_queue.b");
    assert!(
        b.ends_with(":${var.unknown == null ? \"fallback\" : var.unknown}"),
        "{b}"
    );
    assert!(arn("aws_sqs_queue.c").ends_with(":same"));
}

#[test]
fn tfvars_and_provider_accounts_bind() {
    let src = r#"
provider "aws" {
  alias               = "shared"
  allowed_account_ids = ["444455556666"]
}
provider "aws" {
  alias = "logs"
  assume_role {
    role_arn = "arn:aws:iam::777788889999:role/deploy"
  }
}
variable "stage" {
  default = "dev"
}
resource "aws_sqs_queue" "a" {
  provider = aws.shared
  name     = "a-${var.stage}"
}
resource "aws_sqs_queue" "b" {
  provider = aws.logs
  name     = "b"
}
resource "aws_sqs_queue" "c" {
  name = "c"
}
"#;
    let (app, _, _) = tree(&[
        ("env/main.tf", src),
        ("env/terraform.tfvars", "stage = \"prod\"\n"),
        ("env/x.auto.tfvars", "other = 1\n"),
    ]);
    let arns: BTreeSet<String> = app.resources.iter().filter_map(|r| r.arn.clone()).collect();
    assert_eq!(
        arns,
        BTreeSet::from([
            "arn:aws:sqs:${AWS::Region}:444455556666:a-prod".to_string(),
            "arn:aws:sqs:${AWS::Region}:777788889999:b".to_string(),
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:c".to_string(),
        ])
    );
}

#[test]
fn archive_file_resources_give_the_code_path() {
    let src = r#"
resource "archive_file" "dir" {
  type        = "zip"
  source_dir  = "${path.module}/src/dir"
  output_path = "${path.module}/build/dir.zip"
}
resource "archive_file" "inline" {
  type        = "zip"
  output_path = "build/inline.zip"
  source {
    content  = "def handler(e, c):\n    return 1\n"
    filename = "index.py"
  }
}
resource "aws_lambda_function" "dir" {
  function_name = "dir"
  role          = "arn:aws:iam::111122223333:role/r"
  filename      = archive_file.dir.output_path
}
resource "aws_lambda_function" "inline" {
  function_name = "inline"
  role          = "arn:aws:iam::111122223333:role/r"
  filename      = "build/inline.zip"
}
"#;
    let (app, _, _) = tree(&[("tf/main.tf", src)]);
    let f = |n: &str| app.functions.iter().find(|f| f.name == n).unwrap();
    assert_eq!(f("dir").code_path.as_ref().unwrap().value, "tf/src/dir");
    assert!(
        f("inline")
            .inline_code
            .as_ref()
            .unwrap()
            .value
            .contains("def handler")
    );
}

#[test]
fn registry_lambda_module_takes_a_joined_policy_document() {
    let src = r#"
data "aws_iam_policy_document" "extra" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::bucket/*"]
  }
}
module "fn" {
  source             = "terraform-aws-modules/lambda/aws"
  function_name      = "fn"
  handler            = "app.handler"
  runtime            = "python3.12"
  source_path        = "src"
  attach_policy_json = true
  policy_json        = join("", data.aws_iam_policy_document.extra[*].json)
}
"#;
    let (app, _, _) = tree(&[("main.tf", src)]);
    let role = &app.roles[0];
    let pj = role
        .policies
        .iter()
        .find(|p| matches!(&p.source, PolicySource::Inline { name } if name == "policy_json"))
        .unwrap();
    let st = pj.doc.as_ref().unwrap().node.get("Statement").unwrap();
    let first = st.items().next().unwrap();
    assert_eq!(
        first
            .get("Action")
            .unwrap()
            .items()
            .next()
            .unwrap()
            .as_str(),
        Some("s3:GetObject")
    );
    assert!(role.policies.iter().any(|p| matches!(&p.source, PolicySource::Implicit { reason, .. } if reason == "attach_cloudwatch_logs_policy")));
}

#[test]
fn a_log_group_arn_attribute_has_no_stream_wildcard() {
    // The AWS provider strips the API's `:*` from `aws_cloudwatch_log_group.arn`.
    let main = r#"
resource "aws_cloudwatch_log_group" "lg" {
  name = "/aws/lambda/f"
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::111122223333:role/r"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "f.zip"
  environment {
    variables = {
      GROUP   = aws_cloudwatch_log_group.lg.arn
      STREAMS = "${aws_cloudwatch_log_group.lg.arn}:*"
    }
  }
}
"#;
    let (_, app, _) = module(&[("main.tf", main)], &[]);
    let value = |name: &str| {
        app.functions[0]
            .environment
            .iter()
            .find(|e| e.name.value == name)
            .and_then(|e| e.value.as_ref())
            .map(|v| v.value.clone())
    };
    let group = value("GROUP").expect("resolved");
    assert!(group.ends_with(":log-group:/aws/lambda/f"), "{group}");
    assert_eq!(value("STREAMS"), Some(format!("{group}:*")));
}

#[test]
fn lambda_module_builds_a_layer_or_a_function_with_its_log_group() {
    // terraform-aws-lambda main.tf: `aws_lambda_function.this` has
    // `count = local.create && var.create_function && !var.create_layer`, and
    // `aws_cloudwatch_log_group.lambda` is created beside the function by default.
    let main = r#"
module "layer" {
  source              = "terraform-aws-modules/lambda/aws"
  create_layer        = true
  layer_name          = "deps"
  compatible_runtimes = ["python3.12"]
  source_path         = "./deps"
}
module "fn" {
  source        = "terraform-aws-modules/lambda/aws"
  function_name = "worker"
  handler       = "app.handler"
  runtime       = "python3.12"
  source_path   = "./src"
  layers        = [module.layer.lambda_layer_arn]
}
module "edge" {
  source         = "terraform-aws-modules/lambda/aws"
  function_name  = "edge"
  handler        = "app.handler"
  runtime        = "python3.12"
  source_path    = "./src"
  lambda_at_edge = true
}
"#;
    let (_, app, issues) = module(&[("main.tf", main)], &[]);
    assert!(issues.is_empty(), "{issues:?}");
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["main.tf#edge", "main.tf#fn"]);
    assert_eq!(app.roles.len(), 2);
    let groups: Vec<&str> = app
        .resources
        .iter()
        .filter_map(|r| match &r.kind {
            rolefit::model::ResourceKind::LogGroup { name } => name.as_deref(),
            _ => None,
        })
        .collect();
    assert_eq!(groups, ["/aws/lambda/worker"]);
}

#[test]
fn resource_count_and_for_each_make_instances_with_keyed_references() {
    let main = r#"
variable "create" { default = true }
variable "skip" { default = false }
variable "names" {}
resource "aws_sqs_queue" "q" {
  count = var.create && !var.skip ? 2 : 0
  name  = "q-${count.index}"
}
resource "aws_sqs_queue" "off" {
  count = var.skip || !var.create ? 1 : 0
  name  = "off"
}
resource "aws_sns_topic" "t" {
  for_each = { a = "alpha", b = "beta" }
  name     = each.value
}
resource "aws_sqs_queue" "unknown" {
  for_each = toset(var.names)
  name     = each.key
}
resource "aws_iam_role" "r" {
  name = "r"
  inline_policy {
    name = "p"
    policy = jsonencode({
      Statement = [
        { Effect = "Allow", Action = "sqs:SendMessage", Resource = aws_sqs_queue.q[*].arn },
        { Effect = "Allow", Action = "sns:Publish", Resource = aws_sns_topic.t["b"].arn },
        { Effect = "Allow", Action = "sqs:DeleteMessage", Resource = one(aws_sqs_queue.off[*].arn) },
      ]
    })
  }
}
"#;
    let (app, issues, incomplete) = tree(&[("main.tf", main)]);
    assert!(issues.is_empty(), "{issues:?}");
    let mut ids: Vec<&str> = app.resources.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "main.tf#aws_sns_topic.t[\"a\"]",
            "main.tf#aws_sns_topic.t[\"b\"]",
            "main.tf#aws_sqs_queue.q[0]",
            "main.tf#aws_sqs_queue.q[1]",
            "main.tf#aws_sqs_queue.unknown",
        ]
    );
    let t = app
        .resources
        .iter()
        .find(|r| r.id.ends_with("t[\"a\"]"))
        .unwrap();
    assert_eq!(
        t.arn.as_deref(),
        Some("arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alpha")
    );
    assert!(
        incomplete
            .iter()
            .any(|m| m.contains("`for_each` of `aws_sqs_queue.unknown`")),
        "{incomplete:?}"
    );
    let doc = app.roles[0].policies[0]
        .doc
        .as_ref()
        .unwrap()
        .node
        .to_json();
    assert_eq!(
        doc["Statement"][0]["Resource"],
        serde_json::json!([
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q-0",
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q-1"
        ])
    );
    assert_eq!(
        doc["Statement"][1]["Resource"],
        "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:beta"
    );
    // `one()` of no instances is null: no resource, not a guess.
    assert_eq!(doc["Statement"][2]["Resource"], serde_json::Value::Null);
}

#[test]
fn archive_source_blocks_reading_files_link_the_file() {
    let main = r#"
data "archive_file" "one" {
  type        = "zip"
  output_path = "${path.module}/one.zip"
  source {
    filename = "worker.py"
    content  = file("${path.module}/src/worker.py")
  }
}
data "archive_file" "two" {
  type        = "zip"
  output_path = "${path.module}/two.zip"
  source {
    filename = "util.py"
    content  = file("${path.module}/src/util.py")
  }
  source {
    filename = "api.py"
    content  = file("${path.module}/src/api.py")
  }
}
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::111122223333:role/r"
  handler       = "worker.handler"
  filename      = data.archive_file.one.output_path
}
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::111122223333:role/r"
  handler       = "api.handler"
  filename      = data.archive_file.two.output_path
}
"#;
    let (_, app, issues) = module(
        &[("infra/main.tf", main)],
        &[
            ("infra/src/worker.py", "def handler(e, c): pass\n"),
            ("infra/src/util.py", "X = 1\n"),
            ("infra/src/api.py", "def handler(e, c): pass\n"),
        ],
    );
    assert!(issues.is_empty(), "{issues:?}");
    let code = |id: &str| {
        let f = app.functions.iter().find(|f| f.id.ends_with(id)).unwrap();
        assert!(f.inline_code.is_none());
        f.code_path.as_ref().map(|c| c.value.clone())
    };
    assert_eq!(code("#worker").as_deref(), Some("infra/src/worker.py"));
    // Of several files, the one the handler's module names.
    assert_eq!(code("#api").as_deref(), Some("infra/src/api.py"));
}

#[test]
fn java_artefacts_are_code_paths_other_archives_are_not() {
    let main = r#"
resource "aws_lambda_function" "java" {
  function_name = "java"
  role          = "arn:aws:iam::111122223333:role/r"
  runtime       = "java21"
  handler       = "com.example.Orders::handleRequest"
  filename      = "${path.module}/../orders/target/orders-1.0.jar"
}
resource "aws_lambda_function" "py" {
  function_name = "py"
  role          = "arn:aws:iam::111122223333:role/r"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/lambda.zip"
}
"#;
    let (_, app, issues) = module(&[("infra/main.tf", main)], &[]);
    assert!(issues.is_empty(), "{issues:?}");
    let code = |id: &str| {
        let f = app.functions.iter().find(|f| f.id.ends_with(id)).unwrap();
        f.code_path.as_ref().map(|c| c.value.clone())
    };
    // The artefact names its Maven project (`orders`), which the code stage reads.
    assert_eq!(
        code("#java").as_deref(),
        Some("orders/target/orders-1.0.jar")
    );
    // A script-built zip names no local code (the code stage may search for the handler).
    assert_eq!(code("#py"), None);
}

#[test]
fn packages_built_by_the_lambda_registry_module_are_code() {
    let main = r#"
module "package" {
  source          = "terraform-aws-modules/lambda/aws"
  version         = "~> 7.0"
  create_function = false
  runtime         = "python3.12"
  source_path     = "${path.module}/src/worker"
}
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::111122223333:role/r"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = module.package.local_filename
}
"#;
    let (_, app, issues) = module(&[("infra/main.tf", main)], &[]);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(
        app.functions.len(),
        1,
        "the package module makes no function"
    );
    assert_eq!(
        app.functions[0].code_path.as_ref().unwrap().value,
        "infra/src/worker"
    );
}
