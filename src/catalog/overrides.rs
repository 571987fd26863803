//! Quotes and sales facts (`--overrides FILE`, example in `data/overrides.example.yaml`):
//! discounts on list prices, explicit per-PTU quotes, sales-confirmed availability, PTU
//! capacity limits per region and a display currency.
//!
//! Parsing is strict (`deny_unknown_fields`; errors carry the file, line and column). Prices
//! are changed here, in the catalog, so every consumer sees the same numbers: discounts first
//! (on list prices), then quotes, which are final (no discount on top). Availability and
//! capacity are plan constraints: they are handed to `plan` untouched. Every entry is reported
//! in the output's `overrides_applied`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::load::validate;
use super::sanity::{self, Figure};
use super::yaml::{item_lines, parse_yaml};
use super::{Catalog, CatalogError, DeploymentTypeId, PtuPrice};

/// The overrides file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverridesFile {
    #[serde(default)]
    currency: Option<Currency>,
    #[serde(default)]
    discounts: Vec<Discount>,
    #[serde(default)]
    quotes: Vec<Quote>,
    #[serde(default)]
    availability: Vec<AvailabilityOverride>,
    #[serde(default)]
    capacity: Vec<CapacityLimit>,
}

/// A display currency. JSON keeps every `*_usd` field in USD and adds this.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Currency {
    /// ISO 4217 code, e.g. `EUR`.
    pub code: String,
    /// Units of this currency per 1 USD, e.g. 0.92.
    pub per_usd: f64,
    /// Where the rate came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Date of the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
}

impl Currency {
    /// Convert a USD amount.
    pub fn from_usd(&self, usd: f64) -> f64 {
        usd * self.per_usd
    }
}

/// A discount in percent on list prices: global, per deployment type, per model, or both.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    /// Only this catalog model's per-token prices (PTU prices are not per model).
    #[serde(default)]
    pub model: Option<String>,
    /// Only this deployment type.
    #[serde(default)]
    pub deployment_type: Option<DeploymentTypeId>,
    /// Discount in percent, above 0 and below 100.
    pub percent: f64,
    /// Where it came from (agreement, quote number).
    #[serde(default)]
    pub source: Option<String>,
    #[serde(skip)]
    at: String,
}

/// An explicit per-PTU quote for one provisioned type in one region.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    /// A provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Region (`armRegionName`).
    pub region: String,
    /// Quoted USD per PTU-hour; absent = the (discounted) list price.
    #[serde(default)]
    pub usd_per_ptu_hour: Option<f64>,
    /// Quoted 1-month reservation, USD per PTU for the month.
    #[serde(default)]
    pub reservation_1_month_usd_per_ptu: Option<f64>,
    /// Quoted 1-year reservation, USD per PTU for the year.
    #[serde(default)]
    pub reservation_1_year_usd_per_ptu: Option<f64>,
    /// Where it came from (quote number).
    pub source: String,
    /// Date of the quote.
    pub as_of: NaiveDate,
    /// Why a quoted figure above its sanity bound is right ([`super::sanity`]).
    #[serde(default)]
    pub accept_outlier: Option<String>,
    #[serde(skip)]
    at: String,
}

/// Sales-confirmed availability: overrides Microsoft's region table in either direction.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityOverride {
    /// Catalog model; absent = every model.
    #[serde(default)]
    pub model: Option<String>,
    /// Deployment type.
    pub deployment_type: DeploymentTypeId,
    /// Region (`armRegionName`).
    pub region: String,
    /// True: offered although the table does not list it; false: not offered although it does.
    pub available: bool,
    /// Where it came from.
    #[serde(default)]
    pub source: Option<String>,
    /// `file:line`, for messages.
    #[serde(skip_deserializing)]
    pub at: String,
}

/// A PTU capacity limit for one provisioned type in one region (PTU quota and capacity are
/// per region and type, not per model).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CapacityLimit {
    /// A provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Region (`armRegionName`).
    pub region: String,
    /// Most PTUs that can be deployed (0 = none).
    pub max_ptus: u32,
    /// Where it came from.
    #[serde(default)]
    pub source: Option<String>,
    /// `file:line`, for messages.
    #[serde(skip_deserializing)]
    pub at: String,
}

/// One override as reported in every output (JSON `overrides_applied[]`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AppliedOverride {
    /// `discount`, `quote`, `availability`, `capacity` or `currency`.
    pub kind: String,
    /// `file:line` of the entry.
    pub at: String,
    /// What it does, in words.
    pub description: String,
    /// Catalog price entries it changed (discounts and quotes); None for the others.
    pub prices_changed: Option<usize>,
    /// The one catalog model it concerns, if it names one (not in the JSON: the command
    /// warns when no workload runs it).
    #[serde(skip)]
    pub model: Option<String>,
}

/// A parsed overrides file.
#[derive(Debug, Clone, PartialEq)]
pub struct Overrides {
    /// The file.
    pub path: PathBuf,
    /// Display currency.
    pub currency: Option<Currency>,
    /// Discounts.
    pub discounts: Vec<Discount>,
    /// Quotes.
    pub quotes: Vec<Quote>,
    /// Sales-confirmed availability.
    pub availability: Vec<AvailabilityOverride>,
    /// Capacity limits.
    pub capacity: Vec<CapacityLimit>,
    currency_at: String,
}

impl Overrides {
    /// Read and check the file on its own (ranges, required figures). Checks that need the
    /// catalog (known models and regions) run in [`Overrides::apply`].
    pub fn load(path: &Path) -> Result<Overrides, CatalogError> {
        let text = crate::files::read_settings_text(path).map_err(|source| CatalogError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut file: OverridesFile = parse_yaml(path, &text)?;
        let at = |section: &str, i: usize| {
            let lines = item_lines(&text, section);
            match lines.get(i) {
                Some(l) => format!("{}:{l}", path.display()),
                None => format!("{} {section}[{i}]", path.display()),
            }
        };
        for (i, d) in file.discounts.iter_mut().enumerate() {
            d.at = at("discounts", i);
        }
        for (i, q) in file.quotes.iter_mut().enumerate() {
            q.at = at("quotes", i);
        }
        for (i, a) in file.availability.iter_mut().enumerate() {
            a.at = at("availability", i);
            a.region = a.region.trim().to_ascii_lowercase();
        }
        for (i, c) in file.capacity.iter_mut().enumerate() {
            c.at = at("capacity", i);
            c.region = c.region.trim().to_ascii_lowercase();
        }
        let currency_at = text
            .lines()
            .position(|l| l.starts_with("currency:"))
            .map_or(path.display().to_string(), |l| {
                format!("{}:{}", path.display(), l + 1)
            });
        let overrides = Overrides {
            path: path.to_owned(),
            currency: file.currency,
            discounts: file.discounts,
            quotes: file.quotes,
            availability: file.availability,
            capacity: file.capacity,
            currency_at,
        };
        let problems = overrides.check_ranges();
        if problems.is_empty() {
            Ok(overrides)
        } else {
            Err(CatalogError::Invalid {
                origin: path.display().to_string(),
                problems,
            })
        }
    }

    fn check_ranges(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(c) = &self.currency {
            let ok = c.code.len() == 3 && c.code.chars().all(|ch| ch.is_ascii_uppercase());
            if !ok {
                p.push(format!(
                    "{}: currency code `{}` is not 3 capital letters (ISO 4217, e.g. EUR)",
                    self.currency_at, c.code
                ));
            }
            p.extend(sanity::check(
                &format!("{}: currency", self.currency_at),
                "per_usd",
                c.per_usd,
                Figure::PerUsd,
                None,
            ));
            if c.code == "USD" && c.per_usd != 1.0 {
                p.push(format!(
                    "{}: currency USD with per_usd {}: one USD is one USD (drop the currency, or name the one the rate converts to)",
                    self.currency_at, c.per_usd
                ));
            }
        }
        for d in &self.discounts {
            if !(d.percent.is_finite() && d.percent > 0.0 && d.percent < 100.0) {
                p.push(format!(
                    "{}: discount percent must be above 0 and below 100, got {}",
                    d.at, d.percent
                ));
            }
            if d.model.is_some()
                && d.deployment_type
                    .is_some_and(DeploymentTypeId::is_provisioned)
            {
                p.push(format!(
                    "{}: PTU prices are not per model; drop `model` or use a quote",
                    d.at
                ));
            }
        }
        for q in &self.quotes {
            if !q.deployment_type.is_provisioned() {
                p.push(format!(
                    "{}: quotes are per PTU; `{}` is not a provisioned type",
                    q.at, q.deployment_type
                ));
            }
            let figures = [
                (
                    "usd_per_ptu_hour",
                    q.usd_per_ptu_hour,
                    Figure::UsdPerPtuHour,
                ),
                (
                    "reservation_1_month_usd_per_ptu",
                    q.reservation_1_month_usd_per_ptu,
                    Figure::UsdPerPtuMonth,
                ),
                (
                    "reservation_1_year_usd_per_ptu",
                    q.reservation_1_year_usd_per_ptu,
                    Figure::UsdPerPtuYear,
                ),
            ];
            if figures.iter().all(|(_, v, _)| v.is_none()) {
                p.push(format!("{}: a quote needs usd_per_ptu_hour, reservation_1_month_usd_per_ptu or reservation_1_year_usd_per_ptu", q.at));
            }
            for (field, v, kind) in figures {
                if let Some(v) = v {
                    p.extend(sanity::check(
                        &q.at,
                        field,
                        v,
                        kind,
                        q.accept_outlier.as_deref(),
                    ));
                }
            }
        }
        for c in &self.capacity {
            if !c.deployment_type.is_provisioned() {
                p.push(format!(
                    "{}: capacity limits are in PTUs; `{}` is not a provisioned type",
                    c.at, c.deployment_type
                ));
            }
        }
        p.extend(self.conflicts());
        p
    }

    /// Entries that claim the same scope: which one applies would be a silent choice, so two
    /// of them are an error naming both lines (two global discounts, two quotes or capacity
    /// limits for one type and region, two availability facts for one model, type and region).
    fn conflicts(&self) -> Vec<String> {
        fn twice<K: Ord>(
            what: &str,
            entries: impl Iterator<Item = (K, String, String)>,
            p: &mut Vec<String>,
        ) {
            let mut seen: std::collections::BTreeMap<K, String> = Default::default();
            for (key, scope, at) in entries {
                match seen.get(&key) {
                    Some(first) => p.push(format!(
                        "{at}: a second {what} for {scope} (the first is at {first}); keep one"
                    )),
                    None => {
                        seen.insert(key, at);
                    }
                }
            }
        }
        let mut p = Vec::new();
        twice(
            "discount",
            self.discounts.iter().map(|d| {
                (
                    (d.model.clone(), d.deployment_type),
                    discount_scope(d),
                    d.at.clone(),
                )
            }),
            &mut p,
        );
        twice(
            "quote",
            self.quotes.iter().map(|q| {
                (
                    (q.deployment_type, q.region.trim().to_ascii_lowercase()),
                    format!("{} in {}", q.deployment_type, q.region),
                    q.at.clone(),
                )
            }),
            &mut p,
        );
        twice(
            "availability entry",
            self.availability.iter().map(|a| {
                (
                    (a.model.clone(), a.deployment_type, a.region.clone()),
                    format!(
                        "{} {} in {}",
                        a.model.as_deref().unwrap_or("every model"),
                        a.deployment_type,
                        a.region
                    ),
                    a.at.clone(),
                )
            }),
            &mut p,
        );
        twice(
            "capacity limit",
            self.capacity.iter().map(|c| {
                (
                    (c.deployment_type, c.region.clone()),
                    format!("{} in {}", c.deployment_type, c.region),
                    c.at.clone(),
                )
            }),
            &mut p,
        );
        p
    }

    /// Check the entries against the catalog, apply discounts and quotes to its prices, and
    /// validate the result. Returns one [`AppliedOverride`] per entry.
    pub fn apply(&self, catalog: &mut Catalog) -> Result<Vec<AppliedOverride>, CatalogError> {
        let problems = self.check_against(catalog);
        if !problems.is_empty() {
            return Err(CatalogError::Invalid {
                origin: self.path.display().to_string(),
                problems,
            });
        }
        let mut applied = Vec::new();
        if let Some(c) = &self.currency {
            applied.push(AppliedOverride {
                kind: "currency".to_owned(),
                at: self.currency_at.clone(),
                description: format!(
                    "{} at {} per USD{}{}",
                    c.code,
                    c.per_usd,
                    c.as_of.map(|d| format!(" as of {d}")).unwrap_or_default(),
                    source_suffix(c.source.as_deref())
                ),
                prices_changed: None,
                model: None,
            });
        }
        let counts = self.apply_discounts(catalog);
        for (d, n) in self.discounts.iter().zip(counts) {
            applied.push(AppliedOverride {
                kind: "discount".to_owned(),
                at: d.at.clone(),
                description: format!("{}% off {} list prices", d.percent, discount_scope(d)),
                prices_changed: Some(n),
                model: d.model.clone(),
            });
        }
        for q in &self.quotes {
            let description = apply_quote(catalog, q);
            applied.push(AppliedOverride {
                kind: "quote".to_owned(),
                at: q.at.clone(),
                description,
                prices_changed: Some(1),
                model: None,
            });
        }
        for a in &self.availability {
            applied.push(AppliedOverride {
                kind: "availability".to_owned(),
                at: a.at.clone(),
                description: format!(
                    "{} {} in {}: {} per sales{}",
                    a.model.as_deref().unwrap_or("every model"),
                    a.deployment_type,
                    a.region,
                    if a.available {
                        "available"
                    } else {
                        "not available"
                    },
                    source_suffix(a.source.as_deref())
                ),
                prices_changed: None,
                model: a.model.clone(),
            });
        }
        for c in &self.capacity {
            applied.push(AppliedOverride {
                kind: "capacity".to_owned(),
                at: c.at.clone(),
                description: format!(
                    "{} in {}: at most {} PTUs{}",
                    c.deployment_type,
                    c.region,
                    c.max_ptus,
                    source_suffix(c.source.as_deref())
                ),
                prices_changed: None,
                model: None,
            });
        }
        let problems = validate(catalog);
        if !problems.is_empty() {
            return Err(CatalogError::Invalid {
                origin: format!("{} with overrides {}", catalog.origin, self.path.display()),
                problems,
            });
        }
        Ok(applied)
    }

    fn check_against(&self, catalog: &Catalog) -> Vec<String> {
        let known = catalog.known_regions();
        let mut p = Vec::new();
        let model = |at: &str, m: &Option<String>, p: &mut Vec<String>| {
            if let Some(m) = m.as_deref().filter(|m| !catalog.models.contains_key(*m)) {
                p.push(format!(
                    "{at}: unknown model `{m}`; did you mean `{}`?",
                    catalog.closest_models(m, 1).join("")
                ));
            }
        };
        let region = |at: &str, r: &str, p: &mut Vec<String>| {
            if !known.contains(&r) {
                p.push(format!(
                    "{at}: region `{r}` is not in the catalog (an armRegionName such as eastus2)"
                ));
            }
        };
        for d in &self.discounts {
            model(&d.at, &d.model, &mut p);
        }
        for q in &self.quotes {
            region(&q.at, &q.region, &mut p);
            let list = catalog.ptu_price(q.deployment_type, &q.region);
            let partial = [
                q.usd_per_ptu_hour,
                q.reservation_1_month_usd_per_ptu,
                q.reservation_1_year_usd_per_ptu,
            ]
            .iter()
            .any(Option::is_none);
            if list.is_none() && partial {
                p.push(format!(
                    "{}: the catalog has no {} list price in {} to fill the figures the quote leaves out; quote all three",
                    q.at, q.deployment_type, q.region
                ));
            }
        }
        for a in &self.availability {
            model(&a.at, &a.model, &mut p);
            region(&a.at, &a.region, &mut p);
        }
        for c in &self.capacity {
            region(&c.at, &c.region, &mut p);
        }
        p
    }

    /// Apply the most specific discount (model and type, model, type, global) to every list
    /// price; returns how many entries each discount changed.
    fn apply_discounts(&self, catalog: &mut Catalog) -> Vec<usize> {
        let mut counts = vec![0; self.discounts.len()];
        let best = |model: Option<&str>, t: DeploymentTypeId| {
            self.discounts
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.model.as_deref().is_none_or(|m| Some(m) == model)
                        && d.deployment_type.is_none_or(|dt| dt == t)
                })
                .max_by_key(|(i, d)| {
                    (
                        2 * usize::from(d.model.is_some())
                            + usize::from(d.deployment_type.is_some()),
                        std::cmp::Reverse(*i),
                    )
                })
                .map(|(i, d)| (i, d.percent, d.at.clone()))
        };
        for p in &mut catalog.token_prices {
            if let Some((i, pct, at)) = best(Some(&p.model), p.deployment_type) {
                p.scale(1.0 - pct / 100.0);
                p.adjustments.push(format!("{pct}% discount ({at})"));
                counts[i] += 1;
            }
        }
        for p in &mut catalog.ptu_prices {
            if let Some((i, pct, at)) = best(None, p.deployment_type) {
                let f = 1.0 - pct / 100.0;
                p.usd_per_ptu_hour *= f;
                p.reservation_1_month_usd_per_ptu *= f;
                p.reservation_1_year_usd_per_ptu *= f;
                p.adjustments.push(format!("{pct}% discount ({at})"));
                counts[i] += 1;
            }
        }
        counts
    }
}

/// ` (source)` after an entry's description, or nothing when the entry names no source.
fn source_suffix(source: Option<&str>) -> String {
    source.map(|s| format!(" ({s})")).unwrap_or_default()
}

fn discount_scope(d: &Discount) -> String {
    match (&d.model, d.deployment_type) {
        (Some(m), Some(t)) => format!("{m} {t}"),
        (Some(m), None) => format!("{m} per-token"),
        (None, Some(t)) => t.to_string(),
        (None, None) => "all".to_owned(),
    }
}

/// Replace the type's price in the quote's region with the quoted figures (the others keep the
/// discounted list price). Returns the description.
fn apply_quote(catalog: &mut Catalog, q: &Quote) -> String {
    let list = catalog.ptu_price(q.deployment_type, &q.region).cloned();
    let pick = |quoted: Option<f64>, listed: Option<f64>| quoted.or(listed).unwrap_or(f64::NAN);
    let mut quoted = Vec::new();
    for (name, v) in [
        ("hourly", q.usd_per_ptu_hour),
        ("1-month", q.reservation_1_month_usd_per_ptu),
        ("1-year", q.reservation_1_year_usd_per_ptu),
    ] {
        if let Some(v) = v {
            quoted.push(format!("{name} {v}"));
        }
    }
    let description = format!(
        "{} in {}: quoted USD per PTU {} ({})",
        q.deployment_type,
        q.region,
        quoted.join(", "),
        q.source
    );
    // A partial quote keeps the list entry's adjustments for the figures it leaves out.
    let mut adjustments: Vec<String> = if quoted.len() < 3 {
        list.as_ref()
            .map(|l| {
                l.adjustments
                    .iter()
                    .map(|a| format!("{a} on the unquoted figures"))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    adjustments.push(format!("quote: {} ({})", quoted.join(", "), q.at));
    let entry = PtuPrice {
        deployment_type: q.deployment_type,
        regions: Some(vec![q.region.clone()]),
        usd_per_ptu_hour: pick(
            q.usd_per_ptu_hour,
            list.as_ref().map(|l| l.usd_per_ptu_hour),
        ),
        reservation_1_month_usd_per_ptu: pick(
            q.reservation_1_month_usd_per_ptu,
            list.as_ref().map(|l| l.reservation_1_month_usd_per_ptu),
        ),
        reservation_1_year_usd_per_ptu: pick(
            q.reservation_1_year_usd_per_ptu,
            list.as_ref().map(|l| l.reservation_1_year_usd_per_ptu),
        ),
        effective_from: None,
        effective_to: None,
        unverified: false,
        note: Some(format!("Quote from {}", q.at)),
        source: q.source.clone(),
        as_of: q.as_of,
        accept_outlier: q
            .accept_outlier
            .clone()
            .or_else(|| list.as_ref().and_then(|l| l.accept_outlier.clone())),
        adjustments,
    };
    super::prices::layer_ptu_entry(&mut catalog.ptu_prices, entry);
    description
}
