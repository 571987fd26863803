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

/// The deepest flow nesting (`[` and `{`) a YAML file may have; serde_yaml refuses deeper
/// values anyway (its recursion limit is 128), but only after libyaml has scanned them, which
/// takes time quadratic in the depth (100,000 levels: 20 to 40 s).
pub(crate) const MAX_FLOW_DEPTH: usize = 128;

/// Where a YAML text first nests its flow collections deeper than [`MAX_FLOW_DEPTH`]:
/// `:line:column` and the message, or `None`. Quoted scalars and comments are skipped; a
/// bracket inside an unquoted scalar counts, which can only refuse what has no place in a
/// ptuplan file. A quote opens a quoted scalar only where a scalar can start, so an
/// apostrophe inside a word (`it's`) hides nothing.
pub(crate) fn too_deep(text: &str) -> Option<(String, String)> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    let mut previous = '\n';
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            (line, column, comment) = (line + 1, 0, false);
            previous = c;
            continue;
        }
        match quote {
            _ if comment => {}
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '#' if previous.is_whitespace() => comment = true,
                // A quote opens a quoted scalar only where a scalar starts.
                '"' | '\'' if previous.is_whitespace() || "[{,:-".contains(previous) => {
                    quote = Some(c);
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((
                            format!(":{line}:{column}"),
                            format!("nested deeper than {MAX_FLOW_DEPTH} levels of [ ] and {{ }}; ptuplan's files need a few"),
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = c;
    }
    None
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
    fn deep_flow_nesting_is_refused_before_libyaml_scans_it() {
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let (location, message) = too_deep(&deep).expect("too deep");
        assert_eq!(location, format!(":1:{}", 4 + MAX_FLOW_DEPTH));
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
        // At the limit, brackets in quotes and comments, and apostrophes inside words pass.
        let at_limit = format!(
            "{}{}",
            "[".repeat(MAX_FLOW_DEPTH),
            "]".repeat(MAX_FLOW_DEPTH)
        );
        assert_eq!(too_deep(&at_limit), None);
        let quoted = format!(
            "a: '{}'\nb: \"{}\\\"{}\"\nc: 1 # {}\nd: it's {}\n",
            "[".repeat(500),
            "{".repeat(500),
            "[".repeat(500),
            "[".repeat(500),
            "[[]]"
        );
        assert_eq!(too_deep(&quoted), None);
        let hidden = format!("d: it's {}\n", "[".repeat(500));
        assert!(
            too_deep(&hidden).is_some(),
            "an apostrophe in a word opens no quote"
        );
    }
}
