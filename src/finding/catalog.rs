//! The text of every rule, written once: id, default severity, summary, why it matters, an
//! example, the fix and the label of the primary span. `rolefit explain`, `docs/rules.md`,
//! `docs/rule-table.md`, SARIF rule help and the labels of `--format human` are all generated
//! from this table. It lives among the foundations so that the configuration can validate
//! rule ids and the report can describe rules without depending on the rules stage; each rule
//! in `rules::ALL` returns its entry here as its `meta()` (a test keeps the two lists in step).
//!
//! `docs/rules.md` and `docs/rule-table.md` are regenerated with
//! `ROLEFIT_UPDATE_DOCS=1 cargo test --test docs`; the same test fails when they are stale.

use super::{Finding, Severity};
use crate::source::Span;

/// Where `--format human` and SARIF point for a rule's documentation (`#<rule-id>` anchors).
pub const DOCS_URL: &str = "https://github.com/rolefit/rolefit/blob/main/docs/rules.md";

/// A rule's id, default severity and documentation (ruff's headings).
#[derive(Debug)]
pub struct RuleDoc {
    pub id: &'static str,
    pub severity: Severity,
    /// One sentence: what the rule finds.
    pub summary: &'static str,
    /// Why it matters: what goes wrong when the finding is ignored.
    pub why: &'static str,
    /// A short input that triggers the rule (template or code lines, shown verbatim).
    pub example: &'static str,
    /// How to make the finding go away.
    pub fix: &'static str,
    /// The label put on the primary span in human output.
    pub label: &'static str,
}

impl RuleDoc {
    /// A finding of this rule with its default severity.
    pub fn finding(&'static self, message: impl Into<String>, primary: Span) -> Finding {
        Finding {
            rule: self.id,
            severity: self.severity,
            function: None,
            functions: Vec::new(),
            message: message.into(),
            primary,
            related: Vec::new(),
            actions: Vec::new(),
            resources: Vec::new(),
            fix: None,
            fix_text: None,
        }
    }

    /// The rule's section of `docs/rules.md` on the web.
    pub fn help_uri(&self) -> String {
        format!("{DOCS_URL}#{}", self.id)
    }

    /// The rule's page as plain text, as `rolefit explain RULE` prints it (SARIF `help.text`).
    pub fn explain(&self) -> String {
        format!(
            "# {} ({})\n\n{}",
            self.id,
            self.severity.as_str(),
            self.body("##", false)
        )
    }

    /// The same page in Markdown, with the example in a code block (SARIF `help.markdown`).
    pub fn help_markdown(&self) -> String {
        format!(
            "# {} ({})\n\n{}",
            self.id,
            self.severity.as_str(),
            self.body("##", true)
        )
    }

    /// The rule's section of `docs/rules.md`. The heading is the bare id so that its anchor
    /// is `#<rule-id>`, the one `help_uri` links to.
    fn page_section(&self) -> String {
        format!(
            "## {}\n\nDefault severity: {}.\n\n{}",
            self.id,
            self.severity.as_str(),
            self.body("###", true)
        )
    }

    /// Summary, why, example and fix under headings of level `h`.
    fn body(&self, h: &str, markdown: bool) -> String {
        let example = if markdown {
            format!("```\n{}\n```", self.example)
        } else {
            self.example.to_string()
        };
        format!(
            "{}\n\n{h} Why it matters\n{}\n\n{h} Example\n{example}\n\n{h} Fix\n{}\n",
            self.summary, self.why, self.fix
        )
    }

    /// The summary as the `meaning` column of the rule table: lower-case start, no final stop.
    fn meaning(&self) -> String {
        let s = self.summary.strip_suffix('.').unwrap_or(self.summary);
        let mut chars = s.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

/// Every rule, in documentation order (the order of `rules::ALL`).
pub static ALL: &[&RuleDoc] = &[
    &MISSING_PERMISSION,
    &UNUSED_PERMISSION,
    &WILDCARD_PERMISSION,
    &PRIVILEGE_ESCALATION,
    &MISSING_INVOKE_PERMISSION,
    &PUBLIC_INVOKE,
    &CONFUSED_DEPUTY,
    &CROSS_ACCOUNT_ACCESS,
    &RECURSIVE_INVOCATION,
    &SHARED_EXECUTION_ROLE,
    &UNTRUSTED_ROLE,
    &PLAINTEXT_SECRET,
    &UNKNOWN_ACTION,
    &LAMBDA_LIMITS,
    &PARSE_ERROR,
    &INCOMPLETE_INPUT,
    &UNUSED_SUPPRESSION,
];

/// The entry of a rule id.
pub fn find(id: &str) -> Option<&'static RuleDoc> {
    ALL.iter().copied().find(|d| d.id == id)
}

/// Every rule id, in documentation order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|d| d.id)
}

/// The whole of `docs/rules.md`.
pub fn rules_page() -> String {
    let mut page = String::from(
        "# rolefit rules\n\nGenerated from the rule catalog (`src/finding/catalog.rs`); \
         `rolefit explain RULE` prints the same text.\n",
    );
    for doc in ALL {
        page.push('\n');
        page.push_str(&doc.page_section());
    }
    page
}

/// The rule table: one row per rule with its default severity and its summary. It is the
/// whole of `docs/rule-table.md` after its heading, and the table of the README's "Rules".
pub fn rule_table() -> String {
    let mut table = String::from("| rule | severity | meaning |\n| --- | --- | --- |\n");
    for doc in ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            doc.id,
            doc.severity.as_str(),
            doc.meaning()
        ));
    }
    table
}

pub static MISSING_PERMISSION: RuleDoc = RuleDoc {
    id: "missing-permission",
    severity: Severity::Error,
    summary: "The execution role does not allow an action that the code, an event source, a destination or the configuration needs.",
    why: "Lambda runs the function with its execution role only. An SDK call the role does not \
          allow fails with AccessDenied at run time; an event source the role cannot read is \
          never polled; logs the role cannot write are lost.",
    example: "# template.yaml\nPolicies:\n  - DynamoDBReadPolicy: {TableName: !Ref Orders}\n# app.py\ntable.put_item(Item=order)   # needs dynamodb:PutItem",
    fix: "Add the suggested statement to the role (`rolefit policy` prints the whole \
          least-privilege policy), or remove the call. An action AWS defines with no resource \
          type accepts only `Resource: \"*\"`: a grant of it on an ARN never applies, and the \
          finding says so at warning severity.",
    label: "needs a permission the role lacks",
};

pub static UNUSED_PERMISSION: RuleDoc = RuleDoc {
    id: "unused-permission",
    severity: Severity::Warning,
    summary: "The execution role allows an action that nothing in the function needs.",
    why: "Each permission the function does not use is one an attacker who reaches the \
          function can use. Least privilege means granting only what the code, triggers and \
          configuration need.",
    example: "Policies:\n  - Statement:\n      - Effect: Allow\n        Action: [s3:GetObject, s3:DeleteObject]   # DeleteObject is never called",
    fix: "Remove the action (or the policy). For a SAM policy template or AWS managed policy \
          used in part, the finding lists the unused actions and suggests the narrowest \
          replacement: a smaller SAM template with the same parameters, a pair of them, or an \
          inline statement. `rolefit policy` prints what the function needs.",
    label: "unused",
};

pub static WILDCARD_PERMISSION: RuleDoc = RuleDoc {
    id: "wildcard-permission",
    severity: Severity::Warning,
    summary: "An action wildcard or `Resource: \"*\"` grants more than what is needed, where something narrower is known.",
    why: "Wildcards grant every current and future action or resource that matches. The \
          function's needs are known, so a narrower statement gives it the same abilities \
          and nothing more.",
    example: "- Effect: Allow\n  Action: dynamodb:*\n  Resource: \"*\"   # the code only calls GetItem and PutItem on OrdersTable",
    fix: "Replace the statement with the suggested one: the actions the code calls, on the \
          resources it touches. An action wildcard and `Resource: \"*\"` in one statement are \
          one finding with one fix; a wildcard nothing uses is `unused-permission`.",
    label: "broader than needed",
};

pub static PRIVILEGE_ESCALATION: RuleDoc = RuleDoc {
    id: "privilege-escalation",
    severity: Severity::Error,
    summary: "The role can change IAM or code (`iam:PassRole` on `*`, `iam:*`, `lambda:UpdateFunctionCode` on `*`, …).",
    why: "With these actions code in the function can attach AdministratorAccess to a role, \
          pass a powerful role to a new function, or replace another function's code: one \
          injection bug becomes an account takeover.",
    example: "- Effect: Allow\n  Action: iam:PassRole\n  Resource: \"*\"",
    fix: "Scope the action to the exact role or function ARNs the code needs (and add an \
          `iam:PassedToService` condition to PassRole), or remove it.",
    label: "escalation path",
};

pub static MISSING_INVOKE_PERMISSION: RuleDoc = RuleDoc {
    id: "missing-invoke-permission",
    severity: Severity::Error,
    summary: "A trigger (S3, SNS, EventBridge, API Gateway and its authorizers, ALB, Cognito, IoT, Lex, Config, SES, CloudWatch alarms, …) cannot invoke the function: no matching `lambda:InvokeFunction` grant for its principal and qualifier.",
    why: "Push triggers call Lambda with their service principal, which needs a grant in the \
          function's resource-based policy. A grant covers only the ARN it names: one on the \
          function does not let a trigger invoke an alias or version, nor one on an alias the \
          unqualified function. Without a matching grant every event is refused.",
    example: "Rule:\n  Type: AWS::Events::Rule\n  Properties:\n    Targets:\n      - Id: fn\n        Arn: !GetAtt Fn.Arn   # and no AWS::Lambda::Permission for events.amazonaws.com",
    fix: "Add an `AWS::Lambda::Permission` with `Action: lambda:InvokeFunction`, the service \
          principal, `SourceArn` set to the trigger's ARN, and `FunctionName` naming the same alias \
          or version the trigger invokes (SAM `Events` do this for you).",
    label: "no permission to invoke",
};

pub static PUBLIC_INVOKE: RuleDoc = RuleDoc {
    id: "public-invoke",
    severity: Severity::Error,
    summary: "The resource-based policy lets anyone invoke (`Principal: \"*\"` without a narrowing condition), or a function URL uses `AuthType: NONE`.",
    why: "A `*` principal is any AWS account in the world; a URL without IAM auth is anyone on \
          the internet. Unless the function is meant to be a public endpoint that does its own \
          authentication, this exposes its data and its bill.",
    example: "FunctionUrl:\n  Type: AWS::Lambda::Url\n  Properties:\n    AuthType: NONE\n    TargetFunctionArn: !GetAtt Fn.Arn",
    fix: "Use `AuthType: AWS_IAM` (or put API Gateway with an authorizer in front), and scope \
          `*` grants with `SourceArn`, `SourceAccount` or `PrincipalOrgID`.",
    label: "open to anyone",
};

pub static CONFUSED_DEPUTY: RuleDoc = RuleDoc {
    id: "confused-deputy",
    severity: Severity::Warning,
    summary: "A service principal may invoke without `SourceArn`/`SourceAccount` conditions.",
    why: "Services such as S3, SNS and EventBridge invoke functions for all their customers. \
          A grant to the service with no source condition lets resources in other accounts \
          trigger the function through the service.",
    example: "Permission:\n  Type: AWS::Lambda::Permission\n  Properties:\n    Action: lambda:InvokeFunction\n    FunctionName: !Ref Fn\n    Principal: s3.amazonaws.com",
    fix: "Add `SourceArn` (the bucket, rule or topic ARN) and, for S3, `SourceAccount: !Ref AWS::AccountId`.",
    label: "service principal without a source condition",
};

pub static CROSS_ACCOUNT_ACCESS: RuleDoc = RuleDoc {
    id: "cross-account-access",
    severity: Severity::Warning,
    summary: "A resource-based policy grants another account, or the function reaches a resource in another account whose policy does not grant the role.",
    why: "A grant to another account trusts everything that account's administrators allow \
          their principals to do. It is often right, but it should never be accidental.",
    example: "Permission:\n  Type: AWS::Lambda::Permission\n  Properties:\n    Action: lambda:InvokeFunction\n    FunctionName: !Ref Fn\n    Principal: \"444455556666\"",
    fix: "Confirm the account is trusted; grant a specific role ARN rather than the whole \
          account, and add `PrincipalOrgID` when the accounts share an organization.",
    label: "another account",
};

pub static RECURSIVE_INVOCATION: RuleDoc = RuleDoc {
    id: "recursive-invocation",
    severity: Severity::Warning,
    summary: "The function can trigger itself (writes to the bucket/queue/topic that invokes it, or invokes itself), directly or through other functions.",
    why: "A function that writes to its own trigger invokes itself again for every write, in an \
          endless and costly loop. Lambda stops some SQS/SNS/S3 loops after 16 rounds, not all.",
    example: "Events:\n  Upload: {Type: S3, Properties: {Bucket: !Ref Photos, Events: s3:ObjectCreated:*}}\n# handler\ns3.put_object(Bucket=os.environ['PHOTOS'], Key=f'thumb/{key}', Body=thumb)",
    fix: "Write to another bucket/queue/topic, or filter the trigger (an S3 `prefix` the \
          output never uses) so the function's own output does not invoke it.",
    label: "feeds its own trigger",
};

pub static SHARED_EXECUTION_ROLE: RuleDoc = RuleDoc {
    id: "shared-execution-role",
    severity: Severity::Note,
    summary: "Several functions share one execution role, so each receives the union of their permissions.",
    why: "A role grants the same rights to every function that assumes it. A flaw in the \
          least trusted function can use every permission that any of the others needs.",
    example: "Resources:\n  SharedRole: {Type: AWS::IAM::Role, ...}\n  Reader: {Type: AWS::Serverless::Function, Properties: {Role: !GetAtt SharedRole.Arn}}\n  Writer: {Type: AWS::Serverless::Function, Properties: {Role: !GetAtt SharedRole.Arn}}",
    fix: "Give each function its own role with only what it needs (`rolefit policy` prints it).",
    label: "role shared by several functions",
};

pub static UNTRUSTED_ROLE: RuleDoc = RuleDoc {
    id: "untrusted-role",
    severity: Severity::Error,
    summary: "The execution role's trust policy does not let `lambda.amazonaws.com` assume it.",
    why: "Lambda assumes the execution role on every invocation. Without a trust statement for \
          the Lambda service principal the deployment fails, or an old role keeps working \
          only until it is recreated.",
    example: "AssumeRolePolicyDocument:\n  Statement:\n    - Effect: Allow\n      Principal: {Service: ec2.amazonaws.com}\n      Action: sts:AssumeRole",
    fix: "Trust the Lambda service principal: `Principal: {Service: lambda.amazonaws.com}`, \
          `Action: sts:AssumeRole`.",
    label: "Lambda cannot assume this role",
};

pub static PLAINTEXT_SECRET: RuleDoc = RuleDoc {
    id: "plaintext-secret",
    severity: Severity::Warning,
    summary: "A secret-looking environment variable is set in plain text.",
    why: "Anyone who can read the function's configuration or the repository can read the \
          value. Secrets belong in Secrets Manager or SSM SecureString, resolved at run time.",
    example: "Environment:\n  Variables:\n    DB_PASSWORD: hunter2",
    fix: "Store the value in Secrets Manager and pass its ARN (`!Ref DbSecret`) or a dynamic \
          reference (`{{resolve:secretsmanager:db:SecretString:password}}`); read it in code.",
    label: "secret in plain text",
};

pub static UNKNOWN_ACTION: RuleDoc = RuleDoc {
    id: "unknown-action",
    severity: Severity::Warning,
    summary: "A policy names an action or service prefix that AWS does not define (the nearest real one is suggested).",
    why: "IAM does not reject unknown actions: the statement is accepted and grants nothing, \
          so the function fails at run time although the policy looks right.",
    example: "Action: s3:GetObjects   # did you mean s3:GetObject?",
    fix: "Correct the spelling to the suggested action.",
    label: "not an AWS action",
};

pub static LAMBDA_LIMITS: RuleDoc = RuleDoc {
    id: "lambda-limits",
    severity: Severity::Warning,
    summary: "A function's configuration is outside Lambda's documented limits (timeout > 900 s, memory outside 128–10,240 MB, ephemeral storage outside 512–10,240 MB, environment variables over 4 KB, more than 5 layers).",
    why: "Lambda rejects the configuration at deploy time: timeout at most 900 s, memory \
          128–10,240 MB, ephemeral storage 512–10,240 MB, 4 KB of environment variables, 5 layers.",
    example: "Properties:\n  Timeout: 1200\n  MemorySize: 64",
    fix: "Bring the value inside the limit; for work longer than 15 minutes use Step Functions \
          or split the work.",
    label: "outside Lambda's limits",
};

pub static PARSE_ERROR: RuleDoc = RuleDoc {
    id: "parse-error",
    severity: Severity::Warning,
    summary: "An input file could not be parsed; the rest was analysed.",
    why: "rolefit cannot check what it cannot read. The rest of the tree is still audited, \
          but findings for this file's functions are missing.",
    example: "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n   Properties:   # bad indentation",
    fix: "Fix the syntax (the message says where), or exclude the file if it is not a template.",
    label: "cannot parse",
};

pub static INCOMPLETE_INPUT: RuleDoc = RuleDoc {
    id: "incomplete-input",
    severity: Severity::Note,
    summary: "Something the audit depends on could not be known: a file the input refers to is not in the repository, a handler's code is absent, a value exists only at deploy time, a CDK project has no `cdk.out`, or `rolefit collect` could not read an API (access denied, throttled).",
    why: "Nothing is broken, but rolefit does not guess: values from an absent file (a secrets \
          file kept out of the repository, a build output) stay unknown, and so do the grants \
          and needs built from them. Functions whose needs are incomplete get no \
          `unused-permission` findings, and a CDK project is not audited at all until it is \
          synthesized. Each unknown is said once, at its first reference.",
    example: "custom: ${file(./secrets.yml)}   # secrets.yml is not in the repository\n\
              environment:\n  TABLE: ${self:custom.tableName}",
    fix: "Nothing to fix in the input when the file is rightly absent. To audit more, add the \
          file (or a copy with placeholder values) to the audited folder, build the code, or \
          run `npx cdk synth` (`cdk synth --output cdk.out`) before `rolefit audit`. For a \
          collection gap, give the collecting role the policy `rolefit collect --print-policy` \
          prints and collect again.",
    label: "unknown to the audit",
};

pub static UNUSED_SUPPRESSION: RuleDoc = RuleDoc {
    id: "unused-suppression",
    severity: Severity::Note,
    summary: "A suppression has no reason, names an unknown rule, or silences nothing.",
    why: "A suppression is a decision someone has to be able to review: without a reason it \
          is not applied. One that silences nothing is stale (the code or policy changed) and \
          would hide the next real finding on that line.",
    example: "handler.py:\n  s3.put_object(...)  # rolefit: ignore[missing-permission]\n\
              (no reason given, or the call is no longer reported)",
    fix: "Write the reason after the brackets (`# rolefit: ignore[missing-permission] the \
          bucket policy grants it`), fix the rule id, or delete the suppression.",
    label: "suppression",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_every_text_is_written() {
        let mut seen = std::collections::BTreeSet::new();
        for doc in ALL {
            assert!(seen.insert(doc.id), "duplicate rule id {}", doc.id);
            assert!(
                !doc.id.is_empty() && doc.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                doc.id
            );
            for text in [doc.summary, doc.why, doc.example, doc.fix, doc.label] {
                assert!(!text.trim().is_empty(), "{} lacks documentation", doc.id);
            }
            assert!(
                doc.summary.ends_with('.'),
                "{}: a summary is a sentence",
                doc.id
            );
            assert!(
                !doc.example.contains("```"),
                "{}: the example would break its code block",
                doc.id
            );
            assert_eq!(find(doc.id).map(|d| d.id), Some(doc.id));
        }
        assert!(find("no-such-rule").is_none());
    }

    #[test]
    fn generated_texts_share_the_written_ones() {
        let doc = &MISSING_PERMISSION;
        let md = doc.help_markdown();
        assert!(
            doc.explain()
                .starts_with("# missing-permission (error)\n\nThe execution role")
        );
        assert!(md.contains(&format!("## Example\n```\n{}\n```\n", doc.example)));
        assert_eq!(
            doc.help_uri(),
            "https://github.com/rolefit/rolefit/blob/main/docs/rules.md#missing-permission"
        );
        assert!(rules_page().contains("\n## missing-permission\n\nDefault severity: error.\n"));
        assert!(rule_table().contains(
            "| `parse-error` | warning | an input file could not be parsed; the rest was analysed |\n"
        ));
    }
}
