//! `ptuplan catalog refresh`: fetch, build, guard, write atomically, print the review.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context, Result};

use super::outcome::Outcome;
use crate::catalog::meters::MeterTable;
use crate::catalog::retail::BuildStats;
use crate::catalog::review::Review;
use crate::cli::RefreshArgs;
use crate::ops::refresh::Refresh;
use crate::render::grid::Grid;
use crate::render::guard::InputFiles;
use crate::render::layout::Terminal;
use crate::render::table;
use crate::settings::{add_catalog_inputs, catalog_from, ensure_output_spares_inputs};

/// Run `catalog refresh`.
pub fn run(args: &RefreshArgs) -> Result<Outcome> {
    let mut inputs = InputFiles::new();
    add_catalog_inputs(&mut inputs, &args.catalog);
    ensure_output_spares_inputs(&inputs, Some(&args.out))?;
    let catalog = catalog_from(&args.catalog)?;
    let meters =
        MeterTable::load(args.catalog.catalog.as_deref()).context("loading meters.yaml")?;
    let refresh = Refresh {
        endpoint: args.endpoint.clone(),
        regions: ensure_regions(&args.regions, &catalog.known_regions())?,
        out: args.out.clone(),
        accept_outliers: args.accept_outliers,
        max_attempts: args.max_attempts,
    };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let done = crate::ops::refresh::refresh(&catalog, &meters, &refresh, &mut |page, n| {
        if show_progress {
            eprintln!("fetched page {page} ({n} items so far)");
        }
    })?;
    let (build, as_of) = (&done.build, done.as_of);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Fetched {} items in {} page(s) from {}; prices in force on {as_of}.",
        done.items, done.pages, args.endpoint
    )?;
    writeln!(
        out,
        "Wrote {}: {} per-token and {} PTU entries ({} token prices and {} PTU prices by region and kind).",
        args.out.display(),
        build.file.token_prices.len(),
        build.file.ptu_prices.len(),
        build.stats.token_meters_used,
        build.stats.ptu_rows_used
    )?;
    writeln!(out, "{}", skipped_line(&build.stats))?;
    for c in &build.stats.conflicts {
        table::write_line(&mut out, &format!("conflict: {c}"))?;
    }
    for o in &build.stats.accepted_outliers {
        table::write_line(
            &mut out,
            &format!("accepted outlier (--accept-outliers): {o}"),
        )?;
    }
    write_review(&mut out, &catalog.origin, as_of, &done.review)?;
    if args.verbose {
        write_skipped(&mut out, &build.stats)?;
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn ensure_regions(regions: &[String], known: &[&str]) -> Result<Option<Vec<String>>> {
    if regions.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in regions {
        let r = r.trim().to_ascii_lowercase();
        if !known.contains(&r.as_str()) {
            bail!(
                "--region {r}: not a region of the catalog; known regions: {}",
                known.join(", ")
            );
        }
        out.push(r);
    }
    out.sort();
    out.dedup();
    Ok(Some(out))
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
