//! The procurement view behind `ptuplan regions`: for each workload, every region x provisioned
//! type x term where its model can be deployed (after `--overrides` and `--residency`), with the
//! monthly cost at the workload's PTU count, ranked cheapest first.
//!
//! One count per option: a row for type T and term B uses the PTU count of the workload's own
//! option T/B (the count `compare` shows; basis as there), because the count a workload needs
//! does not depend on where the capacity is bought. When that option spills over, the row adds
//! the spilled tokens priced at the candidate region's Standard prices; where the candidate
//! region has no such price, 429s would fail, so the row uses the count that needs no
//! spillover (`sizing.<T>.min_ptus_for_target`). For a type the workload's own region does not
//! offer, the count is the one found for it without spillover
//! (`sizing_other_types.<T>.min_ptus_for_target`). Monthly cost = PTUs x the term's effective
//! USD per PTU-hour x 730 h, plus spillover.

use serde::Serialize;

use super::constraints::Constraints;
use super::cost::{self, Billing, HOURS_PER_MONTH};
use super::options::{candidate, processing_label, Candidate};
use super::remark::{OptionNote, PtusBasis, Unavailable};
use super::WorkloadPlan;
use crate::catalog::{Catalog, DeploymentTypeId};
use crate::usage::WorkloadKey;

/// One deployable region x type x term (its JSON, `workloads[].rows[]`, is the report's).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRow {
    /// 1 = cheapest.
    pub rank: usize,
    /// Region (`armRegionName`).
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// `hourly`, `reserved-1-month` or `reserved-1-year`.
    pub billing: Billing,
    /// PTUs priced: the count of the workload's own option for this type and term.
    pub ptus: u32,
    /// How that count was chosen (see the module docs; None: the option gave none).
    pub sizing_basis: Option<PtusBasis>,
    /// PTU cost plus spillover per 730-hour month, USD.
    pub monthly_cost_usd: f64,
    /// The spillover part of `monthly_cost_usd`, at this region's Standard prices, USD.
    pub spillover_monthly_cost_usd: f64,
    /// Effective USD per PTU per month under this term.
    pub usd_per_ptu_month: f64,
    /// Where inference is processed (`global`, `data zone EU`, `region swedencentral`).
    pub processing: String,
    /// Latency target, output tokens per second (Microsoft's "99% > x TPS").
    pub latency_target_tokens_per_s: f64,
    /// `list`, or the overrides that changed the price.
    pub price_basis: String,
    /// The price entry's `as_of`.
    pub price_as_of: String,
    /// Why the type counts as available there (`catalog`, `sales`, `log`, or, inferred and
    /// flagged [U], `catalog-unverified` and `unlisted`).
    pub availability_basis: super::options::AvailabilityBasis,
    /// Remarks (sales-confirmed availability, capacity limit), in order.
    pub note: Vec<OptionNote>,
    /// What buying here means for callers in the `--from` region (default: the workload's).
    pub from: RegionMove,
    /// Whether this row is the workload's decision (its own region, the decided type and
    /// term): the one answer `compare` gives.
    pub decided: bool,
}

/// The network side of buying capacity in another region (JSON `rows[].from`).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMove {
    /// Where the callers are.
    pub region: String,
    /// Round-trip latency from there to the candidate region, ms (Azure's published P50; 0 in
    /// the same region; None when the table has no figure).
    pub round_trip_ms: Option<u32>,
    /// Bytes crossing between the two regions per 730-hour month, GB (10^9 bytes): prompt
    /// tokens one way and visible completion tokens (reasoning is not sent) back, times the
    /// catalog's bytes per token. 0 in the same region.
    pub transfer_gb_per_month: f64,
    /// The transfer's cost per month at the catalog's inter-region prices, USD (None: not
    /// priced; never assumed 0).
    pub transfer_monthly_cost_usd: Option<f64>,
    /// Whether the candidate region is outside the callers' data zone (or the callers' region
    /// is in none): the move breaks data-zone residency.
    pub crosses_data_zone: bool,
    /// How the figures were found, and what is missing.
    pub note: Vec<MoveNote>,
}

/// What a [`RegionMove`]'s figures lack.
#[derive(Debug, Clone, PartialEq)]
pub enum MoveNote {
    /// No published round trip between the two regions.
    NoRoundTrip {
        /// The callers' region.
        from: String,
        /// The candidate region.
        to: String,
    },
    /// The same region: nothing crosses.
    SameRegion,
    /// A transfer price is unverified.
    UnverifiedTransferPrice,
    /// No sourced transfer price between the two.
    TransferNotPriced {
        /// The callers' region.
        from: String,
        /// The candidate region.
        to: String,
    },
    /// The catalog's bytes per token are unverified.
    BytesPerTokenUnverified(f64),
}

/// Why a region x type cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum RegionGap {
    /// The type is not usable there.
    Unavailable(Unavailable),
    /// The count needed is above a sales capacity limit.
    OverCapacity {
        /// The count needed.
        ptus: u32,
        /// The limit.
        max_ptus: u32,
        /// The candidate region.
        region: String,
        /// `file:line` of the limit.
        at: String,
    },
    /// The candidate region has no spillover target and no count meets the target alone.
    NoSpillNoCount {
        /// The candidate region.
        region: String,
    },
    /// A type the workload's region does not offer: no count up to this one meets the target.
    NeedsMoreThan(u32),
    /// The type was not sized for the workload.
    NotSized(DeploymentTypeId),
}

/// The network facts of serving callers in `from` from region `to`.
pub fn region_move(
    catalog: &Catalog,
    w: &WorkloadPlan,
    from: &str,
    to: &str,
    span_hours: f64,
) -> RegionMove {
    let net = &catalog.network;
    let same = from == to;
    let bpt = net.bytes_per_token.value;
    let visible = w.completion_tokens.saturating_sub(w.reasoning_tokens);
    let month = |tokens: u64| cost::monthly_usd(tokens as f64 * bpt / 1e9, span_hours);
    let (up_gb, down_gb) = if same {
        (0.0, 0.0)
    } else {
        (month(w.prompt_tokens), month(visible))
    };
    let mut notes = Vec::new();
    let rtt = net.round_trip_ms(from, to);
    if rtt.is_none() {
        notes.push(MoveNote::NoRoundTrip {
            from: from.to_owned(),
            to: to.to_owned(),
        });
    }
    let transfer = if same {
        notes.push(MoveNote::SameRegion);
        Some(0.0)
    } else {
        match (net.transfer_price(from, to), net.transfer_price(to, from)) {
            (Some(a), Some(b)) => {
                if a.unverified || b.unverified {
                    notes.push(MoveNote::UnverifiedTransferPrice);
                }
                Some(up_gb * a.usd_per_gb + down_gb * b.usd_per_gb)
            }
            _ => {
                notes.push(MoveNote::TransferNotPriced {
                    from: from.to_owned(),
                    to: to.to_owned(),
                });
                None
            }
        }
    };
    if net.bytes_per_token.unverified && !same {
        notes.push(MoveNote::BytesPerTokenUnverified(bpt));
    }
    let zone = |r: &str| catalog.data_zone_of(r).map(|z| z.id.clone());
    let crosses = !same && (zone(from).is_none() || zone(from) != zone(to));
    RegionMove {
        region: from.to_owned(),
        round_trip_ms: rtt,
        transfer_gb_per_month: up_gb + down_gb,
        transfer_monthly_cost_usd: transfer,
        crosses_data_zone: crosses,
        note: notes,
    }
}

/// A region x type the workload cannot use, and why (JSON `workloads[].excluded[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExcludedRegion {
    /// Region.
    pub region: String,
    /// Provisioned type.
    pub deployment_type: DeploymentTypeId,
    /// Why.
    pub reason: RegionGap,
}

/// One workload's ranking (its JSON is the report's).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionPlan {
    /// Deployment name.
    pub deployment: String,
    /// Catalog model id.
    pub model: String,
    /// The workload's own region (where its sizing was simulated).
    pub region: String,
    /// Deployable options, cheapest first.
    pub rows: Vec<RegionRow>,
    /// Region x type pairs left out, with reasons.
    pub excluded: Vec<ExcludedRegion>,
    /// The workload's decision (`compare`'s): its status, option, PTUs and monthly cost.
    pub decision: RegionDecision,
}

/// What `compare` decided for the workload, as `regions` shows it beside the ranking.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionDecision {
    /// `firm`, `provisional` or `none`.
    pub status: super::DecisionStatus,
    /// The decided option's id.
    pub option: Option<String>,
    /// Its PTUs.
    pub ptus: Option<u32>,
    /// Its monthly cost, USD.
    pub monthly_cost_usd: Option<f64>,
    /// What it commits to, USD.
    pub commitment_usd: f64,
    /// The decision's reason codes (JSON `reasons[].code` of `compare`), which say why a
    /// commitment ranked above the decided row was not decided.
    pub reasons: Vec<&'static str>,
}

/// Rank the regions for every planned workload.
pub fn rank_regions(
    catalog: &Catalog,
    constraints: &Constraints,
    plans: &[WorkloadPlan],
    span_hours: f64,
    from: Option<&str>,
) -> Vec<RegionPlan> {
    let regions = catalog.known_regions();
    plans
        .iter()
        .map(|w| {
            let mut rows = Vec::new();
            let mut excluded = Vec::new();
            for t in DeploymentTypeId::PROVISIONED {
                for region in &regions {
                    let key = WorkloadKey {
                        deployment: w.deployment.clone(),
                        model: w.model.clone(),
                        region: (*region).to_owned(),
                    };
                    match region_rows(catalog, constraints, w, &key, t, span_hours) {
                        Ok(mut r) => {
                            let m = region_move(
                                catalog,
                                w,
                                from.unwrap_or(&w.region),
                                region,
                                span_hours,
                            );
                            for row in &mut r {
                                row.from = m.clone();
                            }
                            rows.append(&mut r)
                        }
                        Err(reason) => excluded.push(ExcludedRegion {
                            region: key.region,
                            deployment_type: t,
                            reason,
                        }),
                    }
                }
            }
            // Equal costs (a price list that is flat across regions) rank the log's own
            // region first, then regions in its data zone, then the shortest round trip from
            // `--from` (issue 23: australiaeast ranked above the log's eastus2 on a tie).
            rows.sort_by(|a, b| {
                a.monthly_cost_usd
                    .total_cmp(&b.monthly_cost_usd)
                    .then_with(|| (a.region != w.region).cmp(&(b.region != w.region)))
                    .then(a.from.crosses_data_zone.cmp(&b.from.crosses_data_zone))
                    .then_with(|| {
                        let rtt = |r: &RegionRow| r.from.round_trip_ms.unwrap_or(u32::MAX);
                        rtt(a).cmp(&rtt(b))
                    })
                    .then_with(|| a.region.cmp(&b.region))
                    .then(a.deployment_type.cmp(&b.deployment_type))
                    .then(a.billing.cmp(&b.billing))
            });
            let d = w.decision.option.as_ref();
            for (i, r) in rows.iter_mut().enumerate() {
                r.rank = i + 1;
                r.decided = d.is_some_and(|d| {
                    r.region == w.region
                        && r.deployment_type == d.deployment_type
                        && r.billing == d.billing
                        && Some(r.ptus) == d.ptus
                });
            }
            RegionPlan {
                deployment: w.deployment.clone(),
                model: w.model.clone(),
                region: w.region.clone(),
                rows,
                excluded,
                decision: RegionDecision {
                    status: w.decision.status,
                    option: d.map(|o| o.option_id.clone()),
                    ptus: d.and_then(|o| o.ptus),
                    monthly_cost_usd: d.map(|o| o.monthly_cost_usd),
                    commitment_usd: w.decision.commitment_usd(),
                    reasons: w.decision.reasons.iter().map(|r| r.code()).collect(),
                },
            }
        })
        .collect()
}

/// The three terms of one region x type, or why there are none.
fn region_rows(
    catalog: &Catalog,
    constraints: &Constraints,
    w: &WorkloadPlan,
    key: &WorkloadKey,
    t: DeploymentTypeId,
    span_hours: f64,
) -> Result<Vec<RegionRow>, RegionGap> {
    let (spec, _, price, cap) = match candidate(catalog, constraints, key, t) {
        Candidate::Provisioned {
            spec,
            increment,
            price,
            cap,
        } => (spec, increment, price, cap),
        Candidate::Unavailable(reason) => return Err(RegionGap::Unavailable(reason)),
        Candidate::PerToken(_) => unreachable!("PTU types are never priced per token"),
    };
    let availability = super::options::availability(catalog, constraints, key, t)
        .map_err(RegionGap::Unavailable)?;
    let mut notes: Vec<OptionNote> = availability
        .note
        .clone()
        .map(OptionNote::Availability)
        .into_iter()
        .chain(super::options::price_unverified_note(price.unverified))
        .collect();
    let rows_for = |billing: Billing| -> Result<(u32, Option<PtusBasis>, f64), RegionGap> {
        let (ptus, basis, spill_usd) = count_for(catalog, constraints, w, key, t, billing)?;
        if let Some(c) = cap.filter(|c| ptus > c.max_ptus) {
            return Err(RegionGap::OverCapacity {
                ptus,
                max_ptus: c.max_ptus,
                region: key.region.clone(),
                at: c.at.clone(),
            });
        }
        Ok((ptus, basis, spill_usd))
    };
    if let Some(c) = cap {
        notes.push(OptionNote::RegionCapacity {
            max_ptus: c.max_ptus,
            at: c.at.clone(),
        });
    }
    let price_basis = if price.adjustments.is_empty() {
        "list".to_owned()
    } else {
        price.adjustments.join(", ")
    };
    Billing::PROVISIONED
        .into_iter()
        .map(|billing| {
            let (ptus, basis, spill_usd) = rows_for(billing)?;
            let usd_per_ptu_month = billing.usd_per_ptu_hour(price) * HOURS_PER_MONTH;
            let spill_month = cost::monthly_usd(spill_usd, span_hours);
            Ok(RegionRow {
                rank: 0,
                region: key.region.clone(),
                deployment_type: t,
                billing,
                ptus,
                sizing_basis: basis,
                // The same arithmetic as `compare`'s option (cost over the span, then per
                // month): one quantity, one value, to the last digit.
                monthly_cost_usd: cost::monthly_usd(
                    cost::ptu_cost_usd(ptus, span_hours, billing, price) + spill_usd,
                    span_hours,
                ),
                spillover_monthly_cost_usd: spill_month,
                usd_per_ptu_month,
                processing: processing_label(catalog, key, t),
                latency_target_tokens_per_s: spec.latency_target_tokens_per_s,
                price_basis: price_basis.clone(),
                price_as_of: price.as_of.to_string(),
                availability_basis: availability.basis,
                note: notes.clone(),
                from: RegionMove {
                    region: String::new(),
                    round_trip_ms: None,
                    transfer_gb_per_month: 0.0,
                    transfer_monthly_cost_usd: None,
                    crosses_data_zone: false,
                    note: Vec::new(),
                },
                decided: false,
            })
        })
        .collect()
}

/// The PTU count, its basis and the spillover cost over the span (USD, at `key.region`'s
/// Standard prices) of type `t` under `billing` for workload `w`.
fn count_for(
    catalog: &Catalog,
    constraints: &Constraints,
    w: &WorkloadPlan,
    key: &WorkloadKey,
    t: DeploymentTypeId,
    billing: Billing,
) -> Result<(u32, Option<PtusBasis>, f64), RegionGap> {
    let own = w
        .options
        .iter()
        .find(|o| o.deployment_type == t && o.billing == billing && o.available);
    if let Some(o) = own {
        let ptus = o.ptus.unwrap_or(0);
        let basis = o.ptus_basis.clone();
        let Some(tokens) = o
            .spilled_tokens
            .filter(|_| o.spilled_requests.unwrap_or(0) > 0)
        else {
            return Ok((ptus, basis, 0.0));
        };
        // Spillover needs the Standard type offered and priced in the candidate region.
        let spill_price = catalog
            .deployment_types
            .get(&t)
            .and_then(|d| d.spillover_target)
            .and_then(
                |target| match candidate(catalog, constraints, key, target) {
                    Candidate::PerToken(p) => Some(p),
                    _ => None,
                },
            );
        // A Standard type without the long-context prices the spilled requests need cannot
        // take them: as if it did not spill.
        if let Some(Ok(usd)) = spill_price.map(|p| p.cost_usd(&tokens)) {
            return Ok((ptus, basis, usd));
        }
        // No spillover here: the count that needs none.
        return match w.sizing.get(&t).and_then(|s| s.min_ptus_for_target) {
            Some(n) => Ok((
                n,
                Some(PtusBasis::SmallestWithoutSpillIn {
                    region: key.region.clone(),
                }),
                0.0,
            )),
            None => Err(RegionGap::NoSpillNoCount {
                region: key.region.clone(),
            }),
        };
    }
    match w.sizing_other_types.get(&t) {
        Some(s) => match s.min_ptus_for_target {
            Some(n) => Ok((
                n,
                Some(PtusBasis::SmallestNotOffered {
                    deployment_type: t,
                    region: w.region.clone(),
                }),
                0.0,
            )),
            None => Err(RegionGap::NeedsMoreThan(
                s.needs_more_than_ptus.unwrap_or(0),
            )),
        },
        None => Err(RegionGap::NotSized(t)),
    }
}
