//! One escaping helper per output sink. Names (deployments, models, regions, file names,
//! `source` strings of YAML files) are user data everywhere: every renderer and every message
//! printed on a terminal passes them through the helper of its sink, and no sink ever writes a
//! control character it did not put there itself.
//!
//! The common core is [`visible`]: control characters (C0, DEL, C1) and Unicode bidirectional
//! formatting characters (which reorder what a reader sees, as in "Trojan Source") are shown
//! as escapes (`\n`, `\t`, `\r`, `\u{1b}`), the way Rust's `{:?}` shows them. Each sink adds
//! what its syntax needs:
//!
//! | Sink | Helper | Adds |
//! |---|---|---|
//! | terminal (tables, stderr) | [`terminal`], [`terminal_lines`] | nothing: escape sequences are shown, never interpreted |
//! | Markdown text and table cells | [`markdown`] | `&amp; &lt; &gt;`, backslash before Markdown punctuation, `\|` |
//! | Markdown code span | [`markdown_code`] | drops backticks |
//! | HTML element content and attributes | [`html`] | `&amp; &lt; &gt; &quot; &#39;` |
//! | XML we write ourselves | [`xml`] | the same entities (XML 1.0 forbids most control characters) |
//! | chart text (plotters escapes entities itself) | [`chart_label`] | nothing |
//! | CSV cells | [`csv_cell`] | a `'` before a cell a spreadsheet would run as a formula |
//! | JSON text (already serialized) | [`json_text`] | `\uXXXX` for DEL, C1 and bidi characters (same value) |
//!
//! Which helper a renderer calls is decided by its sink alone; renderers never escape for
//! another format.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

/// True for characters no sink writes raw: C0 controls (tab and newline included), DEL, C1
/// controls, and the Unicode bidirectional formatting characters.
pub fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` with every character `hit` selects written by `push`; borrowed when none is.
fn replace_chars(
    text: &str,
    hit: impl Fn(char) -> bool,
    push: impl Fn(&mut String, char),
) -> Cow<'_, str> {
    if !text.chars().any(&hit) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hit(c) {
            push(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Hazardous characters ([`is_hazard`]) shown as escapes; everything else unchanged.
pub fn visible(text: &str) -> Cow<'_, str> {
    replace_chars(text, is_hazard, push_visible)
}

/// Text for a terminal (a table cell, a name inside a message): every control character,
/// newlines included, is shown as an escape, so ANSI and OSC sequences are never interpreted.
pub fn terminal(text: &str) -> Cow<'_, str> {
    visible(text)
}

/// A whole message for a terminal: like [`terminal`], but line breaks of the message itself
/// stay line breaks (multi-line error lists).
pub fn terminal_lines(text: &str) -> Cow<'_, str> {
    replace_chars(text, |c| c != '\n' && is_hazard(c), push_visible)
}

/// Text for a Markdown paragraph, list item, heading or table cell (GitHub-flavoured): it
/// renders as the literal text. `&`, `<` and `>` become entities, Markdown punctuation is
/// backslash-escaped, `|` cannot end a table cell, and no line break (which could end a block
/// and start another) is ever written. A double quote stays as it is: with `<` escaped no
/// attribute can open, and no Markdown written here has a link title, the one place a quote
/// means something (a quoted sentence of Microsoft's reads as written in the raw file).
pub fn markdown(text: &str) -> String {
    with_entities(text, |c, out| match c {
        '"' => {
            out.push('"');
            true
        }
        '|' => {
            out.push_str("\\|");
            true
        }
        '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
            out.push('\\');
            out.push(c);
            true
        }
        _ => false,
    })
}

/// Text inside a Markdown code span (`` `...` ``): backticks, which would end it, are dropped;
/// control characters are shown as escapes.
pub fn markdown_code(text: &str) -> String {
    visible(text).chars().filter(|c| *c != '`').collect()
}

/// Text for HTML element content or a quoted attribute value.
pub fn html(text: &str) -> String {
    with_entities(text, |c, out| {
        let apostrophe = c == '\'';
        if apostrophe {
            out.push_str("&#39;");
        }
        apostrophe
    })
}

/// `text` with its control characters shown as escapes ([`visible`]); every character goes
/// first to `other`, which writes it and returns true, or returns false for it to be written
/// as it is, except `&`, `<`, `>` and `"`, which become entities.
fn with_entities(text: &str, mut other: impl FnMut(char, &mut String) -> bool) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            _ if other(c, &mut out) => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for XML element content or a quoted attribute value that we write ourselves. XML 1.0
/// allows no C0 control but tab, newline and carriage return; all of them are shown as escapes.
pub fn xml(text: &str) -> String {
    html(text)
}

/// Text drawn into a chart (SVG and PNG). plotters escapes `<`, `&` and quotes in the SVG
/// itself; this shows the characters XML does not allow, and the other control characters, as
/// escapes, so every SVG stays well-formed and every PNG shows the same text.
pub fn chart_label(text: &str) -> Cow<'_, str> {
    visible(text)
}

/// A CSV cell (the csv writer does the quoting): control characters shown as escapes, and a
/// cell that a spreadsheet would evaluate as a formula (it starts with `=`, `+`, `-` or `@`
/// and is not a number or a lone `-`) gets a leading `'`, as OWASP recommends against CSV
/// injection.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let text = visible(text);
    let formula = matches!(text.chars().next(), Some('=' | '+' | '-' | '@'))
        && text.as_ref() != "-"
        && text.parse::<f64>().is_err();
    if formula {
        Cow::Owned(format!("'{text}"))
    } else {
        text
    }
}

/// Serialized JSON made terminal-safe without changing any value: DEL, C1 controls and bidi
/// characters (which serde_json writes raw) become `\uXXXX` escapes. serde_json already escapes
/// C0 controls; JSON's structure is ASCII, so these characters only occur inside strings.
pub fn json_text(json: &str) -> Cow<'_, str> {
    replace_chars(
        json,
        |c| is_hazard(c) && !matches!(c, '\n' | '\t' | '\r'),
        |out, c| {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        },
    )
}

/// A writer for serialized JSON that applies [`json_text`] on the way through (streaming: a
/// large report is never held in memory as one string).
pub struct JsonSafeWriter<W: io::Write> {
    inner: W,
    /// Bytes of a character split across two writes.
    pending: Vec<u8>,
}

impl<W: io::Write> JsonSafeWriter<W> {
    /// Wrap `inner`.
    pub fn new(inner: W) -> Self {
        JsonSafeWriter {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: io::Write> io::Write for JsonSafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "JSON output is not UTF-8",
                ))
            }
        };
        let text = std::str::from_utf8(&self.pending[..valid]).expect("checked above");
        self.inner.write_all(json_text(text).as_bytes())?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Names an attacker might choose: ANSI colour and OSC 8 hyperlink sequences, a bell,
    /// blank lines that would end a Markdown block, a right-to-left override, markup.
    pub(crate) const HOSTILE: &str =
        "a\u{1b}[31mred\u{1b}]8;;http://x\u{7}\n\n# H <b>|`*\u{202e}z\u{85}\u{0}";

    /// `f` turns each input of `cases` into its expected output.
    fn check(f: impl Fn(&str) -> String, cases: &[(&str, &str)]) {
        for (input, expected) in cases {
            assert_eq!(f(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn visible_shows_controls_like_debug_formatting() {
        check(
            |t| visible(t).into_owned(),
            &[
                ("plain", "plain"),
                ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
                ("\u{1b}[0m", "\\u{1b}[0m"),
                ("x\u{202e}y\u{85}", "x\\u{202e}y\\u{85}"),
            ],
        );
        assert_eq!(
            terminal_lines("line 1\nline\u{1b} 2"),
            "line 1\nline\\u{1b} 2"
        );
    }

    #[test]
    fn markdown_renders_literally_on_one_line() {
        check(
            markdown,
            &[
                ("<script>|x", "&lt;script&gt;\\|x"),
                ("a_b*c", "a\\_b\\*c"),
                ("a\n\n# b", "a\\\\n\\\\n\\# b"),
                (
                    "\"Latency can vary\" & <b>",
                    "\"Latency can vary\" &amp; &lt;b&gt;",
                ),
            ],
        );
        assert_eq!(markdown_code("f`x\n"), "fx\\n");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        check(
            |t| csv_cell(t).into_owned(),
            &[
                ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
                ("@SUM(A1)", "'@SUM(A1)"),
                ("-", "-"),
                ("-12.5", "-12.5"),
                ("chat-prod", "chat-prod"),
            ],
        );
    }

    #[test]
    fn json_text_keeps_values() {
        let raw = serde_json::to_string(HOSTILE).expect("serializes");
        let safe = json_text(&raw);
        assert!(!safe.chars().any(is_hazard), "{safe}");
        let back: String = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, HOSTILE);
    }

    proptest! {
        /// No helper ever lets a hazardous character through, and the XML/HTML helpers leave
        /// no markup character raw.
        #[test]
        fn no_sink_writes_a_hazard(text in "\\PC*|[\\x00-\\x7f\u{80}-\u{9f}\u{202a}-\u{202e}<>&|`\\\\\n]{0,40}") {
            for out in [
                terminal(&text).into_owned(),
                markdown(&text),
                markdown_code(&text),
                html(&text),
                xml(&text),
                chart_label(&text).into_owned(),
                csv_cell(&text).into_owned(),
            ] {
                prop_assert!(!out.chars().any(is_hazard), "{out:?}");
            }
            for out in [html(&text), xml(&text), markdown(&text)] {
                prop_assert!(!out.contains('<') && !out.contains('>'), "{out:?}");
            }
            prop_assert!(!markdown(&text).replace("\\|", "").contains('|'));
        }
    }
}
