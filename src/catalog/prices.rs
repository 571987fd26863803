//! Prices files: what `catalog refresh --out FILE` writes and `--prices FILE` reads back.
//!
//! A prices file holds the same `token_prices:` and `ptu_prices:` lists as
//! `data/pricing.yaml`, plus the fetch metadata (`as_of`, `endpoint`). It is layered over the
//! bundled or `--catalog` catalog region by region: an entry replaces the catalog's price for
//! the same model, deployment type and region (an entry without `regions` replaces the
//! catalog's default entry), and the result is validated like any catalog. Fetching lives in
//! [`super::refresh`]; this module only reads, checks and layers.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::load::validate;
use super::pricing::PriceEntry;
use super::yaml::{item_lines, parse_yaml};
use super::{Catalog, CatalogError, PtuPrice, TokenPrice};

/// A refreshed prices file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricesFile {
    /// The date the prices were in force: the fetch date, or `catalog refresh --as-of`.
    pub as_of: NaiveDate,
    /// The Retail Prices API endpoint the prices came from.
    pub endpoint: String,
    /// Regions the fetch was limited to (`--region`); absent = every region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Per-token prices (schema of `data/pricing.yaml`).
    pub token_prices: Vec<TokenPrice>,
    /// Per-PTU prices (schema of `data/pricing.yaml`).
    pub ptu_prices: Vec<PtuPrice>,
}

/// Which prices file a catalog was layered with (shown in every report).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PricesInfo {
    /// The file as given on the command line.
    pub path: String,
    /// The file's `as_of` (the date its prices were in force).
    pub as_of: NaiveDate,
    /// The endpoint the file was fetched from.
    pub endpoint: String,
    /// Per-token entries in the file.
    pub token_entries: usize,
    /// PTU entries in the file.
    pub ptu_entries: usize,
}

/// Read a prices file strictly (unknown keys are errors with file, line and column).
pub fn load_prices_file(path: &Path) -> Result<(PricesFile, String), CatalogError> {
    let text = crate::files::read_settings_text(path).map_err(|source| CatalogError::Read {
        path: path.to_owned(),
        source,
    })?;
    let file = parse_yaml(path, &text)?;
    Ok((file, text))
}

/// Check a prices file against `base` (known models, types, regions, positive prices, one
/// price per model/type/region), then layer it over `base` and validate the result. Every
/// problem is reported at once, with the file and line of the entry.
pub fn layer_prices(
    base: &mut Catalog,
    path: &Path,
    text: &str,
    mut file: PricesFile,
) -> Result<(), CatalogError> {
    let problems = check_file(base, path, text, &file);
    if !problems.is_empty() {
        return Err(CatalogError::Invalid {
            origin: path.display().to_string(),
            problems,
        });
    }
    // A catalog narrowed to a date takes only the file's entries in force on it.
    if let Some(date) = base.in_force_on {
        file.token_prices.retain(|p| p.in_force_on(date));
        file.ptu_prices.retain(|p| p.in_force_on(date));
    }
    let info = PricesInfo {
        path: path.display().to_string(),
        as_of: file.as_of,
        endpoint: file.endpoint.clone(),
        token_entries: file.token_prices.len(),
        ptu_entries: file.ptu_prices.len(),
    };
    layer_entries(&mut base.token_prices, file.token_prices, |a, b| {
        a.model == b.model && a.deployment_type == b.deployment_type
    });
    layer_entries(&mut base.ptu_prices, file.ptu_prices, |a, b| {
        a.deployment_type == b.deployment_type
    });
    base.origin = format!("{} + prices {}", base.origin, path.display());
    base.prices = Some(info);
    let problems = validate(base);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CatalogError::Invalid {
            origin: base.origin.clone(),
            problems,
        })
    }
}

/// Problems of the file's own entries, each prefixed with `file:line`.
fn check_file(base: &Catalog, path: &Path, text: &str, file: &PricesFile) -> Vec<String> {
    let mut problems = Vec::new();
    if file.endpoint.trim().is_empty() {
        problems.push(format!("{}: `endpoint` is empty", path.display()));
    }
    // Validate the file's lists on their own, against the base catalog's models and regions:
    // the problems then carry the file's own indexes, which map to lines.
    let probe = Catalog {
        token_prices: file.token_prices.clone(),
        ptu_prices: file.ptu_prices.clone(),
        prices: None,
        ..base.clone()
    };
    let sections = [
        ("token_prices", item_lines(text, "token_prices")),
        ("ptu_prices", item_lines(text, "ptu_prices")),
    ];
    for problem in validate(&probe) {
        let Some((section, lines)) = sections
            .iter()
            .find(|(s, _)| problem.starts_with(&format!("{s}[")))
        else {
            continue;
        };
        let index: Option<usize> = problem[section.len() + 1..]
            .split(']')
            .next()
            .and_then(|n| n.parse().ok());
        match index.and_then(|i| lines.get(i)) {
            Some(line) => problems.push(format!("{}:{line}: {problem}", path.display())),
            None => problems.push(format!("{}: {problem}", path.display())),
        }
    }
    problems
}

/// Replace, region by region, the entries of `base` that `same` pairs with a new entry.
fn layer_entries<T: PriceEntry>(base: &mut Vec<T>, new: Vec<T>, same: impl Fn(&T, &T) -> bool) {
    for entry in new {
        base.retain_mut(|b| {
            if !same(b, &entry) {
                return true;
            }
            match (b.regions_mut(), entry.regions()) {
                (None, None) => false,
                (Some(list), Some(replaced)) => {
                    list.retain(|r| !replaced.contains(r));
                    !list.is_empty()
                }
                _ => true,
            }
        });
        base.push(entry);
    }
}

/// Layer one PTU price entry over `base` (region by region, as `--prices` does).
pub(crate) fn layer_ptu_entry(base: &mut Vec<PtuPrice>, entry: PtuPrice) {
    layer_entries(base, vec![entry], |a, b| {
        a.deployment_type == b.deployment_type
    });
}

/// Write a prices file atomically: a temporary file in the destination's directory, flushed
/// and synced, then renamed over `path`. On any error the previous file is left untouched.
pub fn write_prices_file(path: &Path, file: &PricesFile, header: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let yaml = serde_yaml::to_string(file).map_err(std::io::Error::other)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    for line in header.lines() {
        writeln!(tmp, "# {line}")?;
    }
    tmp.write_all(yaml.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource, DeploymentTypeId};

    fn ptu(regions: Option<&[&str]>, hourly: f64) -> PtuPrice {
        PtuPrice {
            deployment_type: DeploymentTypeId::RegionalProvisioned,
            regions: regions.map(|r| r.iter().map(|s| (*s).to_owned()).collect()),
            usd_per_ptu_hour: hourly,
            reservation_1_month_usd_per_ptu: 286.0,
            reservation_1_year_usd_per_ptu: 2916.0,
            effective_from: None,
            effective_to: None,
            unverified: false,
            note: None,
            source: "test".to_owned(),
            as_of: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            accept_outlier: None,
            adjustments: Vec::new(),
        }
    }

    #[test]
    fn layering_replaces_region_by_region() {
        let mut base = vec![ptu(Some(&["eastus", "eastus2"]), 2.0), ptu(None, 2.5)];
        layer_entries(&mut base, vec![ptu(Some(&["eastus2"]), 2.2)], |a, b| {
            a.deployment_type == b.deployment_type
        });
        assert_eq!(base.len(), 3);
        assert_eq!(base[0].regions.as_deref(), Some(&["eastus".to_owned()][..]));
        assert_eq!(base[1].regions, None, "the default entry stays");
        layer_entries(&mut base, vec![ptu(None, 3.0)], |a, b| {
            a.deployment_type == b.deployment_type
        });
        assert_eq!(base.iter().filter(|p| p.regions.is_none()).count(), 1);
        assert!(base.iter().any(|p| p.usd_per_ptu_hour == 3.0));
    }

    #[test]
    fn file_problems_carry_file_and_line() {
        let mut catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let text = "as_of: 2026-05-01\nendpoint: http://x\ntoken_prices:\n  - model: gpt-9\n    deployment_type: global-standard\n    regions: [eastus2]\n    input_usd_per_1m: 1.0\n    cached_input_usd_per_1m: 0.5\n    output_usd_per_1m: 4.0\n    source: s\n    as_of: 2026-05-01\nptu_prices:\n  - deployment_type: global-provisioned\n    regions: [eastus2]\n    usd_per_ptu_hour: 0.0\n    reservation_1_month_usd_per_ptu: 260.0\n    reservation_1_year_usd_per_ptu: 2652.0\n    source: s\n    as_of: 2026-05-01\n";
        let file: PricesFile = serde_yaml::from_str(text).expect("parses");
        let err = layer_prices(&mut catalog, Path::new("p.yaml"), text, file).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("p.yaml:4: token_prices[0]"), "{msg}");
        assert!(msg.contains("unknown model `gpt-9`"), "{msg}");
        assert!(msg.contains("p.yaml:13: ptu_prices[0]"), "{msg}");
    }
}
