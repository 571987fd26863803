//! `ptuplan catalog show|validate`.

use std::io::Write;

use anyhow::{Context, Result};

use crate::app::{add_catalog_inputs, catalog_from, ensure_output_spares_inputs, Outcome};
use crate::catalog::Catalog;
use crate::cli::{CatalogCommand, CatalogFormat};
use crate::report::guard::InputFiles;
use crate::report::{self, table};

/// Run a `catalog` subcommand.
pub fn run(cmd: CatalogCommand) -> Result<Outcome> {
    match cmd {
        CatalogCommand::Refresh(args) => super::catalog_refresh::run(&args),
        CatalogCommand::Validate(args) => {
            let catalog = catalog_from(&args)?;
            println!(
                "catalog {} is valid: {} models, {} token prices, {} PTU prices, {} availability lists; as of {} (oldest entry {})",
                catalog.origin,
                catalog.models.len(),
                catalog.token_prices.len(),
                catalog.ptu_prices.len(),
                catalog.availability.len(),
                catalog.newest_as_of().map(|d| d.to_string()).unwrap_or_default(),
                catalog.oldest_as_of().map(|d| d.to_string()).unwrap_or_default(),
            );
            Ok(Outcome::Ok)
        }
        CatalogCommand::Show(args) => {
            let mut inputs = InputFiles::new();
            add_catalog_inputs(&mut inputs, &args.catalog);
            ensure_output_spares_inputs(&inputs, args.out.as_deref())?;
            let catalog = catalog_from(&args.catalog)?;
            let mut out = report::open_output(args.out.as_deref(), &inputs)?;
            match args.format {
                CatalogFormat::Json => {
                    report::json::write_value(&catalog, &mut out).context("writing JSON")?;
                }
                CatalogFormat::Table => write_tables(&catalog, &mut out)?,
            }
            out.flush()?;
            Ok(Outcome::Ok)
        }
    }
}

fn write_tables(c: &Catalog, out: &mut dyn Write) -> Result<()> {
    table::write_line(
        out,
        &format!(
            "Catalog: {} (as of {})",
            c.origin,
            c.newest_as_of().map(|d| d.to_string()).unwrap_or_default()
        ),
    )?;
    let mut models = table::new(
        &[
            "Model",
            "Reasoning",
            "Input TPM/PTU",
            "Out:in ratio",
            "Latency target [tok/s]",
            "Global min/inc",
            "Data Zone min/inc",
            "Regional min/inc",
        ],
        &[2, 3, 4],
    );
    for m in c.models.values() {
        let inc = |i: Option<crate::catalog::PtuIncrement>| {
            i.map(|i| format!("{}/{}", i.min_ptus, i.increment_ptus))
                .unwrap_or_else(|| "-".to_owned())
        };
        let (tpm, ratio, lat, g, dz, r) = match &m.ptu {
            Some(p) => (
                p.input_tpm_per_ptu.to_string(),
                p.output_to_input_ratio.to_string(),
                p.latency_target_tokens_per_s.to_string(),
                inc(p.global),
                inc(p.data_zone),
                inc(p.regional),
            ),
            None => (
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ),
        };
        models.add_row(vec![
            m.id.clone(),
            if m.reasoning { "yes" } else { "no" }.to_owned(),
            tpm,
            ratio,
            lat,
            g,
            dz,
            r,
        ]);
    }
    writeln!(out, "\nPTU capacity\n{models}")?;
    let mut prices = table::new(
        &[
            "Model",
            "Type",
            "Regions",
            "Input [USD/1M]",
            "Cached [USD/1M]",
            "Output [USD/1M]",
            "As of",
        ],
        &[3, 4, 5],
    );
    for p in &c.token_prices {
        prices.add_row(vec![
            p.model.clone(),
            p.deployment_type.to_string(),
            p.regions
                .as_ref()
                .map(|r| r.join(" "))
                .unwrap_or_else(|| "(default)".to_owned()),
            format!("{:.4}", p.input_usd_per_1m),
            format!("{:.4}", p.cached_input_usd_per_1m),
            format!("{:.4}", p.output_usd_per_1m),
            p.as_of.to_string(),
        ]);
    }
    writeln!(out, "\nPer-token prices\n{prices}")?;
    let mut ptu = table::new(
        &[
            "Type",
            "Regions",
            "Hourly [USD/PTU-h]",
            "1-month [USD/PTU]",
            "1-year [USD/PTU]",
            "As of",
        ],
        &[2, 3, 4],
    );
    for p in &c.ptu_prices {
        ptu.add_row(vec![
            p.deployment_type.to_string(),
            p.regions
                .as_ref()
                .map(|r| r.join(" "))
                .unwrap_or_else(|| "(default)".to_owned()),
            format!("{:.2}", p.usd_per_ptu_hour),
            format!("{:.2}", p.reservation_1_month_usd_per_ptu),
            format!("{:.2}", p.reservation_1_year_usd_per_ptu),
            p.as_of.to_string(),
        ]);
    }
    writeln!(out, "\nPTU prices\n{ptu}")?;
    let mut avail = table::new(&["Model", "Type", "Regions"], &[]);
    for a in &c.availability {
        avail.add_row(vec![
            a.model.clone(),
            a.deployment_type.to_string(),
            a.regions.join(" "),
        ]);
    }
    writeln!(out, "\nAvailability (indicative)\n{avail}")?;
    Ok(())
}
