//! The terminal table widget: cells with short forms, wrapping, columns that drop out (with a
//! note) when the table does not fit, emphasis and colour.

use super::*;

/// `s` cut to `max` characters in the middle ("customer-...blue"), or as it is.
pub(crate) fn truncate_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_owned();
    }
    let keep = max.saturating_sub(3);
    let head = keep - keep / 3;
    let tail = keep / 3;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}...{end}")
}

/// How a cell is emphasised on a colour terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Emphasis {
    /// As is.
    #[default]
    Plain,
    /// The recommendation (green).
    Good,
    /// A warning or a missing recommendation (yellow).
    Warn,
    /// A total (bold).
    Strong,
}

/// A table for the terminal: every cell is escaped with [`terminal`] on the way in, so a name
/// holding escape sequences or line breaks is shown, never interpreted. [`TerminalTable::render`]
/// lays it out for a [`Terminal`]; `Display` lays it out for a pipe (100 columns, no colour).
pub struct TerminalTable {
    header: Vec<CellText>,
    right_aligned: Vec<usize>,
    specs: Vec<ColumnSpec>,
    rows: Vec<Vec<(CellText, Emphasis)>>,
}

/// A cell of one or more lines (split at `\n`, each line escaped for the terminal).
pub fn cell(text: &str) -> CellText {
    CellText {
        lines: text.split('\n').map(|l| terminal(l).into_owned()).collect(),
        short: None,
    }
}

/// [`cell`] with a short form for narrow terminals.
pub fn cell_short(text: &str, short: &str) -> CellText {
    let mut c = cell(text);
    c.short = Some(cell(short).lines);
    c
}

impl TerminalTable {
    /// Add a row of one-line cells.
    pub fn add_row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let row = cells
            .into_iter()
            .map(|c| {
                (
                    CellText {
                        lines: vec![terminal(c.as_ref()).into_owned()],
                        short: None,
                    },
                    Emphasis::Plain,
                )
            })
            .collect();
        self.rows.push(row);
    }

    /// Add a row of prepared cells ([`cell`], [`cell_short`]), all with `emphasis`.
    pub fn add_cells(&mut self, cells: Vec<CellText>, emphasis: Emphasis) {
        self.rows
            .push(cells.into_iter().map(|c| (c, emphasis)).collect());
    }

    /// Add a row of prepared cells, each with its own emphasis.
    pub fn add_styled(&mut self, cells: Vec<(CellText, Emphasis)>) {
        self.rows.push(cells);
    }

    /// Let column `col` wrap its text (at spaces and after `/`), down to `min` columns.
    pub fn wrap(&mut self, col: usize, min: usize) -> &mut Self {
        if let Some(s) = self.specs.get_mut(col) {
            s.wrap_min = Some(min);
        }
        self
    }

    /// Let column `col` be left out when the table does not fit (lower `rank` first); with a
    /// `fold` label its text moves into the first wrapping column instead of disappearing.
    pub fn droppable(&mut self, col: usize, rank: u8, fold: Option<&str>) -> &mut Self {
        if let Some(s) = self.specs.get_mut(col) {
            s.drop_rank = Some(rank);
            s.fold_label = fold.map(str::to_owned);
        }
        self
    }

    /// Let column `col` switch to its cells' short forms at step `rank` when the table does not
    /// fit (steps are shared with [`TerminalTable::droppable`]).
    pub fn shorten(&mut self, col: usize, rank: u8) -> &mut Self {
        if let Some(s) = self.specs.get_mut(col) {
            s.short_rank = Some(rank);
        }
        self
    }

    /// The table laid out for `term`, and a footnote line when columns were left out.
    pub fn render(&self, term: &Terminal) -> String {
        let mut specs = self.specs.clone();
        let rows: Vec<Vec<CellText>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|(c, _)| c.clone()).collect())
            .collect();
        let mut fitted = layout::fit(&specs, &self.header, &rows, term.width);
        let too_wide = fitted.widths.iter().sum::<usize>()
            + layout::frame_width(fitted.shown.len())
            > term.width;
        if too_wide && specs.iter().all(|s| s.wrap_min.is_none()) {
            // No column was declared wrapping: let the widest text column wrap.
            if let Some(col) = self.widest_text_column(&rows) {
                specs[col].wrap_min = Some(16);
                fitted = layout::fit(&specs, &self.header, &rows, term.width);
            }
        }
        let multiline = fitted
            .rows
            .iter()
            .any(|r| r.iter().any(|lines| lines.len() > 1));
        let mut table = Table::new();
        table.load_preset(if multiline {
            presets::UTF8_FULL
        } else {
            presets::UTF8_FULL_CONDENSED
        });
        table.set_content_arrangement(ContentArrangement::Disabled);
        if term.colour {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(
            fitted
                .header
                .iter()
                .map(|lines| Cell::new(lines.join("\n"))),
        );
        for (r, row) in fitted.rows.iter().enumerate() {
            let cells = row.iter().enumerate().map(|(p, lines)| {
                let emphasis = self.rows[r]
                    .get(fitted.shown[p])
                    .map_or(Emphasis::Plain, |(_, e)| *e);
                styled(Cell::new(lines.join("\n")), emphasis, term.colour)
            });
            table.add_row(cells);
        }
        for (p, &i) in fitted.shown.iter().enumerate() {
            if self.right_aligned.contains(&i) {
                if let Some(col) = table.column_mut(p) {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        let mut out = table.to_string();
        for moved in &fitted.moved {
            for line in layout::wrap(moved, term.width) {
                out.push('\n');
                out.push_str(&line);
            }
        }
        if !fitted.left_out.is_empty() {
            let note = format!(
                "(left out at {} columns: {}; a wider terminal, --format markdown or json shows them)",
                term.width,
                fitted.left_out.join(", ")
            );
            for line in layout::wrap(&note, term.width) {
                out.push('\n');
                out.push_str(&line);
            }
        }
        out
    }

    fn widest_text_column(&self, rows: &[Vec<CellText>]) -> Option<usize> {
        (0..self.specs.len())
            .filter(|i| !self.right_aligned.contains(i))
            .max_by_key(|&i| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .flat_map(|c| &c.lines)
                    .map(|l| layout::display_width(l))
                    .max()
                    .unwrap_or(0)
            })
    }
}

pub(super) fn styled(c: Cell, emphasis: Emphasis, colour: bool) -> Cell {
    if !colour {
        return c;
    }
    match emphasis {
        Emphasis::Plain => c,
        Emphasis::Good => c.fg(Color::Green).add_attribute(Attribute::Bold),
        Emphasis::Warn => c.fg(Color::Yellow),
        Emphasis::Strong => c.add_attribute(Attribute::Bold),
    }
}

impl fmt::Display for TerminalTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&Terminal::default()))
    }
}

/// Write one line of text for the terminal, escaped like a table cell.
pub fn write_line(out: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(out, "{}", terminal(text))
}

/// Write a paragraph wrapped to `term`'s width: the first line starts with `lead`, the others
/// with as many spaces plus `indent`.
pub fn write_wrapped(
    out: &mut dyn Write,
    term: &Terminal,
    lead: &str,
    indent: usize,
    text: &str,
) -> io::Result<()> {
    let text = terminal(text);
    let pad = " ".repeat(lead.chars().count() + indent);
    let width = term.width.saturating_sub(pad.len()).max(20);
    for (i, line) in layout::wrap(&text, width).iter().enumerate() {
        if i == 0 {
            writeln!(out, "{lead}{line}")?;
        } else {
            writeln!(out, "{pad}{line}")?;
        }
    }
    Ok(())
}

/// The one table factory: preset, alignment and escaping shared by every table. Headers may
/// hold `\n` (a two-line header).
pub fn new(header: &[&str], right_aligned: &[usize]) -> TerminalTable {
    TerminalTable {
        header: header.iter().map(|h| cell(h)).collect(),
        right_aligned: right_aligned.to_vec(),
        specs: header
            .iter()
            .map(|h| ColumnSpec {
                wrap_min: None,
                drop_rank: None,
                fold_label: None,
                short_rank: None,
                name: h.replace('\n', " "),
            })
            .collect(),
        rows: Vec::new(),
    }
}
