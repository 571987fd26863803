//! Fitting a table ([`Grid`]) to a terminal's width without ever breaking a number or a name:
//! the [`Terminal`] a renderer writes for (its width and whether it may use colour), and
//! [`fit`], which decides per column what is shown, from the grid's column fits.
//!
//! Columns are *fixed* (never wrapped: numbers, option names) or *wrapping* (sentences, wrapped
//! at spaces and after `/`). When a table is too wide, [`fit`] takes the grid's steps in rank
//! order: it leaves out droppable columns and switches cells to their short forms (abbreviated
//! option names), lists a dropped column's values under the table (`PTUs (column left out at
//! 60 columns): 15 (chat-prod)`) when it has a fold label, and names what it left out so that
//! a renderer can say so. Every cell is escaped for the terminal here. Deciding the width and colour is left to the command layer
//! ([`Terminal::for_output`]); this module never looks at the process.

use std::io::IsTerminal;
use std::path::Path;

use unicode_width::UnicodeWidthStr;

use super::escape::terminal;
use super::grid::{Grid, GridCell};

/// Width a report is laid out for when stdout is not a terminal (a pipe or a file).
pub const PIPE_WIDTH: usize = 100;
/// Lines of a screen for a pipe or a file.
pub const PIPE_HEIGHT: usize = 50;
/// The narrowest width tables are laid out for.
pub const MIN_WIDTH: usize = 40;
/// Words up to this many columns (every option name and number) are never cut by wrapping.
pub const MAX_UNBROKEN: usize = 24;

/// Where terminal output goes: its width in columns and whether ANSI colour may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Columns a line may use.
    pub width: usize,
    /// Lines of one screen (the verdict is repeated at the end of output longer than this).
    pub height: usize,
    /// Whether to colour the recommendation and warnings.
    pub colour: bool,
}

impl Default for Terminal {
    /// 100 columns, no colour: what a pipe or a file gets.
    fn default() -> Self {
        Terminal {
            width: PIPE_WIDTH,
            height: PIPE_HEIGHT,
            colour: false,
        }
    }
}

impl Terminal {
    /// The terminal for a command's output `out` (`--out`; none or `-` is stdout): when it
    /// is stdout and stdout is a terminal, its width (the `COLUMNS` variable when the size
    /// cannot be read) and colour unless `NO_COLOR` is set; otherwise [`PIPE_WIDTH`] columns
    /// and no colour.
    pub fn for_output(out: Option<&Path>) -> Terminal {
        let to_file = out.is_some_and(|p| p != Path::new("-"));
        let stdout = std::io::stdout();
        if to_file || !stdout.is_terminal() {
            return Terminal::default();
        }
        let size = terminal_size::terminal_size_of(&stdout);
        let width = size
            .map(|(w, _)| usize::from(w.0))
            .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
            .unwrap_or(PIPE_WIDTH);
        let height = size
            .map(|(_, h)| usize::from(h.0))
            .or_else(|| std::env::var("LINES").ok()?.trim().parse().ok())
            .unwrap_or(PIPE_HEIGHT);
        Terminal {
            width: width.max(MIN_WIDTH),
            height: height.max(10),
            colour: colour_allowed(),
        }
    }

    /// Whether messages on stderr may be coloured: stderr is a terminal and `NO_COLOR` is not set.
    pub fn stderr_colour() -> bool {
        std::io::stderr().is_terminal() && colour_allowed()
    }
}

/// `NO_COLOR` (<https://no-color.org>): set to anything but the empty string turns colour off.
fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Columns of a terminal string (East Asian wide characters count 2).
pub fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The lines the terminal draws for `cell`, each escaped ([`terminal`]): its short form when
/// `short` and it has one; split at `\n` when `line_breaks`.
pub(crate) fn cell_lines(cell: &GridCell, short: bool, line_breaks: bool) -> Vec<String> {
    let text = match (&cell.short, short) {
        (Some(s), true) => s.clone(),
        _ => cell.full_text(),
    };
    if line_breaks {
        text.split('\n').map(|l| terminal(l).into_owned()).collect()
    } else {
        vec![terminal(&text).into_owned()]
    }
}

/// The lines of a header (split at `\n`, each escaped).
fn header_lines(header: &str) -> Vec<String> {
    header
        .split('\n')
        .map(|l| terminal(l).into_owned())
        .collect()
}

/// Whether a cell shows nothing but spaces.
fn is_blank(cell: &GridCell, line_breaks: bool) -> bool {
    cell_lines(cell, false, line_breaks)
        .iter()
        .all(|l| l.trim().is_empty())
}

/// The name a footnote gives column `col`: its header on one line.
fn column_name(grid: &Grid, col: usize) -> String {
    grid.headers[col].replace('\n', " ")
}

/// What [`fit`] decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The columns shown, by index, in order.
    pub shown: Vec<usize>,
    /// Their widths, in the same order.
    pub widths: Vec<usize>,
    /// The columns shown in their short forms.
    pub short: Vec<usize>,
    /// The names of the columns left out (without a label to list them by).
    pub left_out: Vec<String>,
    /// One line per labelled column left out: its values, row by row, for under the table.
    pub moved: Vec<String>,
    /// Every row's cells for the shown columns, wrapped to the widths.
    pub rows: Vec<Vec<Vec<String>>>,
    /// The header's cells for the shown columns.
    pub header: Vec<Vec<String>>,
}

/// Columns a table's frame takes besides its cells: `│ a ┆ b │` is 3 per column plus 1.
pub fn frame_width(columns: usize) -> usize {
    3 * columns + 1
}

/// Lay out `grid` (its columns per their [`super::grid::ColumnFit`]) within `width` columns: the first
/// arrangement that fits of every column in full, then one more step at a time in rank order
/// (a column switched to its short forms, or left out). When nothing fits, the last
/// arrangement is returned with its wrapping columns at their narrowest (the table may then be
/// wider than `width`).
pub fn fit(grid: &Grid, width: usize) -> Fitted {
    let specs = &grid.fit;
    // The steps, in rank order: shorten a column (false) or leave it out (true). At equal
    // rank a column is shortened before another is left out.
    let mut steps: Vec<(u8, bool, usize)> = specs
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.short_rank
                .map(|r| (r, false, i))
                .into_iter()
                .chain(s.drop_rank.map(|r| (r, true, i)))
        })
        .collect();
    steps.sort();
    // Columns of one rank and kind switch together: two columns showing the same kind of
    // value (the options before and after in `diff`) never show it in two forms side by side.
    let ends = (1..=steps.len()).filter(|&k| {
        k == steps.len() || steps[k].0 != steps[k - 1].0 || steps[k].1 != steps[k - 1].1
    });
    // Last resort, after every step: words longer than the wrapping columns may be cut.
    let attempts = std::iter::once((0, false))
        .chain(ends.map(|k| (k, false)))
        .chain(std::iter::once((steps.len(), true)));
    let mut last = None;
    for (k, cut) in attempts {
        let applied = &steps[..k];
        let dropped: Vec<usize> = applied.iter().filter(|s| s.1).map(|s| s.2).collect();
        let short: Vec<usize> = applied.iter().filter(|s| !s.1).map(|s| s.2).collect();
        let arranged = arrange(grid, (&short, &dropped, cut), width);
        if arranged.1 {
            return arranged.0;
        }
        last = Some(arranged.0);
    }
    last.expect("at least one arrangement is tried")
}

/// One arrangement; the flag says whether it fits.
fn arrange(
    grid: &Grid,
    (short_cols, dropped, cut): (&[usize], &[usize], bool),
    width: usize,
) -> (Fitted, bool) {
    let (specs, rows, breaks) = (&grid.fit, &grid.rows, grid.line_breaks);
    let short = |i: usize| short_cols.contains(&i);
    let shown: Vec<usize> = (0..specs.len()).filter(|i| !dropped.contains(i)).collect();
    let mut left_out = Vec::new();
    for &d in dropped {
        let listed = specs[d].fold_label.is_some();
        if !listed
            && rows
                .iter()
                .any(|r| r.get(d).is_some_and(|c| !is_blank(c, breaks)))
        {
            left_out.push(column_name(grid, d));
        }
    }
    // A dropped column with a label is listed under the table, its values grouped, each with
    // the rows that have it, named by the first line of their first always-shown cell (and of
    // the next one too when the first does not tell rows apart): its values never move into
    // another column's cells.
    let key_cols: Vec<usize> = shown
        .iter()
        .copied()
        .filter(|&i| specs[i].drop_rank.is_none())
        .collect();
    // A row's name: the first line of each key cell (a workload's deployment, an option).
    let key_text = |row: &Vec<GridCell>, cols: &[usize]| -> String {
        cols.iter()
            .filter_map(|&k| {
                row.get(k)
                    .and_then(|c| cell_lines(c, short(k), breaks).into_iter().next())
            })
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let first_key: Vec<String> = rows
        .iter()
        .map(|r| key_text(r, &key_cols[..key_cols.len().min(1)]))
        .collect();
    let unique = first_key
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        == rows.len();
    let used_keys = &key_cols[..key_cols.len().min(if unique { 1 } else { 2 })];
    let mut moved = Vec::new();
    for &d in dropped {
        let Some(label) = specs[d].fold_label.as_ref() else {
            continue;
        };
        let name = column_name(grid, d);
        let label = if label.is_empty() { &name } else { label };
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for row in rows {
            let Some(cell) = row.get(d).filter(|c| !is_blank(c, breaks)) else {
                continue;
            };
            let text = cell_lines(cell, short(d), breaks).join(" ");
            let key = key_text(row, used_keys);
            match groups.iter_mut().find(|(t, _)| *t == text) {
                Some((_, keys)) => keys.push(key),
                None => groups.push((text, vec![key])),
            }
        }
        if !groups.is_empty() {
            let entries: Vec<String> = groups
                .into_iter()
                .map(|(text, keys)| {
                    let keys: Vec<String> = keys.into_iter().filter(|k| !k.is_empty()).collect();
                    if keys.is_empty() {
                        text
                    } else {
                        format!("{text} ({})", keys.join(", "))
                    }
                })
                .collect();
            moved.push(format!(
                "{} (column left out at {width} columns): {}",
                capitalized(label),
                entries.join("; ")
            ));
        }
    }
    // Every row's text for the shown columns.
    let cells: Vec<Vec<Vec<String>>> = rows
        .iter()
        .map(|row| {
            shown
                .iter()
                .map(|&i| {
                    row.get(i)
                        .map_or_else(Vec::new, |c| cell_lines(c, short(i), breaks))
                })
                .collect()
        })
        .collect();
    let head: Vec<Vec<String>> = shown
        .iter()
        .map(|&i| {
            grid.headers
                .get(i)
                .map_or_else(Vec::new, |h| header_lines(h))
        })
        .collect();
    let natural = |pos: usize| {
        cells
            .iter()
            .map(|r| &r[pos])
            .chain(std::iter::once(&head[pos]))
            .flatten()
            .map(|l| display_width(l))
            .max()
            .unwrap_or(0)
            // An empty column still takes one column (as comfy-table draws it).
            .max(1)
    };
    let mut widths: Vec<usize> = (0..shown.len()).map(natural).collect();
    let wrapping: Vec<usize> = (0..shown.len())
        .filter(|&p| specs[shown[p]].wrap_min.is_some())
        .collect();
    let fixed: usize = (0..shown.len())
        .filter(|p| !wrapping.contains(p))
        .map(|p| widths[p])
        .sum();
    let budget = width.saturating_sub(frame_width(shown.len()) + fixed);
    let header_min = |p: usize| {
        head[p]
            .iter()
            .flat_map(|l| l.split(' '))
            .map(display_width)
            .max()
            .unwrap_or(0)
    };
    // A wrapping column is never narrower than its longest word (an option name, a number)
    // up to MAX_UNBROKEN columns: only longer words (odd deployment names) are ever cut.
    let longest_word = |p: usize| {
        cells
            .iter()
            .flat_map(|r| &r[p])
            .flat_map(|l| pieces(l))
            .map(|w| display_width(w.trim()))
            .max()
            .unwrap_or(0)
            .min(if cut { 0 } else { MAX_UNBROKEN })
    };
    let mins: Vec<usize> = wrapping
        .iter()
        .map(|&p| {
            specs[shown[p]]
                .wrap_min
                .unwrap_or(0)
                .max(header_min(p))
                .max(longest_word(p))
                .min(widths[p])
        })
        .collect();
    let natural_sum: usize = wrapping.iter().map(|&p| widths[p]).sum();
    let min_sum: usize = mins.iter().sum();
    let fits = fixed + frame_width(shown.len()) + min_sum <= width;
    if natural_sum > budget {
        // Share what is left beyond the minimums in proportion to what each wants beyond it.
        let spare = budget.saturating_sub(min_sum);
        let wants: Vec<usize> = wrapping
            .iter()
            .zip(&mins)
            .map(|(&p, &m)| widths[p] - m)
            .collect();
        let want_sum: usize = wants.iter().sum::<usize>().max(1);
        for (k, &p) in wrapping.iter().enumerate() {
            widths[p] = mins[k] + spare * wants[k] / want_sum;
        }
    }
    // Wrap the wrapping columns of one row (or the header) to their widths.
    let wrap_row = |row: Vec<Vec<String>>| -> Vec<Vec<String>> {
        row.into_iter()
            .enumerate()
            .map(|(p, lines)| {
                if wrapping.contains(&p) {
                    wrap_lines(&lines, widths[p])
                } else {
                    lines
                }
            })
            .collect()
    };
    let rows = cells.into_iter().map(wrap_row).collect();
    let header = wrap_row(head);
    (
        Fitted {
            shown,
            widths,
            short: short_cols.to_vec(),
            left_out,
            moved,
            rows,
            header,
        },
        fits,
    )
}

fn wrap_lines(lines: &[String], width: usize) -> Vec<String> {
    lines.iter().flat_map(|l| wrap(l, width)).collect()
}

/// Wrap `text` into lines of at most `width` columns, breaking at spaces and after `/` (never
/// inside a number: `1,234.56` has neither); a word longer than `width` is cut (only text
/// that has no shorter form gets here).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces(text) {
        let candidate = if line.is_empty() {
            piece.trim_start().to_owned()
        } else {
            format!("{line}{piece}")
        };
        if display_width(candidate.trim_end()) <= width {
            line = candidate;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_owned());
        }
        line = piece.trim_start().to_owned();
        while display_width(line.trim_end()) > width {
            let (head, tail) = split_at_width(&line, width);
            lines.push(head);
            line = tail;
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// `text` cut into pieces that each end at a break opportunity: before a space, and after a
/// `/` that follows a long word (`global-provisioned/`, never `tok/s` or `USD/mo`).
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c == ' ' && !cur.is_empty() && !cur.ends_with(' ') {
            out.push(std::mem::take(&mut cur));
        }
        let word_len = cur.trim_start().chars().count();
        cur.push(c);
        if c == '/' && word_len > 5 {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn split_at_width(s: &str, width: usize) -> (String, String) {
    let mut head = String::new();
    for (i, c) in s.char_indices() {
        if display_width(&format!("{head}{c}")) > width {
            return (head, s[i..].to_owned());
        }
        head.push(c);
    }
    (head, String::new())
}

/// `Latency` from `latency`.
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_separators_never_inside_a_number() {
        assert_eq!(
            wrap("1-year PTU pays above 81.0% utilization", 16),
            ["1-year PTU pays", "above 81.0%", "utilization"]
        );
        assert_eq!(
            wrap("global-provisioned/reserved-1-year (15 PTU)", 20),
            ["global-provisioned/", "reserved-1-year (15", "PTU)"]
        );
        assert_eq!(
            wrap("costs 1,234,567.89 USD", 14),
            ["costs", "1,234,567.89", "USD"]
        );
        assert_eq!(
            wrap("everywhere: 1,828.69 USD/mo", 12),
            ["everywhere:", "1,828.69", "USD/mo"]
        );
        assert_eq!(wrap("at >= 25 tok/s now", 9), ["at >= 25", "tok/s now"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    /// Two columns given one rank switch to their short forms together: `diff` showed one
    /// option as `Global PTU 1-month (45 PTU)` before and `global-provisioned/reserved-1-month
    /// (45 PTU)` after, side by side, where shortening one column was enough to fit.
    #[test]
    fn columns_of_one_rank_shorten_together() {
        let mut grid = Grid::new(&["Before", "After"], &[]);
        grid.shorten(0, 0).shorten(1, 0);
        grid.push(vec![
            GridCell::plain("global-provisioned/reserved-1-month").with_short("Global PTU 1-month"),
            GridCell::plain("global-provisioned/reserved-1-month").with_short("Global PTU 1-month"),
        ]);
        let full = fit(&grid, 120);
        assert!(full.short.is_empty());
        // Wide enough for one full column beside a short one, not for two full ones.
        let f = fit(&grid, 62);
        assert_eq!(f.short, vec![0, 1]);
        assert_eq!(f.rows[0][0], f.rows[0][1]);
    }

    #[test]
    fn issue_23_drops_then_lists_then_abbreviates_and_never_folds() {
        let mut grid = Grid::new(&["Option", "PTUs", "Extra", "Why"], &[1]);
        grid.wrap(3, 10)
            .droppable(1, 1, Some("PTUs"))
            .droppable(2, 0, None)
            .shorten(0, 2);
        grid.push(vec![
            GridCell::plain("global-provisioned").with_short("global PTU"),
            GridCell::plain("1,205"),
            GridCell::plain("something"),
            GridCell::plain("pays above 81.0% utilization"),
        ]);
        // Wide: everything in full, the sentence on one line.
        let f = fit(&grid, 120);
        assert_eq!(
            (f.shown.clone(), f.short.is_empty()),
            (vec![0, 1, 2, 3], true)
        );
        assert_eq!(f.rows[0][3], ["pays above 81.0% utilization"]);
        // Narrower: `extra` goes first (named), then PTUs (listed under the table), then short names.
        let f = fit(&grid, 50);
        assert!(f.short.is_empty());
        assert_eq!(f.shown, vec![0, 1, 3]);
        assert_eq!(f.left_out, vec!["Extra".to_owned()]);
        let f = fit(&grid, 36);
        assert_eq!((f.shown.clone(), f.short.is_empty()), (vec![0, 3], true));
        let f = fit(&grid, 34);
        assert_eq!((f.shown.clone(), f.short), (vec![0, 3], vec![0]));
        assert_eq!(f.rows[0][0], ["global PTU"]);
        // PTUs never moves into Why: it is listed under the table, named by its row.
        assert_eq!(f.rows[0][1].join(" "), "pays above 81.0% utilization");
        assert_eq!(
            f.moved,
            ["PTUs (column left out at 34 columns): 1,205 (global PTU)"]
        );
        for line in &f.rows[0][1] {
            assert!(display_width(line) <= f.widths[1]);
        }
        let total: usize = f.widths.iter().sum::<usize>() + frame_width(f.shown.len());
        assert!(total <= 34, "{total}");
    }
}
