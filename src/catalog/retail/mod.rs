//! Azure Retail Prices API items turned into catalog price entries (the body of
//! `catalog refresh`, minus the HTTP, which lives in [`super::refresh`]).
//!
//! Rules (facts sections 3 and 8):
//! - Only items whose `serviceName` is listed in `data/meters.yaml` are read ("Cognitive
//!   Services" before and "Foundry Models" after 2025-09-01).
//! - The newest price in force on the as-of date wins: `effectiveStartDate` on or before it and
//!   no `effectiveEndDate` before it. Two spellings of one model with the same start date: the
//!   one listed first in the table wins.
//! - Two rows for one figure (model, type, region, context class and kind, or PTU type, region
//!   and term) with the same start date and spelling but different prices are a **conflict**:
//!   the higher price is kept whatever the order of the items (a cost is never understated), the
//!   conflict is listed by the refresh (`BuildStats::conflicts`), and the entry is marked
//!   unverified with a note giving both prices. Identical duplicates are merged silently.
//! - Token meters come in `1K` (scaled x1000) and `1M` units. Hourly PTU meters are `1/Hour`.
//!   Reservation rows also say `1/Hour`, but their price is per PTU for the whole term
//!   (`reservationTerm` "1 Month" or "1 Year").
//! - Guards: a zero, negative or non-finite price, a non-USD currency or a unit that does not fit
//!   the meter stops the refresh; a price an order of magnitude away from the catalog's needs
//!   `accept_outliers`. All problems are reported at once.
//! - Entries are merged figure by figure with the catalog the refresh runs against: a figure
//!   with a row in force comes from that row; a figure without one keeps the catalog's price for
//!   the same model, type and region (a 1-month reservation row in force updates that figure
//!   even when the hourly row has ended). [`Build::provenance`] says where each figure came
//!   from. A token price with no cached-input meter and none in the catalog prices cached
//!   tokens at the input price (no discount assumed); a missing cache-write price means the
//!   input price. A figure that is neither fetched nor in the catalog leaves the entry out
//!   (reported as incomplete): nothing is guessed.
//! - Flex placeholders: some files carry a $0.01 row next to the real price of every Flex meter
//!   (addendum 4.4). For a Flex meter with two rows of the same start, the $0.01 one is dropped;
//!   a $0.01 row alone is kept (some Flex cached prices really are $0.01).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

mod entries;

use super::meters::{parse_token_meter_name, MeterTable, TokenKind};
use super::{Catalog, DeploymentTypeId, PricesFile};
use entries::{assemble, Ctx};

/// One item of the API's `Items[]` (fields ptuplan reads; others are ignored).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RetailItem {
    /// `USD` unless another currency was asked for.
    pub currency_code: String,
    /// Tiered pricing threshold; ptuplan reads only tier 0.
    #[serde(default)]
    pub tier_minimum_units: f64,
    /// The price, in `unitOfMeasure` units.
    pub retail_price: f64,
    /// Region (`armRegionName`).
    pub arm_region_name: String,
    /// RFC 3339 start of validity.
    pub effective_start_date: String,
    /// RFC 3339 end of validity, if any.
    #[serde(default)]
    pub effective_end_date: Option<String>,
    /// Meter id (shared by an hourly PTU meter and its reservation rows).
    pub meter_id: String,
    /// Meter name.
    pub meter_name: String,
    /// Product name.
    pub product_name: String,
    /// Service name.
    pub service_name: String,
    /// Unit (`1K`, `1M`, `1/Hour`, ...).
    pub unit_of_measure: String,
    /// `Consumption`, `Reservation` or `DevTestConsumption`.
    #[serde(rename = "type")]
    pub price_type: String,
    /// `1 Month` or `1 Year` on reservation rows.
    #[serde(default)]
    pub reservation_term: Option<String>,
}

/// How to build the prices file.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Prices in force on this date win.
    pub as_of: NaiveDate,
    /// The endpoint the items came from (recorded in every entry's `source`).
    pub endpoint: String,
    /// Keep only these regions (`--region`); None = all regions the catalog knows.
    pub regions: Option<Vec<String>>,
    /// Accept prices an order of magnitude away from the catalog's.
    pub accept_outliers: bool,
}

/// What happened to the items (printed by `catalog refresh`, listed with `--verbose`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildStats {
    /// Items read.
    pub items: usize,
    /// Items of another service name.
    pub other_service: usize,
    /// Items not in force on the as-of date.
    pub not_in_force: usize,
    /// Items in force but replaced by a newer or preferred price for the same key.
    pub superseded: usize,
    /// Token meter items used.
    pub token_meters_used: usize,
    /// PTU items (hourly and reservation) used.
    pub ptu_rows_used: usize,
    /// Token meters whose model spelling is not in `data/meters.yaml`: spelling -> items.
    pub unmatched_models: BTreeMap<String, usize>,
    /// Token-product meters the name grammar does not understand: meterName -> items.
    pub unparsed: BTreeMap<String, usize>,
    /// Items that are neither token nor PTU meters of the listed products:
    /// `productName: meterName` -> items.
    pub other_meters: BTreeMap<String, usize>,
    /// Matched items in regions the catalog does not know (or not asked for): region -> items.
    pub other_regions: BTreeMap<String, usize>,
    /// Keys left out because a piece was missing.
    pub incomplete: Vec<String>,
    /// Flex $0.01 placeholder rows dropped next to a real price.
    pub flex_placeholders: usize,
    /// Figures kept from the catalog because no row was in force.
    pub kept_from_catalog: usize,
    /// Outliers let through by `accept_outliers`.
    pub accepted_outliers: Vec<String>,
    /// Rows of one figure and start date with different prices: what was kept and why.
    pub conflicts: Vec<String>,
}

/// The refresh result.
#[derive(Debug, Clone)]
pub struct Build {
    /// The prices file to write.
    pub file: PricesFile,
    /// Counts and lists.
    pub stats: BuildStats,
    /// Where each figure of the file came from: `(type, model, region, figure)` -> a meter
    /// (`meter 'NAME'`) or the catalog (`catalog (no row in force on DATE)`).
    /// PTU figures have an empty model.
    pub provenance: Provenance,
}

/// Where each figure came from (see [`Build::provenance`]).
pub type Provenance = BTreeMap<(DeploymentTypeId, String, String, &'static str), String>;

/// The fetched prices failed the guards.
#[derive(Debug, thiserror::Error)]
#[error("the fetched prices fail {} check(s); nothing was written:\n  - {}", .problems.len(), .problems.join("\n  - "))]
pub struct GuardError {
    /// One line per problem.
    pub problems: Vec<String>,
}

/// Outliers are prices more than this factor away from the catalog's.
pub const OUTLIER_FACTOR: f64 = 10.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PtuBilling {
    Hourly,
    Month,
    Year,
}

#[derive(Debug, Clone)]
struct Pick {
    price: f64,
    start: DateTime<Utc>,
    priority: usize,
    meter_id: String,
    meter_name: String,
    /// Other prices of rows for the same figure, start and spelling (a conflict; see the
    /// module rules).
    conflicting: Vec<f64>,
}

impl Pick {
    /// Newer start wins, then the preferred spelling, then the higher price (a conflict: never
    /// understate a cost), then the smaller meter id. Never the order of the items.
    fn beats(&self, other: &Pick) -> bool {
        use std::cmp::Reverse;
        (
            self.start,
            Reverse(self.priority),
            self.price.total_cmp(&other.price),
            Reverse(&self.meter_id),
        ) > (
            other.start,
            Reverse(other.priority),
            std::cmp::Ordering::Equal,
            Reverse(&other.meter_id),
        )
    }

    /// Same figure, start and spelling, another price.
    fn conflicts_with(&self, other: &Pick) -> bool {
        self.start == other.start && self.priority == other.priority && self.price != other.price
    }

    /// `meter 'NAME' (meterId ID) from DATE`.
    fn describe(&self) -> String {
        format!(
            "meter '{}' (meterId {}) from {}",
            self.meter_name,
            self.meter_id,
            self.start.date_naive()
        )
    }
}

/// Model, type, region, long context, kind.
type TokenKey = (String, DeploymentTypeId, String, bool, TokenKind);
type PtuKey = (DeploymentTypeId, String, PtuBilling);

/// Turn API items into a prices file, checking the guards against `catalog`.
pub fn build_prices(
    items: &[RetailItem],
    table: &MeterTable,
    catalog: &Catalog,
    opts: &BuildOptions,
) -> Result<Build, GuardError> {
    let mut stats = BuildStats {
        items: items.len(),
        ..BuildStats::default()
    };
    let mut problems = Vec::new();
    // Merge against (and guard with) the prices in force on the as-of date, unless the caller
    // already narrowed the catalog.
    let narrowed;
    let catalog = if catalog.in_force_on.is_some() {
        catalog
    } else {
        narrowed = catalog.clone().in_force_on(opts.as_of);
        &narrowed
    };
    let known = catalog.known_regions();
    let at = opts.as_of.and_time(NaiveTime::MIN).and_utc();
    let mut tokens: BTreeMap<TokenKey, Pick> = BTreeMap::new();
    let mut ptus: BTreeMap<PtuKey, Pick> = BTreeMap::new();
    for item in items {
        if !table.service_names.contains(&item.service_name) {
            stats.other_service += 1;
            continue;
        }
        let Some(meter) = classify(item, table, &mut stats, &mut problems) else {
            continue;
        };
        let region = item.arm_region_name.to_ascii_lowercase();
        let wanted = opts.regions.as_ref().is_none_or(|r| r.contains(&region));
        if !wanted || !known.contains(&region.as_str()) {
            *stats.other_regions.entry(region).or_default() += 1;
            continue;
        }
        let (start, end) = match item_dates(item) {
            Ok(d) => d,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        if start > at || end.is_some_and(|e| e <= at) {
            stats.not_in_force += 1;
            continue;
        }
        if let Err(e) = check_item(item, &meter) {
            problems.push(e);
            continue;
        }
        let pick = |price: f64, priority: usize| Pick {
            price,
            start,
            priority,
            meter_id: item.meter_id.clone(),
            meter_name: item.meter_name.clone(),
            conflicting: Vec::new(),
        };
        let (replaced, was_new) = match meter {
            Meter::Token {
                model,
                priority,
                kind,
                long,
                t,
                per_1m_factor,
            } => {
                let key = (model, t, region, long, kind);
                let new = pick(item.retail_price * per_1m_factor, priority);
                if t.is_flex() && is_placeholder_pair(tokens.get(&key), &new) {
                    stats.flex_placeholders += 1;
                    if !is_placeholder(new.price) {
                        tokens.insert(key, new);
                    }
                    continue;
                }
                insert(&mut tokens, key, new)
            }
            Meter::Ptu { t, billing } => {
                insert(&mut ptus, (t, region, billing), pick(item.retail_price, 0))
            }
        };
        stats.superseded += usize::from(replaced || !was_new);
    }
    stats.token_meters_used = tokens.len();
    stats.ptu_rows_used = ptus.len();
    let ctx = Ctx {
        catalog,
        opts,
        problems: &mut problems,
        stats: &mut stats,
    };
    let (token_prices, ptu_prices, provenance) = assemble(ctx, tokens, ptus);
    if !problems.is_empty() {
        return Err(GuardError { problems });
    }
    Ok(Build {
        provenance,
        file: PricesFile {
            as_of: opts.as_of,
            endpoint: opts.endpoint.clone(),
            regions: opts.regions.clone(),
            token_prices,
            ptu_prices,
        },
        stats,
    })
}

/// The placeholder price some files carry next to every real Flex price.
fn is_placeholder(price: f64) -> bool {
    (price - 0.01).abs() < 1e-12
}

/// Two rows of the same start for one Flex meter, one of them the $0.01 placeholder.
fn is_placeholder_pair(old: Option<&Pick>, new: &Pick) -> bool {
    old.is_some_and(|o| {
        o.start == new.start && is_placeholder(o.price) != is_placeholder(new.price)
    })
}

/// Insert if better; returns (an old pick was replaced, the new pick was kept). A pick that
/// conflicts with the one it meets (same start and spelling, another price) is remembered on
/// the one kept.
fn insert<K: Ord>(map: &mut BTreeMap<K, Pick>, key: K, mut pick: Pick) -> (bool, bool) {
    match map.get_mut(&key) {
        Some(old) if !pick.beats(old) => {
            if pick.conflicts_with(old) {
                old.conflicting.push(pick.price);
            }
            (false, false)
        }
        Some(old) => {
            if pick.conflicts_with(old) {
                pick.conflicting.push(old.price);
                pick.conflicting.append(&mut old.conflicting);
            }
            *old = pick;
            (true, true)
        }
        None => {
            map.insert(key, pick);
            (false, true)
        }
    }
}

enum Meter {
    Token {
        model: String,
        priority: usize,
        kind: TokenKind,
        long: bool,
        t: DeploymentTypeId,
        per_1m_factor: f64,
    },
    Ptu {
        t: DeploymentTypeId,
        billing: PtuBilling,
    },
}

/// What an item prices, or None (counted in `stats`) when it prices nothing in the catalog.
fn classify(
    item: &RetailItem,
    table: &MeterTable,
    stats: &mut BuildStats,
    problems: &mut Vec<String>,
) -> Option<Meter> {
    let other = |stats: &mut BuildStats| {
        *stats
            .other_meters
            .entry(format!("{}: {}", item.product_name, item.meter_name))
            .or_default() += 1;
    };
    if item.tier_minimum_units != 0.0 {
        other(stats);
        return None;
    }
    if let Some(t) = table.ptu_type(&item.meter_name) {
        let billing = match (item.price_type.as_str(), item.reservation_term.as_deref()) {
            ("Consumption", None) if table.ptu_hourly_products.contains(&item.product_name) => {
                PtuBilling::Hourly
            }
            ("Reservation", term)
                if table.ptu_reservation_products.contains(&item.product_name) =>
            {
                match term {
                    Some("1 Month") => PtuBilling::Month,
                    Some("1 Year") => PtuBilling::Year,
                    other => {
                        problems.push(format!(
                            "{} ({}, meterId {}): reservationTerm {:?} is neither \"1 Month\" nor \"1 Year\"",
                            item.meter_name, item.arm_region_name, item.meter_id, other
                        ));
                        return None;
                    }
                }
            }
            _ => {
                other(stats);
                return None;
            }
        };
        return Some(Meter::Ptu { t, billing });
    }
    if !table.token_products.contains(&item.product_name)
        || !item
            .meter_name
            .trim()
            .to_ascii_lowercase()
            .ends_with("tokens")
    {
        other(stats);
        return None;
    }
    let name = match parse_token_meter_name(&item.meter_name) {
        Ok(n) => n,
        Err(_) => {
            *stats.unparsed.entry(item.meter_name.clone()).or_default() += 1;
            return None;
        }
    };
    let Some((model, priority)) = table.model_for(&name.model_spelling) else {
        *stats
            .unmatched_models
            .entry(name.model_spelling.clone())
            .or_default() += 1;
        return None;
    };
    let per_1m_factor = match (item.unit_of_measure.as_str(), name.says_per_million) {
        ("1M", _) => 1.0,
        ("1K", false) => 1000.0,
        (unit, _) => {
            problems.push(format!(
                "{} ({}, meterId {}): unit mismatch: unitOfMeasure `{unit}` for a token meter{}",
                item.meter_name,
                item.arm_region_name,
                item.meter_id,
                if name.says_per_million {
                    " whose name says 1M"
                } else {
                    " (expected 1K or 1M)"
                }
            ));
            return None;
        }
    };
    Some(Meter::Token {
        model: model.to_owned(),
        priority,
        kind: name.kind,
        long: name.long_context,
        t: name.deployment_type,
        per_1m_factor,
    })
}

/// Currency, unit and sign checks of a matched item.
fn check_item(item: &RetailItem, meter: &Meter) -> Result<(), String> {
    let at = format!(
        "{} ({}, meterId {})",
        item.meter_name, item.arm_region_name, item.meter_id
    );
    if item.currency_code != "USD" {
        return Err(format!(
            "{at}: currency `{}`; the catalog is in USD",
            item.currency_code
        ));
    }
    if !(item.retail_price.is_finite() && item.retail_price > 0.0) {
        return Err(format!(
            "{at}: price {} is not a positive number",
            item.retail_price
        ));
    }
    if let Meter::Ptu { billing, .. } = meter {
        let unit = item.unit_of_measure.as_str();
        let fits = match billing {
            PtuBilling::Hourly => unit == "1/Hour",
            // The reservation trap: "1/Hour" although the price is per PTU for the term.
            PtuBilling::Month => unit == "1/Hour" || unit == "1/Month",
            PtuBilling::Year => unit == "1/Hour" || unit == "1/Year",
        };
        if !fits {
            return Err(format!(
                "{at}: unit mismatch: unitOfMeasure `{unit}` for a {} PTU row",
                match billing {
                    PtuBilling::Hourly => "hourly",
                    PtuBilling::Month => "1-month reservation",
                    PtuBilling::Year => "1-year reservation",
                }
            ));
        }
    }
    Ok(())
}

fn item_dates(item: &RetailItem) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), String> {
    let parse = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.to_utc())
            .or_else(|_| {
                NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
                    .map(|d| d.and_time(NaiveTime::MIN).and_utc())
            })
            .map_err(|_| {
                format!(
                    "{} ({}, meterId {}): date `{s}` is not RFC 3339",
                    item.meter_name, item.arm_region_name, item.meter_id
                )
            })
    };
    let start = parse(&item.effective_start_date)?;
    let end = item.effective_end_date.as_deref().map(parse).transpose()?;
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};

    fn input_row(price_per_1k: f64) -> RetailItem {
        RetailItem {
            currency_code: "USD".to_owned(),
            tier_minimum_units: 0.0,
            retail_price: price_per_1k,
            arm_region_name: "eastus2".to_owned(),
            effective_start_date: "2026-10-01T00:00:00Z".to_owned(),
            effective_end_date: None,
            meter_id: "00000001-0000-5000-8000-000000000000".to_owned(),
            meter_name: "gpt 4o 1120 Inp glbl Tokens".to_owned(),
            product_name: "Azure OpenAI".to_owned(),
            service_name: "Cognitive Services".to_owned(),
            unit_of_measure: "1K".to_owned(),
            price_type: "Consumption".to_owned(),
            reservation_term: None,
        }
    }

    fn build(items: &[RetailItem]) -> Build {
        let catalog = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let table = MeterTable::load(None).expect("meters");
        let opts = BuildOptions {
            as_of: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            endpoint: "http://test".to_owned(),
            regions: Some(vec!["eastus2".to_owned()]),
            accept_outliers: false,
        };
        build_prices(items, &table, &catalog, &opts).expect("builds")
    }

    fn gpt4o_input(b: &Build) -> (f64, bool, String) {
        let p = b
            .file
            .token_prices
            .iter()
            .find(|p| p.model == "gpt-4o" && p.deployment_type == DeploymentTypeId::GlobalStandard)
            .expect("entry");
        (
            p.input_usd_per_1m,
            p.unverified,
            p.note.clone().unwrap_or_default(),
        )
    }

    /// Two rows for one meter and start date at 2.50 and 3.00 USD per 1M resolved by the
    /// order of the items. Now the higher price wins in either order, the conflict is listed,
    /// and the entry is marked unverified with both prices in its note; an identical duplicate
    /// is no conflict.
    #[test]
    fn issue_19_conflicting_rows_never_resolve_by_item_order() {
        let (low, high) = (input_row(0.0025), input_row(0.003));
        for items in [[low.clone(), high.clone()], [high.clone(), low.clone()]] {
            let b = build(&items);
            let (price, unverified, note) = gpt4o_input(&b);
            assert!((price - 3.0).abs() < 1e-9, "{price}");
            assert!(unverified);
            assert!(
                note.contains("rows with the same start also say 2.5"),
                "{note}"
            );
            assert_eq!(b.stats.conflicts.len(), 1, "{:?}", b.stats.conflicts);
            assert!(
                b.stats.conflicts[0].contains("gpt-4o global-standard eastus2 input"),
                "{:?}",
                b.stats.conflicts
            );
        }
        let b = build(&[low.clone(), low]);
        let (price, unverified, _) = gpt4o_input(&b);
        assert!((price - 2.5).abs() < 1e-9);
        assert!(!unverified);
        assert!(b.stats.conflicts.is_empty());
    }
}
