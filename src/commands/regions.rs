//! `ptuplan regions`: plan the logs as `compare` does, then rank every region x provisioned
//! type x term where each workload's model is available, for the sales call.

use anyhow::Result;

use super::outcome::Outcome;
use super::output::write_output;
use crate::plan::regions::rank_regions;
use crate::render::regions;
use crate::report::contract::regions::{network_note, RegionsReport, SIZING_NOTE};
use crate::report::{CatalogInfo, SCHEMA_VERSION};
use crate::settings::{
    catalog_from, ensure_output_spares_inputs, planning_catalog, CompareSettings,
};

/// Run `regions`.
pub fn run(settings: &CompareSettings) -> Result<Outcome> {
    let inputs = settings.input_files(None);
    ensure_output_spares_inputs(&inputs, settings.out.as_deref())?;
    let base = catalog_from(&settings.catalog)?;
    let compared = super::compare::build_report_with_spinner(settings, &base)?;
    super::compare::announce_readers(&compared, settings.quiet);
    let (catalog, _) = planning_catalog(settings, &base)?;
    if let Some(from) = &settings.from_region {
        if !catalog.network.knows_region(from) && !catalog.known_regions().contains(&from.as_str())
        {
            return Err(crate::settings::UsageError(format!(
                "--from `{from}` is not a region the catalog knows (armRegionName, e.g. eastus2)"
            ))
            .into());
        }
    }
    // The log is evidence of availability in its own regions, as in `compare`.
    let mut constraints = settings.plan.constraints.clone();
    let keys: Vec<crate::usage::WorkloadKey> = compared
        .workloads
        .iter()
        .map(|w| crate::usage::WorkloadKey {
            deployment: w.deployment.clone(),
            model: w.model.clone(),
            region: w.region.clone(),
        })
        .collect();
    constraints.evidence = crate::plan::evidence::LogEvidence::new(
        &constraints.served_by,
        keys.iter()
            .zip(compared.workloads.iter().map(|w| w.requests)),
    );
    let view = RegionsReport {
        schema_version: SCHEMA_VERSION,
        tool: compared.tool.clone(),
        catalog: CatalogInfo::from_catalog(&catalog),
        residency: settings
            .plan
            .constraints
            .residency
            .as_ref()
            .map(|r| r.label().to_owned()),
        sizing: SIZING_NOTE.to_owned(),
        from: settings.from_region.clone(),
        network: network_note(&catalog),
        currency: compared.currency.clone(),
        overrides_applied: compared.overrides_applied.clone(),
        workloads: rank_regions(
            &catalog,
            &constraints,
            &compared.workloads,
            compared.input.hours,
            settings.from_region.as_deref(),
        )
        .iter()
        .map(regions::RegionPlan::of)
        .collect(),
    };
    write_output(
        settings.out.as_deref(),
        &inputs,
        "writing the regions table",
        |terminal, out| regions::render_for(&view, settings.format, terminal, out),
    )?;
    super::compare::announce_warnings(&compared.warnings, settings.quiet);
    Ok(Outcome::Ok)
}
