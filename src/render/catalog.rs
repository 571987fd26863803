//! `catalog show`: the catalog as JSON, or as tables (models and lifecycle, PTU capacity, PTU
//! and token prices, availability) drawn at a pipe's layout.

use std::io::{self, Write};

use super::grid::Grid;
use super::layout::Terminal;
use super::table;
use crate::catalog::accounting::PtuAccounting;
use crate::catalog::Catalog;

/// Write the catalog: JSON when `json`, else its tables.
pub fn render(c: &Catalog, json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        super::json::write_value(c, out)
    } else {
        write_tables(c, out)
    }
}

/// `text`, followed by ` (unverified)` when the entry is [U].
fn unverified_mark(text: &dyn std::fmt::Display, unverified: bool) -> String {
    if unverified {
        format!("{text} (unverified)")
    } else {
        text.to_string()
    }
}

fn write_tables(c: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    let date = c.in_force_on;
    table::write_line(
        out,
        &format!(
            "Catalog: {} (as of {}); prices in force and lifecycles on {}",
            c.origin,
            c.newest_as_of().map(|d| d.to_string()).unwrap_or_default(),
            date.map(|d| d.to_string())
                .unwrap_or_else(|| "every date".to_owned())
        ),
    )?;
    // A pipe's layout (100 columns, no colour), whatever the terminal.
    let draw = |grid: &Grid| table::draw(grid, &Terminal::default());
    writeln!(out, "\nModels and lifecycle\n{}", draw(&lifecycle_table(c)))?;
    writeln!(out, "\nPTU capacity\n{}", draw(&capacity_table(c)))?;
    writeln!(
        out,
        "\nPer-token prices [USD/1M]\n{}",
        draw(&token_table(c))
    )?;
    let mut ptu = Grid::new(
        &[
            "Type",
            "Regions",
            "Hourly [USD/PTU-h]",
            "1-month [USD/PTU]",
            "1-year [USD/PTU]",
            "In force",
            "As of",
        ],
        &[2, 3, 4],
    );
    for p in &c.ptu_prices {
        ptu.push_texts(vec![
            p.deployment_type.to_string(),
            regions_cell(p.regions.as_deref()),
            format!("{:.2}", p.usd_per_ptu_hour),
            format!("{:.2}", p.reservation_1_month_usd_per_ptu),
            format!("{:.2}", p.reservation_1_year_usd_per_ptu),
            period(p.effective_from, p.effective_to),
            unverified_mark(&p.as_of, p.unverified),
        ]);
    }
    writeln!(out, "\nPTU prices\n{}", draw(&ptu))?;
    let mut avail = Grid::new(&["Model", "Type", "Regions"], &[]);
    for a in &c.availability {
        avail.push_texts(vec![
            a.model.clone(),
            unverified_mark(&a.deployment_type, a.unverified),
            a.regions.join(" "),
        ]);
    }
    writeln!(
        out,
        "\nAvailability (indicative; unverified = inferred from price meters or another source, not read from a region matrix)\n{}",
        draw(&avail)
    )?;
    Ok(())
}

fn regions_cell(regions: Option<&[String]>) -> String {
    regions
        .map(|r| r.join(" "))
        .unwrap_or_else(|| "(default)".to_owned())
}

fn period(from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> String {
    match (from, to) {
        (None, None) => "always".to_owned(),
        (Some(f), None) => format!("from {f}"),
        (None, Some(t)) => format!("to {t}"),
        (Some(f), Some(t)) => format!("{f} to {t}"),
    }
}

/// One row per model: version, GA, the stage, retirement and replacement of the schedule in
/// use on the catalog's date, and what the other schedule said.
fn lifecycle_table(c: &Catalog) -> Grid {
    let mut t = Grid::new(
        &[
            "Model",
            "Version",
            "Stage",
            "Retirement",
            "Replacement",
            "Schedule (older: date)",
            "Long context > [tokens]",
        ],
        &[6],
    );
    for m in c.models.values() {
        let status = c.lifecycle_status(&m.id);
        let (stage, retirement, replacement, schedule) = match &status {
            Some(s) => (
                s.stage.map_or("unknown (unverified)".to_owned(), |st| {
                    st.as_str().to_owned()
                }),
                s.retirement.map_or("-".to_owned(), |d| d.to_string()),
                s.replacement.clone().unwrap_or_else(|| "-".to_owned()),
                s.schedule_published
                    .map_or("none lists it".to_owned(), |p| {
                        let mut cell = p.to_string();
                        for o in &s.other_schedules {
                            cell.push_str(&format!(
                                " ({}: {})",
                                o.published,
                                o.retirement.map_or("-".to_owned(), |d| d.to_string())
                            ));
                        }
                        cell
                    }),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        t.push_texts(vec![
            m.id.clone(),
            m.lifecycle
                .as_ref()
                .map_or("-".to_owned(), |l| l.version.clone()),
            stage,
            retirement,
            replacement,
            schedule,
            m.long_context
                .as_ref()
                .map_or("-".to_owned(), |l| l.above_prompt_tokens.to_string()),
        ]);
    }
    t
}

fn capacity_table(c: &Catalog) -> Grid {
    let mut models = Grid::new(
        &[
            "Model",
            "Reasoning",
            "Input TPM/PTU",
            "PTU accounting",
            "Latency target [tok/s]",
            "Global min/inc",
            "Data Zone min/inc",
            "Regional min/inc",
        ],
        &[2, 4],
    );
    for m in c.models.values() {
        let inc = |i: Option<crate::catalog::PtuIncrement>| {
            i.map(|i| format!("{}/{}", i.min_ptus, i.increment_ptus))
                .unwrap_or_else(|| "-".to_owned())
        };
        let Some(p) = &m.ptu else {
            continue;
        };
        let accounting = match p.accounting() {
            PtuAccounting::OutputRatio { ratio } => format!("ratio {ratio}"),
            PtuAccounting::Normalized(w) => format!(
                "normalized: cached {}, write {}, out {}; long x{}",
                w.short.cached_input, w.short.cache_write, w.short.output, w.long.input
            ),
        };
        models.push_texts(vec![
            m.id.clone(),
            if m.reasoning { "yes" } else { "no" }.to_owned(),
            p.input_tpm_per_ptu.to_string(),
            accounting,
            p.latency_target_tokens_per_s.to_string(),
            inc(p.global),
            inc(p.data_zone),
            inc(p.regional),
        ]);
    }
    models
}

fn token_table(c: &Catalog) -> Grid {
    let mut prices = Grid::new(
        &[
            "Model",
            "Type",
            "Regions",
            "Input",
            "Cached",
            "Cache write",
            "Output",
            "Long ctx in/out",
            "In force",
        ],
        &[3, 4, 5, 6],
    );
    for p in &c.token_prices {
        prices.push_texts(vec![
            p.model.clone(),
            unverified_mark(&p.deployment_type, p.unverified),
            regions_cell(p.regions.as_deref()),
            format!("{:.4}", p.input_usd_per_1m),
            format!("{:.4}", p.cached_input_usd_per_1m),
            p.cache_write_usd_per_1m
                .map_or("= input".to_owned(), |w| format!("{w:.4}")),
            format!("{:.4}", p.output_usd_per_1m),
            p.long_context.as_ref().map_or("-".to_owned(), |l| {
                format!("{:.4}/{:.4}", l.input_usd_per_1m, l.output_usd_per_1m)
            }),
            period(p.effective_from, p.effective_to),
        ]);
    }
    prices
}
