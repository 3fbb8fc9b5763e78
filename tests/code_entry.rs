//! Which export a function's handler string names (the handler entry), for every code
//! language: Python `module.function`, JavaScript/TypeScript `file.export`, Java
//! `package.Class::method` or `package.Class`, Go `package main` with `lambda.Start`.

// Test inputs are fixed snippets: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rolefit::model::CodeFacts;
use rolefit::parse::code::{HandlerEntry, Lang, extract, handler_entry};
use rolefit::source::{FileId, SourceFile};

fn facts(path: &str, src: &str) -> CodeFacts {
    let lang = Lang::from_path(path).unwrap();
    extract(&SourceFile::new(FileId(0), path, src), lang).unwrap()
}

/// The entry a handler names in the given files (handler file first), with the text of its
/// definition.
fn entry(handler: &str, files: &[(&str, &str)]) -> Option<(HandlerEntry, String)> {
    let read: Vec<(&str, CodeFacts)> = files.iter().map(|(p, s)| (*p, facts(p, s))).collect();
    let refs: Vec<(&str, &CodeFacts)> = read.iter().map(|(p, f)| (*p, f)).collect();
    let found = handler_entry(handler, &refs)?;
    let src = files.iter().find(|(p, _)| *p == found.file).unwrap().1;
    let text = src[found.span.start as usize..found.span.end as usize].to_string();
    Some((found, text))
}

#[test]
fn python_module_function() {
    let src = "import boto3\n\ndef helper():\n    pass\n\n@logger.inject_lambda_context\ndef handler(event, context):\n    def inner():\n        pass\n    return helper()\n";
    let (e, text) = entry("app.handler", &[("app.py", src)]).unwrap();
    assert_eq!(
        (e.file.as_str(), e.function.as_str()),
        ("app.py", "handler")
    );
    assert!(text.starts_with("def handler(event, context):"));
    // A nested function or a method is not the module's, a missing one is no entry.
    assert!(entry("app.inner", &[("app.py", src)]).is_none());
    let class = "class App:\n    handler = make()\n    def run(self):\n        pass\n";
    assert!(entry("app.handler", &[("app.py", class)]).is_none());
    assert!(entry("app.run", &[("app.py", class)]).is_none());
    assert!(entry("app.main", &[("app.py", src)]).is_none());
    // A module-level assignment names a handler too (`handler = Mangum(app)`).
    let asgi = "from mangum import Mangum\napp = make_app()\nhandler = Mangum(app)\n";
    let (e, text) = entry("src/main.handler", &[("src/main.py", asgi)]).unwrap();
    assert_eq!(e.function, "handler");
    assert_eq!(text, "handler = Mangum(app)");
}

#[test]
fn javascript_exports() {
    let cases = [
        "export const handler = async (event) => { return 1; };",
        "export async function handler(event) { return 1; }",
        "async function main(event) {}\nexport { main as handler };",
        "exports.handler = async (event) => {};",
        "module.exports.handler = async function (event) {};",
        "async function handler(event) {}\nmodule.exports = { handler };",
        "module.exports = { other, handler: async (event) => {} };",
    ];
    for src in cases {
        let (e, _) = entry("src/index.handler", &[("src/index.js", src)])
            .unwrap_or_else(|| panic!("no entry in {src}"));
        assert_eq!(e.file, "src/index.js", "{src}");
        assert_eq!(e.function, "handler", "{src}");
    }
    // A function that is not exported is no entry.
    assert!(
        entry(
            "index.handler",
            &[("index.js", "async function handler() {}")]
        )
        .is_none()
    );
    let (_, text) = entry("index.handler", &[("index.mjs", cases[0])]).unwrap();
    assert_eq!(text, "handler = async (event) => { return 1; }");
}

#[test]
fn typescript_exports() {
    let src = "import { Handler } from 'aws-lambda';\nexport const handler: Handler = async (event) => {\n  return { statusCode: 200 };\n};\nexport function other() {}\n";
    let (e, text) = entry("dist/handlers/api.handler", &[("src/handlers/api.ts", src)]).unwrap();
    assert_eq!(
        (e.file.as_str(), e.function.as_str()),
        ("src/handlers/api.ts", "handler")
    );
    assert!(text.starts_with("handler: Handler = async"));
    let tsx =
        "export default function Page() { return <div/>; }\nexport const handler = () => null;\n";
    assert_eq!(
        entry("page.handler", &[("page.tsx", tsx)])
            .unwrap()
            .0
            .function,
        "handler"
    );
}

#[test]
fn java_class_and_method() {
    let src = "package com.example;\n\nimport com.amazonaws.services.lambda.runtime.RequestHandler;\n\npublic class Handler implements RequestHandler<Object, String> {\n  public String handleRequest(Object in, Context ctx) { return helper(); }\n  String helper() { return \"\"; }\n  static class Inner {\n    public void handle(Object in) {}\n  }\n  Runnable r = new Runnable() { public void handleRequest() {} };\n}\n";
    let file = "src/main/java/com/example/Handler.java";
    let (e, text) = entry("com.example.Handler::handleRequest", &[(file, src)]).unwrap();
    assert_eq!(e.function, "com.example.Handler::handleRequest");
    assert!(text.starts_with("public String handleRequest(Object in, Context ctx)"));
    // A handler naming only the class runs its handleRequest.
    let (e, _) = entry("com.example.Handler", &[(file, src)]).unwrap();
    assert_eq!(e.function, "com.example.Handler::handleRequest");
    assert!(text.starts_with("public String handleRequest"));
    // Nested classes are written with `$`.
    let (e, _) = entry("com.example.Handler$Inner::handle", &[(file, src)]).unwrap();
    assert_eq!(e.function, "com.example.Handler$Inner::handle");
    assert!(entry("com.other.Handler::handleRequest", &[(file, src)]).is_none());
    // An inherited method: the class is the entry.
    let (e, text) = entry("com.example.Handler::inherited", &[(file, src)]).unwrap();
    assert_eq!(e.function, "com.example.Handler::inherited");
    assert!(text.starts_with("public class Handler"));
    let sub = "package com.example;\npublic class Sub extends Base {}\n";
    let (e, text) = entry("com.example.Sub", &[("Sub.java", sub)]).unwrap();
    assert_eq!(e.function, "com.example.Sub::handleRequest");
    assert!(text.starts_with("public class Sub"));
}

#[test]
fn go_lambda_start() {
    let main = "package main\n\nimport \"github.com/aws/aws-lambda-go/lambda\"\n\nfunc main() {\n\tlambda.Start(handleRequest)\n}\n";
    let handler = "package main\n\nimport \"context\"\n\nfunc handleRequest(ctx context.Context) error {\n\treturn nil\n}\n";
    // The handler string names the binary (`bootstrap`); the entry is what main starts, in
    // the package file that defines it.
    let files = [("fn/handler.go", handler), ("fn/main.go", main)];
    let (e, text) = entry("bootstrap", &files).unwrap();
    assert_eq!(
        (e.file.as_str(), e.function.as_str()),
        ("fn/handler.go", "handleRequest")
    );
    assert!(text.starts_with("func handleRequest(ctx context.Context) error"));
    // A function literal: the function that starts it.
    let inline = "package main\n\nimport (\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\nfunc main() {\n\tlambda.Start(func() error { return nil })\n}\n";
    let (e, _) = entry("main", &[("main.go", inline)]).unwrap();
    assert_eq!((e.file.as_str(), e.function.as_str()), ("main.go", "main"));
    // `lambda.Start` outside package main, or of another package, starts nothing.
    let lib = main.replace("package main", "package lib");
    assert!(entry("bootstrap", &[("lib.go", &lib)]).is_none());
    let other = main.replace("github.com/aws/aws-lambda-go/lambda", "example.com/lambda");
    assert!(entry("bootstrap", &[("main.go", &other)]).is_none());
}

/// The audit resolves each function's handler entry among the files it reads.
#[test]
fn audit_exposes_each_functions_entry() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let cases = [
        ("sam-python-crud-correct", "put_note.py", "handler"),
        ("sam-js-v3-lib-dynamodb", "reserve.", "handler"),
        ("sam-ts-esm-s3-upload", "export.", "handler"),
        (
            "sam-java-s3-sqs",
            "App.java",
            "com.example.App::handleRequest",
        ),
        ("sam-go-s3-archiver", "archiver/main.go", "run"),
    ];
    for (fixture, file, function) in cases {
        let app = root.join(fixture);
        let config = rolefit::config::Config::default();
        let audit = rolefit::app::audit(std::slice::from_ref(&app), &config).unwrap();
        let entries: Vec<&HandlerEntry> =
            audit.code.iter().filter_map(|c| c.entry.as_ref()).collect();
        assert!(
            entries
                .iter()
                .any(|e| e.file.contains(file) && e.function == function),
            "{fixture}: {entries:?}"
        );
        // Every function whose handler file was read has its entry.
        for (f, code) in audit.app.functions.iter().zip(&audit.code) {
            if code.analysed && f.inline_code.is_none() {
                assert!(code.entry.is_some(), "{fixture}: {}", f.name);
            }
        }
    }
}
