//! The terminal table: [`draw`] lays a [`Grid`] out for the terminal's width (cells in their
//! short forms, wrapping, columns that drop out with a note when the table does not fit) and
//! colours it; the helpers write escaped lines and wrapped paragraphs around it.

use super::*;

/// `grid` laid out for `term` (see [`layout::fit`]: every cell escaped for the terminal, numbers
/// and names never broken), its cells coloured by their [`Style`] on a colour terminal, then a
/// line per column listed under it and a footnote naming the columns left out. A pipe or a file
/// gets `draw(grid, &Terminal::default())`: 100 columns, no colour.
pub fn draw(grid: &Grid, term: &Terminal) -> String {
    let mut fitted = layout::fit(grid, term.width);
    let too_wide =
        fitted.widths.iter().sum::<usize>() + layout::frame_width(fitted.shown.len()) > term.width;
    if too_wide && grid.fit.iter().all(|f| f.wrap_min.is_none()) {
        // No column was declared wrapping: let the widest text column wrap.
        if let Some(col) = widest_text_column(grid) {
            let mut wrapping = grid.clone();
            wrapping.fit[col].wrap_min = Some(16);
            fitted = layout::fit(&wrapping, term.width);
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
            let style = grid.rows[r]
                .get(fitted.shown[p])
                .map_or(Style::Plain, |c| c.style);
            styled(Cell::new(lines.join("\n")), style, term.colour)
        });
        table.add_row(cells);
    }
    for (p, &i) in fitted.shown.iter().enumerate() {
        if grid.right_aligned.contains(&i) {
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

/// The left-aligned column whose widest line is the widest.
fn widest_text_column(grid: &Grid) -> Option<usize> {
    (0..grid.fit.len())
        .filter(|i| !grid.right_aligned.contains(i))
        .max_by_key(|&i| {
            grid.rows
                .iter()
                .filter_map(|r| r.get(i))
                .flat_map(|c| layout::cell_lines(c, false, grid.line_breaks))
                .map(|l| layout::display_width(&l))
                .max()
                .unwrap_or(0)
        })
}

pub(super) fn styled(c: Cell, style: Style, colour: bool) -> Cell {
    if !colour {
        return c;
    }
    match style {
        Style::Plain | Style::Code => c,
        Style::Good => c.fg(Color::Green).add_attribute(Attribute::Bold),
        Style::Warn => c.fg(Color::Yellow),
        Style::Strong => c.add_attribute(Attribute::Bold),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(width: usize) -> Terminal {
        Terminal {
            width,
            height: 50,
            colour: false,
        }
    }

    /// A `\n` in a cell is a line break only in a grid that says so; elsewhere it is shown
    /// escaped, as Markdown and HTML show it. Escape sequences are never written.
    #[test]
    fn line_breaks_only_where_the_grid_says_and_cells_are_escaped() {
        let mut grid = Grid::new(&["Name", "Note"], &[]);
        grid.push_texts(["chat\nprod", "\u{1b}[31mred"]);
        let one = draw(&grid, &at(100));
        assert!(one.contains("chat\\nprod"), "{one}");
        assert!(
            one.contains("\\u{1b}[31mred") && !one.contains('\u{1b}'),
            "{one}"
        );
        let two = draw(&grid.clone().with_line_breaks(), &at(100));
        assert!(two.contains("│ chat ") && two.contains("│ prod "), "{two}");
    }

    /// On a narrow terminal a column switches to its short forms, and a droppable column is
    /// listed under the table by its label, named by its row; on a wide one all is in full.
    #[test]
    fn narrow_terminals_get_short_forms_and_listed_columns() {
        let mut grid = Grid::new(&["Option", "PTUs", "Why"], &[1]);
        grid.wrap(2, 10).shorten(0, 0).droppable(1, 1, Some("PTUs"));
        grid.push(vec![
            GridCell::plain("global-provisioned").with_short("global PTU"),
            GridCell::plain("1,205"),
            GridCell::plain("pays above 81.0% utilization"),
        ]);
        let wide = draw(&grid, &at(100));
        assert!(
            wide.contains("global-provisioned") && wide.contains("1,205"),
            "{wide}"
        );
        let narrow = draw(&grid, &at(34));
        assert!(!narrow.contains("global-provisioned"), "{narrow}");
        assert!(narrow.contains("│ global PTU ┆"), "{narrow}");
        assert!(
            narrow.ends_with("PTUs (column left out at 34\ncolumns): 1,205 (global PTU)"),
            "{narrow}"
        );
        for line in narrow.lines() {
            assert!(layout::display_width(line) <= 34, "{line}");
        }
    }
}
