//! Where a Java function's sources are when its code path names a build artefact
//! (`target/app.jar`, `build/distributions/app.zip`) or nothing at all beside a Maven or Gradle
//! build: the project folders whose `src/main/java` (or `src/main/kotlin`) hold the classes.
//!
//! Build files are read statically, never run. Maven builds into `${project.basedir}/target`
//! and names the artefact `${artifactId}-${version}` unless `<finalName>` says otherwise
//! (<https://maven.apache.org/guides/introduction/introduction-to-the-pom.html>, "Project
//! Inheritance" and "Project Aggregation"): a `pom.xml` lists its sub-projects in
//! `<modules>`. Gradle builds into `build/libs` (the `jar` task) and `build/distributions`
//! (the `distZip` / `buildZip` tasks), naming the archive after `archiveBaseName` or the
//! project (<https://docs.gradle.org/current/dsl/org.gradle.api.tasks.bundling.Jar.html>,
//! `archiveBaseName`); `settings.gradle(.kts)` lists its sub-projects with `include`
//! (<https://docs.gradle.org/current/userguide/multi_project_builds.html>, "Multi-Project
//! Build Basics").

use crate::discover::{self, Listing};

/// Build outputs of the Java build tools, by the folders they are written to below the
/// project (Maven `target`, Gradle `build/libs` and `build/distributions`).
const OUTPUT_DIRS: &[&str] = &["target", "build/libs", "build/distributions"];

/// Archive extensions a Java function's code is deployed as.
const ARCHIVES: &[&str] = &[".jar", ".zip", ".war"];

/// Build files that make a folder a Java project.
const BUILD_FILES: &[&str] = &["pom.xml", "build.gradle", "build.gradle.kts"];

/// Where a function's Java sources were looked for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Projects {
    /// Project folders (relative, `/`-separated, no trailing `/`), best first: the artefact's
    /// own project, then sub-projects whose artefact name matches, then the others.
    pub folders: Vec<String>,
    /// Build files that could not be read as one (path and reason).
    pub problems: Vec<(String, String)>,
}

/// True when a code path names a packaged archive rather than a folder of sources.
pub fn is_archive(code_path: &str) -> bool {
    let lower = code_path.to_ascii_lowercase();
    ARCHIVES.iter().any(|ext| lower.ends_with(ext))
}

/// The project folders that may hold the sources of a function whose code path is
/// `code_path` (an archive or a folder), or, without one, of the template in `template_dir`.
pub fn projects(code_path: Option<&str>, template_dir: &str, listing: &Listing) -> Projects {
    let (project, artefact) = match code_path {
        Some(path) if is_archive(path) => {
            let (dir, file) = split(path);
            let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
            let project = OUTPUT_DIRS
                .iter()
                .find_map(|out| strip_dir(dir, out))
                .unwrap_or_else(|| template_dir.to_string());
            (project, Some(stem.to_string()))
        }
        // The audited root itself is `.` (`CodeUri: ./` beside the template at the root).
        Some(path) => {
            let path = path.trim_end_matches('/');
            let path = if path == "." {
                ""
            } else {
                path.trim_start_matches("./")
            };
            (path.to_string(), None)
        }
        None => (template_dir.to_string(), None),
    };
    let mut out = Projects::default();
    let mut modules = Vec::new();
    collect_modules(&project, listing, &mut modules, &mut out.problems, 0);
    if is_project(&project, listing) {
        out.folders.push(project.clone());
    }
    // Sub-projects whose artefact is the one deployed first.
    let (mut named, others): (Vec<_>, Vec<_>) = modules
        .into_iter()
        .partition(|(_, names)| artefact.as_deref().is_some_and(|a| matches_any(a, names)));
    named.extend(others);
    for (folder, _) in named {
        if !out.folders.contains(&folder) && is_project(&folder, listing) {
            out.folders.push(folder);
        }
    }
    out
}

/// `a/b/target` minus the output folder `target` is `a/b`; `target` alone is the root.
fn strip_dir(dir: &str, out: &str) -> Option<String> {
    if dir == out {
        return Some(String::new());
    }
    dir.strip_suffix(out)
        .and_then(|d| d.strip_suffix('/'))
        .map(str::to_string)
}

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(rel.split('/')) {
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

/// A folder with Java or Kotlin sources (`src/main/java`, `src/main/kotlin`).
fn is_project(folder: &str, listing: &Listing) -> bool {
    ["src/main/java/", "src/main/kotlin/"].iter().any(|src| {
        let prefix = if folder.is_empty() {
            (*src).to_string()
        } else {
            format!("{folder}/{src}")
        };
        listing
            .files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(&prefix))
    })
}

/// Sub-project folders and the artefact names each may build, from the build files of
/// `project`, nested builds included (at most a few levels deep).
fn collect_modules(
    project: &str,
    listing: &Listing,
    out: &mut Vec<(String, Vec<String>)>,
    problems: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > 4 {
        return;
    }
    let mut children = Vec::new();
    for build in BUILD_FILES
        .iter()
        .chain(&["settings.gradle", "settings.gradle.kts"])
    {
        let path = join(project, build);
        let Some(entry) = listing.files.get(&path) else {
            continue;
        };
        let text = match discover::read_text(entry) {
            Ok(t) => t,
            Err(e) => {
                problems.push((path, e.to_string()));
                continue;
            }
        };
        if *build == "pom.xml" {
            match pom_modules(&text) {
                Ok(modules) => children.extend(modules),
                Err(reason) => problems.push((path, reason)),
            }
        } else if build.starts_with("settings") {
            children.extend(gradle_includes(&text));
        }
    }
    for child in children {
        let folder = join(project, &child);
        if out.iter().any(|(f, _)| *f == folder) || folder == project {
            continue;
        }
        let names = artefact_names(&folder, listing);
        out.push((folder.clone(), names));
        collect_modules(&folder, listing, out, problems, depth + 1);
    }
}

/// The names a project's artefact may carry: its folder name, the Maven `artifactId` and
/// `finalName`, Gradle's `archiveBaseName` / `baseName` / `archivesBaseName`.
fn artefact_names(folder: &str, listing: &Listing) -> Vec<String> {
    let mut names = vec![split(folder).1.to_string()];
    for build in BUILD_FILES {
        let Some(text) = listing
            .files
            .get(&join(folder, build))
            .and_then(|e| discover::read_text(e).ok())
        else {
            continue;
        };
        if *build == "pom.xml" {
            let body = strip_parent(&text);
            names.extend(tag(&body, "artifactId"));
            names.extend(tag(&body, "finalName"));
        } else {
            for key in ["archiveBaseName", "archivesBaseName", "baseName"] {
                names.extend(gradle_value(&text, key));
            }
        }
    }
    names.retain(|n| !n.is_empty() && !n.contains("${"));
    names
}

/// The deployed artefact `stem` was built by a project named `names`: `my-app-1.0.jar` from
/// `my-app`, `app.zip` from `finalName` `app`.
fn matches_any(stem: &str, names: &[String]) -> bool {
    names.iter().any(|n| {
        stem == n
            || stem
                .strip_prefix(n.as_str())
                .is_some_and(|rest| rest.starts_with(['-', '.', '_']))
    })
}

/// A POM without its `<parent>` block (whose `artifactId` is the parent's).
fn strip_parent(pom: &str) -> String {
    match (pom.find("<parent>"), pom.find("</parent>")) {
        (Some(s), Some(e)) if e > s => format!("{}{}", &pom[..s], &pom[e + "</parent>".len()..]),
        _ => pom.to_string(),
    }
}

/// The text of every `<name>…</name>` element, trimmed.
fn tag(text: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(after[..end].trim().to_string());
        rest = &after[end + close.len()..];
    }
    out
}

/// The `<module>` entries of a POM's `<modules>` (profiles' modules included); an element
/// left open is a malformed build file.
fn pom_modules(pom: &str) -> Result<Vec<String>, String> {
    let pom = strip_comments(pom);
    let opened = pom.matches("<modules>").count();
    let closed = pom.matches("</modules>").count();
    if opened != closed {
        return Err("`<modules>` is not closed".to_string());
    }
    let mut out = Vec::new();
    for block in tag(&pom, "modules") {
        out.extend(tag(&block, "module").into_iter().filter(|m| !m.is_empty()));
    }
    Ok(out)
}

fn strip_comments(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Project folders a `settings.gradle(.kts)` includes: `include 'a', ':b:c'`,
/// `include("a", "b")` (`:b:c` is the folder `b/c`).
fn gradle_includes(settings: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in settings.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        let Some(rest) = line.strip_prefix("include") else {
            continue;
        };
        if !rest.starts_with([' ', '(', '\t']) {
            continue;
        }
        for name in quoted(rest) {
            let folder = name.trim_start_matches(':').replace(':', "/");
            if !folder.is_empty() {
                out.push(folder);
            }
        }
    }
    out
}

/// The string literals of a line (single or double quoted).
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\'' && c != '"' {
            continue;
        }
        let rest = &text[i + 1..];
        match rest.find(c) {
            Some(end) => {
                out.push(rest[..end].to_string());
                for _ in 0..=end {
                    chars.next();
                }
            }
            None => break,
        }
    }
    out
}

/// `key = 'v'`, `key.set("v")`, `key "v"` in a Gradle build script.
fn gradle_value(script: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in script.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        let Some(at) = line.find(key) else { continue };
        let rest = line[at + key.len()..].trim_start();
        if rest.starts_with(['=', '(', '"', '\'']) || rest.starts_with(".set") {
            out.extend(quoted(rest).into_iter().take(1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_output_dirs() {
        assert_eq!(strip_dir("app/target", "target").as_deref(), Some("app"));
        assert_eq!(strip_dir("target", "target").as_deref(), Some(""));
        assert_eq!(
            strip_dir("a/build/distributions", "build/distributions").as_deref(),
            Some("a")
        );
        assert_eq!(strip_dir("a/mytarget", "target"), None);
    }

    #[test]
    fn reads_pom_modules_and_names() {
        let pom = "<project><parent><artifactId>parent</artifactId></parent>\
                   <artifactId>orders</artifactId><!-- <module>gone</module> -->\
                   <modules><module>orders-fn</module>\n<module> common </module></modules>\
                   <build><finalName>orders-lambda</finalName></build></project>";
        assert_eq!(
            pom_modules(pom),
            Ok(vec!["orders-fn".to_string(), "common".to_string()])
        );
        let body = strip_parent(pom);
        assert_eq!(tag(&body, "artifactId"), vec!["orders".to_string()]);
        assert_eq!(tag(&body, "finalName"), vec!["orders-lambda".to_string()]);
        assert!(pom_modules("<modules><module>a</module>").is_err());
    }

    #[test]
    fn reads_gradle_includes_and_names() {
        let settings = "rootProject.name = 'x'\ninclude ':api', 'workers:sqs'\n\
                        include(\"kts-one\", \"kts-two\") // comment\nincludeBuild 'other'\n";
        assert_eq!(
            gradle_includes(settings),
            vec!["api", "workers/sqs", "kts-one", "kts-two"]
        );
        let build =
            "jar {\n  archiveBaseName = 'orders'\n}\ntasks.jar { archiveBaseName.set(\"k\") }";
        assert_eq!(gradle_value(build, "archiveBaseName"), vec!["orders", "k"]);
    }

    #[test]
    fn matches_versioned_artefacts() {
        let names = vec!["orders".to_string()];
        assert!(matches_any("orders", &names));
        assert!(matches_any("orders-1.0-SNAPSHOT", &names));
        assert!(!matches_any("ordersx", &names));
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(join("a/b", "../c"), "a/c");
        assert_eq!(join("", "c"), "c");
        assert_eq!(join("a", "./c/d"), "a/c/d");
    }
}
