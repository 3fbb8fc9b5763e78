//! Where a function's handler and its local imports live, as candidate paths the caller
//! checks against the files it has (this module never touches the file system).
//!
//! Handler formats: Python `path/module.function` (dots in the module name are folders), Node
//! `path/file.export` (see <https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html>
//! and <https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html>), Java
//! `package.Class::method` or `package.Class` (the class's source under the Maven/Gradle
//! `src/main/java`, see <https://docs.aws.amazon.com/lambda/latest/dg/java-handler.html>). A Go
//! handler names a compiled binary: its code is the package folder (see
//! [`go_package_files`](super::go_package_files)).

use super::Lang;

const JS_EXTS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx"];

/// Candidate files (relative, `/`-separated) holding `handler` inside `code_path`, best first.
pub fn handler_candidates(code_path: &str, handler: &str, runtime: Option<&str>) -> Vec<String> {
    let code_path = code_path.trim_end_matches('/');
    if Lang::from_path(code_path).is_some() {
        return vec![normalize(code_path)];
    }
    let runtime = runtime.unwrap_or("").to_ascii_lowercase();
    if runtime.starts_with("java") || (runtime.is_empty() && handler.contains("::")) {
        return java_candidates(code_path, handler);
    }
    let Some((module, _function)) = handler.rsplit_once('.') else {
        return Vec::new();
    };
    // Java, .NET, Go and custom runtimes name classes or binaries, not source files here.
    if !runtime.is_empty() && !runtime.starts_with("python") && !runtime.starts_with("nodejs") {
        return Vec::new();
    }
    let python = runtime.starts_with("python")
        || (runtime.is_empty() && !module.contains('/') && module.contains('.'));
    let mut out = Vec::new();
    if python || runtime.is_empty() {
        let file = module.replace('.', "/");
        out.push(join(code_path, &format!("{file}.py")));
        out.push(join(code_path, &format!("{file}/__init__.py")));
    }
    if !python {
        for ext in JS_EXTS {
            out.push(join(code_path, &format!("{module}{ext}")));
        }
        // TypeScript sources compiled to dist/ or build/ keep their stem under src/.
        let stem = module.rsplit('/').next().unwrap_or(module);
        let compiled = ["dist/", "build/", "out/", "lib/", ".build/"];
        let src_module = compiled
            .iter()
            .find_map(|d| module.strip_prefix(d))
            .map_or_else(|| format!("src/{module}"), |rest| format!("src/{rest}"));
        for ext in [".ts", ".mts", ".js", ".mjs"] {
            out.push(join(code_path, &format!("{src_module}{ext}")));
        }
        out.push(join(code_path, &format!("src/{stem}.ts")));
        out.push(join(code_path, &format!("src/{stem}/index.ts")));
    }
    dedup(out)
}

/// `com.example.App::handleRequest` -> `src/main/java/com/example/App.java` (Maven and
/// Gradle), `src/com/example/App.java` or `com/example/App.java` under the code folder; a nested
/// class (`App$Handler`) lives in its outer class's file.
fn java_candidates(code_path: &str, handler: &str) -> Vec<String> {
    let class = handler.split("::").next().unwrap_or(handler).trim();
    let class = class.split('$').next().unwrap_or(class);
    if class.is_empty() {
        return Vec::new();
    }
    let file = format!("{}.java", class.replace('.', "/"));
    let out = ["src/main/java", "src/main/kotlin", "src", ""]
        .iter()
        .map(|root| join(code_path, &join(root, &file)))
        .collect();
    dedup(out)
}

/// Candidate files for a local import of `module` by the file `importer`; package imports
/// (bare JS specifiers) give nothing. Java imports (`com.example.Db`) are looked for under every
/// folder above the importer (a source root), same-package classes (`.Db`) next to it. Go
/// imports name package folders, which the caller finds through `go.mod`.
pub fn local_import_candidates(
    lang: Lang,
    importer: &str,
    module: &str,
    code_root: &str,
) -> Vec<String> {
    let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
    let out = match lang {
        Lang::Python => python_candidates(dir, module, code_root),
        Lang::Java => java_import_candidates(dir, module),
        Lang::Go => Vec::new(),
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => js_candidates(dir, module),
    };
    dedup(out)
}

fn python_candidates(dir: &str, module: &str, code_root: &str) -> Vec<String> {
    let dots = module.chars().take_while(|c| *c == '.').count();
    let rest = module[dots..].replace('.', "/");
    let files = |base: &str| -> Vec<String> {
        if rest.is_empty() {
            vec![join(base, "__init__.py")]
        } else {
            vec![
                join(base, &format!("{rest}.py")),
                join(base, &format!("{rest}/__init__.py")),
            ]
        }
    };
    if dots > 0 {
        let mut base = dir.to_string();
        for _ in 1..dots {
            base = join(&base, "..");
        }
        return files(&base);
    }
    if rest.is_empty() || super::pystd::is_known_package(module) {
        return Vec::new();
    }
    let mut out = files(dir);
    out.extend(files(code_root.trim_end_matches('/')));
    out
}

fn java_import_candidates(dir: &str, module: &str) -> Vec<String> {
    if let Some(class) = module.strip_prefix('.') {
        return vec![join(dir, &format!("{class}.java"))];
    }
    let file = format!("{}.java", module.replace('.', "/"));
    // A nested class import (`com.example.Outer.Inner`) lives in `Outer.java`.
    let outer = module
        .rsplit_once('.')
        .map(|(o, _)| format!("{}.java", o.replace('.', "/")));
    let mut out = Vec::new();
    let mut base = dir.to_string();
    loop {
        out.push(join(&base, &file));
        if let Some(outer) = &outer {
            out.push(join(&base, outer));
        }
        match base.rsplit_once('/') {
            Some((up, _)) => base = up.to_string(),
            None if !base.is_empty() => base = String::new(),
            None => break,
        }
    }
    out
}

fn js_candidates(dir: &str, module: &str) -> Vec<String> {
    if !(module.starts_with("./") || module.starts_with("../") || module == "." || module == "..") {
        return Vec::new();
    }
    let base = join(dir, module);
    let mut out = Vec::new();
    if Lang::from_path(&base).is_some() {
        out.push(base.clone());
        // `import "./db.js"` in TypeScript names the compiled file; the source is db.ts.
        if let Some(stem) = base.strip_suffix(".js") {
            out.push(format!("{stem}.ts"));
            out.push(format!("{stem}.tsx"));
        }
        if let Some(stem) = base.strip_suffix(".mjs") {
            out.push(format!("{stem}.mts"));
        }
    }
    for ext in JS_EXTS {
        out.push(format!("{base}{ext}"));
    }
    for ext in JS_EXTS {
        out.push(join(&base, &format!("index{ext}")));
    }
    out
}

/// Joins two relative paths and resolves `.` and `..` (never above the root).
fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn normalize(path: &str) -> String {
    join("", path)
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
