//! AWS SAM policy templates (`DynamoDBCrudPolicy`, `S3ReadPolicy`, ...). Source: PyPI
//! `aws-sam-translator` `policy_templates.json`, condensed by `policies/regen`.
//! [`sam_expand`] turns a template and its parameters into a plain policy document, the way
//! the SAM translator does before CloudFormation sees it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{blobs, decode};

/// One SAM policy template.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SamTemplate {
    #[serde(skip)]
    pub name: String,
    pub description: String,
    /// Parameter names the template needs (`TableName`).
    pub parameters: Vec<String>,
    /// The policy document with CloudFormation intrinsics (`Fn::Sub`, `Ref`).
    pub definition: Value,
}

#[derive(Deserialize)]
struct RawTemplates {
    templates: BTreeMap<String, SamTemplate>,
}

fn templates() -> &'static BTreeMap<String, SamTemplate> {
    static CELL: OnceLock<BTreeMap<String, SamTemplate>> = OnceLock::new();
    CELL.get_or_init(|| {
        let raw: RawTemplates = decode("sam-policy-templates.json", blobs::SAM_TEMPLATES);
        raw.templates
            .into_iter()
            .map(|(name, mut t)| {
                t.name.clone_from(&name);
                (name, t)
            })
            .collect()
    })
}

/// A SAM policy template by name (exact spelling, as SAM requires).
pub fn sam_template(name: &str) -> Option<&'static SamTemplate> {
    templates().get(name)
}

/// Every template name, sorted.
pub fn sam_template_names() -> impl Iterator<Item = &'static str> {
    templates().keys().map(String::as_str)
}

/// Expands a template with its parameters into a policy document holding only strings:
/// `${AWS::Partition}` becomes `aws`; other pseudo parameters (`${AWS::Region}`,
/// `${AWS::AccountId}`) stay as literal `${...}` placeholders; `${Param}` and `Ref: Param`
/// take the given value. Errors name an unknown template or a missing parameter.
pub fn sam_expand(name: &str, params: &BTreeMap<String, String>) -> Result<Value, String> {
    let t = sam_template(name).ok_or_else(|| format!("unknown SAM policy template `{name}`"))?;
    let missing: Vec<&str> = t
        .parameters
        .iter()
        .filter(|p| !params.contains_key(*p))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "SAM policy template `{name}` needs parameter(s): {}",
            missing.join(", ")
        ));
    }
    eval(&t.definition, params, &BTreeMap::new())
}

/// Evaluates intrinsics in `v`; `vars` are the variables of an enclosing `Fn::Sub` list form.
fn eval(
    v: &Value,
    params: &BTreeMap<String, String>,
    vars: &BTreeMap<String, String>,
) -> Result<Value, String> {
    match v {
        Value::Object(m) if m.len() == 1 => {
            if let Some(arg) = m.get("Ref") {
                let name = arg.as_str().ok_or("`Ref` needs a string")?;
                return reference(name, params, vars).map(Value::String);
            }
            if let Some(arg) = m.get("Fn::Sub") {
                return sub(arg, params).map(Value::String);
            }
            if let Some(arg) = m.get("Fn::Join") {
                return join(arg, params, vars).map(Value::String);
            }
            eval_object(m, params, vars)
        }
        Value::Object(m) => eval_object(m, params, vars),
        Value::Array(items) => items
            .iter()
            .map(|i| eval(i, params, vars))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn eval_object(
    m: &Map<String, Value>,
    params: &BTreeMap<String, String>,
    vars: &BTreeMap<String, String>,
) -> Result<Value, String> {
    let mut out = Map::new();
    for (k, v) in m {
        if k.starts_with("Fn::") {
            return Err(format!(
                "unsupported intrinsic `{k}` in a SAM policy template"
            ));
        }
        out.insert(k.clone(), eval(v, params, vars)?);
    }
    Ok(Value::Object(out))
}

/// The value of `Ref: name` / `${name}`: a `Fn::Sub` variable, a pseudo parameter or a
/// template parameter.
fn reference(
    name: &str,
    params: &BTreeMap<String, String>,
    vars: &BTreeMap<String, String>,
) -> Result<String, String> {
    if let Some(v) = vars.get(name).or_else(|| params.get(name)) {
        return Ok(v.clone());
    }
    match name {
        // rolefit writes the partition as `aws` everywhere (see crate::model).
        "AWS::Partition" => Ok("aws".to_owned()),
        _ if name.starts_with("AWS::") => Ok(format!("${{{name}}}")),
        _ => Err(format!(
            "SAM policy template references unknown parameter `{name}`"
        )),
    }
}

/// `Fn::Sub` in its string and `[string, {vars}]` forms.
fn sub(arg: &Value, params: &BTreeMap<String, String>) -> Result<String, String> {
    let (text, vars) = match arg {
        Value::String(s) => (s.as_str(), BTreeMap::new()),
        Value::Array(a) if a.len() == 2 => {
            let text = a[0].as_str().ok_or("`Fn::Sub` needs a string")?;
            let map = a[1]
                .as_object()
                .ok_or("`Fn::Sub` variables must be a map")?;
            let mut vars = BTreeMap::new();
            for (k, v) in map {
                match eval(v, params, &BTreeMap::new())? {
                    Value::String(s) => vars.insert(k.clone(), s),
                    _ => return Err(format!("`Fn::Sub` variable `{k}` is not a string")),
                };
            }
            (text, vars)
        }
        _ => return Err("malformed `Fn::Sub`".to_owned()),
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or("unterminated `${` in `Fn::Sub`")?;
        let name = &after[..end];
        match name.strip_prefix('!') {
            // `${!Literal}` writes `${Literal}` verbatim.
            Some(lit) => out.push_str(&format!("${{{lit}}}")),
            None => out.push_str(&reference(name, params, &vars)?),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn join(
    arg: &Value,
    params: &BTreeMap<String, String>,
    vars: &BTreeMap<String, String>,
) -> Result<String, String> {
    let parts = arg
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or("malformed `Fn::Join`")?;
    let sep = parts[0]
        .as_str()
        .ok_or("`Fn::Join` separator must be a string")?;
    let items = parts[1].as_array().ok_or("`Fn::Join` needs a list")?;
    let mut strings = Vec::new();
    for i in items {
        match eval(i, params, vars)? {
            Value::String(s) => strings.push(s),
            _ => return Err("`Fn::Join` item is not a string".to_owned()),
        }
    }
    Ok(strings.join(sep))
}

/// How SAM turns a connector between two resource types into permissions (the `Type` of a
/// profile in `samtranslator/model/connector_profiles/profiles.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum ConnectorProfileType {
    /// An `AWS::IAM::ManagedPolicy` attached to the source's (or destination's) role.
    #[serde(rename = "AWS_IAM_ROLE_MANAGED_POLICY")]
    RolePolicy,
    /// An `AWS::Lambda::Permission` on the function.
    #[serde(rename = "AWS_LAMBDA_PERMISSION")]
    LambdaPermission,
    /// An `AWS::SQS::QueuePolicy` on the destination queue.
    #[serde(rename = "AWS_SQS_QUEUE_POLICY")]
    QueuePolicy,
    /// An `AWS::SNS::TopicPolicy` on the destination topic.
    #[serde(rename = "AWS_SNS_TOPIC_POLICY")]
    TopicPolicy,
}

/// One SAM connector profile: what a connector from one resource type to another grants.
/// Statements keep SAM's placeholders (`%{Source.Arn}`, `%{Destination.Arn}`,
/// `%{Destination.Name}`, `${AWS::Partition}`); [`ConnectorProfile::statements`] fills them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ConnectorProfile {
    #[serde(rename = "type")]
    pub kind: ConnectorProfileType,
    /// The policy goes on the source's role (`true`) or the destination's (`false`).
    pub source_policy: bool,
    /// Access category (`Read`, `Write`) → the statements it grants (role policies only).
    pub categories: BTreeMap<String, Vec<Value>>,
    /// The Lambda permission's principal (`sns.amazonaws.com`).
    #[serde(default)]
    pub principal: Option<String>,
    /// The Lambda permission's `SourceArn` template.
    #[serde(default)]
    pub source_arn: Option<String>,
}

impl ConnectorProfile {
    /// The statements of the chosen `Permissions` (`SamConnector._get_policy_statements`; here in
    /// category name order, which changes no grant), with `%{...}` taken from
    /// `vars` (`Source.Arn`, `Destination.Name`, ...) and `${AWS::Partition}` written `aws`.
    /// `Err` names a placeholder `vars` lacks (SAM rejects such a connector).
    pub fn statements(
        &self,
        permissions: &[String],
        vars: &BTreeMap<&str, String>,
    ) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        for (cat, stmts) in &self.categories {
            if !permissions.iter().any(|p| p == cat) {
                continue;
            }
            for s in stmts {
                out.push(fill(s, vars)?);
            }
        }
        Ok(out)
    }

    /// Fills the `%{...}` placeholders of one profile string.
    pub fn fill_text(text: &str, vars: &BTreeMap<&str, String>) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("%{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("unterminated `%{{` in `{text}`"))?;
            let name = &after[..end];
            let v = vars
                .get(name)
                .ok_or_else(|| format!("no value for `{name}`"))?;
            out.push_str(v);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out.replace("${AWS::Partition}", "aws"))
    }
}

fn fill(v: &Value, vars: &BTreeMap<&str, String>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(ConnectorProfile::fill_text(s, vars)?),
        Value::Array(a) => Value::Array(a.iter().map(|i| fill(i, vars)).collect::<Result<_, _>>()?),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), fill(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[derive(Deserialize)]
struct RawConnectors {
    profiles: BTreeMap<String, BTreeMap<String, ConnectorProfile>>,
}

/// SAM connector profiles by source then destination CloudFormation type. Source: PyPI
/// `aws-sam-translator` `samtranslator/model/connector_profiles/profiles.json`, condensed by
/// `policies/regen` into `policies/sam-connector-profiles.json`.
pub fn connector_profiles() -> &'static BTreeMap<String, BTreeMap<String, ConnectorProfile>> {
    static CELL: OnceLock<BTreeMap<String, BTreeMap<String, ConnectorProfile>>> = OnceLock::new();
    CELL.get_or_init(|| {
        let raw: RawConnectors = decode("sam-connector-profiles.json", blobs::SAM_CONNECTORS);
        raw.profiles
    })
}

/// The profile for a connector from `source` to `destination` (CloudFormation types; SAM
/// types are mapped as `samtranslator/model/connector/connector.py` `_SAM_TO_CFN_RESOURCE_TYPE`
/// does).
pub fn connector_profile(source: &str, destination: &str) -> Option<&'static ConnectorProfile> {
    connector_profiles()
        .get(sam_to_cfn(source))?
        .get(sam_to_cfn(destination))
}

/// SAM resource types as the connector profiles name them.
fn sam_to_cfn(kind: &str) -> &str {
    match kind {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::Api" => "AWS::ApiGateway::RestApi",
        "AWS::Serverless::HttpApi" => "AWS::ApiGatewayV2::Api",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        other => other,
    }
}
