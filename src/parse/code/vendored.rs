//! Third-party code that sits inside a function's code folder (installed packages, build
//! outputs, layers). Its SDK calls are not the function's own: a library that calls AWS on
//! the function's behalf (aws-lambda-powertools) is recognised from the function's imports.

/// Folder names that only ever hold installed or generated code.
const VENDOR_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    ".aws-sam",
    "vendor",
    "bower_components",
    ".serverless",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".terraform",
];

/// Packages `pip install -t .` puts at the top of a Python code folder.
const PY_PACKAGES: &[&str] = &[
    "boto3",
    "botocore",
    "s3transfer",
    "urllib3",
    "requests",
    "jmespath",
    "dateutil",
    "six.py",
    "certifi",
    "charset_normalizer",
    "idna",
    "chardet",
    "aws_lambda_powertools",
    "aws_secretsmanager_caching",
    "aws_xray_sdk",
    "strands",
    "langchain_aws",
    "langchain_core",
    "langchain_community",
    "wrapt",
    "pydantic",
    "pydantic_core",
    "typing_extensions.py",
    "cryptography",
    "cffi",
    "pymysql",
    "psycopg2",
    "numpy",
    "pandas",
    "awswrangler",
    "mypy_boto3_s3",
];

/// True for a path (relative, `/`-separated) inside third-party or generated code.
pub fn is_vendored(path: &str) -> bool {
    let path = path.replace('\\', "/");
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let Some((file, dirs)) = parts.split_last() else {
        return false;
    };
    if file.ends_with(".min.js") || file.ends_with(".bundle.js") {
        return true;
    }
    if dirs
        .iter()
        .any(|d| VENDOR_DIRS.contains(d) || d.ends_with(".dist-info") || d.ends_with(".egg-info"))
    {
        return true;
    }
    // Layer layout: python/lib/python3.x/... holds installed packages.
    if dirs
        .windows(2)
        .any(|w| w[0] == "lib" && w[1].starts_with("python3"))
    {
        return true;
    }
    parts.iter().enumerate().any(|(i, p)| {
        let top = PY_PACKAGES.contains(p) || p.starts_with("mypy_boto3_");
        // A vendored package is a folder (or module) next to the function's own files, so it
        // is never the file itself unless it is a known single-module package.
        top && (i + 1 < parts.len() || p.ends_with(".py"))
    })
}
