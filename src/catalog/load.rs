//! Loading the catalog: the YAML files embedded from `data/` at build time, or a directory
//! given with `--catalog DIR`, parsed strictly (`deny_unknown_fields`, serde_yaml's line and
//! column kept) and then checked by [`validate`], which reports every problem at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::checks;
use super::network::NetworkCatalog;
use super::pricing::PriceEntry;
use super::sanity::{self, Figure};
use super::standard::StandardCatalog;
use super::{
    Availability, Catalog, DataZone, DeploymentType, DeploymentTypeId, ModelSpec, PtuPrice,
    TokenPrice,
};

/// The catalog files, in load order.
pub const CATALOG_FILES: [&str; 6] = [
    "deployment_types.yaml",
    "models.yaml",
    "pricing.yaml",
    "regions.yaml",
    "standard.yaml",
    "network.yaml",
];

const EMBEDDED: [(&str, &str); 6] = [
    (
        "deployment_types.yaml",
        include_str!("../../data/deployment_types.yaml"),
    ),
    ("models.yaml", include_str!("../../data/models.yaml")),
    ("pricing.yaml", include_str!("../../data/pricing.yaml")),
    ("regions.yaml", include_str!("../../data/regions.yaml")),
    ("standard.yaml", include_str!("../../data/standard.yaml")),
    ("network.yaml", include_str!("../../data/network.yaml")),
];

/// Where to load the catalog from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogSource {
    /// The copy of `data/` built into the binary.
    Embedded,
    /// A directory holding the catalog's YAML files ([`CATALOG_FILES`]).
    Dir(PathBuf),
}

pub use super::yaml::CatalogError;
use super::yaml::{item_lines, parse_yaml};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeploymentTypesFile {
    deployment_types: Vec<DeploymentType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelsFile {
    models: Vec<ModelSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PricingFile {
    token_prices: Vec<TokenPrice>,
    ptu_prices: Vec<PtuPrice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    data_zones: Vec<DataZone>,
    availability: Vec<Availability>,
    #[serde(default)]
    uncovered_models: Vec<super::regions::UncoveredModels>,
}

/// Load and validate the catalog.
pub fn load_catalog(source: &CatalogSource) -> Result<Catalog, CatalogError> {
    let texts: Vec<(PathBuf, String)> = match source {
        CatalogSource::Embedded => EMBEDDED
            .iter()
            .map(|(name, text)| (Path::new("data").join(name), (*text).to_owned()))
            .collect(),
        CatalogSource::Dir(dir) => CATALOG_FILES
            .iter()
            .map(|name| {
                let path = dir.join(name);
                crate::files::read_settings_text(&path)
                    .map(|text| (path.clone(), text))
                    .map_err(|source| CatalogError::Read { path, source })
            })
            .collect::<Result<_, _>>()?,
    };
    let origin = match source {
        CatalogSource::Embedded => "built-in (data/ at build time)".to_owned(),
        CatalogSource::Dir(dir) => dir.display().to_string(),
    };
    let types: DeploymentTypesFile = parse_yaml(&texts[0].0, &texts[0].1)?;
    let models: ModelsFile = parse_yaml(&texts[1].0, &texts[1].1)?;
    let pricing: PricingFile = parse_yaml(&texts[2].0, &texts[2].1)?;
    let regions: RegionsFile = parse_yaml(&texts[3].0, &texts[3].1)?;
    let standard: StandardCatalog = parse_yaml(&texts[4].0, &texts[4].1)?;
    let network: NetworkCatalog = parse_yaml(&texts[5].0, &texts[5].1)?;

    let mut problems = Vec::new();
    let mut deployment_types = BTreeMap::new();
    for t in types.deployment_types {
        if let Some(old) = deployment_types.insert(t.id, t) {
            problems.push(format!("deployment_types: `{}` listed twice", old.id));
        }
    }
    let mut model_map = BTreeMap::new();
    for m in models.models {
        let id = m.id.clone();
        if model_map.insert(id.clone(), m).is_some() {
            problems.push(format!("models: `{id}` listed twice"));
        }
    }
    let catalog = Catalog {
        deployment_types,
        models: model_map,
        token_prices: pricing.token_prices,
        ptu_prices: pricing.ptu_prices,
        data_zones: regions.data_zones,
        availability: regions.availability,
        uncovered_models: regions.uncovered_models,
        standard,
        network,
        origin: origin.clone(),
        prices: None,
        in_force_on: None,
    };
    problems.extend(validate(&catalog));
    problems.extend(checks::check_has_prices(&catalog, ""));
    problems.extend(validate_standard_and_network(
        &catalog, &texts[4], &texts[5],
    ));
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(CatalogError::Invalid { origin, problems })
    }
}

/// Problems of `standard.yaml` and `network.yaml`, each named `file:line` (the entry's line)
/// where the entry is a block-list item, else `file section[index]`.
fn validate_standard_and_network(
    c: &Catalog,
    (standard_path, standard_text): &(PathBuf, String),
    (network_path, network_text): &(PathBuf, String),
) -> Vec<String> {
    let versions = |model: &str| {
        c.models
            .get(model)
            .map(|m| m.lifecycle.as_ref().map(|l| l.version.clone()))
    };
    let at = |path: &Path, text: &str| {
        let path = path.to_owned();
        let text = text.to_owned();
        move |section: &str, i: usize| match item_lines(&text, section).get(i) {
            Some(line) => format!("{}:{line}", path.display()),
            None => format!("{} {section}[{i}]", path.display()),
        }
    };
    let mut problems = c
        .standard
        .validate(&versions, &at(standard_path, standard_text));
    problems.extend(
        c.network
            .validate(&at(network_path, network_text))
            .into_iter()
            .map(|p| {
                if p.starts_with(&network_path.display().to_string()) {
                    p
                } else {
                    format!("{}: {p}", network_path.display())
                }
            }),
    );
    problems
}

/// Check the catalog's internal consistency; returns one line per problem (empty = valid).
pub fn validate(c: &Catalog) -> Vec<String> {
    let mut problems = Vec::new();
    let mut p = |s: String| problems.push(s);
    for id in DeploymentTypeId::ALL {
        if !c.deployment_types.contains_key(&id) {
            p(format!("deployment_types: `{id}` is missing"));
        }
    }
    for t in c.deployment_types.values() {
        if t.processing != t.id.processing() {
            p(format!(
                "deployment_types.{}: processing `{:?}` contradicts the type",
                t.id, t.processing
            ));
        }
        if let Some(target) = t.spillover_target {
            if !t.id.is_provisioned() || !target.is_standard() {
                p(format!(
                    "deployment_types.{}: spillover_target `{target}` must go from a provisioned type to a standard type",
                    t.id
                ));
            } else if target.processing() != t.id.processing() {
                p(format!(
                    "deployment_types.{}: spillover_target `{target}` must have the same data-processing level (ptuplan's model of spillover, what Microsoft's pages required up to 2026-01-30)",
                    t.id
                ));
            }
        }
        check_source(&mut p, &format!("deployment_types.{}", t.id), &t.source);
    }
    for m in c.models.values() {
        let at = format!("models.{}", m.id);
        if m.id != m.id.to_ascii_lowercase() {
            p(format!("{at}: ids are lower case"));
        }
        check_source(&mut p, &at, &m.source);
        if let Some(ptu) = &m.ptu {
            for (field, value, kind) in [
                (
                    "input_tpm_per_ptu",
                    ptu.input_tpm_per_ptu,
                    Figure::InputTpmPerPtu,
                ),
                (
                    "latency_target_tokens_per_s",
                    ptu.latency_target_tokens_per_s,
                    Figure::LatencyTargetTokensPerS,
                ),
            ]
            .into_iter()
            .chain(
                ptu.output_to_input_ratio
                    .map(|r| ("output_to_input_ratio", r, Figure::OutputToInputRatio)),
            ) {
                sanity::check(&at, field, value, kind, None)
                    .into_iter()
                    .for_each(&mut p);
            }
            for (name, inc) in [
                ("global", ptu.global),
                ("data_zone", ptu.data_zone),
                ("regional", ptu.regional),
            ] {
                if let Some(inc) = inc {
                    let at = format!("{at}.ptu.{name}");
                    sanity::check_ptus(&at, "min_ptus", inc.min_ptus)
                        .into_iter()
                        .chain(sanity::check_ptus(
                            &at,
                            "increment_ptus",
                            inc.increment_ptus,
                        ))
                        .for_each(&mut p);
                }
            }
            if ptu.max_prompt_tokens == Some(0) {
                p(format!("{at}.ptu.max_prompt_tokens must be > 0"));
            }
        }
        if let Some(limits) = &m.limits {
            check_source(&mut p, &format!("{at}.limits"), &limits.source);
            for (name, value) in [
                ("context_window_tokens", limits.context_window_tokens),
                ("max_input_tokens", limits.max_input_tokens),
                ("max_output_tokens", limits.max_output_tokens),
            ] {
                if value == Some(0) {
                    p(format!("{at}.limits.{name} must be > 0"));
                }
            }
        }
    }
    checks::check_models(c, &mut p);
    let known_regions: BTreeSet<&str> = c.known_regions().into_iter().collect();
    let mut token_periods = BTreeMap::new();
    for (i, tp) in c.token_prices.iter().enumerate() {
        let at = format!("token_prices[{i}] ({} {})", tp.model, tp.deployment_type);
        if !c.models.contains_key(&tp.model) {
            p(format!("{at}: unknown model `{}`", tp.model));
        }
        if tp.deployment_type.is_provisioned() {
            p(format!("{at}: provisioned types are priced in ptu_prices"));
        }
        // Every per-token figure (short and long context, cache writes): one sanity check.
        let long = tp.long_context.iter().flat_map(|l| l.named());
        for (field, value) in tp
            .short_context()
            .named()
            .into_iter()
            .map(|(f, v)| (f.to_owned(), v))
            .chain(long.map(|(f, v)| (format!("long_context.{f}"), v)))
        {
            let accepted = tp.accept_outlier.as_deref();
            sanity::check(&at, &field, value, Figure::UsdPer1mTokens, accepted)
                .into_iter()
                .for_each(&mut p);
        }
        if tp.cached_input_usd_per_1m > tp.input_usd_per_1m {
            p(format!("{at}: cached input costs more than input"));
        }
        let what = format!("{} {}", tp.model, tp.deployment_type);
        check_price_entry(&mut p, &at, tp, &known_regions, &mut token_periods, &what);
        checks::check_token_price_extras(c, &at, tp, &mut p);
    }
    checks::check_overlaps(token_periods, &mut p);
    let mut ptu_periods = BTreeMap::new();
    for (i, pp) in c.ptu_prices.iter().enumerate() {
        let at = format!("ptu_prices[{i}] ({})", pp.deployment_type);
        if !pp.deployment_type.is_provisioned() {
            p(format!("{at}: only provisioned types have PTU prices"));
        }
        for (field, value, kind) in [
            (
                "usd_per_ptu_hour",
                pp.usd_per_ptu_hour,
                Figure::UsdPerPtuHour,
            ),
            (
                "reservation_1_month_usd_per_ptu",
                pp.reservation_1_month_usd_per_ptu,
                Figure::UsdPerPtuMonth,
            ),
            (
                "reservation_1_year_usd_per_ptu",
                pp.reservation_1_year_usd_per_ptu,
                Figure::UsdPerPtuYear,
            ),
        ] {
            let accepted = pp.accept_outlier.as_deref();
            sanity::check(&at, field, value, kind, accepted)
                .into_iter()
                .for_each(&mut p);
        }
        let what = pp.deployment_type.to_string();
        check_price_entry(&mut p, &at, pp, &known_regions, &mut ptu_periods, &what);
        checks::check_ptu_price_extras(&at, pp, &mut p);
    }
    checks::check_overlaps(ptu_periods, &mut p);
    for z in &c.data_zones {
        check_source(&mut p, &format!("data_zones.{}", z.id), &z.source);
    }
    let mut seen_avail = BTreeSet::new();
    for (i, a) in c.availability.iter().enumerate() {
        let at = format!("availability[{i}] ({} {})", a.model, a.deployment_type);
        if !c.models.contains_key(&a.model) {
            p(format!("{at}: unknown model `{}`", a.model));
        } else if a.deployment_type.is_provisioned()
            && c.models[&a.model]
                .ptu
                .as_ref()
                .and_then(|s| s.increment_for(a.deployment_type.ptu_scope()?))
                .is_none()
        {
            p(format!(
                "{at}: the model has no PTU minimum/increment for this provisioned type"
            ));
        }
        if a.deployment_type.processing() == super::Processing::DataZone {
            for r in &a.regions {
                if c.data_zone_of(r).is_none() {
                    p(format!("{at}: region `{r}` is in no data zone"));
                }
            }
        }
        if let Some(checked) = &a.checked_regions {
            if a.unverified {
                p(format!(
                    "{at}: `checked_regions` says which regions a verified table covers; an unverified list covers none"
                ));
            }
            for r in a.regions.iter().filter(|r| !checked.contains(r)) {
                p(format!(
                    "{at}: region `{r}` is listed but not in `checked_regions`"
                ));
            }
        }
        check_source(&mut p, &at, &a.source);
        if !seen_avail.insert((a.model.clone(), a.deployment_type)) {
            p(format!("{at}: listed twice; merge the region lists"));
        }
    }
    for (i, u) in c.uncovered_models.iter().enumerate() {
        let at = format!("uncovered_models[{i}]");
        for m in u.models.iter().filter(|m| !c.models.contains_key(*m)) {
            p(format!("{at}: unknown model `{m}`"));
        }
        check_source(&mut p, &at, &u.source);
    }
    problems
}

fn region_keys(regions: Option<&[String]>) -> Vec<String> {
    match regions {
        None => vec!["<default>".to_owned()],
        Some(list) => list.to_vec(),
    }
}

/// The checks a token and a PTU price entry share: a source, known regions, and the entry's
/// in-force period recorded under `what in region `r`` for every region it covers (a default
/// entry under `<default>`), for [`checks::check_overlaps`] to compare once all are in.
fn check_price_entry(
    p: &mut impl FnMut(String),
    at: &str,
    entry: &impl PriceEntry,
    known_regions: &BTreeSet<&str>,
    periods: &mut BTreeMap<String, Vec<checks::Period>>,
    what: &str,
) {
    check_source(p, at, entry.source());
    check_regions(p, at, entry.regions(), known_regions);
    let (from, to) = entry.effective();
    for region in region_keys(entry.regions()) {
        periods
            .entry(format!("{what} in region `{region}`"))
            .or_default()
            .push(checks::Period {
                at: at.to_owned(),
                from,
                to,
            });
    }
}

fn check_source(p: &mut impl FnMut(String), at: &str, source: &str) {
    if source.trim().is_empty() {
        p(format!("{at}: `source` is empty"));
    }
}

fn check_regions(
    p: &mut impl FnMut(String),
    at: &str,
    regions: Option<&[String]>,
    known: &BTreeSet<&str>,
) {
    if let Some(list) = regions {
        if list.is_empty() {
            p(format!(
                "{at}: `regions` is empty; omit it for a default entry"
            ));
        }
        for r in list {
            if !known.contains(r.as_str()) {
                p(format!(
                    "{at}: region `{r}` appears in no availability list or data zone"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_is_valid() {
        let catalog = load_catalog(&CatalogSource::Embedded).expect("bundled catalog loads");
        for model in [
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4.1",
            "gpt-4.1-mini",
            "gpt-4.1-nano",
            "o1",
            "o3-mini",
            "o3",
            "o4-mini",
            "gpt-5",
            "gpt-5-mini",
            "gpt-5-nano",
        ] {
            assert!(catalog.models.contains_key(model), "{model} missing");
        }
    }

    #[test]
    fn reports_unknown_key_with_line() {
        let err = edited("models.yaml", "reasoning:", "reasonning:").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("models.yaml:"), "{msg}");
        assert!(msg.contains("reasonning"), "{msg}");
    }

    #[test]
    fn reports_all_problems_at_once() {
        let problems = problems(with("pricing.yaml", |t| {
            t.replacen("input_usd_per_1m: 2.5\n", "input_usd_per_1m: -2.5\n", 1)
                .replacen("usd_per_ptu_hour: 1.0\n", "usd_per_ptu_hour: 0\n", 1)
        }));
        assert!(problems.len() >= 2, "{problems:?}");
    }

    fn with(file: &str, edit: impl Fn(&str) -> String) -> Result<Catalog, CatalogError> {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in EMBEDDED {
            let text = if name == file {
                edit(text)
            } else {
                text.to_owned()
            };
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        load_catalog(&CatalogSource::Dir(dir.path().to_owned()))
    }

    /// The embedded catalog with the first `from` in `file` replaced by `to`.
    fn edited(file: &str, from: &str, to: &str) -> Result<Catalog, CatalogError> {
        with(file, |t| t.replacen(from, to, 1))
    }

    /// Fails unless one of `problems` contains `needle`.
    fn assert_mentions(problems: &[String], needle: &str) {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "no problem mentions {needle:?}: {problems:?}"
        );
    }

    fn problems(r: Result<Catalog, CatalogError>) -> Vec<String> {
        match r {
            Err(CatalogError::Invalid { problems, .. }) => problems,
            Err(e) => panic!("expected Invalid, got {e}"),
            Ok(_) => panic!("expected Invalid, got a valid catalog"),
        }
    }

    #[test]
    fn issue_9_prices_in_time_must_not_overlap() {
        // A second gpt-4o Global Standard default entry with no dates overlaps the first.
        let p = problems(edited(
            "pricing.yaml",
            "token_prices:\n",
            "token_prices:\n  - model: gpt-4o\n    deployment_type: global-standard\n    input_usd_per_1m: 3.0\n    cached_input_usd_per_1m: 1.5\n    output_usd_per_1m: 12.0\n    effective_from: 2026-06-01\n    source: test\n    as_of: 2026-06-01\n",
        ));
        assert_mentions(&p, "a second price for gpt-4o global-standard");
        // Disjoint periods are fine, and the date picks the price.
        let catalog = edited(
            "pricing.yaml",
            "  - model: gpt-4o\n    deployment_type: global-standard\n    input_usd_per_1m: 2.5\n",
            "  - model: gpt-4o\n    deployment_type: global-standard\n    input_usd_per_1m: 3.0\n    cached_input_usd_per_1m: 1.5\n    output_usd_per_1m: 12.0\n    effective_from: 2027-01-01\n    source: test\n    as_of: 2026-11-01\n  - model: gpt-4o\n    deployment_type: global-standard\n    effective_to: 2026-12-31\n    input_usd_per_1m: 2.5\n",
        )
        .expect("valid");
        let price = |d: &str| {
            catalog
                .clone()
                .in_force_on(d.parse().expect("date"))
                .token_price("gpt-4o", DeploymentTypeId::GlobalStandard, "eastus2")
                .map(|p| p.input_usd_per_1m)
        };
        assert_eq!(price("2026-12-31"), Some(2.5));
        assert_eq!(price("2027-01-01"), Some(3.0));
        // effective_to before effective_from is an error.
        let p = problems(edited(
            "pricing.yaml",
            "input_usd_per_1m: 2.5\n",
            "input_usd_per_1m: 2.5\n    effective_from: 2026-05-01\n    effective_to: 2026-04-01\n",
        ));
        assert_mentions(&p, "is before effective_from");
    }

    #[test]
    fn issue_9_a_catalog_without_prices_or_with_future_dates_fails() {
        let p = problems(with("pricing.yaml", |_| {
            "token_prices: []\nptu_prices: []\n".to_owned()
        }));
        assert_mentions(&p, "no per-token price");
        assert_mentions(&p, "no PTU price");
        let future = edited("models.yaml", "as_of: 2026-05-22", "as_of: 2999-05-22")
            .expect("parses and validates");
        let dated = future.dated_after("2026-12-01".parse().expect("date"));
        assert_eq!(dated.len(), 1, "{dated:?}");
        assert!(
            dated[0].contains("2999-05-22 is in the future"),
            "{dated:?}"
        );
        // Nothing in force on a date leaves the catalog unable to price anything.
        let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let dated_only = Catalog {
            token_prices: catalog
                .token_prices
                .iter()
                .filter(|p| p.effective_from.is_some())
                .cloned()
                .collect(),
            ..catalog
        };
        let gaps = dated_only
            .in_force_on("2020-01-01".parse().expect("date"))
            .pricing_gaps(" in force on 2020-01-01");
        assert_eq!(
            gaps,
            vec!["token_prices: no per-token price in force on 2020-01-01"]
        );
    }

    #[test]
    fn issue_9_accounting_and_lifecycle_are_checked() {
        // Both rules at once.
        let p = problems(edited(
            "models.yaml",
            "      input_tpm_per_ptu: 3000.0\n      normalized_weights:",
            "      input_tpm_per_ptu: 3000.0\n      output_to_input_ratio: 5.0\n      normalized_weights:",
        ));
        assert_mentions(&p, "not both");
        // Weights that disagree with the model's own Global Standard prices (U3's rule).
        let p = problems(edited(
            "models.yaml",
            "short: {input: 1.0, cached_input: 0.1, cache_write: 1.25, output: 5.0}",
            "short: {input: 1.0, cached_input: 0.1, cache_write: 1.0, output: 5.0}",
        ));
        assert_mentions(&p, "normalized_weights.short.cache_write is 1");
        // Long-context prices on a model without a threshold.
        let p = problems(edited(
            "pricing.yaml",
            "output_usd_per_1m: 10.0\n",
            "output_usd_per_1m: 10.0\n    long_context: {input_usd_per_1m: 5.0, cached_input_usd_per_1m: 2.5, output_usd_per_1m: 20.0}\n",
        ));
        assert_mentions(&p, "no `long_context` threshold");
    }
}
