//! `catalog refresh`'s review on stdout: what was fetched and written, what was skipped, and
//! every changed or new figure against the catalog as a table.

use std::io::{self, Write};
use std::path::Path;

use super::grid::Grid;
use super::layout::Terminal;
use super::table;
use crate::catalog::retail::{Build, BuildStats};
use crate::catalog::review::Review;

/// What a refresh fetched and where it wrote.
pub struct Fetched<'a> {
    /// Price items fetched.
    pub items: usize,
    /// Pages they came in.
    pub pages: usize,
    /// The Retail Prices endpoint.
    pub endpoint: &'a str,
    /// The date the prices are in force on.
    pub as_of: chrono::NaiveDate,
    /// The prices file written.
    pub written: &'a Path,
    /// The catalog compared against.
    pub origin: &'a str,
    /// `--verbose`: list what was skipped.
    pub verbose: bool,
}

/// Write the whole review.
pub fn render(
    f: &Fetched<'_>,
    build: &Build,
    review: &Review,
    out: &mut dyn Write,
) -> io::Result<()> {
    let as_of = f.as_of;
    writeln!(
        out,
        "Fetched {} items in {} page(s) from {}; prices in force on {as_of}.",
        f.items, f.pages, f.endpoint
    )?;
    writeln!(
        out,
        "Wrote {}: {} per-token and {} PTU entries ({} token prices and {} PTU prices by region and kind).",
        f.written.display(),
        build.file.token_prices.len(),
        build.file.ptu_prices.len(),
        build.stats.token_meters_used,
        build.stats.ptu_rows_used
    )?;
    writeln!(out, "{}", skipped_line(&build.stats))?;
    for c in &build.stats.conflicts {
        table::write_line(out, &format!("conflict: {c}"))?;
    }
    for o in &build.stats.accepted_outliers {
        table::write_line(out, &format!("accepted outlier (--accept-outliers): {o}"))?;
    }
    write_review(out, f.origin, as_of, review)?;
    if f.verbose {
        write_skipped(out, &build.stats)?;
    }
    Ok(())
}

fn skipped_line(s: &BuildStats) -> String {
    let sum = |m: &std::collections::BTreeMap<String, usize>| m.values().sum::<usize>();
    format!(
        "Skipped: {} meter item(s) matching no catalog model, {} token meter(s) the name grammar does not read, {} other meter(s), {} in other regions, {} not in force, {} superseded, {} Flex $0.01 placeholder(s), {} other service, {} incomplete entr(ies){}. {} figure(s) kept from the catalog (no row in force).",
        sum(&s.unmatched_models),
        sum(&s.unparsed),
        sum(&s.other_meters),
        sum(&s.other_regions),
        s.not_in_force,
        s.superseded,
        s.flex_placeholders,
        s.other_service,
        s.incomplete.len(),
        if s.unmatched_models.is_empty() && s.incomplete.is_empty() {
            ""
        } else {
            " (--verbose lists them)"
        },
        s.kept_from_catalog
    )
}

fn regions_cell(regions: &[String]) -> String {
    if regions.len() > 6 {
        format!("{} (+{} more)", regions[..6].join(" "), regions.len() - 6)
    } else {
        regions.join(" ")
    }
}

fn model_cell(model: &str) -> String {
    if model.is_empty() {
        "(all models)".to_owned()
    } else {
        model.to_owned()
    }
}

fn write_review(
    out: &mut dyn Write,
    origin: &str,
    as_of: chrono::NaiveDate,
    r: &Review,
) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "Review against the catalog ({origin}): {} change(s) or new price(s), {} unchanged region x figure cell(s).",
        r.rows.len(),
        r.unchanged
    )?;
    if !r.rows.is_empty() {
        let mut t = Grid::new(
            &[
                "Type", "Model", "Regions", "Figure", "Old", "New", "Change", "From",
            ],
            &[4, 5, 6],
        );
        for row in &r.rows {
            t.push_texts(vec![
                row.deployment_type.to_string(),
                model_cell(&row.model),
                regions_cell(&row.regions),
                row.field.to_owned(),
                row.old.map_or("new".to_owned(), |o| format!("{o:.4}")),
                format!("{:.4}", row.new),
                row.change()
                    .map_or(String::new(), |c| format!("{:+.1}%", c * 100.0)),
                row.from.clone(),
            ]);
        }
        writeln!(out, "{}", table::draw(&t, &Terminal::default()))?;
    }
    if !r.kept.is_empty() {
        writeln!(
            out,
            "Kept from the catalog: no row in force on {as_of}, so these figures of the entries above keep the catalog's price:"
        )?;
        for k in &r.kept {
            writeln!(
                out,
                "  {} {} {}: {}",
                k.deployment_type,
                model_cell(&k.model),
                k.field,
                regions_cell(&k.regions)
            )?;
        }
    }
    Ok(())
}

fn write_skipped(out: &mut dyn Write, s: &BuildStats) -> std::io::Result<()> {
    let lists = [
        (
            "Meters matching no catalog model (add the spelling to meters.yaml if it is one):",
            &s.unmatched_models,
        ),
        ("Token meters the name grammar does not read:", &s.unparsed),
        ("Other meters (not token or PTU prices):", &s.other_meters),
        (
            "Regions skipped (not in the catalog, or not asked for):",
            &s.other_regions,
        ),
    ];
    for (title, map) in lists {
        if map.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{title}")?;
        for (name, n) in map {
            table::write_line(out, &format!("  {name}: {n} item(s)"))?;
        }
    }
    if !s.incomplete.is_empty() {
        writeln!(out)?;
        writeln!(out, "Incomplete (left out; the catalog's price stays):")?;
        for i in &s.incomplete {
            table::write_line(out, &format!("  {i}"))?;
        }
    }
    Ok(())
}
