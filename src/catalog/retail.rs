//! Azure Retail Prices API items turned into catalog price entries (the body of
//! `catalog refresh`, minus the HTTP, which lives in [`super::refresh`]).
//!
//! Rules (facts sections 3 and 8):
//! - Only items whose `serviceName` is listed in `data/meters.yaml` are read ("Cognitive
//!   Services" before and "Foundry Models" after 2025-09-01).
//! - The newest price in force on the as-of date wins: `effectiveStartDate` on or before it and
//!   no `effectiveEndDate` before it. Two spellings of one model with the same start date: the
//!   one listed first in the table wins.
//! - Token meters come in `1K` (scaled x1000) and `1M` units. Hourly PTU meters are `1/Hour`.
//!   Reservation rows also say `1/Hour`, but their price is per PTU for the whole term
//!   (`reservationTerm` "1 Month" or "1 Year").
//! - Guards: a zero, negative or non-finite price, a non-USD currency or a unit that does not fit
//!   the meter stops the refresh; a price an order of magnitude away from the catalog's needs
//!   `accept_outliers`. All problems are reported at once.
//! - A token price with input and output meters but no cached-input meter prices cached tokens
//!   at the input price (no discount assumed, as in `data/pricing.yaml`). Any other missing
//!   piece leaves the entry out (reported as incomplete): nothing is guessed.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::meters::{parse_token_meter_name, MeterTable, TokenKind};
use super::{Catalog, DeploymentTypeId, PricesFile, PtuPrice, TokenPrice};

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
    /// Outliers let through by `accept_outliers`.
    pub accepted_outliers: Vec<String>,
}

/// The refresh result.
#[derive(Debug, Clone)]
pub struct Build {
    /// The prices file to write.
    pub file: PricesFile,
    /// Counts and lists.
    pub stats: BuildStats,
}

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
}

impl Pick {
    /// Newer start wins, then the preferred spelling, then the smaller meter id.
    fn beats(&self, other: &Pick) -> bool {
        use std::cmp::Reverse;
        (self.start, Reverse(self.priority), Reverse(&self.meter_id))
            > (
                other.start,
                Reverse(other.priority),
                Reverse(&other.meter_id),
            )
    }
}

type TokenKey = (String, DeploymentTypeId, String, TokenKind);
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
        };
        let (replaced, was_new) = match meter {
            Meter::Token {
                model,
                priority,
                kind,
                t,
                per_1m_factor,
            } => insert(
                &mut tokens,
                (model, t, region, kind),
                pick(item.retail_price * per_1m_factor, priority),
            ),
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
    let (token_prices, ptu_prices) = assemble(ctx, tokens, ptus);
    if !problems.is_empty() {
        return Err(GuardError { problems });
    }
    Ok(Build {
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

/// Insert if better; returns (an old pick was replaced, the new pick was kept).
fn insert<K: Ord>(map: &mut BTreeMap<K, Pick>, key: K, pick: Pick) -> (bool, bool) {
    match map.get(&key) {
        Some(old) if !pick.beats(old) => (false, false),
        Some(_) => {
            map.insert(key, pick);
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

struct Ctx<'a> {
    catalog: &'a Catalog,
    opts: &'a BuildOptions,
    problems: &'a mut Vec<String>,
    stats: &'a mut BuildStats,
}

impl Ctx<'_> {
    /// Check `new` against the catalog's `reference` (or, without one, against `abs_max`).
    fn check_outlier(&mut self, what: &str, new: f64, reference: Option<f64>, abs_max: f64) {
        let outlier = match reference {
            Some(old) if old > 0.0 => {
                let ratio = new / old;
                (!(1.0 / OUTLIER_FACTOR..=OUTLIER_FACTOR).contains(&ratio))
                    .then(|| format!("{what}: {new} is {ratio:.2}x the catalog's {old} (outlier)"))
            }
            _ => (new > abs_max)
                .then(|| format!("{what}: {new} is above the sanity bound {abs_max} (outlier)")),
        };
        if let Some(msg) = outlier {
            if self.opts.accept_outliers {
                self.stats.accepted_outliers.push(msg);
            } else {
                self.problems
                    .push(format!("{msg}; pass --accept-outliers if it is right"));
            }
        }
    }
}

/// Token draft: one (model, type, region).
struct Draft {
    key: (String, DeploymentTypeId),
    region: String,
    figures: Vec<f64>,
    as_of: NaiveDate,
    meters: Vec<(String, String)>,
    note: String,
}

fn assemble(
    mut ctx: Ctx<'_>,
    tokens: BTreeMap<TokenKey, Pick>,
    ptus: BTreeMap<PtuKey, Pick>,
) -> (Vec<TokenPrice>, Vec<PtuPrice>) {
    let base_note = format!(
        "Fetched by `ptuplan catalog refresh`: the newest price in force on {}.",
        ctx.opts.as_of
    );
    let mut by_key: BTreeMap<(String, DeploymentTypeId, String), BTreeMap<TokenKind, Pick>> =
        BTreeMap::new();
    for ((model, t, region, kind), pick) in tokens {
        by_key
            .entry((model, t, region))
            .or_default()
            .insert(kind, pick);
    }
    let mut drafts = Vec::new();
    for ((model, t, region), kinds) in by_key {
        let label = format!("{model} {t} {region}");
        let (Some(input), Some(output)) =
            (kinds.get(&TokenKind::Input), kinds.get(&TokenKind::Output))
        else {
            let missing = if kinds.contains_key(&TokenKind::Input) {
                "output"
            } else {
                "input"
            };
            ctx.stats
                .incomplete
                .push(format!("{label}: no {missing} meter in force"));
            continue;
        };
        let cached = kinds.get(&TokenKind::CachedInput);
        let mut note = base_note.clone();
        let cached_price = match cached {
            Some(c) => c.price,
            None => {
                note.push_str(" No cached-input meter: cached tokens are priced at the input price (no discount assumed).");
                input.price
            }
        };
        if cached_price > input.price {
            ctx.problems.push(format!(
                "{label}: cached input {cached_price} costs more than input {}",
                input.price
            ));
        }
        let reference = ctx.catalog.token_price(&model, t, &region).or_else(|| {
            ctx.catalog
                .token_prices
                .iter()
                .find(|p| p.model == model && p.deployment_type == t)
        });
        let figures = [input.price, cached_price, output.price];
        let olds = reference.map(|r| {
            [
                r.input_usd_per_1m,
                r.cached_input_usd_per_1m,
                r.output_usd_per_1m,
            ]
        });
        for (i, name) in ["input", "cached input", "output"].iter().enumerate() {
            ctx.check_outlier(
                &format!("{label} {name} [USD/1M]"),
                figures[i],
                olds.map(|o| o[i]),
                1000.0,
            );
        }
        let picks: Vec<&Pick> = [Some(input), cached, Some(output)]
            .into_iter()
            .flatten()
            .collect();
        drafts.push(Draft {
            key: (model, t),
            region,
            figures: figures.to_vec(),
            as_of: picks
                .iter()
                .map(|p| p.start.date_naive())
                .max()
                .unwrap_or(ctx.opts.as_of),
            meters: picks
                .iter()
                .map(|p| (p.meter_name.clone(), p.meter_id.clone()))
                .collect(),
            note,
        });
    }
    let token_prices = group(&drafts, ctx.opts, |d, regions, source| TokenPrice {
        model: d.key.0.clone(),
        deployment_type: d.key.1,
        regions: Some(regions),
        input_usd_per_1m: d.figures[0],
        cached_input_usd_per_1m: d.figures[1],
        output_usd_per_1m: d.figures[2],
        note: Some(d.note.clone()),
        source,
        as_of: d.as_of,
        adjustments: Vec::new(),
    });
    let ptu_drafts = ptu_drafts(&mut ctx, ptus, &base_note);
    let ptu_prices = group(&ptu_drafts, ctx.opts, |d, regions, source| PtuPrice {
        deployment_type: d.key.1,
        regions: Some(regions),
        usd_per_ptu_hour: d.figures[0],
        reservation_1_month_usd_per_ptu: d.figures[1],
        reservation_1_year_usd_per_ptu: d.figures[2],
        note: Some(d.note.clone()),
        source,
        as_of: d.as_of,
        adjustments: Vec::new(),
    });
    (token_prices, ptu_prices)
}

fn ptu_drafts(ctx: &mut Ctx<'_>, ptus: BTreeMap<PtuKey, Pick>, base_note: &str) -> Vec<Draft> {
    let mut by_key: BTreeMap<(DeploymentTypeId, String), BTreeMap<PtuBilling, Pick>> =
        BTreeMap::new();
    for ((t, region, billing), pick) in ptus {
        by_key.entry((t, region)).or_default().insert(billing, pick);
    }
    let mut drafts = Vec::new();
    for ((t, region), billings) in by_key {
        let label = format!("{t} {region}");
        let all =
            [PtuBilling::Hourly, PtuBilling::Month, PtuBilling::Year].map(|b| billings.get(&b));
        let [Some(hourly), Some(month), Some(year)] = all else {
            let missing: Vec<&str> = all
                .iter()
                .zip(["hourly", "1-month reservation", "1-year reservation"])
                .filter(|(p, _)| p.is_none())
                .map(|(_, n)| n)
                .collect();
            ctx.stats.incomplete.push(format!(
                "{label}: no {} row in force",
                missing.join(", no ")
            ));
            continue;
        };
        let reference = ctx.catalog.ptu_price(t, &region).or_else(|| {
            ctx.catalog
                .ptu_prices
                .iter()
                .find(|p| p.deployment_type == t)
        });
        let figures = [hourly.price, month.price, year.price];
        let olds = reference.map(|r| {
            [
                r.usd_per_ptu_hour,
                r.reservation_1_month_usd_per_ptu,
                r.reservation_1_year_usd_per_ptu,
            ]
        });
        for (i, (name, bound)) in [
            ("hourly [USD/PTU-h]", 100.0),
            ("1-month reservation [USD/PTU]", 10_000.0),
            ("1-year reservation [USD/PTU]", 100_000.0),
        ]
        .iter()
        .enumerate()
        {
            ctx.check_outlier(
                &format!("{label} {name}"),
                figures[i],
                olds.map(|o| o[i]),
                *bound,
            );
        }
        let picks = [hourly, month, year];
        drafts.push(Draft {
            key: (String::new(), t),
            region,
            figures: figures.to_vec(),
            as_of: picks.iter().map(|p| p.start.date_naive()).max().unwrap_or(ctx.opts.as_of),
            // The reservation rows share the hourly meter's id: list it once.
            meters: vec![(hourly.meter_name.clone(), hourly.meter_id.clone())],
            note: format!("{base_note} Reservation rows say unitOfMeasure 1/Hour, but their price is per PTU for the whole term."),
        });
    }
    drafts
}

/// Model (empty for PTU), type, figure bits, as_of, meter names, note.
type GroupKey<'a> = (
    String,
    DeploymentTypeId,
    Vec<u64>,
    NaiveDate,
    Vec<String>,
    &'a str,
);

/// Merge drafts with identical figures, dates and meters into one entry listing their regions.
fn group<T>(
    drafts: &[Draft],
    opts: &BuildOptions,
    make: impl Fn(&Draft, Vec<String>, String) -> T,
) -> Vec<T> {
    let mut groups: BTreeMap<GroupKey<'_>, Vec<&Draft>> = BTreeMap::new();
    for d in drafts {
        let names = d.meters.iter().map(|(n, _)| n.clone()).collect();
        let bits = d.figures.iter().map(|f| f.to_bits()).collect();
        groups
            .entry((
                d.key.0.clone(),
                d.key.1,
                bits,
                d.as_of,
                names,
                d.note.as_str(),
            ))
            .or_default()
            .push(d);
    }
    let mut out: Vec<(DeploymentTypeId, String, String, T)> = groups
        .into_values()
        .map(|members| {
            let first = members[0];
            let mut regions: Vec<String> = members.iter().map(|d| d.region.clone()).collect();
            regions.sort();
            let names: Vec<String> = first.meters.iter().map(|(n, _)| format!("'{n}'")).collect();
            let mut source = format!(
                "Azure Retail Prices API {}: meterName {}",
                opts.endpoint,
                names.join(", ")
            );
            if members.len() == 1 {
                let ids: Vec<&str> = first.meters.iter().map(|(_, id)| id.as_str()).collect();
                source.push_str(&format!("; meterId {}", ids.join(", ")));
            } else {
                source.push_str(&format!(
                    "; one meterId per region ({} regions)",
                    members.len()
                ));
            }
            let sort = (first.key.1, first.key.0.clone(), regions[0].clone());
            (sort.0, sort.1, sort.2, make(first, regions, source))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    out.into_iter().map(|(_, _, _, t)| t).collect()
}
