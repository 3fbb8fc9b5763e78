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
