//! The import graph of `src/` keeps to `docs/layers.txt` (issue 22): no cycle between files, and
//! no import from a lower layer into a higher one. The graph is read with `syn` from every `use`
//! and every `crate::`/`super::`/`self::` path (inside macros too), test modules left out; a
//! `use` of a module followed by `module::item` in the code counts as an import of that item's
//! file. Every top-level module must be placed in the layers file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Violations that are known and being removed. The test fails on any other, and on an entry
/// here that no longer occurs (so the list only shrinks).
const KNOWN: &[&str] = &[];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `plan/quota.rs` -> `["plan", "quota"]`, `plan/mod.rs` -> `["plan"]`, `lib.rs` -> `[]`.
fn module_of(rel: &str) -> Vec<String> {
    let mut segs: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if segs.last().is_some_and(|s| s == "mod") {
        segs.pop();
    }
    if segs.len() == 1 && (segs[0] == "lib" || segs[0] == "main") {
        segs.clear();
    }
    segs
}

/// The file that a module path names: the longest prefix that is a file.
fn resolve(src: &Path, segs: &[String]) -> Option<String> {
    for n in (1..=segs.len()).rev() {
        let base = segs[..n].join("/");
        for cand in [format!("{base}.rs"), format!("{base}/mod.rs")] {
            if src.join(&cand).is_file() {
                return Some(cand);
            }
        }
    }
    None
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| match &a.meta {
        syn::Meta::List(l) if l.path.is_ident("cfg") => {
            let tokens = l.tokens.to_string();
            tokens.contains("test") && !tokens.contains("not")
        }
        _ => false,
    })
}

/// The absolute module paths one file names.
struct Reader<'a> {
    here: Vec<String>,
    paths: Vec<Vec<String>>,
    aliases: BTreeMap<String, Vec<String>>,
    src: &'a Path,
}

impl Reader<'_> {
    /// `crate::a::b`, `super::x`, `self::y` made absolute; `None` for external paths.
    fn absolute(&self, segs: &[String]) -> Option<Vec<String>> {
        let first = segs.first()?;
        match first.as_str() {
            "crate" => Some(segs[1..].to_vec()),
            "self" => {
                let mut base = self.here.clone();
                base.extend(segs[1..].iter().cloned());
                Some(base)
            }
            "super" => {
                let mut base = self.here.clone();
                let mut rest = segs;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Some(base)
            }
            _ => {
                let alias = self.aliases.get(first)?;
                let mut base = alias.clone();
                base.extend(segs[1..].iter().cloned());
                Some(base)
            }
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                let name = n.ident.to_string();
                if name != "self" {
                    full.push(name.clone());
                }
                self.used(
                    full,
                    prefix
                        .last()
                        .cloned()
                        .filter(|_| name == "self")
                        .unwrap_or(name),
                );
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.used(full, r.rename.to_string());
            }
            syn::UseTree::Glob(_) => self.used(prefix.clone(), String::new()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    fn used(&mut self, segs: Vec<String>, alias: String) {
        let Some(abs) = self.absolute(&segs) else {
            return;
        };
        if !alias.is_empty() {
            // `use crate::plan;` (a module) makes `plan::quota::x` an import of plan/quota.rs.
            if let Some(file) = resolve(self.src, &abs) {
                if module_of(&file) == abs {
                    self.aliases.insert(alias, abs.clone());
                }
            }
        }
        self.paths.push(abs);
    }

    fn path_segments(&mut self, segs: Vec<String>) {
        if let Some(abs) = self.absolute(&segs) {
            self.paths.push(abs);
        }
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Static(s) => &s.attrs,
            syn::Item::Trait(t) => &t.attrs,
            syn::Item::Type(t) => &t.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        self.use_tree(&mut prefix, &u.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.path_segments(segs);
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Paths inside macro arguments (`format!("{}", crate::text::fmt_usd(x))`).
        let text = m.tokens.to_string();
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        while i < words.len() {
            let w = words[i];
            let starts = matches!(w, "crate" | "super" | "self") || self.aliases.contains_key(w);
            if starts && words.get(i + 1) == Some(&"::") {
                let mut segs = vec![w.to_owned()];
                let mut j = i + 1;
                while words.get(j) == Some(&"::") && words.get(j + 1).is_some() {
                    let next = words[j + 1];
                    if !next.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        break;
                    }
                    segs.push(next.to_owned());
                    j += 2;
                }
                self.path_segments(segs);
                i = j;
            } else {
                i += 1;
            }
        }
        syn::visit::visit_macro(self, m);
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// File -> the files it imports (relative to src/).
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut edges = BTreeMap::new();
    for path in files {
        let rel = path
            .strip_prefix(src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let text = fs::read_to_string(&path).expect("read");
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let here = module_of(&rel);
        let mut reader = Reader {
            here: here.clone(),
            paths: Vec::new(),
            aliases: BTreeMap::new(),
            src,
        };
        // `use` items first, so aliases are known when paths are read.
        for item in &ast.items {
            if let syn::Item::Use(u) = item {
                if !is_test_only(&u.attrs) {
                    reader.visit_item_use(u);
                }
            }
        }
        reader.visit_file(&ast);
        let targets: BTreeSet<String> = reader
            .paths
            .iter()
            .filter_map(|p| resolve(src, p))
            .filter(|t| *t != rel)
            .collect();
        edges.insert(rel, targets);
    }
    edges
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

fn layers(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut level = 0;
    for line in text.lines() {
        let names: Vec<&str> = line
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if names.is_empty() {
            continue;
        }
        for n in names {
            out.insert(
                n.trim_end_matches(".rs").trim_end_matches('/').to_owned(),
                level,
            );
        }
        level += 1;
    }
    out
}

fn top(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

fn violations() -> Vec<String> {
    let root = root();
    let src = root.join("src");
    let edges = graph(&src);
    let layer_of =
        layers(&fs::read_to_string(root.join("docs/layers.txt")).expect("docs/layers.txt"));
    let mut found = Vec::new();
    for c in cycles(&edges) {
        found.push(format!("cycle: {}", c.join(" ")));
    }
    let mut back: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (from, targets) in &edges {
        let a = top(from);
        if !layer_of.contains_key(a) {
            found.push(format!("unplaced: {a} (add it to docs/layers.txt)"));
            continue;
        }
        for to in targets {
            let b = top(to);
            if a != b && layer_of.get(a) < layer_of.get(b) {
                back.entry(format!("back: {a} -> {b}"))
                    .or_default()
                    .push(format!("{from} -> {to}"));
            }
        }
    }
    for (pair, files) in back {
        found.push(format!("{pair} ({})", files.join(", ")));
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn issue_22_imports_keep_to_the_layers() {
    let found = violations();
    let known = |v: &str| KNOWN.iter().any(|k| v.starts_with(k));
    let new: Vec<&String> = found.iter().filter(|v| !known(v)).collect();
    assert!(
        new.is_empty(),
        "imports against docs/layers.txt (a cycle between files, or an arrow from a lower layer \
         up):\n  {}",
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    let gone: Vec<&&str> = KNOWN
        .iter()
        .filter(|k| !found.iter().any(|v| v.starts_with(**k)))
        .collect();
    assert!(gone.is_empty(), "fixed, remove from KNOWN: {gone:?}");
}

/// The reader sees the arrows it must: a `use`, an inline path, a path in a macro and an alias.
#[test]
fn the_graph_reader_finds_every_kind_of_import() {
    let src = root().join("src");
    let edges = graph(&src);
    let all: BTreeSet<&String> = edges.values().flatten().collect();
    assert!(edges.len() > 50, "{} files", edges.len());
    assert!(all.len() > 50, "{} imported files", all.len());
    // main.rs names the library by its crate name: no crate-internal arrows.
    assert!(edges["main.rs"].is_empty(), "{:?}", edges["main.rs"]);
    // A cycle and a back edge are caught.
    let mut fake: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    fake.insert("a.rs".into(), ["b.rs".to_owned()].into());
    fake.insert("b.rs".into(), ["a.rs".to_owned()].into());
    assert_eq!(
        cycles(&fake),
        vec![vec!["a.rs".to_owned(), "b.rs".to_owned()]]
    );
    let l = layers("# c\nlow x\nhigh\n");
    assert!(l["low"] < l["high"] && l["low"] == l["x"]);
}
