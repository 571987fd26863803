//! Strict YAML reading for every catalog-shaped file (the catalog, `--prices`, `--overrides`,
//! quota files): serde_yaml's line and column kept in errors, and the line of every list item
//! for "file:line" in messages about entries that parsed but are wrong.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Errors from loading or validating the catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file could not be read.
    #[error("cannot read catalog file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not valid YAML for its schema.
    #[error("{path}{location}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// `:line:column` when known.
        location: String,
        /// serde_yaml's message (names the unknown or missing key).
        message: String,
    },
    /// The files parsed but are inconsistent; every problem is listed.
    #[error("catalog {origin} has {} problem(s):\n  - {}", .problems.len(), .problems.join("\n  - "))]
    Invalid {
        /// Where the catalog came from.
        origin: String,
        /// One line per problem.
        problems: Vec<String>,
    },
}

/// The deepest nesting of collections a YAML file may have: serde_yaml's own recursion limit.
pub(crate) const MAX_DEPTH: usize = 128;

/// The most nodes a YAML file's aliases (`*name`) may stand for, counted generously (each
/// alias as the largest anchored node so far). serde_yaml copies every alias's node: 3,000
/// aliases of a 3,000-item list in 130 KB took 33 s and 9.9 GB.
pub(crate) const MAX_ALIASED_NODES: u64 = 1_000_000;

/// Where a YAML text first nests collections deeper than [`MAX_DEPTH`]: `:line:column` and the
/// message, or `None` (also when the text does not parse: serde_yaml then says why).
///
/// serde_yaml refuses such a file too, but only after libyaml has scanned the whole of it,
/// which takes time quadratic in the depth of `[` and `{` (100,000 levels in 200 KB: 20 to
/// 40 s). Here libyaml's own parser hands its events one at a time and is stopped at the
/// first collection too deep, so the cost stays linear, and what counts as nesting is what
/// YAML says (a bracket in a quoted or block scalar is text).
///
/// The same pass bounds what aliases expand to ([`MAX_ALIASED_NODES`]): each alias counts as
/// the largest anchored node seen so far, in nodes with the aliases inside it expanded the
/// same way, which is never less than what it stands for.
pub(crate) fn too_deep(text: &str) -> Option<(String, String)> {
    use std::mem::MaybeUninit;
    use unsafe_libyaml as unsafe_sys;
    let mut depth = 0usize;
    let mut found = None;
    // Nodes so far with aliases expanded (generously), the largest anchored node, the nodes the
    // aliases added, and the open anchored collections (their depth and `nodes` at the start).
    let (mut nodes, mut largest_anchored, mut aliased) = (0u64, 0u64, 0u64);
    let mut anchored: Vec<(usize, u64)> = Vec::new();
    // SAFETY: the parser is initialized before use and deleted once, on every path; its input
    // is `text`, which outlives it; each event is deleted after it is read, and an event is
    // read only after `yaml_parser_parse` succeeded in filling it.
    unsafe {
        let mut parser = MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit();
        if unsafe_sys::yaml_parser_initialize(parser.as_mut_ptr()).fail {
            return None;
        }
        let parser = parser.as_mut_ptr();
        unsafe_sys::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as _);
        loop {
            let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
            if unsafe_sys::yaml_parser_parse(parser, event.as_mut_ptr()).fail {
                break;
            }
            let event = event.as_mut_ptr();
            let (kind, mark) = ((*event).type_, (*event).start_mark);
            // The union's member is the one `kind` names.
            let has_anchor = match kind {
                unsafe_sys::YAML_SEQUENCE_START_EVENT => {
                    !(*event).data.sequence_start.anchor.is_null()
                }
                unsafe_sys::YAML_MAPPING_START_EVENT => {
                    !(*event).data.mapping_start.anchor.is_null()
                }
                unsafe_sys::YAML_SCALAR_EVENT => !(*event).data.scalar.anchor.is_null(),
                _ => false,
            };
            unsafe_sys::yaml_event_delete(event);
            match kind {
                unsafe_sys::YAML_SCALAR_EVENT => {
                    nodes += 1;
                    if has_anchor {
                        largest_anchored = largest_anchored.max(1);
                    }
                }
                unsafe_sys::YAML_ALIAS_EVENT => {
                    nodes = nodes.saturating_add(largest_anchored);
                    aliased = aliased.saturating_add(largest_anchored);
                    if aliased > MAX_ALIASED_NODES {
                        found = Some((
                            format!(":{}:{}", mark.line + 1, mark.column + 1),
                            format!(
                                "its aliases (`*name`) stand for more than {} nodes; ptuplan's files need a few",
                                crate::text::fmt_int(MAX_ALIASED_NODES)
                            ),
                        ));
                        break;
                    }
                }
                unsafe_sys::YAML_SEQUENCE_START_EVENT | unsafe_sys::YAML_MAPPING_START_EVENT => {
                    nodes += 1;
                    depth += 1;
                    if has_anchor {
                        anchored.push((depth, nodes));
                    }
                    if depth > MAX_DEPTH {
                        found = Some((
                            format!(":{}:{}", mark.line + 1, mark.column + 1),
                            format!(
                                "nested deeper than {MAX_DEPTH} levels of lists and maps; ptuplan's files need a few"
                            ),
                        ));
                        break;
                    }
                }
                unsafe_sys::YAML_SEQUENCE_END_EVENT | unsafe_sys::YAML_MAPPING_END_EVENT => {
                    if let Some(&(open_depth, start)) = anchored.last() {
                        if open_depth == depth {
                            anchored.pop();
                            largest_anchored = largest_anchored.max(nodes - start + 1);
                        }
                    }
                    depth = depth.saturating_sub(1);
                }
                unsafe_sys::YAML_STREAM_END_EVENT => break,
                _ => {}
            }
        }
        unsafe_sys::yaml_parser_delete(parser);
    }
    found
}

/// Parse one YAML file strictly, keeping serde_yaml's line and column in the error.
pub(crate) fn parse_yaml<T: for<'de> Deserialize<'de>>(
    path: &Path,
    text: &str,
) -> Result<T, CatalogError> {
    if let Some((location, message)) = too_deep(text) {
        return Err(CatalogError::Parse {
            path: path.to_owned(),
            location,
            message,
        });
    }
    serde_yaml::from_str(text).map_err(|e| CatalogError::Parse {
        path: path.to_owned(),
        location: location(&e),
        message: e.to_string(),
    })
}

/// Where serde_yaml found `e`, as `:line:column` to follow a path; empty when it does not say.
pub(crate) fn location(e: &serde_yaml::Error) -> String {
    e.location()
        .map(|l| format!(":{}:{}", l.line(), l.column()))
        .unwrap_or_default()
}

/// The 1-based line of every item of the top-level block list `section:` in `text`, in order
/// (for "file:line" in messages about entries that parsed but are wrong). Flow-style lists
/// yield nothing; callers then fall back to the entry index.
pub(crate) fn item_lines(text: &str, section: &str) -> Vec<usize> {
    let header = format!("{section}:");
    let mut lines = Vec::new();
    let mut inside = false;
    let mut item_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent == 0 && !trimmed.starts_with('-') {
            inside = trimmed.starts_with(&header);
            item_indent = None;
            continue;
        }
        if inside && trimmed.starts_with('-') {
            let expected = *item_indent.get_or_insert(indent);
            if indent == expected {
                lines.push(i + 1);
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_where_yaml_nests_it() {
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let (location, message) = too_deep(&deep).expect("too deep");
        // `a:` opens the document's map (level 1); the 128th `[` is level 129.
        assert_eq!(location, format!(":1:{}", 3 + MAX_DEPTH));
        assert!(
            message.starts_with("nested deeper than 128 levels"),
            "{message}"
        );
        let deep_maps = format!(
            "- name: x\n  description: {}1{}\n",
            "{a: ".repeat(200),
            "}".repeat(200)
        );
        assert!(too_deep(&deep_maps).is_some_and(|(l, _)| l.starts_with(":2:")));
        // Brackets that are text nest nothing: quoted, block and plain scalars, comments, and
        // an apostrophe that opens no quote before a real bomb is still found.
        let text = format!(
            "a: '{b}'\nb: \"{c}\\\"{b}\"\nc: 1 # {b}\nd: |\n  {b}\ne: >\n  it is 'open {c}\nf: latency in [0, 5) ms {b}\n",
            b = "[".repeat(500),
            c = "{".repeat(500),
        );
        assert_eq!(too_deep(&text), None);
        let many = "- description: latency in [0, 5) ms\n".repeat(300);
        assert_eq!(too_deep(&many), None);
        let hidden = format!(
            "d: the '90s sound\ne: {}{}\n",
            "[".repeat(500),
            "]".repeat(500)
        );
        assert!(too_deep(&hidden).is_some());
        let cr = format!("# a comment\ra: {}{}\r", "[".repeat(500), "]".repeat(500));
        assert!(too_deep(&cr).is_some());
        // A text that does not parse is left to serde_yaml's message.
        assert_eq!(too_deep("a: [1, 2\n"), None);
    }

    #[test]
    fn aliases_that_stand_for_too_much_are_refused() {
        // 3,000 aliases of a 3,000-item list (130 KB) took 33 s and 9.9 GB in serde_yaml.
        let mut bomb = format!(
            "- name: s0\n  transforms: &a [{}]\n",
            vec!["{scale: 1}"; 3000].join(", ")
        );
        for i in 1..3000 {
            bomb.push_str(&format!("- {{name: s{i}, transforms: *a}}\n"));
        }
        let (location, message) = too_deep(&bomb).expect("refused");
        assert!(
            message.contains("stand for more than 1,000,000 nodes"),
            "{message}"
        );
        assert!(location.starts_with(":1"), "{location}");
        // Nested anchors (a billion laughs) are counted as what they expand to.
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            laughs.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(", ")
            ));
        }
        assert!(too_deep(&laughs).is_some_and(|(_, m)| m.contains("aliases")));
        // A file that uses anchors as people do passes.
        let normal = "base: &base {scale: 2}\nx: [*base, *base, *base]\ny: {<<: *base, z: 1}\n";
        assert_eq!(too_deep(normal), None);
    }
}
