//! Compresses the AWS metadata in `policies/*.json` with zstd into `OUT_DIR`, where
//! `src/data` embeds it with `include_bytes!`. Never touches the network: the JSON files are
//! committed and regenerated only by the maintainer script `policies/regen`.

use std::fs;
use std::io;
use std::path::Path;

/// The datasets `src/data` embeds; each becomes `OUT_DIR/<name>.zst`.
const FILES: &[&str] = &[
    "iam-catalog.json",
    "sdk-operations.json",
    "boto3-resources.json",
    "managed-policies.json",
    "sam-policy-templates.json",
    "sam-managed-policy-arns.json",
    "overrides.json",
    "lambda.json",
];

/// zstd level: 19 gives the small binary DATA.md measured; compression runs only when a file
/// changes.
const LEVEL: i32 = 19;

fn main() -> io::Result<()> {
    let out = std::env::var_os("OUT_DIR").ok_or_else(|| io::Error::other("OUT_DIR not set"))?;
    println!("cargo:rerun-if-changed=build.rs");
    for name in FILES {
        let src = Path::new("policies").join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        let raw = fs::read(&src)?;
        let packed = zstd::encode_all(raw.as_slice(), LEVEL)?;
        fs::write(Path::new(&out).join(format!("{name}.zst")), packed)?;
    }
    Ok(())
}
