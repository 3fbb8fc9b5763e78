//! The extraction driver every language shares: it walks one syntax tree in document order,
//! once per pass, keeps the enclosing functions, and hands what one pass learned to the next.
//!
//! A language implements [`Walker`]: what it does when the walk enters and leaves a node (bind
//! names, turn SDK calls into [`SdkCall`](crate::model::SdkCall)s, record environment reads,
//! imports and exports into [`Scope::facts`]) and what it records at calls of the file's own
//! functions ([`Scope::passed`]). Two passes read code the way it runs rather than the way it
//! is written: the first learns what callers pass to local functions (the values and SDK
//! objects of their arguments) and which bindings the file ends up with (clients set in an
//! `init()` or a constructor below their use, helpers returning clients), the second binds
//! those to the functions' parameters and names before reading the calls. Only the last
//! pass's facts are kept.

use std::collections::BTreeMap;
use std::fmt::Display;

use tree_sitter::{Node, Tree};

use super::{by_field, kind, walk};
#[cfg(doc)]
use crate::model::Outline;
use crate::model::{Arg, CodeFacts, EnvRead, Export, ExportKind, Factory, Import, ImportUse, Unit};
use crate::source::{SourceFile, Spanned};

/// One language's reading of a file, run by [`extract`] once per pass.
pub(crate) trait Walker<'f>: Sized {
    /// What a call site passes a local function's parameter (an [`Arg`], or an SDK object).
    type Value: Clone + PartialEq;
    /// Bindings a pass hands the next (known from the start of the next pass).
    type Carried: Default;
    /// How many times the file is walked (1 when nothing is learned across passes).
    const PASSES: usize;

    /// A walker for one pass, starting with what the previous pass carried.
    fn start(file: &'f SourceFile, carried: Self::Carried) -> Self;

    /// True for a node that defines a function (or method) named by its `name` field: the
    /// driver keeps it in [`Scope::functions`] while the walk is inside it.
    fn defines_function(&self, node: Node<'_>) -> bool;

    /// Before the node's children.
    fn enter(&mut self, node: Node<'_>, scope: &mut Scope<'_, Self::Value>);

    /// After the node's children.
    fn leave(&mut self, node: Node<'_>, scope: &mut Scope<'_, Self::Value>);

    /// After the walk: what to carry to the next pass (the last pass records the file's
    /// client factories into `scope.facts.factories` here).
    fn finish(self, scope: &mut Scope<'_, Self::Value>) -> Self::Carried;

    /// Client factories of the local modules the file imports, known from the start of each
    /// pass (a language without them ignores these).
    fn imported(&mut self, _factories: &[Factory]) {}

    /// True for a language whose files get an [`Outline`] (which module-level definitions
    /// reach what).
    const OUTLINE: bool = false;

    /// Callees that look names up at run time (`globals`, `eval`): a file calling one is
    /// taken whole.
    const DYNAMIC: &'static [&'static str] = &[];

    /// For a node of module-level code (outside every definition): the name of the
    /// definition or binding it starts (`def get`, `const get = ...`, `exports.get = ...`, an
    /// export specifier), if any.
    fn unit(&self, _node: Node<'_>) -> Option<String> {
        None
    }

    /// True for a node whose body runs later, when called (a function, a lambda, a
    /// `__main__` block), not when the module loads.
    fn defers(&self, node: Node<'_>) -> bool {
        self.defines_function(node)
    }
}

/// Where the walk is in the module's outline.
#[derive(Default)]
struct OutlineState {
    /// The unit the walk is inside and the node that started it.
    unit: Option<(u32, usize)>,
    /// How many deferred nodes (function bodies) the walk is inside.
    deferred: usize,
    calls: usize,
    imports: usize,
}

/// What a pass reads and learns, beside the walker's own bindings.
pub(crate) struct Scope<'p, V> {
    pub file: &'p SourceFile,
    pub facts: CodeFacts,
    /// The functions the walk is inside, innermost last.
    pub functions: Vec<String>,
    /// What callers pass local functions, as the previous pass learned it (empty in the first).
    pub learned: &'p Passed<V>,
    /// What callers pass local functions, learned by this pass.
    pub passed: Passed<V>,
    /// The module-level unit the walk is inside (see [`Outline`]).
    unit: Option<u32>,
}

impl<V> Scope<'_, V> {
    /// The innermost enclosing function.
    pub fn function(&self) -> Option<&str> {
        self.functions.last().map(String::as_str)
    }

    /// Records an environment variable read at `node`.
    pub fn env_read(&mut self, name: String, node: Node<'_>) {
        let span = self.file.span(node.start_byte(), node.end_byte());
        self.facts.env_reads.push(EnvRead { name, span });
    }

    /// Records a module the file imports (written at `node`) that may be a local file.
    pub fn import(&mut self, module: String, node: Node<'_>) -> usize {
        let span = self.file.span(node.start_byte(), node.end_byte());
        self.facts.imports.push(Import {
            module: Spanned::new(module, span),
        });
        self.facts.imports.len() - 1
    }

    /// Records `module`, imported at `node` in code of `language`, when it is a library that
    /// calls AWS in ways not read call by call ([`crate::data::SdkIndex::library_import`]).
    pub fn library(&mut self, language: &'static str, module: &str, node: Node<'_>) {
        if crate::data::sdk()
            .library_import(language, module)
            .is_some()
        {
            let span = self.file.span(node.start_byte(), node.end_byte());
            self.facts
                .libraries
                .push((language, Spanned::new(module.to_string(), span)));
        }
    }

    /// Records a name the import at `index` binds: `local` in this file is `imported` (`*`
    /// for the whole module) of the imported one. An empty `local` is the name of the
    /// module-level binding the import is written in (`a: require('./a').handler`).
    pub fn bind_import(&mut self, index: usize, local: &str, imported: &str) {
        let local = if local.is_empty() {
            match self
                .unit
                .and_then(|u| self.facts.outline.units.get(u as usize))
            {
                Some(unit) => unit.name.clone(),
                None => return,
            }
        } else {
            local.to_string()
        };
        let uses = &mut self.facts.outline.import_uses;
        if uses.len() <= index {
            uses.resize(index + 1, ImportUse::default());
        }
        uses[index].binds.push((local, imported.to_string()));
    }

    /// Records a name a handler string can give the entry point (written at `node`).
    pub fn export(&mut self, name: String, kind: ExportKind, node: Node<'_>) {
        let span = self.file.span(node.start_byte(), node.end_byte());
        self.facts.exports.push(Export {
            name: Spanned::new(name, span),
            kind,
        });
    }
}

/// Reads one parsed file with a language's walker, `imported` the client factories of the
/// local modules it imports.
pub(crate) fn extract<'f, W: Walker<'f>>(
    file: &'f SourceFile,
    tree: &Tree,
    imported: &[Factory],
) -> CodeFacts {
    let mut carried = W::Carried::default();
    let mut learned = Passed::default();
    let mut pass = 1;
    loop {
        let mut walker = W::start(file, carried);
        walker.imported(imported);
        let mut scope = Scope {
            file,
            facts: CodeFacts::default(),
            functions: Vec::new(),
            learned: &learned,
            passed: Passed::default(),
            unit: None,
        };
        scope.facts.outline.built = W::OUTLINE;
        // Only the last pass's facts are kept, so only it builds the outline.
        let outline = W::OUTLINE && pass >= W::PASSES;
        let mut state = OutlineState::default();
        // The ancestors of the node being visited, innermost last: tree-sitter's
        // `Node::parent` descends from the root each time, so the outline asks this instead.
        let mut ancestors: Vec<Node<'_>> = Vec::new();
        // For each node the walk is inside: whether it defines a function and whether its
        // body is deferred, as read when entering it (both depend on the node alone).
        let mut inside: Vec<(bool, bool)> = Vec::new();
        walk(tree, |node, entering| {
            if entering {
                let defines = walker.defines_function(node);
                let defers = outline && walker.defers(node);
                if outline {
                    outline_enter(&walker, node, defers, &ancestors, &mut scope, &mut state);
                    ancestors.push(node);
                }
                walker.enter(node, &mut scope);
                if outline {
                    attribute(&mut scope, &mut state);
                }
                if defines {
                    let name = node
                        .child_by_field_name("name")
                        .map(|n| super::text(file, n).to_string())
                        .unwrap_or_default();
                    scope.functions.push(name);
                }
                inside.push((defines, defers));
            } else {
                let (defines, defers) = inside.pop().unwrap_or_default();
                walker.leave(node, &mut scope);
                if outline {
                    ancestors.pop();
                    attribute(&mut scope, &mut state);
                    outline_leave(node, defers, &mut scope, &mut state);
                }
                if defines {
                    scope.functions.pop();
                }
            }
        });
        if W::OUTLINE {
            let outline = &mut scope.facts.outline;
            outline
                .import_uses
                .resize(scope.facts.imports.len(), ImportUse::default());
        }
        carried = walker.finish(&mut scope);
        if pass >= W::PASSES {
            scope.facts.factories.sort();
            scope.facts.factories.dedup();
            return scope.facts;
        }
        pass += 1;
        learned = scope.passed;
    }
}

/// Entering a node: starts a unit, counts deferred code, records the names it references.
fn outline_enter<'f, W: Walker<'f>>(
    walker: &W,
    node: Node<'_>,
    defers: bool,
    ancestors: &[Node<'_>],
    scope: &mut Scope<'_, W::Value>,
    state: &mut OutlineState,
) {
    if state.unit.is_none()
        && state.deferred == 0
        && let Some(name) = walker.unit(node)
    {
        let units = &mut scope.facts.outline.units;
        units.push(Unit {
            name,
            refs: Default::default(),
        });
        let index = (units.len() - 1) as u32;
        state.unit = Some((index, node.id()));
        scope.unit = Some(index);
    }
    if defers {
        state.deferred += 1;
    }
    // Both kinds are named leaves; most nodes are not (punctuation, keywords, expressions),
    // and a named leaf is cheaper to ask about than its kind's name.
    if !node.is_named()
        || node.child_count() != 0
        || !matches!(kind(node), "identifier" | "shorthand_property_identifier")
        || in_import(ancestors)
    {
        return;
    }
    let name = super::text(scope.file, node);
    if name.is_empty() || declared_name(node, ancestors) {
        return;
    }
    let called = is_callee(node, ancestors);
    if called && W::DYNAMIC.contains(&name) {
        scope.facts.outline.dynamic = true;
    }
    let callee = called && state.deferred == 0;
    // A member of a name (`db.save`) is referenced as `db.save`: a module imported whole is
    // then asked for that member only (see `Unit::refs`).
    let name = match member_of(scope.file, node, ancestors) {
        Some(member) => format!("{name}.{member}"),
        None => name.to_string(),
    };
    let outline = &mut scope.facts.outline;
    match state.unit {
        Some((u, _)) => {
            if let Some(unit) = outline.units.get_mut(u as usize) {
                unit.refs.insert(name.clone());
            }
            // A function called while the module loads runs for every handler.
            if callee {
                outline.module_refs.insert(name);
            }
        }
        None => {
            outline.module_refs.insert(name);
        }
    }
}

/// True for the name a declaration binds (`lib` in `const lib = require('./lib')`): binding a
/// name is no use of it.
fn declared_name(node: Node<'_>, ancestors: &[Node<'_>]) -> bool {
    ancestors.last().is_some_and(|p| {
        p.kind() == "variable_declarator"
            && p.child_by_field_name("name")
                .is_some_and(|n| n.id() == node.id())
    })
}

/// The member read of `node` when it is the object of a member access (`db.save` in
/// JavaScript, `db.save` as a Python attribute), else `None`.
fn member_of<'f>(file: &'f SourceFile, node: Node<'_>, ancestors: &[Node<'_>]) -> Option<&'f str> {
    let parent = ancestors.last()?;
    let member = match parent.kind() {
        "member_expression" => parent.child_by_field_name("property"),
        "attribute" => parent.child_by_field_name("attribute"),
        _ => None,
    }?;
    if parent.child_by_field_name("object")?.id() != node.id() {
        return None;
    }
    matches!(member.kind(), "property_identifier" | "identifier")
        .then(|| super::text(file, member))
        .filter(|m| !m.is_empty())
}

/// Leaving a node: ends deferred code and the unit it started.
fn outline_leave<V>(
    node: Node<'_>,
    defers: bool,
    scope: &mut Scope<'_, V>,
    state: &mut OutlineState,
) {
    if defers {
        state.deferred = state.deferred.saturating_sub(1);
    }
    if state.unit.is_some_and(|(_, id)| id == node.id()) {
        state.unit = None;
        scope.unit = None;
    }
}

/// Gives the calls and imports recorded since the last look their unit: the unit when they
/// sit in its deferred code, module level otherwise (they run on load).
fn attribute<V>(scope: &mut Scope<'_, V>, state: &mut OutlineState) {
    let unit = state.unit.filter(|_| state.deferred > 0).map(|(u, _)| u);
    let outline = &mut scope.facts.outline;
    while state.calls < scope.facts.calls.len() {
        outline.call_units.push(unit);
        state.calls += 1;
    }
    while state.imports < scope.facts.imports.len() {
        if outline.import_uses.len() <= state.imports {
            outline
                .import_uses
                .resize(state.imports + 1, ImportUse::default());
        }
        outline.import_uses[state.imports].unit = unit;
        state.imports += 1;
    }
}

/// True for a name an import statement binds (binding a name is no use of it).
fn in_import(ancestors: &[Node<'_>]) -> bool {
    for n in ancestors.iter().rev() {
        match kind(*n) {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                return true;
            }
            "import_clause" | "named_imports" | "import_specifier" | "namespace_import"
            | "aliased_import" | "dotted_name" => {}
            _ => return false,
        }
    }
    false
}

/// True for the identifier a call is made through: `f()`, `new F()`, `db.put()` (its leftmost
/// object), `@app.route(...)`.
fn is_callee(node: Node<'_>, ancestors: &[Node<'_>]) -> bool {
    let mut at = node;
    for &parent in ancestors.iter().rev() {
        let field = match kind(parent) {
            "attribute" | "member_expression" => "object",
            "call" | "call_expression" => "function",
            "new_expression" => "constructor",
            _ => return false,
        };
        if by_field(parent, field).map(|c| c.id()) != Some(at.id()) {
            return false;
        }
        if field != "object" {
            return true;
        }
        at = parent;
    }
    false
}

/// What call sites pass the parameters of the file's own functions, by function and slot (a
/// position, or a keyword where the language has them).
#[derive(Debug)]
pub(crate) struct Passed<V>(BTreeMap<String, V>);

impl<V> Default for Passed<V> {
    fn default() -> Self {
        Passed(BTreeMap::new())
    }
}

impl<V: Clone + PartialEq> Passed<V> {
    fn key(function: &str, slot: impl Display) -> String {
        format!("{function}#{slot}")
    }

    /// A value every call site must agree on: where two disagree, the slot takes `unknown`
    /// (one call is reported once, not once per caller).
    pub fn agree(&mut self, function: &str, slot: impl Display, value: V, unknown: V) {
        let entry = self
            .0
            .entry(Self::key(function, slot))
            .or_insert_with(|| value.clone());
        if *entry != value {
            *entry = unknown;
        }
    }

    /// A value that replaces what earlier call sites passed (an SDK object).
    pub fn set(&mut self, function: &str, slot: impl Display, value: V) {
        self.0.insert(Self::key(function, slot), value);
    }

    /// What call sites pass the slot.
    pub fn get(&self, function: &str, slot: impl Display) -> Option<&V> {
        self.0.get(&Self::key(function, slot))
    }
}

impl Passed<Arg> {
    /// Records a value for the parameter at `position`, unknown where callers disagree.
    pub fn record(&mut self, function: &str, position: usize, arg: Arg) {
        self.agree(function, position, arg, Arg::Unknown);
    }

    /// The value the parameter at `position` takes, when all callers agree on a known one.
    pub fn agreed(&self, function: &str, position: usize) -> Option<&Arg> {
        self.get(function, position).filter(|a| **a != Arg::Unknown)
    }
}
