use super::pool::{month_table, plan_pool, Lattice, Member};
use super::rungs::{check, RungRules};
use super::*;
use crate::catalog::PtuPrice;
use crate::plan::test_support::sample_workload;

fn price() -> PtuPrice {
    crate::plan::cost::test_global_price()
}

fn choice(ptus: u32, standard_usd: f64) -> Choice {
    Choice {
        ptus,
        standard_usd,
        served_tokens: f64::from(ptus),
        tokens: TokenTally::default(),
        token_type: None,
    }
}

/// A member whose level i is month i + 1, every month at its own level.
fn member<'a>(
    plan: &'a WorkloadPlan,
    name: &str,
    choices: Vec<Vec<Choice>>,
    h: usize,
) -> Member<'a> {
    let n = choices.len();
    let levels: Vec<usize> = (0..h).map(|m| m.min(n - 1)).collect();
    Member {
        deployment: name.into(),
        model: "gpt-4.1".into(),
        plan,
        choices,
        band: Vec::new(),
        month_levels: levels.clone(),
        quiet_levels: levels,
        level_factors: (0..n).map(|i| 1.0 + i as f64).collect(),
        draws: Vec::new(),
        retired: [Choice::default()],
    }
}

fn plan(members: &[Member<'_>], h: usize, decided: Option<u32>) -> LadderPool {
    let p = price();
    let lattice = Lattice::of(members, &p, decided);
    let labels: Vec<u32> = (1..=12).collect();
    plan_pool(
        ("eastus2".into(), DeploymentTypeId::GlobalProvisioned),
        (&p, &lattice),
        members,
        (h, &labels),
        decided,
        &vec![false; h],
    )
    .0
}

#[test]
fn knapsack_picks_the_cheapest_split_for_each_total() {
    let w = sample_workload();
    let members = vec![
        member(
            &w,
            "a",
            vec![vec![choice(0, 1000.0), choice(15, 100.0), choice(20, 0.0)]],
            1,
        ),
        member(&w, "b", vec![vec![choice(0, 500.0), choice(15, 0.0)]], 1),
    ];
    let t = month_table(&members, &[0, 0], None, 5, 7);
    assert_eq!(t.cost[0], 1500.0);
    // 15 PTUs: to a (saves 900), not to b (saves 500).
    assert_eq!(t.cost[3], 600.0);
    assert_eq!(t.cost[7], 0.0);
}

/// A hand-built two-level load: a steady base needing 100 PTUs every month, and short
/// peaks worth another 100 PTUs whose spillover costs less than holding PTUs for them.
/// The plan reserves the base for a year and spills the peaks; no static choice beats it.
#[test]
fn issue_11_reservations_take_the_base_and_spillover_the_peaks() {
    let w = sample_workload();
    let month = vec![choice(0, 60_000.0), choice(100, 5_000.0), choice(200, 0.0)];
    let members = vec![member(&w, "chat", vec![month], 12)];
    let pool = plan(&members, 12, None);
    assert_eq!(pool.unit_ptus, 100);
    assert_eq!(pool.purchases.len(), 1);
    assert_eq!((pool.purchases[0].month, pool.purchases[0].ptus), (1, 100));
    for m in &pool.months {
        assert_eq!((m.reserved_1_year_ptus, m.flex_ptus), (100, 0));
        assert_eq!(m.spillover_cost_usd, 5_000.0);
        assert!((m.cost_usd - (100.0 * 221.0 + 5_000.0)).abs() < 1e-6);
    }
    assert!((pool.plan_cost_usd - (100.0 * 2652.0 + 12.0 * 5_000.0)).abs() < 1e-6);
    assert_eq!(pool.committed_after_horizon_usd, 0.0);
    assert_eq!(pool.best_static.billing, Billing::Reserved1Year);
    assert_eq!(pool.best_static.ptus, 100);
    assert!(pool.savings_vs_static_usd.abs() < 1e-6);
    assert_eq!(pool.chargeback[0].cost_usd, pool.horizon_cost_usd);
    assert_eq!(pool.unallocated_ptu_cost_usd, 0.0);
}

/// A member whose model retires in month 5 of a 1-year reservation it alone used: its
/// chargeback is its four months, at 100% of the capacity consumed, and the eight idle months
/// are the pool's, charged to no one, so that the two add up to the pool's cost (an outside
/// tester's 145,860 USD pool showed one chargeback of 48,620 USD at "33.3% of the capacity").
#[test]
fn the_reserved_months_after_a_retirement_are_charged_to_no_one_and_said() {
    let w = sample_workload();
    let month = vec![choice(0, 60_000.0), choice(100, 0.0)];
    let mut m = member(&w, "chat", vec![month], 12);
    for mi in 4..12 {
        m.month_levels[mi] = super::pool::RETIRED;
        m.quiet_levels[mi] = super::pool::RETIRED;
    }
    let pool = plan(&[m], 12, Some(100));
    assert_eq!(pool.purchases[0].ptus, 100);
    let c = &pool.chargeback[0];
    assert!((c.ptu_cost_usd - 4.0 * 100.0 * 221.0).abs() < 1e-6, "{c:?}");
    assert_eq!(c.share_of_consumed_ptu_capacity, 1.0);
    assert!((pool.unallocated_ptu_cost_usd - 8.0 * 100.0 * 221.0).abs() < 1e-6);
    assert!((c.cost_usd + pool.unallocated_ptu_cost_usd - pool.horizon_cost_usd).abs() < 1e-6);
}

/// Month 1 is the decision: with none bought now the plan holds no 1-year PTUs in month
/// 1 (whatever it would rather do) and may buy later; with 200 decided it holds 200.
#[test]
fn issue_18_month_1_holds_what_the_decision_buys() {
    let w = sample_workload();
    let month = vec![choice(0, 60_000.0), choice(100, 5_000.0), choice(200, 0.0)];
    let members = vec![member(&w, "chat", vec![month], 12)];
    let none = plan(&members, 12, Some(0));
    assert_eq!(none.months[0].reserved_1_year_ptus, 0);
    assert!(
        none.purchases.iter().all(|b| b.month > 1),
        "{:?}",
        none.purchases
    );
    let two = plan(&members, 12, Some(200));
    assert_eq!(two.months[0].reserved_1_year_ptus, 200);
    assert_eq!((two.purchases[0].month, two.purchases[0].ptus), (1, 200));
}

/// Growth over a horizon: month by month the need rises from 100 to 300 PTUs. The plan
/// reserves what months 1-12 share for a year, covers the rise with 1-month
/// reservations, and beats every static choice.
#[test]
fn issue_11_growth_is_covered_by_a_ladder_of_terms() {
    let w = sample_workload();
    let choices: Vec<Vec<Choice>> = (1..=12u32)
        .map(|m| {
            let need = 100 + 20 * (m - 1).min(10); // 100 .. 300
            vec![choice(0, 1e7), choice(need, 0.0), choice(need + 20, 0.0)]
        })
        .collect();
    let members = vec![member(&w, "chat", choices, 12)];
    let pool = plan(&members, 12, None);
    let ys: Vec<u32> = pool.months.iter().map(|m| m.reserved_1_year_ptus).collect();
    assert!(ys.windows(2).all(|w| w[0] <= w[1]), "{ys:?}");
    for m in &pool.months {
        let need = 100 + 20 * (m.month - 1).min(10);
        assert_eq!(m.deployed_ptus, need, "month {}", m.month);
        assert_eq!(m.reserved_1_year_ptus + m.flex_ptus, need);
    }
    assert!(pool.months[0].reserved_1_year_ptus >= 100);
    assert!(pool.months[11].flex_ptus > 0);
    assert!(pool.savings_vs_static_usd > 0.0, "{:?}", pool.best_static);
    assert_eq!(pool.best_static.ptus, 300);
}

/// Shrinking traffic: each month uses the busier simulated neighbour (the earlier month),
/// never the later, quieter one, so the plan's cost is an upper bound (tester 19, item 4).
#[test]
fn issue_21_shrinking_traffic_uses_the_busier_neighbour() {
    let w = LadderWorkload {
        deployment: "chat".into(),
        model: "gpt-4.1".into(),
        region: "eastus2".into(),
        batch: false,
        plans: Vec::new(),
        // Simulated months 1, 4, 8, 12 of a workload shrinking 10% a month.
        level_factors: [1u32, 4, 8, 12]
            .iter()
            .map(|m| 0.9f64.powi(*m as i32))
            .collect(),
        month_factors: (1..=12).map(|m| 0.9f64.powi(m)).collect(),
        draws: Vec::new(),
        decided: None,
    };
    let busier = w.month_levels();
    let quieter = w.month_quiet_levels();
    // Month 2 (0.81) sits between month 1 (0.9) and month 4 (0.656): busier is month 1.
    assert_eq!(busier[1], 0);
    assert_eq!(quieter[1], 1);
    // A simulated month is its own neighbour both ways.
    assert_eq!((busier[3], quieter[3]), (1, 1));
    assert_eq!((busier[11], quieter[11]), (3, 3));
}

/// A workload pools where its decision runs it on PTUs now, since month 1 deploys exactly
/// that (tester36: a decided Global reservation pooled in Regional PTU by the last month, and
/// vanished from the forecast's plan); a workload that runs on nothing provisioned pools by
/// its last month.
#[test]
fn a_workload_pools_where_its_decision_runs_it() {
    let w = sample_workload();
    let mut lw = LadderWorkload {
        deployment: "chat".into(),
        model: "gpt-4o".into(),
        region: "eastus2".into(),
        batch: false,
        plans: vec![&w],
        level_factors: vec![1.0],
        month_factors: vec![1.0; 12],
        draws: Vec::new(),
        decided: Some((Some(DeploymentTypeId::DataZoneProvisioned), 35)),
    };
    assert_eq!(pool_type(&lw), Some(DeploymentTypeId::DataZoneProvisioned));
    lw.decided = Some((None, 0));
    let by_last_month = pool_type(&lw);
    assert!(by_last_month.is_some());
    assert_ne!(by_last_month, Some(DeploymentTypeId::DataZoneProvisioned));
}

/// Every rung after month 1 passes the decision's rules: a purchase whose saving falls below
/// --min-saving is rejected and its month holds the level before it.
#[test]
fn issue_21_a_rung_below_the_minimum_saving_is_not_bought() {
    let w = sample_workload();
    // 100 PTUs save 2,700 a month against 1-month PTUs (2,600) plus spill: a 1-year term of
    // 100 PTUs costs 265,200; months 2..12 of 100 PTUs on 1-month terms cost 286,000 = a
    // saving of 7.3% (below 10%).
    let month = vec![choice(0, 1e9), choice(100, 0.0)];
    let members = vec![member(&w, "chat", vec![month], 12)];
    let p = price();
    let lattice = Lattice::of(&members, &p, Some(0));
    let strict = RungRules {
        min_saving: 0.10,
        run_window_s: 10.0,
        short_log: None,
        coarse_log: None,
        start: None,
    };
    let (mut pool, levels) = plan_pool(
        ("eastus2".into(), DeploymentTypeId::GlobalProvisioned),
        (&p, &lattice),
        &members,
        (12, &(1..=12).collect::<Vec<u32>>()),
        Some(0),
        &[false; 12],
    );
    assert_eq!(pool.purchases.len(), 1, "{:?}", pool.purchases);
    check(
        &mut pool.purchases,
        &pool.months,
        &members,
        &lattice,
        &levels,
        &strict,
    );
    let rung = &pool.purchases[0];
    assert_eq!(rung.month, 2);
    assert!(!rung.holds, "{rung:?}");
    assert!(matches!(rung.checks[0], RungCheck::BelowMinSaving { .. }));
    let lax = RungRules {
        min_saving: 0.05,
        ..strict
    };
    let mut again = pool.purchases.clone();
    check(&mut again, &pool.months, &members, &lattice, &levels, &lax);
    assert!(again[0].holds, "{:?}", again[0]);
}

/// A retirement inside a rung's term fails it only for a member the plan runs on the pool's
/// PTUs (an outside tester's per-token gpt-4.1 workload, using none of them, failed a
/// gpt-5.6-terra purchase), and two members of one model fail it once.
#[test]
fn only_a_member_on_the_pools_ptus_fails_a_rung_by_retiring() {
    let steady = sample_workload();
    let mut retiring = sample_workload();
    retiring.lifecycle = Some(crate::plan::test_support::retiring_lifecycle(
        "2027-06-01",
        None,
    ));
    let needs_ptus = || vec![vec![choice(0, 1e9), choice(100, 0.0)]];
    let rules = RungRules {
        min_saving: 0.0,
        run_window_s: 10.0,
        short_log: None,
        coarse_log: None,
        start: chrono::NaiveDate::from_ymd_opt(2027, 1, 1),
    };
    let rung_checks = |members: &[Member<'_>]| {
        let p = price();
        let lattice = Lattice::of(members, &p, Some(0));
        let (mut pool, levels) = plan_pool(
            ("eastus2".into(), DeploymentTypeId::GlobalProvisioned),
            (&p, &lattice),
            members,
            (12, &(1..=12).collect::<Vec<u32>>()),
            Some(0),
            &[false; 12],
        );
        check(
            &mut pool.purchases,
            &pool.months,
            members,
            &lattice,
            &levels,
            &rules,
        );
        assert!(!pool.purchases.is_empty(), "{:?}", pool.months);
        pool.purchases[0].checks.clone()
    };
    // A retiring member served per token throughout: no lifecycle check.
    let per_token = member(&retiring, "small", vec![vec![choice(0, 10.0)]], 12);
    let members = vec![member(&steady, "chat", needs_ptus(), 12), per_token];
    assert_eq!(rung_checks(&members), Vec::new());
    // Two retiring members on the pool's PTUs, of one model: one check.
    let members = vec![
        member(&retiring, "a", needs_ptus(), 12),
        member(&retiring, "b", needs_ptus(), 12),
    ];
    let checks = rung_checks(&members);
    assert_eq!(
        checks,
        vec![RungCheck::RetiresInTerm {
            model: "gpt-4.1".into(),
            date: "2027-06-01".into(),
        }]
    );
}
