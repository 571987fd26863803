//! The plan's projected monthly charges, for the FinOps FOCUS export: per month of the
//! horizon, every charge the plan implies, each with a quantity in its pricing unit and the
//! unit price, so that quantity x unit price = cost on every row.
//!
//! - per-token usage: one row per workload, token category (ordinary input, cache read, cache
//!   write, output) and context class, in `1000000 Tokens` at the option's price;
//! - hourly PTUs: `PTU-Hours` at the hourly price;
//! - reservations: a purchase row when bought (`PTU-Years` or `PTU-Months`, billed then), and
//!   a usage row per month with the amortized cost (used and unused reserved PTU-hours apart);
//! - spillover: per-token rows at the spillover target's prices.
//!
//! The months are 730-hour months, as everywhere in ptuplan. List prices come from the catalog
//! before `--overrides`; contracted prices from the one the plan was priced with.

mod owed;
mod rows;

use serde::Serialize;

use super::cost::{Billing, HOURS_PER_MONTH};
use super::ladder::LadderPlan;
use super::WorkloadPlan;
use crate::catalog::{Catalog, DeploymentTypeId};
use owed::owed_reservation;
use rows::{flat_rows, hourly, purchase, reserved_usage, token_rows};

/// `ChargeCategory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChargeCategory {
    /// Consumption.
    Usage,
    /// A commitment bought.
    Purchase,
}

/// How a row's price was reached (`PricingCategory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PricingCategory {
    /// The (contracted) rate.
    Standard,
    /// Covered by a commitment (a reservation).
    Committed,
}

/// The reservation a row belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Commitment {
    /// Identifier (`ptuplan/<scenario>/<region>/<type>/<term>`).
    pub id: String,
    /// `reserved-1-year` or `reserved-1-month`.
    pub term: Billing,
    /// True for the reserved PTU-hours nothing was deployed on.
    pub unused: bool,
}

/// What a projected row charges, typed; the row's type, billing, model and term complete it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charged {
    /// PTUs billed hourly for a 730-hour month.
    HourlyPtus {
        /// PTUs.
        ptus: u32,
    },
    /// PTUs bought on a reservation (the row's billing is the term).
    ReservationPurchase {
        /// PTUs.
        ptus: u32,
    },
    /// Reserved PTUs over a 730-hour month, amortized: used, or left unused.
    ReservedPtus {
        /// PTUs.
        ptus: u32,
        /// True for the reserved PTU-hours nothing was deployed on.
        unused: bool,
    },
    /// Per-token tokens of one price class and category.
    Tokens {
        /// Long-context prices.
        long_context: bool,
        /// `input`, `cached input`, `cache write` or `output`.
        category: &'static str,
        /// Spilled over from a provisioned deployment.
        spillover: bool,
    },
}

/// One projected charge.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectedCharge {
    /// Month of the horizon (1 = the first).
    pub month: u32,
    /// Usage or purchase.
    pub category: ChargeCategory,
    /// Standard or committed pricing.
    pub pricing: PricingCategory,
    /// The reservation, for rows of one.
    pub commitment: Option<Commitment>,
    /// Deployment (None for a pool's reservation rows).
    pub deployment: Option<String>,
    /// Model (None for a pool's reservation rows).
    pub model: Option<String>,
    /// Region.
    pub region: String,
    /// Deployment type.
    pub deployment_type: DeploymentTypeId,
    /// Billing.
    pub billing: Billing,
    /// What is charged (its words: [`crate::report::text::charge_description`]).
    pub charged: Charged,
    /// The SKU-like name: type and what is metered (`global-standard/output`).
    pub sku: String,
    /// Quantity in `pricing_unit`.
    pub pricing_quantity: f64,
    /// `1000000 Tokens`, `PTU-Hours`, `PTU-Months`, `PTU-Years`.
    pub pricing_unit: &'static str,
    /// Quantity consumed in `consumed_unit` (None for purchases).
    pub consumed_quantity: Option<f64>,
    /// `Tokens` or `PTU-Hours`.
    pub consumed_unit: Option<&'static str>,
    /// List price per pricing unit, USD.
    pub list_unit_price_usd: f64,
    /// Contracted price per pricing unit, USD.
    pub contracted_unit_price_usd: f64,
    /// What is invoiced, USD (0 on amortized reservation usage).
    pub billed_cost_usd: f64,
    /// The cost with purchases amortized, USD (0 on purchases).
    pub effective_cost_usd: f64,
}

impl ProjectedCharge {
    /// Quantity x list unit price, USD.
    pub fn list_cost_usd(&self) -> f64 {
        self.pricing_quantity * self.list_unit_price_usd
    }

    /// Quantity x contracted unit price, USD.
    pub fn contracted_cost_usd(&self) -> f64 {
        self.pricing_quantity * self.contracted_unit_price_usd
    }
}

/// What a projection is built from.
pub enum Basis<'a> {
    /// The same plans every month (no growth). A plan whose model retires inside the horizon
    /// continues, from the first month on or after its retirement, as its successor: the plan of
    /// the same deployment and region on the replacement its retirement names (the retirement
    /// scenario's), when there is one.
    Flat {
        /// The plans.
        plans: &'a [WorkloadPlan],
        /// Plans of the retiring ones' replacements (empty: none).
        successors: &'a [WorkloadPlan],
    },
    /// A reservation ladder's months.
    Ladder(&'a LadderPlan),
}

/// The projection (not in the JSON; `--format focus` and `report`'s `focus.csv`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Projection {
    /// The scenario projected (`baseline` for the log as is).
    pub scenario: String,
    /// Months.
    pub horizon_months: u32,
    /// Every charge, by month.
    pub rows: Vec<ProjectedCharge>,
    /// Workloads whose charges stop before the horizon ends because their model retires and no
    /// plan of a replacement follows it (a ladder's retired members, and flat projections
    /// without a successor).
    pub stops: Vec<ProjectionStop>,
}

/// A workload's charges that stop before the horizon ends.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionStop {
    /// The deployment.
    pub deployment: String,
    /// The model that retires (the replacement's, when the workload continued on one).
    pub model: String,
    /// Its retirement date.
    pub retirement: Option<chrono::NaiveDate>,
    /// The first month without charges (1-based).
    pub from_month: u32,
    /// The last month a 1-year reservation decided for it is still charged (its term), when
    /// that is after the stop.
    pub reservation_until_month: Option<u32>,
    /// True for a reservation plan's member: the plan leaves it at its retirement by design
    /// and never carries a replacement (the retirement scenario prices that), whether or not
    /// one was decided.
    pub by_plan: bool,
}

impl Projection {
    /// The effective cost of each month, USD.
    pub fn monthly_effective_cost_usd(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.horizon_months as usize];
        for r in &self.rows {
            if let Some(slot) = out.get_mut(r.month as usize - 1) {
                *slot += r.effective_cost_usd;
            }
        }
        out
    }
}

/// Prices for a projection: list (before `--overrides`) and contracted (after).
pub struct Prices<'a> {
    /// The catalog before `--overrides`.
    pub list: &'a Catalog,
    /// The catalog the plan was priced with.
    pub contracted: &'a Catalog,
}

/// Project `basis` over `horizon_months` months.
/// The plan that follows `p` once its model retires: the same deployment and region on the
/// replacement its retirement names, when it decided something (a replacement with no
/// eligible option has no charges to project, and is said as a stop).
fn successor<'p>(p: &WorkloadPlan, successors: &'p [WorkloadPlan]) -> Option<&'p WorkloadPlan> {
    let replacement = p.lifecycle.as_ref()?.replacement.as_deref()?;
    successors.iter().find(|s| {
        s.deployment == p.deployment
            && s.region == p.region
            && s.model == replacement
            && s.decided_option().is_some()
    })
}

pub fn project(
    scenario: &str,
    horizon_months: u32,
    span_hours: f64,
    prices: &Prices<'_>,
    basis: &Basis<'_>,
) -> Projection {
    let scale = if span_hours > 0.0 {
        HOURS_PER_MONTH / span_hours
    } else {
        0.0
    };
    let mut rows = Vec::new();
    let mut stops = Vec::new();
    let h = horizon_months.max(1);
    match basis {
        Basis::Flat { plans, successors } => {
            let first = prices
                .contracted
                .in_force_on
                .map(super::ladder::first_month);
            let end_of = |p: &WorkloadPlan| {
                super::ladder::first_retired_month(p, first, h).map_or(h, |m| m - 1)
            };
            for p in *plans {
                let end = end_of(p);
                for month in 1..=end {
                    rows.extend(flat_rows(scenario, (month, 1), h, p, scale, prices));
                }
                // A 1-year reservation decided for `p` is owed to the end of its term, whatever
                // the retirement (the decision prices its term so: `decision::term`).
                let owed = owed_reservation(scenario, p, (1, end), h, prices);
                let owed_until = owed.as_ref().map_or(end, |o| o.until_month);
                // After the retirement: the named replacement's plan, up to its own retirement.
                let mut last = (p, end);
                let mut next_owed = None;
                if let Some(next) = (end < h).then(|| successor(p, successors)).flatten() {
                    last = (next, end_of(next));
                    // The replacement's own options start once the owed reservation no longer
                    // carries it (its own 1-year term is bought then).
                    let start = match &owed {
                        Some(o) if o.carries(next) => owed_until + 1,
                        _ => end + 1,
                    };
                    for month in end + 1..=last.1 {
                        let at = (month, start);
                        rows.extend(match owed.as_ref().filter(|_| month <= owed_until) {
                            Some(o) => o.serving(scenario, at, h, next, scale, prices),
                            None => flat_rows(scenario, at, h, next, scale, prices),
                        });
                    }
                    next_owed = owed_reservation(scenario, next, (start, last.1), h, prices);
                }
                // Owed months that no plan serves: the reserved PTUs idle, still charged.
                let owed_both = [&owed, &next_owed].into_iter().flatten();
                for o in owed_both.clone() {
                    let names = (o.plan.deployment.as_str(), o.plan.model.as_str());
                    for month in last.1 + 1..=o.until_month {
                        rows.push(o.usage(month, o.ptus, true, names));
                    }
                }
                let charged_until = owed_both.map(|o| o.until_month).max();
                // A log model without a replacement in the catalog is said by the retirement
                // warnings already; said here: a replacement that retires in turn, or one
                // named but not planned (`--no-auto-scenarios`).
                let named = p
                    .lifecycle
                    .as_ref()
                    .and_then(|l| l.replacement.as_deref())
                    .is_some_and(|r| prices.contracted.resolve_model(r).is_some());
                if last.1 < h && (!std::ptr::eq(last.0, p) || named) {
                    stops.push(ProjectionStop {
                        deployment: last.0.deployment.clone(),
                        model: last.0.model.clone(),
                        retirement: last.0.lifecycle.as_ref().and_then(|l| l.retirement),
                        from_month: last.1 + 1,
                        reservation_until_month: charged_until.filter(|m| *m > last.1),
                        by_plan: false,
                    });
                }
            }
        }
        Basis::Ladder(l) => {
            // The ladder drops a member from the month its model retires and does not follow
            // it with its replacement (the retirement scenario prices that): said as a stop.
            let pool_stops = l
                .pools
                .iter()
                .flat_map(|p| &p.retired)
                .map(|r| ProjectionStop {
                    deployment: r.deployment.clone(),
                    model: r.model.clone(),
                    retirement: r.retirement.parse().ok(),
                    from_month: r.from_month,
                    reservation_until_month: None,
                    by_plan: true,
                });
            let outside_stops = l.outside_pools.iter().filter_map(|o| {
                Some(ProjectionStop {
                    deployment: o.deployment.clone(),
                    model: o.model.clone(),
                    retirement: None,
                    from_month: o.retired_from_month?,
                    reservation_until_month: None,
                    by_plan: true,
                })
            });
            stops.extend(
                pool_stops
                    .chain(outside_stops)
                    .filter(|s| s.from_month <= h),
            );
            for pool in &l.pools {
                let (Some(list), Some(contracted)) = (
                    prices.list.ptu_price(pool.deployment_type, &pool.region),
                    prices
                        .contracted
                        .ptu_price(pool.deployment_type, &pool.region),
                ) else {
                    continue;
                };
                let pool_prices = (list, contracted);
                let id = |term: Billing| {
                    format!(
                        "ptuplan/{scenario}/{}/{}/{}",
                        pool.region,
                        pool.deployment_type,
                        term.as_str()
                    )
                };
                for b in &pool.purchases {
                    let mut month = b.month;
                    while month <= h {
                        rows.push(purchase(
                            month,
                            (&pool.region, pool.deployment_type),
                            Billing::Reserved1Year,
                            b.ptus,
                            pool_prices,
                            &id(Billing::Reserved1Year),
                        ));
                        month += 12;
                    }
                }
                for m in &pool.months {
                    let place = (pool.region.as_str(), pool.deployment_type);
                    let used = m.reserved_1_year_ptus.min(m.deployed_ptus);
                    let unused = m.reserved_1_year_ptus - used;
                    for (ptus, is_unused) in [(used, false), (unused, true)] {
                        if ptus > 0 {
                            rows.push(reserved_usage(
                                m.month,
                                place,
                                Billing::Reserved1Year,
                                ptus,
                                pool_prices,
                                &id(Billing::Reserved1Year),
                                is_unused,
                            ));
                        }
                    }
                    if m.flex_ptus > 0 {
                        if pool.flex_billing == Billing::Hourly {
                            rows.push(hourly(m.month, place, None, m.flex_ptus, pool_prices));
                        } else {
                            let rid = id(Billing::Reserved1Month);
                            rows.push(purchase(
                                m.month,
                                place,
                                Billing::Reserved1Month,
                                m.flex_ptus,
                                pool_prices,
                                &rid,
                            ));
                            rows.push(reserved_usage(
                                m.month,
                                place,
                                Billing::Reserved1Month,
                                m.flex_ptus,
                                pool_prices,
                                &rid,
                                false,
                            ));
                        }
                    }
                    for w in &m.workloads {
                        let Some(t) = w.token_type else { continue };
                        rows.extend(token_rows(
                            m.month,
                            (&w.deployment, &w.model, &pool.region),
                            t,
                            &w.tokens,
                            scale,
                            prices,
                            w.ptus > 0,
                        ));
                    }
                }
            }
            for o in &l.outside_pools {
                for (i, (t, tally)) in o.monthly_tokens.iter().enumerate() {
                    let Some(t) = t.filter(|t| !t.is_provisioned()) else {
                        continue;
                    };
                    rows.extend(token_rows(
                        i as u32 + 1,
                        (&o.deployment, &o.model, &o.region),
                        t,
                        tally,
                        scale,
                        prices,
                        false,
                    ));
                }
            }
        }
    }
    rows.sort_by(|a, b| {
        (a.month, &a.region, &a.deployment, a.deployment_type, &a.sku).cmp(&(
            b.month,
            &b.region,
            &b.deployment,
            b.deployment_type,
            &b.sku,
        ))
    });
    Projection {
        scenario: scenario.to_owned(),
        horizon_months: h,
        rows,
        stops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};
    use crate::report::test_support::sample_workload;

    #[test]
    fn flat_per_token_rows_are_unit_consistent_and_sum_to_the_monthly_cost() {
        let c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let mut w = sample_workload();
        // 750 input, 250 cached, 400 output tokens over a 730-hour span: one month's worth.
        let price = c
            .token_price("gpt-4o", DeploymentTypeId::GlobalStandard, "eastus2")
            .expect("price");
        let cost = price.cost_usd(&w.tally).expect("priced");
        for o in &mut w.options {
            if o.id == "global-standard" {
                o.monthly_cost_usd = Some(cost);
            }
        }
        let prices = Prices {
            list: &c,
            contracted: &c,
        };
        let p = project(
            "baseline",
            3,
            730.0,
            &prices,
            &Basis::Flat {
                plans: &[w],
                successors: &[],
            },
        );
        assert_eq!(p.rows.len(), 9, "3 categories x 3 months");
        for r in &p.rows {
            assert!(
                (r.pricing_quantity * r.contracted_unit_price_usd - r.billed_cost_usd).abs()
                    < 1e-12
            );
            assert_eq!(r.pricing_unit, "1000000 Tokens");
            assert_eq!(r.consumed_quantity, Some(r.pricing_quantity * 1e6));
        }
        let monthly = p.monthly_effective_cost_usd();
        assert!(
            monthly.iter().all(|m| (m - cost).abs() < 1e-12),
            "{monthly:?} vs {cost}"
        );
    }

    fn retiring(
        mut w: WorkloadPlan,
        model: &str,
        retirement: &str,
        replacement: Option<&str>,
    ) -> WorkloadPlan {
        w.model = model.to_owned();
        w.lifecycle = Some(crate::plan::test_support::retiring_lifecycle(
            retirement,
            replacement,
        ));
        w
    }

    /// The embedded catalog in force on 2026-12-01.
    fn catalog_on_2026_12_01() -> Catalog {
        let mut c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        c.in_force_on = chrono::NaiveDate::from_ymd_opt(2026, 12, 1);
        c
    }

    /// The PTUs of month `month`'s rows that `pick` counts.
    fn ptus_in(p: &Projection, month: u32, pick: impl Fn(&Charged) -> Option<u32>) -> u32 {
        p.rows
            .iter()
            .filter(|r| r.month == month)
            .filter_map(|r| pick(&r.charged))
            .sum()
    }

    /// A workload whose model retires inside the horizon continues as the retirement
    /// scenario's plan of its replacement; where no plan follows, the stop is recorded (the
    /// run warns), never a silent end of rows.
    #[test]
    fn a_retiring_workload_continues_as_its_replacement_and_a_stop_is_recorded() {
        let c = catalog_on_2026_12_01();
        let prices = Prices {
            list: &c,
            contracted: &c,
        };
        let old = retiring(sample_workload(), "gpt-4o", "2027-04-14", Some("gpt-5.1"));
        let next = retiring(sample_workload(), "gpt-5.1", "2027-05-15", None);
        let months_of = |p: &Projection, model: &str| -> Vec<u32> {
            let mut m: Vec<u32> = p
                .rows
                .iter()
                .filter(|r| r.model.as_deref() == Some(model))
                .map(|r| r.month)
                .collect();
            m.dedup();
            m
        };
        let basis = Basis::Flat {
            plans: std::slice::from_ref(&old),
            successors: std::slice::from_ref(&next),
        };
        let p = project("baseline", 12, 730.0, &prices, &basis);
        assert_eq!(months_of(&p, "gpt-4o"), vec![1, 2, 3, 4]);
        assert_eq!(months_of(&p, "gpt-5.1"), vec![5]);
        assert_eq!(p.stops.len(), 1);
        assert_eq!(
            (p.stops[0].model.as_str(), p.stops[0].from_month),
            ("gpt-5.1", 6)
        );
        // No plan of the replacement (no retirement scenario): the stop is the old model's.
        let alone = Basis::Flat {
            plans: std::slice::from_ref(&old),
            successors: &[],
        };
        let p = project("baseline", 12, 730.0, &prices, &alone);
        assert_eq!(months_of(&p, "gpt-4o"), vec![1, 2, 3, 4]);
        assert_eq!(
            (p.stops[0].model.as_str(), p.stops[0].from_month),
            ("gpt-4o", 5)
        );
    }

    /// A 1-year reservation decided for a model that retires is owed to the end of its term
    /// (tester35 H4: the export showed the replacement's own decision, and no reservation rows
    /// after a further retirement): the reserved PTUs serve the replacement where it runs on
    /// the same type, the rest is bought hourly, and idle months are charged as unused.
    #[test]
    fn a_reservation_is_charged_to_the_end_of_its_term_after_its_model_retires() {
        let c = catalog_on_2026_12_01();
        let prices = Prices {
            list: &c,
            contracted: &c,
        };
        let decide = |w: &mut WorkloadPlan, id: &str, ptus: u32| {
            let o = w.options.iter_mut().find(|o| o.id == id).expect("option");
            o.ptus = Some(ptus);
            o.spilled_tokens = None;
            w.decision.option = crate::plan::decision::Choice::of(o);
        };
        let mut old = retiring(sample_workload(), "gpt-4o", "2027-04-14", Some("gpt-5.1"));
        decide(&mut old, "global-provisioned/reserved-1-year", 15);
        let mut next = retiring(sample_workload(), "gpt-5.1", "2027-05-15", None);
        decide(&mut next, "global-provisioned/hourly", 20);
        let basis = Basis::Flat {
            plans: std::slice::from_ref(&old),
            successors: std::slice::from_ref(&next),
        };
        let p = project("baseline", 12, 730.0, &prices, &basis);
        let reserved = |month: u32, unused: bool| {
            ptus_in(&p, month, |c| match c {
                Charged::ReservedPtus { ptus, unused: u } if *u == unused => Some(*ptus),
                _ => None,
            })
        };
        let hourly = |month: u32| {
            ptus_in(&p, month, |c| match c {
                Charged::HourlyPtus { ptus } => Some(*ptus),
                _ => None,
            })
        };
        // Months 1-4: gpt-4o on its 15 reserved PTUs.
        assert_eq!(
            (reserved(4, false), reserved(4, true), hourly(4)),
            (15, 0, 0)
        );
        // Month 5: gpt-5.1 needs 20: the 15 reserved serve it and 5 are bought hourly, not 20.
        assert_eq!(
            (reserved(5, false), reserved(5, true), hourly(5)),
            (15, 0, 5)
        );
        // Months 6-12: gpt-5.1 retired too; the reservation idles and is still charged.
        for month in 6..=12 {
            assert_eq!(
                (reserved(month, false), reserved(month, true)),
                (0, 15),
                "{month}"
            );
            assert_eq!(hourly(month), 0, "{month}");
        }
        let purchases = p
            .rows
            .iter()
            .filter(|r| matches!(r.charged, Charged::ReservationPurchase { .. }))
            .count();
        assert_eq!(purchases, 1, "one purchase, in month 1");
        assert_eq!(p.stops.len(), 1);
        assert_eq!(p.stops[0].reservation_until_month, Some(12));
        // A replacement on another option leaves the reservation idle beside its own charges.
        decide(&mut next, "global-standard", 0);
        next.decision.option.as_mut().expect("decided").ptus = None;
        let p = project(
            "baseline",
            12,
            730.0,
            &prices,
            &Basis::Flat {
                plans: std::slice::from_ref(&old),
                successors: std::slice::from_ref(&next),
            },
        );
        let unused5 = ptus_in(&p, 5, |c| match c {
            Charged::ReservedPtus { ptus, unused: true } => Some(*ptus),
            _ => None,
        });
        assert_eq!(unused5, 15);
        assert!(p
            .rows
            .iter()
            .any(|r| r.month == 5 && r.model.as_deref() == Some("gpt-5.1")));
    }
}
