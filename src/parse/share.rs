//! One handler's share of its code: a module that defines several handlers (`handler.get`,
//! `handler.put`) or re-exports them (`export { default as orders } from './orders/handler'`,
//! `module.exports = { a, b }`) gives each function only what its own handler reaches.
//!
//! What runs for a handler: the module-level code of every module loaded (it runs on import,
//! for every handler of the module: clients created at import time, calls made while loading),
//! the handler's definition, and every definition reached from those by name — local functions
//! and classes, module-level bindings, and the names imported from other local modules, which
//! in turn reach the definitions of those modules. The [`Outline`] each file's extractor built
//! says which names each module-level definition references (a reference is enough: a
//! function passed as a callback or stored in a dispatch table counts as reached).
//!
//! Where reachability cannot be decided the module is taken whole: a file that looks its own
//! names up at run time (`globals()`, `eval`), a language without outlines, an import that
//! binds nothing known (`export * from`, `import './setup'`), a name asked of a module that
//! defines no such name.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{CodeFacts, Outline, SdkCall};
use crate::parse::code::HandlerEntry;

/// What one handler reaches among its files.
#[derive(Debug, Default)]
pub struct Share {
    /// The files loaded for the handler, its own first.
    pub files: Vec<String>,
    /// The SDK calls the handler reaches.
    pub calls: Vec<SdkCall>,
    /// Files taken whole because which of their definitions run could not be decided
    /// (they look their own names up at run time).
    pub undecided: Vec<String>,
}

/// What is asked of a module: all of it, or the module-level code and some names.
#[derive(Clone, Debug, Default, PartialEq)]
struct Want {
    whole: bool,
    names: BTreeSet<String>,
}

impl Want {
    /// Adds another ask; true when this one grew.
    fn merge(&mut self, other: &Want) -> bool {
        let before = (self.whole, self.names.len());
        self.whole |= other.whole;
        self.names.extend(other.names.iter().cloned());
        before != (self.whole, self.names.len())
    }
}

/// What a module's code reaches for an ask.
struct Reached {
    whole: bool,
    names: BTreeSet<String>,
    units: BTreeSet<u32>,
}

/// The share of `entry`'s handler, with `facts` the extracted files (by path) and `targets`
/// the files an import of a file names. `None` when the handler's file has no outline (its
/// language reads no reachability): the caller keeps every file.
pub fn handler_share<'a>(
    entry: &HandlerEntry,
    facts: impl Fn(&str) -> Option<&'a CodeFacts>,
    targets: impl Fn(&str, &str) -> Vec<String>,
) -> Option<Share> {
    if !facts(&entry.file)?.outline.built {
        return None;
    }
    let mut wants: BTreeMap<String, Want> = BTreeMap::new();
    wants.insert(
        entry.file.clone(),
        Want {
            whole: false,
            names: BTreeSet::from([entry.function.clone()]),
        },
    );
    let mut queue = vec![entry.file.clone()];
    while let Some(file) = queue.pop() {
        let (Some(f), Some(want)) = (facts(&file), wants.get(&file).cloned()) else {
            continue;
        };
        let reached = reach(&f.outline, &want);
        for (i, import) in f.imports.iter().enumerate() {
            let Some(ask) = import_ask(&f.outline, i, &reached) else {
                continue;
            };
            for target in targets(&file, &import.module.value) {
                if facts(&target).is_none() {
                    continue;
                }
                let grew = match wants.get_mut(&target) {
                    Some(w) => w.merge(&ask),
                    None => {
                        wants.insert(target.clone(), ask.clone());
                        true
                    }
                };
                if grew {
                    queue.push(target);
                }
            }
        }
    }
    let mut share = Share::default();
    let ordered = std::iter::once(entry.file.clone())
        .chain(wants.keys().filter(|k| **k != entry.file).cloned())
        .collect::<Vec<_>>();
    for file in ordered {
        let (Some(f), Some(want)) = (facts(&file), wants.get(&file)) else {
            continue;
        };
        let reached = reach(&f.outline, want);
        if f.outline.dynamic {
            share.undecided.push(file.clone());
        }
        share
            .calls
            .extend(f.calls.iter().enumerate().filter_map(|(i, call)| {
                let unit = f.outline.call_units.get(i).copied().flatten();
                let runs = reached.whole || unit.is_none_or(|u| reached.units.contains(&u));
                runs.then(|| call.clone())
            }));
        share.files.push(file);
    }
    Some(share)
}

/// What the import at `index` asks of its module, when the import runs at all.
fn import_ask(outline: &Outline, index: usize, reached: &Reached) -> Option<Want> {
    let import = outline.import_uses.get(index);
    if reached.whole {
        return Some(Want {
            whole: true,
            names: BTreeSet::new(),
        });
    }
    if let Some(unit) = import.and_then(|u| u.unit)
        && !reached.units.contains(&unit)
    {
        return None;
    }
    let binds = import.map(|u| u.binds.as_slice()).unwrap_or_default();
    let mut ask = Want {
        whole: binds.is_empty(),
        names: BTreeSet::new(),
    };
    for (local, imported) in binds {
        let bare = reached.names.contains(local);
        let members = members_of(&reached.names, local);
        if imported == "*" {
            // A module bound whole and only read member by member (`db.save(...)`) is asked
            // for those members; used any other way (passed on, iterated), all of it.
            ask.whole |= bare;
            ask.names.extend(members.map(str::to_string));
        } else if bare || members.count() > 0 {
            ask.names.insert(imported.clone());
        }
    }
    Some(ask)
}

/// The members read of `name` among reached names (`db.save` -> `save`).
fn members_of<'n>(names: &'n BTreeSet<String>, name: &'n str) -> impl Iterator<Item = &'n str> {
    names
        .iter()
        .filter_map(move |n| n.strip_prefix(name)?.strip_prefix('.'))
}

/// A referenced name without its member (`db.save` -> `db`).
fn head(name: &str) -> &str {
    name.split_once('.').map_or(name, |(h, _)| h)
}

/// The units and names of a module that run for an ask: the module-level code, the asked
/// names, and what they reference, transitively.
fn reach(outline: &Outline, want: &Want) -> Reached {
    let whole = Reached {
        whole: true,
        names: BTreeSet::new(),
        units: BTreeSet::new(),
    };
    if !outline.built || outline.dynamic || want.whole {
        return whole;
    }
    let defined = |name: &String| {
        let name = head(name);
        outline.units.iter().any(|u| u.name == name)
            || outline
                .import_uses
                .iter()
                .any(|u| u.binds.iter().any(|(local, _)| local == name))
    };
    if !want.names.iter().all(defined) {
        return whole;
    }
    let mut names: BTreeSet<String> = want.names.clone();
    names.extend(outline.module_refs.iter().cloned());
    let mut units = BTreeSet::new();
    // A unit runs when its name is referenced, alone or with a member (`api.get`).
    let mut heads: BTreeSet<String> = names.iter().map(|n| head(n).to_string()).collect();
    loop {
        let mut grew = false;
        for (i, unit) in outline.units.iter().enumerate() {
            let i = i as u32;
            if !units.contains(&i) && heads.contains(&unit.name) {
                units.insert(i);
                names.extend(unit.refs.iter().cloned());
                heads.extend(unit.refs.iter().map(|n| head(n).to_string()));
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    Reached {
        whole: false,
        names,
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::code::{self, Lang};
    use crate::source::{FileId, SourceFile};

    /// Extracts `files` (path, text) and returns the share of `handler` in the first.
    fn share(files: &[(&str, &str)], handler: &str) -> Share {
        let facts: BTreeMap<String, CodeFacts> = files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| {
                let file = SourceFile::new(FileId(i as u32), *path, *text);
                let lang = Lang::from_path(path).expect("a code file");
                (
                    path.to_string(),
                    code::extract(&file, lang).expect("parses"),
                )
            })
            .collect();
        let (first, _) = files[0];
        let entry = code::handler_entry(handler, &[(first, &facts[first])]).expect("entry");
        handler_share(
            &entry,
            |f| facts.get(f),
            |importer, module| {
                code::local_import_candidates(
                    Lang::from_path(importer).expect("a code file"),
                    importer,
                    module,
                    "",
                )
                .into_iter()
                .filter(|c| facts.contains_key(c))
                .take(1)
                .collect()
            },
        )
        .expect("an outline")
    }

    fn methods(share: &Share) -> Vec<&str> {
        let mut m: Vec<&str> = share.calls.iter().map(|c| c.method.as_str()).collect();
        m.sort();
        m
    }

    const PY: &str = r#"
import boto3
from db import save

ssm = boto3.client("ssm")
s3 = boto3.client("s3")
CONFIG = ssm.get_parameter(Name="/cfg")

def _read(key):
    return s3.get_object(Bucket="b", Key=key)

def get(event, context):
    return _read(event["key"])

def put(event, context):
    s3.put_object(Bucket="b", Key="k", Body=b"")
    save(event)

if __name__ == "__main__":
    put({}, None)
"#;

    const PY_DB: &str = r#"
import boto3
table = boto3.resource("dynamodb").Table("t")

def save(item):
    table.put_item(Item=item)

def drop(item):
    table.delete_item(Key=item)
"#;

    #[test]
    fn python_handler_takes_its_own_functions_and_module_level_code() {
        let files = [("handler.py", PY), ("db.py", PY_DB)];
        let get = share(&files, "handler.get");
        assert_eq!(methods(&get), ["get_object", "get_parameter"]);
        assert_eq!(get.files, ["handler.py", "db.py"]);
        let put = share(&files, "handler.put");
        assert_eq!(methods(&put), ["get_parameter", "put_item", "put_object"]);
        assert!(put.undecided.is_empty());
    }

    #[test]
    fn python_dynamic_lookup_takes_the_file_whole() {
        let text = format!(
            "{PY}\ndef route(event, context):\n    return globals()[event['op']](event, context)\n"
        );
        let files = [("handler.py", text.as_str()), ("db.py", PY_DB)];
        let got = share(&files, "handler.get");
        assert!(methods(&got).contains(&"put_object"));
        assert_eq!(got.undecided, ["handler.py"]);
    }

    #[test]
    fn javascript_re_exports_reach_only_the_named_module() {
        let index = r#"
export { default as orders } from "./orders.mjs";
export { handler as reports } from "./reports.mjs";
"#;
        let orders = r#"
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
const db = new DynamoDBClient({});
export default async function (event) {
  await db.send(new PutItemCommand({ TableName: "t", Item: {} }));
}
"#;
        let reports = r#"
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({});
export const handler = async () => {
  await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k" }));
};
"#;
        let files = [
            ("index.mjs", index),
            ("orders.mjs", orders),
            ("reports.mjs", reports),
        ];
        let o = share(&files, "index.orders");
        assert_eq!(methods(&o), ["PutItemCommand"]);
        let r = share(&files, "index.reports");
        assert_eq!(methods(&r), ["PutObjectCommand"]);
    }

    #[test]
    fn commonjs_export_object_and_require_member() {
        let jobs = r#"
const { purge } = require("./purge");
module.exports = {
  archive: require("./archive").handler,
  purge,
};
"#;
        let archive = r#"
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");
const sqs = new SQSClient({});
exports.handler = async () => sqs.send(new SendMessageCommand({ QueueUrl: "q" }));
exports.other = async () => sqs.send(new DeleteQueueCommand({ QueueUrl: "q" }));
"#;
        let purge = r#"
const { SQSClient, PurgeQueueCommand } = require("@aws-sdk/client-sqs");
const sqs = new SQSClient({});
async function purge() { await sqs.send(new PurgeQueueCommand({ QueueUrl: "q" })); }
module.exports = { purge };
"#;
        let files = [
            ("jobs.js", jobs),
            ("archive.js", archive),
            ("purge.js", purge),
        ];
        assert_eq!(
            methods(&share(&files, "jobs.archive")),
            ["SendMessageCommand"]
        );
        assert_eq!(methods(&share(&files, "jobs.purge")), ["PurgeQueueCommand"]);
    }

    #[test]
    fn a_whole_module_binding_or_an_undefined_name_takes_every_definition() {
        let index = "const lib = require('./lib');\nexports.handler = async () => lib.run();\n";
        let lib = r#"
const { S3Client, GetObjectCommand, PutObjectCommand } = require("@aws-sdk/client-s3");
const s3 = new S3Client({});
exports.run = async () => s3.send(new GetObjectCommand({ Bucket: "b", Key: "k" }));
exports.write = async () => s3.send(new PutObjectCommand({ Bucket: "b", Key: "k" }));
"#;
        let files = [("index.js", index), ("lib.js", lib)];
        // `lib` binds the whole module, but only its member `run` is read.
        assert_eq!(
            methods(&share(&files, "index.handler")),
            ["GetObjectCommand"]
        );
        // Passed on as a value, the module is used whole.
        let index = "const lib = require('./lib');\nexports.handler = async () => call(lib);\n";
        let files = [("index.js", index), ("lib.js", lib)];
        assert_eq!(
            methods(&share(&files, "index.handler")),
            ["GetObjectCommand", "PutObjectCommand"]
        );
        // One handler of several reading members of a module bound whole (`db.save`), with
        // `module.exports = { a, b }` on both sides.
        let handlers = "const db = require('./db');\nconst get = async (e) => db.fetch(e.id);\nconst put = async (e) => db.save(e);\nmodule.exports = { get, put };\n";
        let db = r#"
const { S3Client, GetObjectCommand, PutObjectCommand } = require("@aws-sdk/client-s3");
const s3 = new S3Client({});
async function fetch(id) { return s3.send(new GetObjectCommand({ Bucket: "b", Key: id })); }
async function save(item) { await s3.send(new PutObjectCommand({ Bucket: "b", Key: item.id })); }
module.exports = { fetch, save };
"#;
        let files = [("handlers.js", handlers), ("db.js", db)];
        assert_eq!(
            methods(&share(&files, "handlers.get")),
            ["GetObjectCommand"]
        );
        assert_eq!(
            methods(&share(&files, "handlers.put")),
            ["PutObjectCommand"]
        );
        // Python: `import db` and `db.save(...)`.
        let app = "import db\n\ndef handler(event, context):\n    return db.fetch(event)\n";
        let db = "import boto3\ns3 = boto3.client('s3')\n\ndef fetch(e):\n    return s3.get_object(Bucket='b', Key='k')\n\ndef save(e):\n    s3.put_object(Bucket='b', Key='k')\n";
        let files = [("app.py", app), ("db.py", db)];
        assert_eq!(methods(&share(&files, "app.handler")), ["get_object"]);
        // A CommonJS module has no `default` definition: the ask cannot be placed.
        let index = "import lib from './lib.js';\nexport const handler = async () => lib.run();\n";
        let files = [("index.mjs", index), ("lib.js", lib)];
        assert_eq!(
            methods(&share(&files, "index.handler")),
            ["GetObjectCommand", "PutObjectCommand"]
        );
        // A named import asks for that name only.
        let index = "import { run } from './lib.js';\nexport const handler = async () => run();\n";
        let files = [("index.mjs", index), ("lib.js", lib)];
        assert_eq!(
            methods(&share(&files, "index.handler")),
            ["GetObjectCommand"]
        );
    }
}
