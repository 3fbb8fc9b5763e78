//! Where a Node.js handler's source is when a build step writes the file Lambda loads: the
//! bundler entry point the template names (SAM `BuildMethod: esbuild` `EntryPoints`), or the
//! TypeScript source `tsc` compiles into `outDir` (`dist/index.handler` -> `src/index.ts`).
//!
//! `tsc` writes each source under `rootDir` to the same relative path under `outDir`; without
//! `rootDir` the root is the longest common folder of the input files, which for a project
//! listing its sources in `include` is the common folder of those patterns; `extends` inherits
//! options, each path relative to the configuration that sets it. See
//! <https://www.typescriptlang.org/tsconfig/#rootDir>, <https://www.typescriptlang.org/tsconfig/#outDir>
//! and <https://www.typescriptlang.org/tsconfig/#extends>.

use crate::discover::{self, Listing};

/// Source file extensions `tsc` and esbuild compile, best first.
const SOURCE_EXTS: &[&str] = &[".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"];

/// The entry point (of `entry_points`, relative to the root) a handler's module is built from:
/// the one whose file stem is the module's name (esbuild names each output after its entry),
/// else the only one.
pub fn entry_point(entry_points: &[String], handler: &str, listing: &Listing) -> Option<String> {
    let module = handler.rsplit_once('.')?.0;
    let name = module.rsplit('/').next().unwrap_or(module);
    let present: Vec<&String> = entry_points
        .iter()
        .filter(|e| listing.files.contains_key(*e))
        .collect();
    let stem = |p: &str| {
        let file = p.rsplit('/').next().unwrap_or(p);
        file.rsplit_once('.').map_or(file, |(s, _)| s).to_string()
    };
    present
        .iter()
        .find(|e| stem(e) == name)
        .or(if present.len() == 1 {
            present.first()
        } else {
            None
        })
        .map(|e| (*e).clone())
}

/// The named entries of a webpack configuration (`webpack.config.js`): `entry: { orders:
/// './src/orders.ts', 'api/users': path.resolve(__dirname, 'src/users/index.ts') }` gives
/// `[("orders", "src/orders.ts"), ("api/users", "src/users/index.ts")]`, each path as written
/// relative to the configuration's folder. An entry object with anything else (computed
/// entries, `slsw.lib.entries`, which are the handlers' own files) gives no entries: webpack
/// names each output bundle after its entry's key
/// (<https://webpack.js.org/concepts/entry-points/>, "Object Syntax").
pub fn webpack_entries(text: &str) -> Vec<(String, String)> {
    let Some(at) = find_key(text, "entry") else {
        return Vec::new();
    };
    let rest = text[at..].trim_start();
    let Some(body) = rest.strip_prefix('{') else {
        return Vec::new();
    };
    let mut depth = 0usize;
    let mut end = None;
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '{' | '(' | '[') => depth += 1,
            (None, '}') if depth == 0 => {
                end = Some(i);
                break;
            }
            (None, '}' | ')' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let Some(end) = end else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in split_top(&body[..end]) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let Some((key, value)) = item.split_once(':') else {
            return Vec::new();
        };
        let key = key.trim().trim_matches(|c| c == '\'' || c == '"');
        if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == '[') {
            return Vec::new();
        }
        // The last string literal of the value: `'./src/x.ts'`, `path.join(__dirname, 'src/x.ts')`,
        // `['./src/x.ts']`.
        let Some(path) = last_string(value) else {
            return Vec::new();
        };
        let path = path.trim_start_matches("./").to_string();
        out.push((key.to_string(), path));
    }
    out
}

/// The byte offset just after `key:` written as an object key (not part of a longer name).
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(key) {
        let start = from + i;
        let after = start + key.len();
        let before_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '$'));
        let rest = text[after..].trim_start();
        if before_ok && let Some(r) = rest.strip_prefix(':') {
            return Some(text.len() - r.len());
        }
        from = after;
    }
    None
}

/// Splits an object body at its top-level commas.
fn split_top(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut quote) = (0usize, 0usize, None::<char>);
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '{' | '(' | '[') => depth += 1,
            (None, '}' | ')' | ']') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                out.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&body[start..]);
    out
}

/// The last quoted string in `text` (quotes `'`, `"`; a template literal with `${` is none).
fn last_string(text: &str) -> Option<&str> {
    let mut last = None;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '\'' | '"' | '`') {
            continue;
        }
        let end = chars.by_ref().find(|(_, d)| *d == c)?.0;
        let s = &text[i + 1..end];
        if c == '`' && s.contains("${") {
            return None;
        }
        last = Some(s);
    }
    last
}

/// Options of a `tsconfig.json` that place compiled output, with paths relative to the root.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Options {
    out_dir: Option<String>,
    root_dir: Option<String>,
    /// The common folder of `include`.
    include_root: Option<String>,
}

/// The TypeScript source of a handler whose module lies in a `tsc` `outDir`: the nearest
/// `tsconfig.json` at or above the code folder decides. Candidates, best first; the caller
/// takes the first the listing holds.
pub fn compiled_source(code_path: &str, handler: &str, listing: &Listing) -> Vec<String> {
    let Some((module, _)) = handler.rsplit_once('.') else {
        return Vec::new();
    };
    let code_path = code_path.trim_end_matches('/');
    let code_path = if code_path == "." { "" } else { code_path };
    let compiled = join(code_path, module);
    let mut dir = code_path.to_string();
    loop {
        let config = join(&dir, "tsconfig.json");
        if listing.files.contains_key(&config) {
            let options = read_options(&config, listing, 0);
            return sources_for(&compiled, &dir, &options);
        }
        match dir.rsplit_once('/') {
            Some((up, _)) => dir = up.to_string(),
            None if !dir.is_empty() => dir = String::new(),
            None => return Vec::new(),
        }
    }
}

fn sources_for(compiled: &str, config_dir: &str, options: &Options) -> Vec<String> {
    let Some(out_dir) = &options.out_dir else {
        return Vec::new();
    };
    let rest = if out_dir.is_empty() {
        Some(compiled)
    } else {
        compiled.strip_prefix(&format!("{out_dir}/"))
    };
    let Some(rest) = rest else {
        return Vec::new();
    };
    let root = options
        .root_dir
        .clone()
        .or_else(|| options.include_root.clone())
        .unwrap_or_else(|| config_dir.to_string());
    if root == *out_dir {
        return Vec::new();
    }
    let base = join(&root, rest);
    let mut out: Vec<String> = SOURCE_EXTS.iter().map(|e| format!("{base}{e}")).collect();
    out.extend(
        SOURCE_EXTS
            .iter()
            .map(|e| join(&base, &format!("index{e}"))),
    );
    out
}

/// The options of a configuration and of those it `extends` (its own win), at most a few
/// levels deep.
fn read_options(config: &str, listing: &Listing, depth: u8) -> Options {
    let Some(json) = listing
        .files
        .get(config)
        .and_then(|e| discover::read_text(e).ok())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&strip_jsonc(&t)).ok())
    else {
        return Options::default();
    };
    let dir = config.rsplit_once('/').map_or("", |(d, _)| d);
    let compiler = json.get("compilerOptions");
    let path = |key: &str| {
        compiler
            .and_then(|c| c.get(key))
            .and_then(|v| v.as_str())
            .map(|p| join(dir, p))
    };
    let include_root = json
        .get("include")
        .and_then(|i| i.as_array())
        .and_then(|items| {
            let roots: Vec<String> = items
                .iter()
                .filter_map(|i| i.as_str())
                .map(|p| join(dir, &static_prefix(p)))
                .collect();
            common_folder(&roots)
        });
    let own = Options {
        out_dir: path("outDir"),
        root_dir: path("rootDir"),
        include_root,
    };
    let parents: Vec<String> = match json.get("extends") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let mut merged = Options::default();
    if depth < 4 {
        for parent in parents.iter().filter(|p| p.starts_with('.')) {
            let mut file = join(dir, parent);
            if !file.ends_with(".json") {
                file.push_str(".json");
            }
            let inherited = read_options(&file, listing, depth + 1);
            merged.out_dir = inherited.out_dir.or(merged.out_dir);
            merged.root_dir = inherited.root_dir.or(merged.root_dir);
            merged.include_root = inherited.include_root.or(merged.include_root);
        }
    }
    Options {
        out_dir: own.out_dir.or(merged.out_dir),
        root_dir: own.root_dir.or(merged.root_dir),
        include_root: own.include_root.or(merged.include_root),
    }
}

/// The folder part of an `include` pattern before its first wildcard (`src/**/*` -> `src`,
/// `src/index.ts` -> `src`).
fn static_prefix(pattern: &str) -> String {
    let parts: Vec<&str> = pattern.split('/').collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if p.contains('*') || p.contains('?') {
            break;
        }
        // The last part names a file (or a folder of files): a file's folder is the root.
        if i + 1 == parts.len() && p.contains('.') && *p != "." && *p != ".." {
            break;
        }
        out.push(p);
    }
    out.join("/")
}

fn common_folder(paths: &[String]) -> Option<String> {
    let first = paths.first()?;
    let mut common: Vec<&str> = first.split('/').filter(|p| !p.is_empty()).collect();
    for p in &paths[1..] {
        let parts: Vec<&str> = p.split('/').filter(|p| !p.is_empty()).collect();
        let n = common
            .iter()
            .zip(&parts)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(n);
    }
    Some(common.join("/"))
}

/// JSON with comments and trailing commas, as `tsconfig.json` allows, made plain JSON.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    // Trailing commas: a `,` followed only by whitespace before `}` or `]`.
    let mut cleaned = String::with_capacity(out.len());
    let bytes: Vec<char> = out.chars().collect();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            cleaned.push(c);
            if c == '\\' && i + 1 < bytes.len() {
                cleaned.push(bytes[i + 1]);
                i += 1;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            cleaned.push(c);
        } else if c == ',' {
            let next = bytes[i + 1..].iter().find(|n| !n.is_whitespace());
            if !matches!(next, Some('}' | ']')) {
                cleaned.push(c);
            }
        } else {
            cleaned.push(c);
        }
        i += 1;
    }
    cleaned
}

/// Joins relative paths, resolving `.` and `..` (never above the root); a leading `/` (a root
/// given as written with several roots) is kept.
fn join(base: &str, rel: &str) -> String {
    let lead = if base.starts_with('/') { "/" } else { "" };
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
    format!("{lead}{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webpack_named_entries_are_read() {
        let config = r#"
const path = require('path');
module.exports = {
  target: 'node',
  entry: {
    orders: './src/orders/index.ts',
    'api/users': path.resolve(__dirname, 'src/users/handler.ts'),
  },
  output: { libraryTarget: 'commonjs2' },
};
"#;
        assert_eq!(
            webpack_entries(config),
            [
                ("orders".to_string(), "src/orders/index.ts".to_string()),
                ("api/users".to_string(), "src/users/handler.ts".to_string()),
            ]
        );
        // The handlers' own files: nothing to map.
        assert!(webpack_entries("module.exports = { entry: slsw.lib.entries };").is_empty());
        let computed = "module.exports = { entry: { [name]: './src/x.ts' } };";
        assert!(webpack_entries(computed).is_empty());
    }

    #[test]
    fn jsonc_comments_and_trailing_commas_are_dropped() {
        let text = "{\n // c\n \"a\": \"x//y\", /* b */ \"c\": [1, 2,],\n}";
        let v: serde_json::Value = serde_json::from_str(&strip_jsonc(text)).expect("json");
        assert_eq!(v["a"], "x//y");
        assert_eq!(v["c"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn include_patterns_give_their_common_folder() {
        assert_eq!(static_prefix("src/**/*"), "src");
        assert_eq!(static_prefix("src/handlers/index.ts"), "src/handlers");
        let roots = vec!["app/src/a".to_string(), "app/src/b".to_string()];
        assert_eq!(common_folder(&roots).as_deref(), Some("app/src"));
    }

    #[test]
    fn out_dir_maps_back_to_the_root_dir() {
        let options = Options {
            out_dir: Some("svc/dist".into()),
            root_dir: Some("svc/src".into()),
            include_root: None,
        };
        let got = sources_for("svc/dist/handlers/api", "svc", &options);
        assert_eq!(
            got.first().map(String::as_str),
            Some("svc/src/handlers/api.ts")
        );
        assert!(sources_for("svc/lib/api", "svc", &options).is_empty());
    }
}
