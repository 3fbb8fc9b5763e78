//! Turns the AWS metadata in `policies/*.json` into the embedded form `src/data` reads from
//! `OUT_DIR` with `include_bytes!`. The large datasets are reshaped into the types of
//! `src/data/raw.rs` (shared with the runtime through `#[path]`: maps as sorted pair lists,
//! precomputed lookup orders, managed-policy documents compressed one by one) and written as
//! postcard, which decodes without parsing text; the small hand-kept ones stay JSON. Every
//! dataset is then zstd-compressed. Never touches the network: the JSON files are committed
//! and regenerated only by the maintainer script `policies/regen`.

use std::fs;
use std::io;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

#[allow(dead_code)]
#[path = "src/data/raw.rs"]
mod raw;

/// zstd level: 19 gives the small binary DATA.md measured; compression runs only when a file
/// changes.
const LEVEL: i32 = 19;

fn err(name: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("policies/{name}: {e}"))
}

fn read_json(name: &str) -> io::Result<Value> {
    let src = Path::new("policies").join(name);
    println!("cargo:rerun-if-changed={}", src.display());
    serde_json::from_slice(&fs::read(&src)?).map_err(|e| err(name, e))
}

/// Writes `bytes` as one zstd frame that records its decompressed size (the runtime
/// allocates once and decompresses in one call).
fn write(out: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    fs::write(out.join(name), zstd::bulk::compress(bytes, LEVEL)?)
}

/// Reads a reshaped JSON value as its embedded type and writes it as compressed postcard.
fn binary<T: Serialize + DeserializeOwned>(out: &Path, name: &str, value: Value) -> io::Result<()> {
    let typed: T = serde_json::from_value(value).map_err(|e| err(name, e))?;
    let bytes = postcard::to_allocvec(&typed).map_err(|e| err(name, e))?;
    let stem = name.trim_end_matches(".json");
    write(out, &format!("{stem}.bin.zst"), &bytes)
}

/// The object at `key` of `v`, or an error naming the file.
fn object<'a>(name: &str, v: &'a mut Value, key: &str) -> io::Result<&'a mut Map<String, Value>> {
    v.get_mut(key)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| err(name, format!("`{key}` is not an object")))
}

/// Replaces the object at `key` by its `[name, value]` pairs sorted by name (byte order, as a
/// `BTreeMap` iterates) and returns the sorted names.
fn to_pairs(name: &str, v: &mut Value, key: &str) -> io::Result<Vec<String>> {
    let map = std::mem::take(object(name, v, key)?);
    let mut pairs: Vec<(String, Value)> = map.into_iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let names = pairs.iter().map(|(k, _)| k.clone()).collect();
    v[key] = Value::Array(
        pairs
            .into_iter()
            .map(|(k, x)| Value::Array(vec![Value::String(k), x]))
            .collect(),
    );
    Ok(names)
}

/// Indices of `names` ordered by `key(name)`.
fn order_by(names: &[String], key: impl Fn(&str) -> String) -> Value {
    let mut idx: Vec<usize> = (0..names.len()).collect();
    idx.sort_by_cached_key(|&i| key(&names[i]));
    Value::Array(idx.into_iter().map(Value::from).collect())
}

fn catalog(out: &Path) -> io::Result<()> {
    let name = "iam-catalog.json";
    let mut v = read_json(name)?;
    for (_, svc) in object(name, &mut v, "services")?.iter_mut() {
        let names = to_pairs(name, svc, "actions")?;
        svc["lookup"] = order_by(&names, str::to_ascii_lowercase);
    }
    to_pairs(name, &mut v, "services")?;
    binary::<raw::RawCatalog>(out, name, v)
}

fn sdk(out: &Path) -> io::Result<()> {
    let name = "sdk-operations.json";
    let mut v = read_json(name)?;
    for (_, svc) in object(name, &mut v, "services")?.iter_mut() {
        for (_, op) in object(name, svc, "operations")?.iter_mut() {
            let members: Vec<&str> = op["input"]
                .as_array()
                .ok_or_else(|| err(name, "`input` is not an array"))?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            if members.iter().any(|m| m.contains(',')) {
                return Err(err(name, "an input member contains a comma"));
            }
            op["input"] = Value::String(members.join(","));
        }
        let names = to_pairs(name, svc, "operations")?;
        svc["by_norm"] = order_by(&names, raw::norm);
    }
    to_pairs(name, &mut v, "services")?;
    binary::<raw::RawSdk>(out, name, v)
}

fn managed(out: &Path) -> io::Result<()> {
    let name = "managed-policies.json";
    let mut v = read_json(name)?;
    let mut policies = std::collections::BTreeMap::new();
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut sorted: Vec<(String, Value)> = std::mem::take(object(name, &mut v, "policies")?)
        .into_iter()
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (policy, p) in sorted {
        let field = |k: &str| {
            p[k].as_str()
                .map(str::to_owned)
                .ok_or_else(|| err(name, format!("{policy}: `{k}` is not a string")))
        };
        let (arn, version) = (field("arn")?, field("version")?);
        let path = arn
            .strip_prefix("arn:aws:iam::aws:policy/")
            .and_then(|rest| rest.strip_suffix(policy.as_str()))
            .ok_or_else(|| err(name, format!("{policy}: unexpected ARN {arn}")))?
            .to_owned();
        if !current.is_empty() && current.len() >= raw::MANAGED_CHUNK {
            chunks.push(std::mem::take(&mut current));
        }
        let start = current.len();
        current.extend_from_slice(p["document"].to_string().as_bytes());
        let pos = |n: usize| u32::try_from(n).map_err(|e| err(name, e));
        let entry = raw::RawManagedPolicy {
            path,
            version,
            chunk: pos(chunks.len())?,
            start: pos(start)?,
            end: pos(current.len())?,
        };
        policies.insert(policy, entry);
    }
    chunks.push(current);
    let packed = chunks
        .iter()
        .map(|c| zstd::bulk::compress(c, LEVEL))
        .collect::<io::Result<Vec<_>>>()?;
    let embedded = raw::RawManaged {
        chunks: packed.iter().map(Vec::as_slice).collect(),
        policies,
    };
    let bytes = postcard::to_allocvec(&embedded).map_err(|e| err(name, e))?;
    fs::write(out.join("managed-policies.bin"), bytes)
}

fn main() -> io::Result<()> {
    let out = std::env::var_os("OUT_DIR").ok_or_else(|| io::Error::other("OUT_DIR not set"))?;
    let out = Path::new(&out);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/data/raw.rs");
    catalog(out)?;
    sdk(out)?;
    managed(out)?;
    binary::<raw::RawResources>(
        out,
        "boto3-resources.json",
        read_json("boto3-resources.json")?,
    )?;
    binary::<raw::RawOverrides>(out, "overrides.json", read_json("overrides.json")?)?;
    binary::<raw::RawArns>(
        out,
        "sam-managed-policy-arns.json",
        read_json("sam-managed-policy-arns.json")?,
    )?;
    for name in [
        "sam-policy-templates.json",
        "sam-connector-profiles.json",
        "lambda.json",
        "parameters.json",
    ] {
        let src = Path::new("policies").join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        write(out, &format!("{name}.zst"), &fs::read(&src)?)?;
    }
    Ok(())
}
