//! The shared block of the human formats' scenario and forecast parts: a heading, sentences,
//! a table and notes. Renderers only format it.

/// A block of the scenario part of every human format: a heading, a few sentences, a table,
/// and notes. Each renderer only formats it (escaping for its sink), so every format says the
/// same.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Sentences before the table.
    pub intro: Vec<String>,
    /// Column headers (units in brackets).
    pub headers: Vec<&'static str>,
    /// Right-aligned (numeric) columns.
    pub right_aligned: Vec<usize>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// Lines after the table.
    pub notes: Vec<String>,
}
