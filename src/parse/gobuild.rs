//! Where a Go function's code is, as Go is deployed: the handler (`bootstrap`, `bin/x`,
//! `go1.x`'s binary name) names a compiled binary, not a file, so the code is the `package main`
//! that binary is built from. Read statically, in this order:
//!
//! 1. the `package main` in the code folder itself (SAM `CodeUri: hello/`);
//! 2. the nearest Makefile at or above the code folder: a SAM `build-<LogicalId>` target
//!    (`BuildMethod: makefile`) or the `go build -o <out> <package>` whose output is the
//!    handler (`-o bin/x ./cmd/x`, `GOOS=linux go build -o bootstrap main.go`);
//! 3. the `package main` folder named like the binary (`bin/x` ↔ `cmd/x`, `functions/x`);
//! 4. the one `package main` under the code folder that calls `lambda.Start`.
//!
//! Several candidates at any step are never guessed between: the function's code is then
//! [`GoCode::Ambiguous`]. A function with no code folder (a Terraform `filename` zip, an S3
//! object) is looked for under its template's folder by step 4 alone, and the link is
//! [`GoCode::Inferred`].

use std::collections::{BTreeMap, BTreeSet};

use crate::discover::{self, Listing};
use crate::parse::code::{self, Packages};

/// Most folders of Go files one function's search reads.
const MAX_FOLDERS: usize = 400;

/// Binary names that say nothing about which package they are built from.
const GENERIC_NAMES: &[&str] = &["bootstrap", "main", "handler", "app", "function"];

/// The code found for a Go function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoCode {
    /// The files of the package the binary is built from, as the template or build file says.
    Found(Vec<String>),
    /// The files of the only `package main` calling `lambda.Start` under the template's folder,
    /// for a function whose template names no code folder.
    Inferred(Vec<String>),
    /// Several packages could be the binary: none is taken. The text names them.
    Ambiguous(String),
    NotFound,
}

/// What locating a function's Go code starts from.
pub struct GoFunction<'a> {
    /// The function's logical name (a SAM `build-<name>` Makefile target).
    pub name: &'a str,
    /// The code folder or file (`CodeUri`, `source_dir`, `source_file`), when declared.
    pub code_path: Option<&'a str>,
    /// The handler string (the binary's name).
    pub handler: Option<&'a str>,
    /// The folder of the template declaring the function.
    pub template_dir: &'a str,
}

/// Locates the Go package a function's binary is built from.
pub fn locate(f: &GoFunction<'_>, packages: &Packages, listing: &Listing) -> GoCode {
    let mut search = Search {
        packages,
        listing,
        read: BTreeMap::new(),
    };
    let Some(code_path) = f.code_path else {
        return match search.starts_lambda(f.template_dir) {
            Pick::One(dir) => GoCode::Inferred(search.files(&dir)),
            Pick::Several(dirs) => GoCode::Ambiguous(several(&dirs)),
            Pick::None => GoCode::NotFound,
        };
    };
    let declared = normalize(code_path);
    let base = if declared.is_empty() || search.is_dir(&declared) {
        declared.clone()
    } else {
        parent(&declared).to_string()
    };
    // 1. The code folder's own package.
    let own = search.files(&base);
    if search.is_main(&base) {
        return GoCode::Found(own);
    }
    // 2. The Makefile's build target.
    let mut outputs: Vec<String> = f
        .handler
        .map(normalize)
        .filter(|h| !h.is_empty())
        .into_iter()
        .collect();
    if declared != base {
        outputs.push(declared.clone());
    }
    match search.makefile(&base, f.name, &outputs) {
        Pick::One(dir) if search.is_main(&dir) => return GoCode::Found(search.files(&dir)),
        Pick::Several(dirs) => return GoCode::Ambiguous(several(&dirs)),
        _ => {}
    }
    // 3. The folder named like the binary.
    let binary = f
        .handler
        .map(normalize)
        .map(|h| h.rsplit('/').next().unwrap_or_default().to_string())
        .filter(|n| !n.is_empty() && !GENERIC_NAMES.contains(&n.as_str()));
    let mains = search.mains(&base);
    if let Some(binary) = binary {
        let named: Vec<&String> = mains
            .iter()
            .filter(|d| d.rsplit('/').next() == Some(binary.as_str()))
            .collect();
        match named.as_slice() {
            [one] => return GoCode::Found(search.files(one)),
            [] => {}
            _ => return GoCode::Ambiguous(several(&named)),
        }
    }
    // 4. The one `package main` that starts the Lambda runtime.
    match search.starts_lambda(&base) {
        Pick::One(dir) => GoCode::Found(search.files(&dir)),
        Pick::Several(dirs) => GoCode::Ambiguous(several(&dirs)),
        // A library package in the code folder is still the function's own code.
        Pick::None if !own.is_empty() => GoCode::Found(own),
        Pick::None => GoCode::NotFound,
    }
}

fn several<S: AsRef<str>>(dirs: &[S]) -> String {
    let names: Vec<String> = dirs
        .iter()
        .map(|d| match d.as_ref() {
            "" => "`.`".to_string(),
            d => format!("`{d}`"),
        })
        .collect();
    format!(
        "the binary may be built from any of the Go packages {}",
        names.join(", ")
    )
}

/// A path as the listing spells it: no `./`, no trailing `/`, `.` as the empty root.
fn normalize(path: &str) -> String {
    let mut p = path.trim().trim_end_matches('/');
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for part in rel.split('/') {
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

enum Pick {
    One(String),
    Several(Vec<String>),
    None,
}

fn pick(mut dirs: Vec<String>) -> Pick {
    dirs.sort();
    dirs.dedup();
    match dirs.len() {
        0 => Pick::None,
        1 => Pick::One(dirs.swap_remove(0)),
        _ => Pick::Several(dirs),
    }
}

/// What a folder's Go files say about the package (read once per folder).
#[derive(Clone, Copy, Default)]
struct Folder {
    main: bool,
    starts_lambda: bool,
}

struct Search<'a> {
    packages: &'a Packages,
    listing: &'a Listing,
    read: BTreeMap<String, Folder>,
}

impl Search<'_> {
    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        self.listing
            .files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    fn files(&self, dir: &str) -> Vec<String> {
        (self.packages.files)(dir, &mut self.listing.files.keys().map(String::as_str))
            .into_iter()
            .filter(|f| !code::is_vendored(f))
            .collect()
    }

    fn folder(&mut self, dir: &str) -> Folder {
        if let Some(f) = self.read.get(dir) {
            return *f;
        }
        let mut folder = Folder::default();
        for file in self.files(dir) {
            let Some(entry) = self.listing.files.get(&file) else {
                continue;
            };
            let Ok(text) = discover::read_text(entry) else {
                continue;
            };
            folder.main |= text.lines().any(|l| {
                l.trim_start()
                    .strip_prefix("package ")
                    .is_some_and(|p| p.split("//").next().unwrap_or("").trim() == "main")
            });
            folder.starts_lambda |=
                text.contains("github.com/aws/aws-lambda-go/lambda") && text.contains(".Start");
        }
        self.read.insert(dir.to_string(), folder);
        folder
    }

    fn is_main(&mut self, dir: &str) -> bool {
        self.folder(dir).main
    }

    /// The folders of `package main` under `base` (vendored and test-only folders aside).
    fn mains(&mut self, base: &str) -> Vec<String> {
        let prefix = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/")
        };
        let dirs: BTreeSet<String> = self
            .listing
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.as_str())
            .filter(|k| k.ends_with(".go") && !k.ends_with("_test.go") && !code::is_vendored(k))
            .map(|k| parent(k).to_string())
            .take(MAX_FOLDERS)
            .collect();
        dirs.into_iter().filter(|d| self.is_main(d)).collect()
    }

    fn starts_lambda(&mut self, base: &str) -> Pick {
        let mains = self.mains(base);
        pick(
            mains
                .into_iter()
                .filter(|d| self.folder(d).starts_lambda)
                .collect(),
        )
    }

    /// The package the nearest Makefile at or above `base` builds the function from: its SAM
    /// `build-<name>` target, else the `go build` whose output is one of `outputs`.
    fn makefile(&mut self, base: &str, name: &str, outputs: &[String]) -> Pick {
        let mut dir = base.to_string();
        loop {
            let found = ["Makefile", "makefile", "GNUmakefile"]
                .iter()
                .find_map(|m| {
                    let path = join(&dir, m);
                    self.listing.files.get(&path)
                });
            if let Some(entry) = found {
                let Ok(text) = discover::read_text(entry) else {
                    return Pick::None;
                };
                let builds = go_builds(&text);
                let target = format!("build-{name}");
                let by_target: Vec<&Build> = builds.iter().filter(|b| b.target == target).collect();
                let chosen: Vec<&Build> = if by_target.is_empty() {
                    builds
                        .iter()
                        .filter(|b| outputs.iter().any(|o| b.builds(o, &dir)))
                        .collect()
                } else {
                    by_target
                };
                return pick(
                    chosen
                        .iter()
                        .filter_map(|b| b.package.as_deref())
                        .map(|p| join(&dir, p))
                        .collect(),
                );
            }
            if dir.is_empty() {
                return Pick::None;
            }
            dir = parent(&dir).to_string();
        }
    }
}

/// One `go build` of a Makefile recipe.
#[derive(Debug, PartialEq, Eq)]
struct Build {
    /// The rule the recipe belongs to.
    target: String,
    /// `-o` as written (relative to the Makefile's folder, or to a `cd` folder).
    output: Option<String>,
    /// The package folder built, relative to the Makefile's folder (`./cmd/x` or `main.go`'s
    /// folder); none for `./...` or a variable.
    package: Option<String>,
}

impl Build {
    /// True when the build writes `want` (a handler or a code path, relative to the root;
    /// `makefile_dir` is where relative outputs start).
    fn builds(&self, want: &str, makefile_dir: &str) -> bool {
        let Some(out) = &self.output else {
            return false;
        };
        // `$(ARTIFACTS_DIR)/bootstrap` writes `bootstrap` into the artefact.
        let out = out.rsplit_once(')').map_or(out.as_str(), |(_, rest)| rest);
        let out = normalize(out.trim_start_matches('/'));
        if out.is_empty() || out.contains('$') {
            return false;
        }
        out == want
            || join(makefile_dir, &out) == want
            || (!want.contains('/') && out.rsplit('/').next() == Some(want))
            || want.ends_with(&format!("/{out}"))
    }
}

/// The `go build` commands of a Makefile, with the rule each belongs to. Continuation lines
/// are joined, `cd dir &&` prefixes move the build into `dir`.
fn go_builds(text: &str) -> Vec<Build> {
    let mut out = Vec::new();
    let mut target = String::new();
    let mut logical = String::new();
    for raw in text.lines() {
        if let Some(cont) = logical.strip_suffix('\\') {
            logical = format!("{cont} {}", raw.trim());
        } else {
            logical = raw.to_string();
        }
        if logical.ends_with('\\') {
            continue;
        }
        let line = std::mem::take(&mut logical);
        if !line.starts_with(['\t', ' ']) {
            // `name: deps` starts a rule (`x := y` and `x = y` are variables).
            if let Some((head, _)) = line.split_once(':')
                && !line.contains(":=")
                && !head.contains('=')
                && !head.trim().is_empty()
            {
                target = head.split_whitespace().next().unwrap_or("").to_string();
            }
            continue;
        }
        let mut cwd = String::new();
        for command in line.split(['&', ';']) {
            // Make's `@` (silent) and `-` (ignore errors) prefix the command's first word.
            let words: Vec<&str> = command
                .split_whitespace()
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.trim_start_matches(['@', '-'])
                    } else {
                        w
                    }
                })
                .collect();
            if let ["cd", dir, ..] = words.as_slice() {
                cwd = join(&cwd, dir);
                continue;
            }
            let Some(go) = words
                .windows(2)
                .position(|w| w[0].ends_with("go") && w[1] == "build")
            else {
                continue;
            };
            out.push(build(&target, &cwd, &words[go + 2..]));
        }
    }
    out
}

/// The output and package of `go build`'s arguments.
fn build(target: &str, cwd: &str, args: &[&str]) -> Build {
    let mut output = None;
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        if let Some(v) = arg.strip_prefix("-o=") {
            output = Some(v.to_string());
        } else if arg == "-o" {
            output = args.get(i + 1).map(|v| v.to_string());
            i += 1;
        } else if arg.starts_with('-') {
            // Flags with a separate value (`-ldflags "-s -w"`, `-tags lambda`).
            if matches!(arg, "-ldflags" | "-tags" | "-gcflags" | "-mod")
                && let Some(v) = args.get(i + 1)
            {
                // A quoted value may span several words.
                let quote = v.starts_with(['"', '\'']);
                i += 1;
                if quote {
                    while i < args.len() && !args[i].ends_with(['"', '\'']) {
                        i += 1;
                    }
                }
            }
        } else {
            positional.push(arg);
        }
        i += 1;
    }
    let package = match positional.as_slice() {
        [] => Some(cwd.to_string()),
        [first, ..] if first.contains('$') || first.ends_with("...") => None,
        [first, ..] if first.ends_with(".go") => Some(join(cwd, parent(first))),
        [first, ..] => Some(join(cwd, first)),
    };
    Build {
        target: target.to_string(),
        output: output.map(|o| join(cwd, &o)),
        package,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(target: &str, output: Option<&str>, package: Option<&str>) -> Build {
        Build {
            target: target.into(),
            output: output.map(Into::into),
            package: package.map(Into::into),
        }
    }

    #[test]
    fn reads_go_builds_of_makefile_rules() {
        let text = "GOFLAGS := -trimpath\n\
            build:\n\
            \tenv GOOS=linux go build -ldflags=\"-s -w\" -o bin/hello hello/main.go\n\
            \tGOARCH=arm64 go build -ldflags \"-s -w\" -o bin/world ./cmd/world\n\
            build-OrdersFunction:\n\
            \tcd functions/orders && GOOS=linux go build -tags lambda.norpc -o bootstrap . \\\n\
            \t  && cp bootstrap $(ARTIFACTS_DIR)/.\n\
            all:\n\t@go build ./...\n";
        assert_eq!(
            go_builds(text),
            vec![
                b("build", Some("bin/hello"), Some("hello")),
                b("build", Some("bin/world"), Some("cmd/world")),
                b(
                    "build-OrdersFunction",
                    Some("functions/orders/bootstrap"),
                    Some("functions/orders")
                ),
                b("all", None, None),
            ]
        );
    }

    #[test]
    fn a_build_writes_the_handler_or_the_code_path() {
        let hello = b("build", Some("bin/hello"), Some("hello"));
        assert!(hello.builds("bin/hello", ""));
        assert!(hello.builds("app/bin/hello", "app"));
        assert!(hello.builds("hello", ""));
        assert!(!hello.builds("bin/world", ""));
        let artefact = b("build-X", Some("$(ARTIFACTS_DIR)/bootstrap"), Some(""));
        assert!(artefact.builds("bootstrap", ""));
        assert!(!b("x", None, Some("")).builds("bootstrap", ""));
    }

    const MAIN: &str = "package main\n\nimport \"github.com/aws/aws-lambda-go/lambda\"\n\nfunc main() { lambda.Start(h) }\n";

    /// Locates the code of a function in a temporary tree of `(path, text)` files.
    fn locate_in(files: &[(&str, &str)], f: &GoFunction<'_>) -> GoCode {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let listing = discover::walk(dir.path()).expect("walk");
        let packages = code::Lang::Go
            .profile()
            .packages
            .as_ref()
            .expect("Go packages");
        locate(f, packages, &listing)
    }

    fn function<'a>(code_path: Option<&'a str>, handler: &'a str) -> GoFunction<'a> {
        GoFunction {
            name: "Fn",
            code_path,
            handler: Some(handler),
            template_dir: "",
        }
    }

    #[test]
    fn several_mains_are_never_guessed_between() {
        let tree = [
            ("cmd/a/main.go", MAIN),
            ("cmd/b/main.go", MAIN),
            ("lib/lib.go", "package lib\n"),
        ];
        let found = |files: &[&str]| GoCode::Found(files.iter().map(|f| f.to_string()).collect());
        assert_eq!(
            locate_in(&tree, &function(Some("."), "bootstrap")),
            GoCode::Ambiguous(
                "the binary may be built from any of the Go packages `cmd/a`, `cmd/b`".into()
            )
        );
        // The binary's name picks its folder.
        assert_eq!(
            locate_in(&tree, &function(Some("."), "bin/b")),
            found(&["cmd/b/main.go"])
        );
        // A Makefile building the handler from one package decides.
        let mut with_make = tree.to_vec();
        with_make.push((
            "Makefile",
            "build:\n\tGOOS=linux go build -o bootstrap ./cmd/a\n",
        ));
        assert_eq!(
            locate_in(&with_make, &function(Some("."), "bootstrap")),
            found(&["cmd/a/main.go"])
        );
        // No code folder: the only lambda.Start package under the template's folder, inferred.
        assert_eq!(
            locate_in(&[("src/main.go", MAIN)], &function(None, "bootstrap")),
            GoCode::Inferred(vec!["src/main.go".into()])
        );
        assert_eq!(
            locate_in(&[("README.md", "rust")], &function(Some("."), "bootstrap")),
            GoCode::NotFound
        );
    }

    #[test]
    fn paths_normalize_and_join() {
        assert_eq!(normalize("./src/"), "src");
        assert_eq!(normalize("."), "");
        assert_eq!(join("app", "../cmd/x"), "cmd/x");
        assert_eq!(join("", "./cmd/x/"), "cmd/x");
    }
}
