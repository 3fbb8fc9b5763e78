//! AWS SDK calls found in function code.

use std::collections::BTreeSet;

use crate::source::{Span, Spanned};

pub use crate::data::SdkKind;

/// How the call is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallStyle {
    /// A client method or command: `s3.get_object(...)`, `client.send(new GetObjectCommand(...))`.
    Direct,
    /// `get_paginator('list_objects_v2')`, `paginateListObjectsV2`, `NewListObjectsV2Paginator`.
    Paginator,
    /// `get_waiter('bucket_exists')`, `waitUntilBucketExists`.
    Waiter,
    /// A method on a boto3 resource object (`Table(...).put_item`, `Bucket(...).objects.all()`).
    Resource,
    /// A call that is no SDK client method but needs an IAM action all the same, named by that
    /// action: `service` is its prefix and `method` its name (`rds-db` `connect` for an IAM
    /// database authentication token, `es` `ESHttpPost` for a SigV4-signed request to an
    /// OpenSearch domain, `lambda` `InvokeFunction` for a durable function's
    /// `context.invoke`). See `needs::signed` for the resource each names.
    Action,
}

/// What an argument evaluates to, as far as static reading can tell.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arg {
    /// A string literal.
    Str(String),
    /// An environment variable read (`os.environ["T"]`, `process.env.T`, `os.Getenv("T")`).
    Env(String),
    /// Concatenation, f-string or template literal.
    Concat(Vec<Arg>),
    /// A field of the event that invoked the function, which the function's triggers decide:
    /// [`EVENT_BUCKET`] (an S3 record's `s3.bucket.name`) or [`EVENT_SOURCE_ARN`] (an SQS,
    /// Kinesis or DynamoDB Streams record's `eventSourceARN`).
    Event(&'static str),
    Unknown,
}

/// [`Arg::Event`]: the bucket an S3 event notification record names.
pub const EVENT_BUCKET: &str = "s3.bucket.name";
/// [`Arg::Event`]: the queue, stream or table stream a polled record came from.
pub const EVENT_SOURCE_ARN: &str = "eventSourceARN";

/// The reserved environment variable holding the function's own name (Lambda Developer
/// Guide, "Defined runtime environment variables"): what `context.function_name` and its
/// kin read too.
pub const FUNCTION_NAME_VAR: &str = "AWS_LAMBDA_FUNCTION_NAME";

/// One AWS SDK call site.
#[derive(Clone, Debug, PartialEq)]
pub struct SdkCall {
    pub span: Span,
    pub sdk: SdkKind,
    /// The service as the SDK names it: the boto3 client/resource name (`s3`, `dynamodb`),
    /// the JS v3 package (`@aws-sdk/client-s3`, `@aws-sdk/lib-dynamodb`,
    /// `@aws-sdk/lib-storage`), the JS v2 class (`S3`, `DynamoDB.DocumentClient`), the Go
    /// package path's last element (`s3`, `dynamodb`, `feature/s3/manager` as `manager`), the
    /// Java artifact (`s3`, `dynamodb`).
    pub service: String,
    /// For boto3 resource objects: the resource type (`Table`, `Bucket`, `Object`, or `""` for
    /// the service resource itself).
    pub resource_type: Option<String>,
    /// The method as written: `put_item`, `PutObjectCommand`, `putObject`, `PutItem`,
    /// `upload_file`, `batch_writer`; for paginators and waiters the operation or waiter name
    /// (`list_objects_v2`, `bucket_exists`). A sub-resource collection call keeps its path
    /// (`objects.all`).
    pub method: String,
    pub style: CallStyle,
    /// Named request parameters with the API's member names (`TableName`, `Bucket`, `Key`).
    pub args: Vec<(String, Arg)>,
    /// Identifiers of a boto3 resource object in order (`Table(name)` -> `[name]`,
    /// `Object(bucket, key)` -> `[bucket, key]`).
    pub resource_ids: Vec<Arg>,
    /// Short text for reports: `table.put_item`, `s3.send(GetObjectCommand)`.
    pub text: String,
    /// Set when this call is one of several readings of one call site, only one of which
    /// happens (a Java call on an injected object that several factory methods provide).
    pub alternative: Option<Alternative>,
}

/// One reading of a call site that has several ([`SdkCall::alternative`]): `group` numbers the
/// call site within the function's calls, `option` the reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Alternative {
    pub group: u32,
    pub option: u32,
}

/// An environment variable read anywhere in the code.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvRead {
    pub name: String,
    pub span: Span,
}

/// A module import that may be a local file, or a module a layer provides (see `parse::layers`).
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// As written: `from .util import x` -> `.util`; `require('./db')` -> `./db`.
    pub module: Spanned<String>,
}

/// What an [`Export`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// A function or method a handler string can name: Python's top-level `def handler` (or
    /// `handler = ...`), a JavaScript export (`export const handler`, `exports.handler`,
    /// `module.exports = { handler }`), a Go function or method (by its name), Java
    /// `com.example.App::handleRequest`.
    Function,
    /// A Java class (`com.example.App`): a handler naming only the class runs its
    /// `handleRequest`.
    Class,
    /// The function a Go `package main` hands to `lambda.Start` (the binary's handler).
    Start,
}

/// A name by which a Lambda handler string can reach code the file defines.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub name: Spanned<String>,
    pub kind: ExportKind,
}

/// Everything the code extractor reads from one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CodeFacts {
    pub calls: Vec<SdkCall>,
    pub env_reads: Vec<EnvRead>,
    pub imports: Vec<Import>,
    /// Modules imported that are libraries calling AWS in ways not read call by call (the
    /// `libraries` table of `overrides.json`, see `data::SdkIndex::library_import`): the
    /// language (`python`, `javascript`, `go`, `java`) and the module as written.
    pub libraries: Vec<(&'static str, Spanned<String>)>,
    /// What a handler string can name in the file, in document order.
    pub exports: Vec<Export>,
    /// Calls of the code's own functions and methods, by the function they are made in: what
    /// one handler reaches among several in a file (read for Java).
    pub local_calls: Vec<LocalCall>,
    /// Classes mapped to DynamoDB tables by annotation (`@DynamoDBTable(tableName = "x")`),
    /// by simple class name (Java).
    pub mapped_tables: Vec<(String, Arg)>,
    /// Tables that dependency-injection factory methods provide (`@Bean`, `@Produces`,
    /// `@Singleton` methods returning a `DynamoDbTable<T>`), by declared type with spaces
    /// removed (`DynamoDbTable<Order>`) (Java).
    pub beans: Vec<(String, Arg)>,
    /// The file's functions that return an SDK client (client factories), for the files that
    /// import them.
    pub factories: Vec<Factory>,
    /// Which module-level definitions reach what (Python, JavaScript): lets a handler take
    /// only its own share of a module that defines several.
    pub outline: Outline,
}

/// The request member under which a Java `DynamoDBMapper` call names the class it maps, until
/// the class's `@DynamoDBTable` (which may sit in another file of the function) gives the
/// table: `parse::codebase` replaces it with `TableName`.
pub const MAPPED_CLASS: &str = "@MappedClass";

/// The request member under which a Java call on an injected table (a field or parameter
/// declared `DynamoDbTable<Order>` and given no value) names its declared type, until the
/// factory methods of the function's files that provide that type (see
/// [`CodeFacts::beans`]) give the table: `parse::codebase` replaces it with `TableName`.
pub const INJECTED_TYPE: &str = "@InjectedType";

/// A call of one of the code's own functions or methods.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalCall {
    /// The [`Export`] name of the function the call is made in (`com.example.App::handle`);
    /// empty outside any (constructors, field initialisers: code that runs when the class is
    /// loaded or created).
    pub caller: String,
    /// The export name of the function called when known (`com.example.App::send` for a call
    /// on `this`), else `::name`: any class's method of that name.
    pub callee: String,
}

/// A function that returns an SDK client or resource object: `def client(name): return
/// boto3.client(name)`, `func NewS3(cfg aws.Config) *s3.Client`. Files importing it read its
/// calls as the client made.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Factory {
    /// The function (or method) name, as callers write it.
    pub name: String,
    pub made: Made,
    /// A resource object (boto3 `resource`) rather than a client.
    pub resource: bool,
}

/// The service of a factory's client, in its language's naming (boto3 `s3`, Go package `s3`,
/// Java artifact `s3`, JavaScript v2 class `S3` or v3 package `@aws-sdk/client-s3`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Made {
    /// Always the same service.
    Service(String),
    /// The service the call's argument at `position` (or keyword `keyword`) names: among
    /// `classes` (key -> service) when the factory picks from its own table
    /// (`new clients[name]()` with `const clients = { sqs: AWS.SQS }`), else the service of
    /// that name.
    Named {
        position: usize,
        keyword: String,
        classes: Vec<(String, String)>,
    },
}

/// What a file's module-level definitions reference, so that one handler's share of the
/// file can be told apart from another's. Module-level code runs on import, for every handler;
/// a definition (a function, a class, a module-level binding such as `get = middy(impl)` or an
/// export `module.exports = { get }`) runs only when something reached names it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outline {
    /// True when the language builds outlines (otherwise the file is always taken whole).
    pub built: bool,
    /// The file looks its own names up at run time (`globals()`, `eval`): which definitions
    /// run cannot be decided, so the file is taken whole.
    pub dynamic: bool,
    /// Module-level definitions and bindings, in document order (a name may repeat).
    pub units: Vec<Unit>,
    /// Names module-level code references (including functions it calls on import).
    pub module_refs: BTreeSet<String>,
    /// The unit each of [`CodeFacts::calls`] is made in, by index; `None`: module-level code.
    pub call_units: Vec<Option<u32>>,
    /// How each of [`CodeFacts::imports`] is used, by index.
    pub import_uses: Vec<ImportUse>,
}

/// A module-level definition: its name and the names its code references.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Unit {
    pub name: String,
    /// Names referenced; a member read of a name is `name.member` (`db.save`), and the name
    /// alone appears only when it is used otherwise too.
    pub refs: BTreeSet<String>,
}

/// Where an import runs and the names it binds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportUse {
    /// The unit whose deferred code (a function body) holds the import; `None` when the
    /// import runs on module load.
    pub unit: Option<u32>,
    /// The names the import binds, as (name in the importing file, name in the imported
    /// module); `*` is the whole module (`import db`, `const db = require('./db')`). Empty: the
    /// import binds nothing known (`import './setup'`, `export * from './x'`) and reaches the
    /// whole module.
    pub binds: Vec<(String, String)>,
}
