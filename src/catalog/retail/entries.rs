//! Assembling price entries from the chosen meters, figure by figure: every figure of a token
//! entry (short- and long-context input, cached input, cache write, output) and of a PTU entry
//! (hourly, 1-month, 1-year) comes from the row in force, or else is kept from the catalog's
//! entry for the same model, type and region; the provenance of each is recorded. Then the
//! outlier guard against the catalog, and merging regions with identical figures into one entry
//! whose `source` names the endpoint and meters.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{
    BuildOptions, BuildStats, Pick, Provenance, PtuBilling, PtuKey, TokenKey, OUTLIER_FACTOR,
};
use crate::catalog::meters::TokenKind;
use crate::catalog::pricing::ContextPrices;
use crate::catalog::review::{PTU_FIGURES, TOKEN_FIGURES};
use crate::catalog::sanity::{self, Figure};
use crate::catalog::{Catalog, DeploymentTypeId, PtuPrice, TokenPrice};

pub(super) struct Ctx<'a> {
    pub(super) catalog: &'a Catalog,
    pub(super) opts: &'a BuildOptions,
    pub(super) problems: &'a mut Vec<String>,
    pub(super) stats: &'a mut BuildStats,
}

/// The PTU figures' kinds: hourly, 1-month and 1-year reservation.
const PTU_KINDS: [Figure; 3] = [
    Figure::UsdPerPtuHour,
    Figure::UsdPerPtuMonth,
    Figure::UsdPerPtuYear,
];

/// The `accept_outlier` mark of an entry whose figures exceed a sanity bound: such an entry
/// exists only when `--accept-outliers` let it through, and the mark says so, so that the file
/// loads with `--prices`.
fn accepted_mark(opts: &BuildOptions, figures: &[Option<f64>], kinds: &[Figure]) -> Option<String> {
    figures
        .iter()
        .zip(kinds.iter().cycle())
        .any(|(v, k)| v.is_some_and(|v| sanity::is_above_bound(v, *k)))
        .then(|| {
            format!(
                "accepted with `catalog refresh --accept-outliers` (prices in force on {})",
                opts.as_of
            )
        })
}

impl Ctx<'_> {
    /// Check `new` against the catalog's `reference` (more than [`OUTLIER_FACTOR`] away is an
    /// outlier) and against the shared sanity bound of its kind ([`sanity`]).
    fn check_outlier(&mut self, what: &str, new: f64, reference: Option<f64>, kind: Figure) {
        let abs_max = kind.max();
        let outlier = match reference {
            Some(old)
                if old > 0.0 && !(1.0 / OUTLIER_FACTOR..=OUTLIER_FACTOR).contains(&(new / old)) =>
            {
                let ratio = new / old;
                Some(format!(
                    "{what}: {new} is {ratio:.2}x the catalog's {old} (outlier)"
                ))
            }
            _ => sanity::is_above_bound(new, kind)
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

/// One (model or PTU type, region) entry before regions with equal figures are merged.
struct Draft {
    key: (String, DeploymentTypeId),
    region: String,
    /// In the order of [`TOKEN_FIGURES`] or [`PTU_FIGURES`]; None = no such figure.
    figures: Vec<Option<f64>>,
    as_of: NaiveDate,
    meters: Vec<(String, String)>,
    note: String,
    unverified: bool,
}

/// Where one figure comes from while a draft is assembled.
enum Origin<'a> {
    Row(&'a Pick),
    Catalog,
}

/// A figure's value and origin, or None when neither a row nor the catalog has it.
/// The (long context, kind) of each of [`TOKEN_FIGURES`], in its order.
const TOKEN_FIGURE_KINDS: [(bool, TokenKind); 8] = [
    (false, TokenKind::Input),
    (false, TokenKind::CachedInput),
    (false, TokenKind::CacheWrite),
    (false, TokenKind::Output),
    (true, TokenKind::Input),
    (true, TokenKind::CachedInput),
    (true, TokenKind::CacheWrite),
    (true, TokenKind::Output),
];

/// The catalog's price of `kind` in `prices`, USD per 1M tokens; None without prices or
/// without a cache-write price.
fn catalog_price(prices: Option<ContextPrices>, kind: TokenKind) -> Option<f64> {
    let p = prices?;
    match kind {
        TokenKind::Input => Some(p.input_usd_per_1m),
        TokenKind::CachedInput => Some(p.cached_input_usd_per_1m),
        TokenKind::CacheWrite => p.cache_write_usd_per_1m,
        TokenKind::Output => Some(p.output_usd_per_1m),
    }
}

fn choose<'a>(row: Option<&'a Pick>, catalog: Option<f64>) -> Option<(f64, Origin<'a>)> {
    match (row, catalog) {
        (Some(p), _) => Some((p.price, Origin::Row(p))),
        (None, Some(v)) => Some((v, Origin::Catalog)),
        (None, None) => None,
    }
}

/// Records provenance and the figures kept from the catalog for one draft.
struct Tracker<'a> {
    t: DeploymentTypeId,
    model: String,
    region: String,
    as_of: NaiveDate,
    provenance: &'a mut Provenance,
    kept: Vec<&'static str>,
    meters: Vec<(String, String)>,
    /// Figures taken from a row that conflicts with another (see [`super`]'s rules).
    conflicts: Vec<String>,
}

impl Tracker<'_> {
    fn record(&mut self, field: &'static str, origin: &Origin<'_>) {
        let text = match origin {
            Origin::Row(p) => {
                if !p.conflicting.is_empty() {
                    let mut others: Vec<f64> = p.conflicting.clone();
                    others.sort_by(f64::total_cmp);
                    others.dedup();
                    let others: Vec<String> = others.iter().map(f64::to_string).collect();
                    self.conflicts.push(format!(
                        "{field} {} of {}: rows with the same start also say {}",
                        p.price,
                        p.describe(),
                        others.join(", ")
                    ));
                }
                if !self.meters.iter().any(|(n, _)| n == &p.meter_name) {
                    self.meters.push((p.meter_name.clone(), p.meter_id.clone()));
                }
                format!("meter '{}'", p.meter_name)
            }
            Origin::Catalog => {
                self.kept.push(field);
                format!("catalog (no row in force on {})", self.as_of)
            }
        };
        self.provenance.insert(
            (self.t, self.model.clone(), self.region.clone(), field),
            text,
        );
    }
}

/// Token and PTU entries from the picks, grouped by identical figures, and where each figure
/// came from.
pub(super) fn assemble(
    mut ctx: Ctx<'_>,
    tokens: BTreeMap<TokenKey, Pick>,
    ptus: BTreeMap<PtuKey, Pick>,
) -> (Vec<TokenPrice>, Vec<PtuPrice>, Provenance) {
    let base_note = format!(
        "Fetched by `ptuplan catalog refresh`: the newest price in force on {}.",
        ctx.opts.as_of
    );
    let mut provenance = Provenance::new();
    let drafts = token_drafts(&mut ctx, tokens, &base_note, &mut provenance);
    let token_prices = group(&drafts, ctx.opts, |d, regions, source| {
        let f = &d.figures;
        let long = match (f[4], f[7]) {
            (Some(input), Some(output)) => Some(ContextPrices {
                input_usd_per_1m: input,
                cached_input_usd_per_1m: f[5].unwrap_or(input),
                cache_write_usd_per_1m: f[6],
                output_usd_per_1m: output,
            }),
            _ => None,
        };
        TokenPrice {
            model: d.key.0.clone(),
            deployment_type: d.key.1,
            regions: Some(regions),
            input_usd_per_1m: f[0].unwrap_or(f64::NAN),
            cached_input_usd_per_1m: f[1].unwrap_or(f64::NAN),
            cache_write_usd_per_1m: f[2],
            output_usd_per_1m: f[3].unwrap_or(f64::NAN),
            long_context: long,
            effective_from: Some(d.as_of),
            effective_to: None,
            unverified: d.unverified,
            note: Some(d.note.clone()),
            source,
            as_of: d.as_of,
            accept_outlier: accepted_mark(ctx.opts, f, &[Figure::UsdPer1mTokens]),
            adjustments: Vec::new(),
        }
    });
    let ptu_drafts = ptu_drafts(&mut ctx, ptus, &base_note, &mut provenance);
    let ptu_prices = group(&ptu_drafts, ctx.opts, |d, regions, source| PtuPrice {
        deployment_type: d.key.1,
        regions: Some(regions),
        usd_per_ptu_hour: d.figures[0].unwrap_or(f64::NAN),
        reservation_1_month_usd_per_ptu: d.figures[1].unwrap_or(f64::NAN),
        reservation_1_year_usd_per_ptu: d.figures[2].unwrap_or(f64::NAN),
        effective_from: Some(d.as_of),
        effective_to: None,
        unverified: d.unverified,
        note: Some(d.note.clone()),
        source,
        as_of: d.as_of,
        accept_outlier: accepted_mark(ctx.opts, &d.figures, &PTU_KINDS),
        adjustments: Vec::new(),
    });
    (token_prices, ptu_prices, provenance)
}

type KindPicks = BTreeMap<(bool, TokenKind), Pick>;

fn token_drafts(
    ctx: &mut Ctx<'_>,
    tokens: BTreeMap<TokenKey, Pick>,
    base_note: &str,
    provenance: &mut Provenance,
) -> Vec<Draft> {
    let mut by_key: BTreeMap<(String, DeploymentTypeId, String), KindPicks> = BTreeMap::new();
    for ((model, t, region, long, kind), pick) in tokens {
        by_key
            .entry((model, t, region))
            .or_default()
            .insert((long, kind), pick);
    }
    let mut drafts = Vec::new();
    for ((model, t, region), kinds) in by_key {
        if let Some(d) = token_draft(ctx, &model, t, &region, &kinds, base_note, provenance) {
            drafts.push(d);
        }
    }
    drafts
}

fn token_draft(
    ctx: &mut Ctx<'_>,
    model: &str,
    t: DeploymentTypeId,
    region: &str,
    kinds: &KindPicks,
    base_note: &str,
    provenance: &mut Provenance,
) -> Option<Draft> {
    let label = format!("{model} {t} {region}");
    let old = ctx.catalog.token_price(model, t, region);
    let old_short = old.map(TokenPrice::short_context);
    let old_long = old.and_then(|o| o.long_context);
    let old_price = |(long, kind): (bool, TokenKind)| {
        catalog_price(if long { old_long } else { old_short }, kind)
    };
    let row = |long: bool, kind: TokenKind| kinds.get(&(long, kind));
    let pick = |long: bool, kind: TokenKind| choose(row(long, kind), old_price((long, kind)));
    let (Some(input), Some(output)) = (
        pick(false, TokenKind::Input),
        pick(false, TokenKind::Output),
    ) else {
        let missing = if row(false, TokenKind::Input).is_some() || old.is_some() {
            "output"
        } else {
            "input"
        };
        ctx.stats.incomplete.push(format!(
            "{label}: no {missing} meter in force and no catalog price to keep"
        ));
        return None;
    };
    let mut note = base_note.to_owned();
    let cached = pick(false, TokenKind::CachedInput).unwrap_or_else(|| {
        note.push_str(" No cached-input meter: cached tokens are priced at the input price (no discount assumed).");
        (input.0, Origin::Catalog)
    });
    let cache_write = pick(false, TokenKind::CacheWrite);
    let any_long = kinds.keys().any(|(long, _)| *long);
    let long_in = pick(true, TokenKind::Input);
    let long_out = pick(true, TokenKind::Output);
    let long_complete = long_in.is_some() && long_out.is_some();
    if any_long && !long_complete {
        ctx.stats.incomplete.push(format!(
            "{label}: long-context meters without a long-context {} in force or in the catalog; long-context prices left out",
            if long_in.is_none() { "input" } else { "output" }
        ));
    }
    let (long_cached, long_write) = if long_complete {
        (
            pick(true, TokenKind::CachedInput),
            pick(true, TokenKind::CacheWrite),
        )
    } else {
        (None, None)
    };
    let figures: [Option<(f64, Origin<'_>)>; 8] = [
        Some(input),
        Some(cached),
        cache_write,
        Some(output),
        long_complete.then_some(long_in).flatten(),
        long_cached,
        long_write,
        long_complete.then_some(long_out).flatten(),
    ];
    let olds = TOKEN_FIGURE_KINDS.map(old_price);
    let mut tracker = Tracker {
        t,
        model: model.to_owned(),
        region: region.to_owned(),
        as_of: ctx.opts.as_of,
        provenance,
        kept: Vec::new(),
        meters: Vec::new(),
        conflicts: Vec::new(),
    };
    let mut values = Vec::with_capacity(8);
    let mut starts = Vec::new();
    for (i, fig) in figures.iter().enumerate() {
        let field = TOKEN_FIGURES[i];
        match fig {
            Some((v, origin)) => {
                if let Origin::Row(p) = origin {
                    ctx.check_outlier(
                        &format!("{label} {field}"),
                        *v,
                        olds[i],
                        Figure::UsdPer1mTokens,
                    );
                    starts.push(p.start.date_naive());
                }
                tracker.record(field, origin);
                values.push(Some(*v));
            }
            None => values.push(None),
        }
    }
    check_order(ctx, &label, &values);
    ctx.stats.kept_from_catalog += tracker.kept.len();
    record_conflicts(ctx, &label, &tracker);
    finish_draft(
        (model.to_owned(), t),
        region,
        values,
        starts,
        tracker,
        note,
        old.is_some_and(|o| o.unverified),
        ctx.opts.as_of,
    )
}

/// List a draft's conflicting rows in the refresh's stats.
fn record_conflicts(ctx: &mut Ctx<'_>, label: &str, tracker: &Tracker<'_>) {
    for c in &tracker.conflicts {
        ctx.stats.conflicts.push(format!(
            "{label} {c}; the higher price is kept (unverified)"
        ));
    }
}

/// Cached input above input is impossible for a real price list.
fn check_order(ctx: &mut Ctx<'_>, label: &str, v: &[Option<f64>]) {
    for (cached, input, what) in [(1, 0, "cached input"), (5, 4, "long-context cached input")] {
        if let (Some(c), Some(i)) = (v[cached], v[input]) {
            if c > i {
                ctx.problems
                    .push(format!("{label}: {what} {c} costs more than its input {i}"));
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn finish_draft(
    key: (String, DeploymentTypeId),
    region: &str,
    figures: Vec<Option<f64>>,
    starts: Vec<NaiveDate>,
    tracker: Tracker<'_>,
    mut note: String,
    catalog_unverified: bool,
    as_of: NaiveDate,
) -> Option<Draft> {
    let kept = !tracker.kept.is_empty();
    if kept {
        note.push_str(&format!(
            " Kept from the catalog (no row in force): {}.",
            tracker.kept.join(", ")
        ));
    }
    let mut unverified = kept && catalog_unverified;
    if unverified {
        note.push_str(" The catalog entry they come from is marked unverified.");
    }
    if !tracker.conflicts.is_empty() {
        unverified = true;
        note.push_str(&format!(
            " Conflicting rows: {}; the higher price is kept (unverified).",
            tracker.conflicts.join("; ")
        ));
    }
    Some(Draft {
        key,
        region: region.to_owned(),
        figures,
        as_of: starts.into_iter().max().unwrap_or(as_of),
        meters: tracker.meters,
        note,
        unverified,
    })
}

fn ptu_drafts(
    ctx: &mut Ctx<'_>,
    ptus: BTreeMap<PtuKey, Pick>,
    base_note: &str,
    provenance: &mut Provenance,
) -> Vec<Draft> {
    let mut by_key: BTreeMap<(DeploymentTypeId, String), BTreeMap<PtuBilling, Pick>> =
        BTreeMap::new();
    for ((t, region, billing), pick) in ptus {
        by_key.entry((t, region)).or_default().insert(billing, pick);
    }
    let mut drafts = Vec::new();
    for ((t, region), billings) in by_key {
        let label = format!("{t} {region}");
        let old = ctx.catalog.ptu_price(t, &region);
        let olds = [
            old.map(|o| o.usd_per_ptu_hour),
            old.map(|o| o.reservation_1_month_usd_per_ptu),
            old.map(|o| o.reservation_1_year_usd_per_ptu),
        ];
        let rows =
            [PtuBilling::Hourly, PtuBilling::Month, PtuBilling::Year].map(|b| billings.get(&b));
        let chosen: Vec<Option<(f64, Origin<'_>)>> =
            rows.iter().zip(olds).map(|(r, o)| choose(*r, o)).collect();
        if chosen.iter().any(Option::is_none) {
            let missing: Vec<&str> = chosen
                .iter()
                .zip(["hourly", "1-month reservation", "1-year reservation"])
                .filter(|(c, _)| c.is_none())
                .map(|(_, n)| n)
                .collect();
            ctx.stats.incomplete.push(format!(
                "{label}: no {} row in force and no catalog price to keep",
                missing.join(", no ")
            ));
            continue;
        }
        let mut tracker = Tracker {
            t,
            model: String::new(),
            region: region.clone(),
            as_of: ctx.opts.as_of,
            provenance,
            kept: Vec::new(),
            meters: Vec::new(),
            conflicts: Vec::new(),
        };
        let mut values = Vec::new();
        let mut starts = Vec::new();
        for (i, fig) in chosen.iter().enumerate() {
            let (v, origin) = fig.as_ref().expect("checked above");
            if let Origin::Row(p) = origin {
                ctx.check_outlier(
                    &format!("{label} {}", PTU_FIGURES[i]),
                    *v,
                    olds[i],
                    PTU_KINDS[i],
                );
                starts.push(p.start.date_naive());
            }
            tracker.record(PTU_FIGURES[i], origin);
            values.push(Some(*v));
        }
        ctx.stats.kept_from_catalog += tracker.kept.len();
        record_conflicts(ctx, &label, &tracker);
        // The reservation rows share the hourly meter's id: list each meter name once.
        let note = format!("{base_note} Reservation rows say unitOfMeasure 1/Hour, but their price is per PTU for the whole term.");
        if let Some(d) = finish_draft(
            (String::new(), t),
            &region,
            values,
            starts,
            tracker,
            note,
            old.is_some_and(|o| o.unverified),
            ctx.opts.as_of,
        ) {
            drafts.push(d);
        }
    }
    drafts
}

/// Model (empty for PTU), type, figure bits, as_of, meter names, note, unverified.
type GroupKey<'a> = (
    String,
    DeploymentTypeId,
    Vec<Option<u64>>,
    NaiveDate,
    Vec<String>,
    &'a str,
    bool,
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
        let bits = d.figures.iter().map(|f| f.map(f64::to_bits)).collect();
        groups
            .entry((
                d.key.0.clone(),
                d.key.1,
                bits,
                d.as_of,
                names,
                d.note.as_str(),
                d.unverified,
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
                let mut ids: Vec<&str> = first.meters.iter().map(|(_, id)| id.as_str()).collect();
                ids.dedup();
                source.push_str(&format!("; meterId {}", ids.join(", ")));
            } else {
                source.push_str(&format!(
                    "; one meterId per region ({} regions)",
                    members.len()
                ));
            }
            if first.note.contains("Kept from the catalog") {
                source.push_str("; other figures kept from the catalog (see note)");
            }
            let sort = (first.key.1, first.key.0.clone(), regions[0].clone());
            (sort.0, sort.1, sort.2, make(first, regions, source))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    out.into_iter().map(|(_, _, _, t)| t).collect()
}
