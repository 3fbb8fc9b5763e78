//! Every app under `fixtures/` is audited in-process. The findings must be exactly the ones
//! its files mark with `expect:` comments (`# expect: rule` / `// expect: rule` on the line
//! the finding points at, `expect-next:` for the following line, or `expect.txt` lines
//! `file:LINE rule` for JSON), and the JSON report must match its reviewed snapshot.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

type Expectation = (String, u32, String);

fn fixture_apps() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut apps: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    apps.sort();
    apps
}

fn expectations(app: &Path) -> BTreeSet<Expectation> {
    let mut out = BTreeSet::new();
    for entry in walk(app) {
        let rel = entry
            .strip_prefix(app)
            .expect("inside app")
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        if rel == "expect.txt" {
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let (loc, rule) = line.split_once(' ').expect("`file:LINE rule`");
                let (file, n) = loc.rsplit_once(':').expect("`file:LINE`");
                out.insert((
                    file.to_string(),
                    n.parse().expect("line number"),
                    rule.trim().to_string(),
                ));
            }
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            for (marker, offset) in [("expect-next:", 2u32), ("expect:", 1u32)] {
                let Some(pos) = line.find(marker) else {
                    continue;
                };
                let before = line[..pos].trim_end();
                if !(before.ends_with('#') || before.ends_with("//")) {
                    continue;
                }
                for rule in line[pos + marker.len()..].split(',') {
                    let rule = rule.split_whitespace().next().unwrap_or("");
                    if !rule.is_empty() {
                        out.insert((rel.clone(), i as u32 + offset, rule.to_string()));
                    }
                }
                break;
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixtures_report_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    let mut reports = Vec::new();
    let apps = fixture_apps();
    assert!(
        apps.len() >= 20,
        "expected at least 20 fixture apps, found {}",
        apps.len()
    );
    for app in apps {
        let name = app.file_name().expect("name").to_string_lossy().to_string();
        let audit = rolefit::app::audit(std::slice::from_ref(&app), &Default::default())
            .expect("audit runs");
        let actual: BTreeSet<Expectation> = audit
            .report
            .findings
            .iter()
            .filter_map(|f| {
                let loc = f.location.as_ref()?;
                Some((loc.file.clone(), loc.line, f.rule.to_string()))
            })
            .collect();
        let expected = expectations(&app);
        let missing: Vec<_> = expected.difference(&actual).collect();
        let extra: Vec<_> = actual.difference(&expected).collect();
        if !missing.is_empty() || !extra.is_empty() {
            let mut msg = format!("fixtures/{name}:\n");
            for (f, l, r) in missing {
                msg.push_str(&format!("  expected but not reported: {f}:{l} {r}\n"));
            }
            for (f, l, r) in extra {
                let text = audit
                    .report
                    .findings
                    .iter()
                    .find(|x| {
                        x.rule == r
                            && x.location
                                .as_ref()
                                .is_some_and(|loc| loc.file == *f && loc.line == *l)
                    })
                    .map(|x| x.message.clone())
                    .unwrap_or_default();
                msg.push_str(&format!(
                    "  reported but not expected: {f}:{l} {r}: {text}\n"
                ));
            }
            failures.push(msg);
        }
        reports.push((name, audit.report));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (name, report) in reports {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_suffix(name);
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            insta::assert_json_snapshot!("report", report, { ".tool.version" => "[version]" });
        });
    }
}

/// Rules whose findings are about a file, not a function (REPORT.md v1.1).
const FILE_RULES: &[&str] = &["parse-error", "unused-suppression", "incomplete-input"];

#[test]
fn every_permission_finding_names_its_functions() {
    let mut failures = Vec::new();
    for app in fixture_apps() {
        let audit = rolefit::app::audit(std::slice::from_ref(&app), &Default::default())
            .expect("audit runs");
        let ids: BTreeSet<&str> = audit
            .report
            .functions
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        for f in &audit.report.findings {
            let named =
                !f.functions.is_empty() && f.functions.iter().all(|id| ids.contains(id.as_str()));
            // `function` is the one function, and only when there is exactly one.
            let single = match f.functions.as_slice() {
                [one] => f.function.as_deref() == Some(one.as_str()),
                _ => f.function.is_none(),
            };
            if (!FILE_RULES.contains(&f.rule) && !named) || !single {
                failures.push(format!(
                    "{}: {} {:?} {:?}: {}",
                    app.display(),
                    f.rule,
                    f.function,
                    f.functions,
                    f.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_two_findings_share_rule_place_and_fix() {
    let mut failures = Vec::new();
    for app in fixture_apps() {
        let audit = rolefit::app::audit(std::slice::from_ref(&app), &Default::default())
            .expect("audit runs");
        let mut seen = BTreeSet::new();
        for f in &audit.report.findings {
            let place = f
                .location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column));
            let fix = f.fix.as_ref().map(|v| v.to_string());
            if !seen.insert((f.rule, place.clone(), fix)) {
                failures.push(format!("{}: {} at {place:?}", app.display(), f.rule));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn star_only_actions_and_bundles_used_in_part_say_why_and_how() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sam-star-only-and-bundles");
    let audit =
        rolefit::app::audit(std::slice::from_ref(&app), &Default::default()).expect("audit runs");
    let findings = &audit.report.findings;
    let star = findings
        .iter()
        .find(|f| f.rule == "missing-permission")
        .expect("a missing-permission");
    assert_eq!(star.severity.as_str(), "warning");
    assert!(
        star.message
            .contains("sns:ListTopics accepts only Resource \"*\""),
        "{}",
        star.message
    );
    assert_eq!(
        star.fix.as_ref().and_then(|f| f.get("Resource")),
        Some(&"*".into())
    );
    // The grant on the topic is not also called unused.
    assert!(
        !findings
            .iter()
            .any(|f| f.rule == "unused-permission" && f.message.contains("ListTopics"))
    );
    let bundle = findings
        .iter()
        .find(|f| f.rule == "unused-permission")
        .expect("an unused-permission");
    assert!(
        bundle.message.contains("`DynamoDBWritePolicy`"),
        "{}",
        bundle.message
    );
    assert!(bundle.actions.contains(&"dynamodb:DeleteItem".to_string()));
    assert!(!bundle.actions.contains(&"dynamodb:UpdateItem".to_string()));
    let granted = bundle
        .fix
        .as_ref()
        .map(|f| f.to_string())
        .unwrap_or_default();
    assert!(granted.contains("dynamodb:UpdateItem") && !granted.contains("dynamodb:DeleteItem"));
}
