//! Terminal output, the answer first: the verdict (what to buy, where, how long, what it
//! commits and saves), then what was read, one summary table (a row per workload of at most
//! three lines: the decision, its PTUs and monthly cost, the saving against the flexible
//! option and a short reason, then the total), then per workload a short block saying why,
//! and with `--details` its options and the reservation pools. Output longer than a screen
//! ends with the verdict again. Every table fits the [`Terminal`]'s width
//! ([`super::layout::fit`]): numbers and option names are never broken; sentences wrap,
//! columns are abbreviated or left out instead.
//!
//! All tables come from [`new`], whose [`TerminalTable`] escapes every cell for the terminal
//! ([`super::escape::terminal`]); every other line written here goes through the same helper.
//! Notes and warnings are not written here: the command prints them on stderr.

use std::fmt;
use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::escape::terminal;
use super::layout::{self, CellText, ColumnSpec, Terminal};
use super::text::{billing_short, type_short};
use super::{fmt_display, fmt_int, fmt_pct, fmt_usd, provenance_lines, Extras, Report};
use crate::plan::{DecisionStatus, OptionPlan, WorkloadPlan};

/// The most characters of a deployment name the summary table shows (Azure allows 64).
pub(crate) const SUMMARY_DEPLOYMENT_CHARS: usize = 16;

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

fn styled(c: Cell, emphasis: Emphasis, colour: bool) -> Cell {
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

/// Write the report as tables, for a pipe (100 columns, no colour, no `--details`).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_with(report, &Extras::default(), out)
}

/// Write the report as tables for `extras.terminal`, the answer first.
pub fn write_with(report: &Report, extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    let term = &extras.terminal;
    let mut buf: Vec<u8> = Vec::new();
    write_body(report, extras, &mut buf)?;
    out.write_all(&buf)?;
    // A reader who scrolled past the first screen gets the answer again.
    let lines = buf.iter().filter(|b| **b == b'\n').count();
    if lines > term.height {
        writeln!(out)?;
        write_wrapped(out, term, "", 2, &report.decision_summary.verdict)?;
    }
    Ok(())
}

fn write_body(report: &Report, extras: &Extras<'_>, out: &mut dyn Write) -> io::Result<()> {
    let term = &extras.terminal;
    write_wrapped(out, term, "", 2, &report.decision_summary.verdict)?;
    writeln!(out)?;
    write_input(report, term, out)?;
    writeln!(out)?;
    write_summary(report, term, out)?;
    write_sections(&super::scenario::sections(report), term, out)?;
    for w in &report.workloads {
        writeln!(out)?;
        write_workload(w, extras.details, term, out)?;
    }
    if extras.details {
        write_reservations(report, term, out)?;
        if super::text::mentions_unverified(report) {
            writeln!(out)?;
            write_wrapped(
                out,
                term,
                "",
                2,
                &super::text::capitalize(super::text::UNVERIFIED),
            )?;
        }
    } else {
        writeln!(out)?;
        write_wrapped(
            out,
            term,
            "",
            0,
            "Every option of every workload, the reservation pools and each window's figures: --details (or --format markdown or json).",
        )?;
    }
    Ok(())
}

/// Write report sections (the what-if scenarios) as headings, tables and lines, fitted to
/// `term`.
pub fn write_sections(
    sections: &[super::scenario::Section],
    term: &Terminal,
    out: &mut dyn Write,
) -> io::Result<()> {
    for s in sections {
        writeln!(out)?;
        write_line(out, &s.heading)?;
        for line in &s.intro {
            write_wrapped(out, term, "", 0, line)?;
        }
        if !s.rows.is_empty() {
            let mut table = new(&s.headers, &s.right_aligned);
            for row in &s.rows {
                table.add_row(row.clone());
            }
            writeln!(out, "{}", table.render(term))?;
        }
        for line in &s.notes {
            write_wrapped(out, term, "  ", 2, line)?;
        }
    }
    Ok(())
}

/// The input line and where prices and constraints came from.
pub fn write_input(report: &Report, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    write_wrapped(out, term, "", 2, &input_line(report))?;
    for text in provenance_lines(report) {
        write_wrapped(out, term, "", 2, &text)?;
    }
    Ok(())
}

/// The summary table: one row per workload (at most three lines), then the total; notes
/// under it.
pub fn write_summary(report: &Report, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new(
        &[
            "Workload",
            "Decision",
            "PTUs",
            "Cost\n[USD/mo]",
            "Saving vs\nflexible",
            "Why",
        ],
        &[2, 3, 4],
    );
    t.wrap(0, 10).wrap(5, 18);
    t.shorten(1, 0)
        .droppable(4, 1, Some("saving vs flexible"))
        .droppable(2, 2, Some("PTUs"));
    for w in &report.workloads {
        let d = &w.decision;
        // A long deployment name is cut in the middle with a marker, keeping both ends (where
        // names usually differ); the Why block below names it whole. A workload keeps to three
        // lines.
        let name = cell(&format!(
            "{}\n{}\n{}",
            truncate_middle(&w.deployment, SUMMARY_DEPLOYMENT_CHARS),
            w.model,
            w.region
        ));
        let (option, emphasis) = match &d.option {
            Some(o) => (
                cell_short(
                    &format!(
                        "{}\n{}\n{}",
                        o.deployment_type,
                        o.billing.as_str(),
                        d.status.as_str()
                    ),
                    &format!(
                        "{}\n{}\n{}",
                        type_short(o.deployment_type),
                        billing_short(o.billing),
                        d.status.as_str()
                    ),
                ),
                if d.status == DecisionStatus::Firm {
                    Emphasis::Good
                } else {
                    Emphasis::Warn
                },
            ),
            None => (cell("none eligible"), Emphasis::Warn),
        };
        let o = d.option.as_ref();
        t.add_styled(vec![
            (name, Emphasis::Plain),
            (option, emphasis),
            (
                cell(
                    &o.and_then(|o| o.ptus)
                        .map_or(String::new(), |p| fmt_int(u64::from(p))),
                ),
                Emphasis::Plain,
            ),
            (
                cell(&o.map_or(String::new(), |o| fmt_usd(o.monthly_cost_usd))),
                Emphasis::Plain,
            ),
            (cell(&saving_cell(w)), Emphasis::Plain),
            (cell(&super::text::short_why(w)), Emphasis::Plain),
        ]);
    }
    t.add_cells(total_row(report), Emphasis::Strong);
    writeln!(out, "{}", t.render(term))?;
    if report.summary.workloads_without_recommendation > 0 {
        write_wrapped(out, term, "", 2, &summary_line(report))?;
    }
    if let Some(note) = &report.input.projection_note {
        write_wrapped(out, term, "", 2, &format!("Note: {note}"))?;
    }
    Ok(())
}

/// The saving cell: `-` when the flexible option is decided, else `1,234.56\n(9.0%)` (the
/// flexible option's cost minus the decided one's at the window in use; the percent is the
/// range over the band, `11.4-52.7%`, when it differs between windows).
pub fn saving_cell(w: &WorkloadPlan) -> String {
    let d = &w.decision;
    match (&d.option, &d.flexible) {
        (Some(o), Some(f)) if o.option_id == f.option_id => "-".to_owned(),
        (Some(_), Some(_)) => match d.saving_vs_flexible_share {
            // Across the band the saving is a range: its ends, the least first.
            Some(_) if super::text::saving_range(d).is_some() => format!(
                "{}\n({})",
                fmt_usd(d.saving_vs_flexible_usd),
                super::text::saving_range(d)
                    .map(|r| super::text::share_range_text(&r))
                    .unwrap_or_default()
            ),
            Some(share) => format!(
                "{}\n({})",
                fmt_usd(d.saving_vs_flexible_usd),
                fmt_pct(share)
            ),
            None => fmt_usd(d.saving_vs_flexible_usd),
        },
        _ => String::new(),
    }
}

fn total_row(report: &Report) -> Vec<CellText> {
    let s = &report.summary;
    let ptus: u32 = report
        .workloads
        .iter()
        .filter_map(|w| w.decision.option.as_ref().and_then(|o| o.ptus))
        .sum();
    let saving: f64 = report
        .workloads
        .iter()
        .map(|w| w.decision.saving_vs_flexible_usd)
        .sum();
    let mut why = Vec::new();
    if !s.complete {
        why.push(format!(
            "INCOMPLETE: {} of {} workload(s) have no eligible option; the total covers the others",
            s.workloads_without_recommendation, s.workloads
        ));
    }
    let commitment = report.decision_summary.commitment_usd;
    if commitment > 0.0 {
        why.push(format!("reservations commit {} USD", fmt_usd(commitment)));
    } else {
        why.push("commits nothing".to_owned());
    }
    if let Some(d) = fmt_display(report.currency.as_ref(), s.recommended_monthly_cost_usd) {
        why.push(format!("{d} per month"));
    }
    let why = why.join("; ");
    vec![
        cell(&format!(
            "Total\n({} workload{})",
            fmt_int(s.workloads as u64),
            if s.workloads == 1 { "" } else { "s" }
        )),
        cell(""),
        cell(&if ptus > 0 {
            fmt_int(u64::from(ptus))
        } else {
            String::new()
        }),
        // Never a bare 0.00 for a plan without decisions, nor a partial sum as whole.
        cell(&total_cost_text(report, "\n")),
        cell(&if saving > 0.0 && s.complete {
            fmt_usd(saving)
        } else {
            String::new()
        }),
        cell(&capitalize(&why)),
    ]
}

/// The total's cost cell: never a bare 0.00 for a plan without any recommendation (`-`), nor
/// a partial sum that looks whole (`1,204.11` + `sep` + `(partial)`).
pub fn total_cost_text(report: &Report, sep: &str) -> String {
    let s = &report.summary;
    if s.workloads_without_recommendation == s.workloads && s.workloads > 0 {
        "-".to_owned()
    } else if s.complete {
        fmt_usd(s.recommended_monthly_cost_usd)
    } else {
        format!("{}{sep}(partial)", fmt_usd(s.recommended_monthly_cost_usd))
    }
}

fn capitalize(s: &str) -> String {
    super::text::capitalize(s)
}

/// One workload: its heading, why its decision is what it is, and with `details` its token
/// facts, latency, options and sizing notes.
pub fn write_workload(
    w: &WorkloadPlan,
    details: bool,
    term: &Terminal,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_wrapped(out, term, "", 2, &workload_heading(w))?;
    if details {
        write_wrapped(out, term, "  ", 2, &workload_facts(w))?;
        write_wrapped(out, term, "  ", 2, &latency_line(w))?;
    }
    for line in super::text::why_lines(w).into_iter().chain(quota_lines(w)) {
        write_wrapped(out, term, "- ", 0, &line)?;
    }
    if details {
        for line in band_lines(w) {
            write_wrapped(out, term, "  ", 2, &line)?;
        }
        let (options, shared) = options_table(w);
        writeln!(out, "{}", options.render(term))?;
        for line in shared {
            write_wrapped(out, term, "", 2, &line)?;
        }
        for line in unavailable_lines(w) {
            write_wrapped(out, term, "", 2, &line)?;
        }
        for note in sizing_notes(w) {
            write_wrapped(out, term, "", 2, &note)?;
        }
    }
    Ok(())
}

/// The decided option, the flexible one and the reservation weighed (when it is not the
/// decided one) at each window of the band: "By window [USD/mo] (decided / flexible / 1-year
/// 15 PTU): 1 s: 729.19 / 729.19 / 3,315.00; ...". Nothing when the band has one window or the
/// three agree everywhere.
pub fn band_lines(w: &WorkloadPlan) -> Vec<String> {
    let d = &w.decision;
    if d.by_window.len() < 2 {
        return Vec::new();
    }
    let decided_id = d.option.as_ref().map(|o| o.option_id.as_str());
    let weighed = d
        .reservation
        .as_ref()
        .filter(|c| Some(c.choice.option_id.as_str()) != decided_id && c.saves_somewhere());
    let usd = |v: Option<f64>| v.map_or("-".to_owned(), fmt_usd);
    let same = d.by_window.iter().all(|b| {
        b.decided.as_ref().map(|c| c.monthly_cost_usd)
            == b.flexible.as_ref().map(|c| c.monthly_cost_usd)
    });
    if same && weighed.is_none() {
        return Vec::new();
    }
    let each: Vec<String> = d
        .by_window
        .iter()
        .map(|b| {
            let mut cell = format!(
                "{}: {} / {}",
                super::text::window_text(b.window_s),
                usd(b.decided.as_ref().map(|c| c.monthly_cost_usd)),
                usd(b.flexible.as_ref().map(|c| c.monthly_cost_usd))
            );
            if let Some(c) = weighed {
                cell.push_str(&format!(
                    " / {}",
                    usd(c.at(b.window_s).and_then(|cw| cw.month_equivalent_usd()))
                ));
            }
            cell
        })
        .collect();
    let columns = match weighed {
        Some(c) => format!(
            "decided / flexible / {} {} PTU{}",
            billing_short(c.choice.billing),
            fmt_int(u64::from(c.choice.ptus.unwrap_or(0))),
            if c.lifecycle.is_some() {
                " over its term, as this month's cost"
            } else {
                ""
            }
        ),
        None => "decided / flexible".to_owned(),
    };
    vec![format!(
        "By window [USD/mo] ({columns}): {}",
        each.join("; ")
    )]
}

/// What the decided option needs from the Standard quota, when it says.
pub fn quota_lines(w: &WorkloadPlan) -> Vec<String> {
    w.decided_option()
        .and_then(|o| o.standard_quota.as_ref())
        .filter(|q| !q.note.is_empty())
        .map(|q| vec![format!("Standard quota: {}.", q.note)])
        .unwrap_or_default()
}

/// "Replayed N records from FILES, START to END (H h); catalog as of DATE, prices in force on
/// DATE."
pub fn input_line(report: &Report) -> String {
    let i = &report.input;
    let what = if i.granularity_note.is_some() && i.buckets == 0 {
        format!(
            "{} requests (tokens from per-{} buckets)",
            fmt_int(i.records),
            i.granularity.as_str()
        )
    } else if i.granularity_note.is_some() {
        format!(
            "{} requests (expanded from {} per-{} buckets)",
            fmt_int(i.records),
            fmt_int(i.buckets),
            i.granularity.as_str()
        )
    } else {
        format!("{} records", fmt_int(i.records))
    };
    let mut line = format!(
        "Replayed {} from {} ({} to {}, {}); catalog as of {}",
        what,
        i.files.join(", "),
        i.start,
        i.end,
        fmt_hours(i.hours),
        report.catalog.as_of
    );
    if let Some(d) = &report.catalog.in_force_on {
        line.push_str(&format!(", prices and lifecycles on {d}"));
    }
    if i.skipped > 0 {
        line.push_str(&format!("; {} invalid rows skipped", fmt_int(i.skipped)));
    }
    if i.failed_requests > 0 {
        line.push_str(&format!(
            "; {} non-2xx requests not billed",
            fmt_int(i.failed_requests)
        ));
    }
    if let Some(note) = &i.granularity_note {
        line.push_str(&format!(". Note: {note}"));
    }
    line
}

/// A span for people: `720.0 h`, or minutes below an hour (`2 min`).
pub fn fmt_hours(hours: f64) -> String {
    super::text::fmt_hours(hours)
}

/// "deployment (model @ region)".
pub fn workload_heading(w: &WorkloadPlan) -> String {
    format!("{} ({} @ {})", w.deployment, w.model, w.region)
}

/// One line of token facts for a workload.
pub fn workload_facts(w: &WorkloadPlan) -> String {
    let mut cache = format!("{} cached", fmt_pct(w.cached_share));
    if w.cache_write_tokens > 0 {
        cache.push_str(&format!(", {} cache writes", fmt_int(w.cache_write_tokens)));
    }
    if w.long_context_requests > 0 {
        cache.push_str(&format!(
            ", {} long-context requests",
            fmt_int(w.long_context_requests)
        ));
    }
    let reasoning = if w.reasoning_model {
        format!("{} reasoning", fmt_pct(w.reasoning_share))
    } else {
        "not a reasoning model".to_owned()
    };
    let mut s = format!(
        "{} requests; tokens: {} prompt ({cache}), {} completion ({reasoning}); peak minute {} weighted TPM, p99 {}",
        fmt_int(w.requests),
        fmt_int(w.prompt_tokens),
        fmt_int(w.completion_tokens),
        fmt_int(w.peak_minute_weighted_tpm.round() as u64),
        fmt_int(w.p99_minute_weighted_tpm.round() as u64),
    );
    if w.truncated_requests > 0 {
        s.push_str(&format!(
            "; {} answers emptied by reasoning cost {} USD",
            fmt_int(w.truncated_requests),
            fmt_usd(w.truncated_cost_usd)
        ));
    }
    s
}

/// The available options of a workload (the unavailable ones are listed under it by
/// [`unavailable_lines`]), and the notes every billing of a provisioned type shares, said
/// once under the table instead of on each row.
fn options_table(w: &WorkloadPlan) -> (TerminalTable, Vec<String>) {
    let mut table = new(
        &[
            "",
            "Option",
            "Billing",
            "PTUs",
            "Cost\n[USD/mo]",
            "Failed/\nspilled",
            "Latency",
            "Note",
        ],
        &[3, 4, 5],
    );
    table.wrap(6, 11).wrap(7, 16);
    table
        .droppable(6, 0, Some("latency"))
        .shorten(2, 1)
        .droppable(5, 2, Some("failed/spilled"))
        .shorten(1, 3)
        .droppable(3, 4, Some("PTUs"))
        .droppable(0, 5, Some(""));
    let available: Vec<&OptionPlan> = w.options.iter().filter(|o| o.available).collect();
    let (notes, shared) = shared_notes(&available);
    let decided = w.decision.option.as_ref().map(|o| o.option_id.as_str());
    for (o, note) in available.iter().zip(notes) {
        let recommended = decided == Some(o.id.as_str());
        table.add_cells(
            vec![
                cell(if recommended { ">>" } else { "" }),
                cell_short(
                    &o.deployment_type.to_string(),
                    type_short(o.deployment_type),
                ),
                cell_short(o.billing.as_str(), billing_short(o.billing)),
                cell(&o.ptus.map(|p| fmt_int(u64::from(p))).unwrap_or_default()),
                cell(
                    &o.monthly_cost_usd
                        .map(fmt_usd)
                        .unwrap_or_else(|| "-".to_owned()),
                ),
                cell(&failed_spilled(o)),
                cell(&latency_cell(o)),
                cell(&note),
            ],
            if recommended {
                Emphasis::Good
            } else {
                Emphasis::Plain
            },
        );
    }
    (table, shared)
}

/// Each option's note without the parts every option of its type shares (when the type has
/// more than one), and one line per type with those parts.
fn shared_notes(options: &[&OptionPlan]) -> (Vec<String>, Vec<String>) {
    let parts = |o: &OptionPlan| -> Vec<String> {
        option_note(o)
            .split("; ")
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut shared_lines = Vec::new();
    let mut common_of = std::collections::BTreeMap::new();
    for o in options {
        if common_of.contains_key(&o.deployment_type) {
            continue;
        }
        let same: Vec<&&OptionPlan> = options
            .iter()
            .filter(|x| x.deployment_type == o.deployment_type)
            .collect();
        let common: Vec<String> = if same.len() > 1 {
            parts(o)
                .into_iter()
                .filter(|p| same.iter().all(|x| parts(x).contains(p)))
                .collect()
        } else {
            Vec::new()
        };
        if !common.is_empty() {
            shared_lines.push(format!(
                "{} (every billing): {}",
                o.deployment_type,
                common.join("; ")
            ));
        }
        common_of.insert(o.deployment_type, common);
    }
    let notes = options
        .iter()
        .map(|o| {
            let common = &common_of[&o.deployment_type];
            parts(o)
                .into_iter()
                .filter(|p| !common.contains(p))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    (notes, shared_lines)
}

/// The options not available to a workload, grouped by reason: "Not available, REASON: a, b".
pub fn unavailable_lines(w: &WorkloadPlan) -> Vec<String> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for o in w.options.iter().filter(|o| !o.available) {
        let reason = option_note(o);
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, ids)) => ids.push(o.id.clone()),
            None => groups.push((reason, vec![o.id.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(reason, ids)| {
            if reason.is_empty() {
                format!("Not available: {}", ids.join(", "))
            } else {
                format!("Not available, {reason}: {}", ids.join(", "))
            }
        })
        .collect()
}

/// The latency cell: the promised output speed (`>= 50 tok/s`), `none`, or Batch's 24 h; with
/// the spilled share that gets no promise and the usage-tier risk marked.
pub fn latency_cell(o: &OptionPlan) -> String {
    if !o.available {
        return String::new();
    }
    let l = &o.latency;
    let mut cell = match l.target_tokens_per_s {
        Some(x) => format!(">= {x:.0} tok/s"),
        None if o.deployment_type.is_batch() => "24 h turnaround".to_owned(),
        None => "no target".to_owned(),
    };
    if let Some(s) = l.spilled_share.filter(|s| *s > 0.0) {
        cell.push_str(&format!(" ({} spilled: no target)", fmt_pct(s)));
    }
    if l.usage_tier_risk.is_some() {
        cell.push_str("; >2x risk");
    }
    cell
}

/// One line per workload on latency: the log's own, and the model's usage tier.
pub fn latency_line(w: &WorkloadPlan) -> String {
    let logged =
        match &w.logged_latency {
            Some(l) => format!(
            "log: p50 {}, p95 {}, p50 {} output tokens/s end to end ({} request{} with a latency)",
            l.p50_ms.map_or("-".to_owned(), fmt_ms),
            l.p95_ms.map_or("-".to_owned(), fmt_ms),
            l.p50_output_tokens_per_s
                .map_or("-".to_owned(), |t| format!("{t:.0}")),
            fmt_int(l.requests_with_latency),
            if l.requests_with_latency == 1 { "" } else { "s" }
        ),
            None => "log: no latency logged".to_owned(),
        };
    let u = &w.usage_tier;
    let tier = match u.usage_tier_tokens_per_month {
        Some(t) => format!(
            "usage tier {:.2}B of {:.0}B tokens/month for {}{}",
            u.tenant_tokens_per_month / 1e9,
            t as f64 / 1e9,
            w.model,
            if u.above {
                " (above: Standard latency may be more than 2x)"
            } else {
                ""
            }
        ),
        None => format!(
            "usage tier: none published for {} ({:.2}B tokens/month)",
            w.model,
            u.tenant_tokens_per_month / 1e9
        ),
    };
    format!("latency: {logged}; {tier}")
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// "0.0% / 3.1%": the failed and the spilled share of a provisioned option.
pub fn failed_spilled(o: &OptionPlan) -> String {
    match (o.throttled_share, o.spilled_share) {
        (Some(f), Some(s)) => format!("{} / {}", fmt_pct(f), fmt_pct(s)),
        _ => String::new(),
    }
}

/// What the sizing search says beyond the options and the decision, one sentence per
/// provisioned type: prompt-limit 400s, a smaller count that also meets the target, and how
/// far the target count moves across the window band.
pub fn sizing_notes(w: &WorkloadPlan) -> Vec<String> {
    let mut notes = Vec::new();
    for (t, s) in &w.sizing {
        if s.context_limit_requests > 0 {
            notes.push(format!(
                "{t}: {} request(s) exceed the PTU prompt limit of {} tokens and get HTTP 400 ({})",
                fmt_int(s.context_limit_requests),
                s.ptu_max_prompt_tokens.map_or_else(String::new, fmt_int),
                if s.on_throttle == "spillover" {
                    "spilled to Standard"
                } else {
                    "failed: no spillover"
                }
            ));
        }
        if s.burst_sensitive {
            let mut windows: Vec<(f64, String)> = s
                .min_ptus_for_target_by_window_s
                .iter()
                .map(|(k, v)| {
                    (
                        k.parse::<f64>().unwrap_or(0.0),
                        match v {
                            Some(n) => format!("{} at {k} s", fmt_int(u64::from(*n))),
                            None => format!("none found at {k} s"),
                        },
                    )
                })
                .collect();
            windows.sort_by(|a, b| a.0.total_cmp(&b.0));
            notes.push(format!(
                "{t}: the smallest count meeting the target depends on the unpublished burst allowance: {}",
                windows
                    .into_iter()
                    .map(|(_, t)| t)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let (Some(min), Some(also)) = (s.min_ptus_for_target, s.also_meets_at) {
            notes.push(format!(
                "{t}: {} PTU also meets the target on this log, but some larger counts below {} do not (admission is not monotone on mixed request sizes)",
                fmt_int(u64::from(also)),
                fmt_int(u64::from(min))
            ));
        }
    }
    notes
}

/// The reservation pools, when there are any.
pub fn write_reservations(report: &Report, term: &Terminal, out: &mut dyn Write) -> io::Result<()> {
    if report.reservations.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    write_wrapped(
        out,
        term,
        "",
        2,
        "Decided reservations pooled per region, type and term (a reservation matches any model there):",
    )?;
    let mut table = new(
        &[
            "Region",
            "Type",
            "Term",
            "Deployed\nPTUs",
            "Reserved\nPTUs",
            "Excess\n[PTU-h]",
            "Unused\n[PTU-h]",
            "Cost\n[USD/mo]",
            "All hourly\n[USD/mo]",
        ],
        &[3, 4, 5, 6, 7, 8],
    );
    table
        .shorten(1, 0)
        .droppable(6, 1, None)
        .droppable(5, 2, None)
        .droppable(8, 3, None);
    for p in &report.reservations {
        table.add_cells(
            vec![
                cell(&p.region),
                cell_short(
                    &p.deployment_type.to_string(),
                    type_short(p.deployment_type),
                ),
                cell(billing_short(p.term)),
                cell(&fmt_int(u64::from(p.deployed_ptus))),
                cell(&fmt_int(u64::from(p.reserved_ptus))),
                cell(&fmt_int(p.excess_ptu_hours_billed_hourly.round() as u64)),
                cell(&fmt_int(p.unused_reserved_ptu_hours.round() as u64)),
                cell(&fmt_usd(p.monthly_cost_usd)),
                cell(&fmt_usd(p.all_hourly_monthly_cost_usd)),
            ],
            Emphasis::Plain,
        );
    }
    writeln!(out, "{}", table.render(term))
}

/// The note cell: the reason first, then the note.
pub fn option_note(o: &OptionPlan) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &o.reason {
        parts.push(r.clone());
    }
    if let Some(n) = &o.note {
        parts.push(n.clone());
    }
    if o.available && o.ptus.is_some() && o.spilled_requests.unwrap_or(0) > 0 {
        parts.push(format!(
            "spillover {} USD",
            fmt_usd(o.spillover_cost_usd.unwrap_or(0.0))
        ));
    }
    parts.join("; ")
}

/// "Decided plan: N workloads, X USD/month (all-Standard: Y USD/month)." A plan where some
/// workloads have no decision says so first: its total covers only the others.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let with = s.workloads - s.workloads_without_recommendation;
    if with == 0 && s.workloads > 0 {
        return format!(
            "No decided plan: none of the {} workload(s) has an eligible option (see each workload's notes: not priced, unavailable or over the throttle target)",
            s.workloads
        );
    }
    let mut line = if s.workloads_without_recommendation > 0 {
        format!(
            "Decided plan INCOMPLETE: {} of {} workload(s) have no eligible option ({}); the {with} with one cost {} USD per month ({} USD over the span)",
            s.workloads_without_recommendation,
            s.workloads,
            without_recommendation(report).join(", "),
            fmt_usd(s.recommended_monthly_cost_usd),
            fmt_usd(s.recommended_cost_usd)
        )
    } else {
        format!(
            "Decided plan: {} workload(s), {} USD per month ({} USD over the span)",
            s.workloads,
            fmt_usd(s.recommended_monthly_cost_usd),
            fmt_usd(s.recommended_cost_usd)
        )
    };
    if let Some(std) = s.all_standard_monthly_cost_usd {
        line.push_str(&format!(
            "; cheapest Standard everywhere: {} USD per month",
            fmt_usd(std)
        ));
    }
    if let Some(d) = fmt_display(report.currency.as_ref(), s.recommended_monthly_cost_usd) {
        line.push_str(&format!(" = {d} per month"));
    }
    line
}

/// The deployments of the workloads without a recommendation, in report order.
pub fn without_recommendation(report: &Report) -> Vec<String> {
    report
        .workloads
        .iter()
        .filter(|w| w.decision.status == DecisionStatus::None)
        .map(|w| w.deployment.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{report_of, sample_workload};

    fn render(report: &Report, width: usize, details: bool) -> String {
        let extras = Extras {
            terminal: Terminal {
                width,
                height: 50,
                colour: false,
            },
            details,
            ..Extras::default()
        };
        let mut buf = Vec::new();
        write_with(report, &extras, &mut buf).expect("renders");
        String::from_utf8(buf).expect("utf-8")
    }

    /// A long deployment name keeps both ends and the summary keeps three lines per workload.
    #[test]
    fn issue_18_a_long_deployment_name_is_cut_in_the_middle() {
        assert_eq!(truncate_middle("chat-prod", 16), "chat-prod");
        let cut = truncate_middle("customer-support-copilot-production-eastus2-blue", 16);
        assert_eq!(cut, "customer-...blue");
        assert_eq!(cut.chars().count(), 16);
        assert_eq!(truncate_middle("1234567890abcdefg", 16), "123456789...defg");
    }

    #[test]
    fn every_line_fits_the_width_and_numbers_stay_whole() {
        let mut long = sample_workload();
        long.deployment = "a-rather-long-deployment-name-for-the-summary".to_owned();
        let report = report_of(vec![sample_workload(), long]);
        for (width, details) in [(60, false), (80, true), (100, true), (140, true)] {
            let text = render(&report, width, details);
            for line in text.lines() {
                assert!(
                    layout::display_width(line) <= width,
                    "{width}: {} > {width}: {line}",
                    layout::display_width(line)
                );
            }
            if details {
                assert!(text.contains("10,950.00"), "{width}: {text}");
            }
            assert!(text.contains("300.00"), "{width}");
        }
    }

    /// `--details` alone turns the option tables on, whatever the number of workloads.
    #[test]
    fn issue_18_option_tables_only_with_details() {
        for n in [1, 4] {
            let report = report_of(vec![sample_workload(); n]);
            let text = render(&report, 100, false);
            assert!(!text.contains("Failed/"), "{n}: {text}");
            assert!(text.contains("--details"));
            assert!(render(&report, 100, true).contains("Failed/"), "{n}");
        }
    }

    /// The run opens with the verdict, and output longer than a screen ends with it too.
    #[test]
    fn issue_18_verdict_first_and_last_when_longer_than_a_screen() {
        let report = report_of(vec![sample_workload(); 6]);
        let text = render(&report, 100, false);
        assert!(text.starts_with("Verdict: "), "{text}");
        assert!(text.lines().count() > 50);
        assert_eq!(text.matches("Verdict: ").count(), 2, "{text}");
        let again = text.rfind("Verdict: ").expect("again");
        assert!(again > text.rfind("--details").expect("the last section"));
        let short = report_of(vec![sample_workload()]);
        let text = render(&short, 100, false);
        assert_eq!(text.matches("Verdict: ").count(), 1, "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let report = report_of(vec![sample_workload()]);
        assert!(!render(&report, 100, false).contains('\u{1b}'));
        let extras = Extras {
            terminal: Terminal {
                width: 100,
                height: 50,
                colour: true,
            },
            ..Extras::default()
        };
        let mut buf = Vec::new();
        write_with(&report, &extras, &mut buf).expect("renders");
        assert!(String::from_utf8(buf).expect("utf-8").contains("\u{1b}["));
    }
}
