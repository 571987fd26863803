//! One table model for every table ptuplan draws: the terminal ([`super::table::draw`]),
//! Markdown and HTML. A [`Grid`] holds headers, alignment and rows of [`GridCell`]s, plus what
//! the terminal needs to fit it to the screen: per column whether it wraps, when it switches to
//! its cells' short forms and when it may be left out ([`ColumnFit`]), and per cell a short
//! form and an emphasis. Markdown and HTML ignore those and show every column in full. A table
//! is built once and each renderer only draws it, escaping for its sink, so the formats cannot
//! drift apart. The what-if and forecast [`Section`]s convert with `Grid::from`, and every
//! format draws that one grid; the summary and option tables differ between the terminal
//! (fewer, stacked columns) and the documents, so the terminal builds its own grids from the
//! same cell texts (`render::summary`, `render::table`).

use crate::report::section::Section;

/// How a cell is set off where the format can: Markdown sets off identifiers and totals, the
/// terminal (in colour) the recommendation, warnings and totals; HTML draws text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// As is.
    #[default]
    Plain,
    /// An identifier (Markdown: in backticks).
    Code,
    /// A total (Markdown and the terminal: bold).
    Strong,
    /// The recommendation (the terminal: green).
    Good,
    /// A warning or a missing recommendation (the terminal: yellow).
    Warn,
}

/// One cell: its text, how it is set off, plain words after it (`**Total** (3 workloads)`), and
/// a short form the terminal switches to when the table does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCell {
    /// The text (raw; each renderer escapes it).
    pub text: String,
    /// How `text` is set off.
    pub style: Style,
    /// Plain words after `text`, a space between (empty: none).
    pub tail: String,
    /// The abbreviated text (`global PTU` for `global-provisioned`), for the terminal.
    pub short: Option<String>,
}

impl GridCell {
    /// A plain cell.
    pub fn plain(text: impl Into<String>) -> Self {
        GridCell {
            text: text.into(),
            style: Style::Plain,
            tail: String::new(),
            short: None,
        }
    }

    /// An identifier.
    pub fn code(text: impl Into<String>) -> Self {
        GridCell {
            style: Style::Code,
            ..GridCell::plain(text)
        }
    }

    /// A total.
    pub fn strong(text: impl Into<String>) -> Self {
        GridCell {
            style: Style::Strong,
            ..GridCell::plain(text)
        }
    }

    /// The same cell with a short form for narrow terminals.
    pub fn with_short(mut self, short: impl Into<String>) -> Self {
        self.short = Some(short.into());
        self
    }

    /// The same cell set off by `style`.
    pub fn styled(mut self, style: Style) -> Self {
        self.style = style;
        self
    }
}

/// How the terminal may fit a column to its width (Markdown and HTML show every column in
/// full). Fixed unless told: never wrapped, never shortened, never left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnFit {
    /// Whether its text wraps (at spaces and after `/`), and the narrowest it may get.
    pub wrap_min: Option<usize>,
    /// Its position in the drop order (lower goes first); `None`: always shown.
    pub drop_rank: Option<u8>,
    /// When dropped, its values are listed under the table as `Label (column left out at W
    /// columns): text (rows); ...` (the column's name when the label is empty); `None`: only
    /// its name is, in the footnote.
    pub fold_label: Option<String>,
    /// Its position in the order of steps (shared with `drop_rank`) at which its cells switch
    /// to their short forms; `None`: never.
    pub short_rank: Option<u8>,
}

/// A table: headers (units in brackets), the right-aligned (numeric) columns, the rows, and
/// how the terminal may fit each column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Column headers. A `\n` is a line break on the terminal (a two-line header).
    pub headers: Vec<String>,
    /// Right-aligned columns.
    pub right_aligned: Vec<usize>,
    /// Rows of cells, as many as headers.
    pub rows: Vec<Vec<GridCell>>,
    /// How the terminal may fit each column, one per header.
    pub fit: Vec<ColumnFit>,
    /// Whether the terminal draws a `\n` in a cell as a line break (a cell of stacked lines:
    /// deployment, model, region); otherwise it is shown escaped, as Markdown and HTML always
    /// show it.
    pub line_breaks: bool,
}

impl Grid {
    /// An empty table with `headers`, `right_aligned` columns, every column fixed and no line
    /// breaks in cells.
    pub fn new<S: AsRef<str>>(headers: &[S], right_aligned: &[usize]) -> Grid {
        Grid {
            headers: headers.iter().map(|h| h.as_ref().to_owned()).collect(),
            right_aligned: right_aligned.to_vec(),
            rows: Vec::new(),
            fit: vec![ColumnFit::default(); headers.len()],
            line_breaks: false,
        }
    }

    /// The same table with `\n` in cells drawn as line breaks on the terminal.
    pub fn with_line_breaks(mut self) -> Grid {
        self.line_breaks = true;
        self
    }

    /// Add a row.
    pub fn push(&mut self, row: Vec<GridCell>) {
        self.rows.push(row);
    }

    /// Add a row of cells all set off by `style`.
    pub fn push_styled(&mut self, row: Vec<GridCell>, style: Style) {
        self.rows
            .push(row.into_iter().map(|c| c.styled(style)).collect());
    }

    /// Add a row of plain cells.
    pub fn push_texts<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows
            .push(cells.into_iter().map(GridCell::plain).collect());
    }

    /// Let column `col` wrap its text (at spaces and after `/`) on the terminal, down to `min`
    /// columns.
    pub fn wrap(&mut self, col: usize, min: usize) -> &mut Self {
        if let Some(f) = self.fit.get_mut(col) {
            f.wrap_min = Some(min);
        }
        self
    }

    /// Let column `col` be left out on a terminal the table does not fit (lower `rank`
    /// first); with a `fold` label its values are listed under the table instead of
    /// disappearing.
    pub fn droppable(&mut self, col: usize, rank: u8, fold: Option<&str>) -> &mut Self {
        if let Some(f) = self.fit.get_mut(col) {
            f.drop_rank = Some(rank);
            f.fold_label = fold.map(str::to_owned);
        }
        self
    }

    /// Let column `col` switch to its cells' short forms at step `rank` on a terminal the table
    /// does not fit (steps are shared with [`Grid::droppable`]; columns given one rank switch
    /// together).
    pub fn shorten(&mut self, col: usize, rank: u8) -> &mut Self {
        if let Some(f) = self.fit.get_mut(col) {
            f.short_rank = Some(rank);
        }
        self
    }
}

impl GridCell {
    /// The whole text, unstyled: `text` and `tail`.
    pub fn full_text(&self) -> String {
        if self.tail.is_empty() {
            self.text.clone()
        } else {
            format!("{} {}", self.text, self.tail)
        }
    }
}

impl From<&Section> for Grid {
    fn from(s: &Section) -> Grid {
        let mut grid = Grid::new(&s.headers, &s.right_aligned);
        for row in &s.rows {
            grid.push_texts(row);
        }
        grid
    }
}
