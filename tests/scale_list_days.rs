//! The inbox's alert counts from one day to the next, counted (not timed):
//! the import counts the requests it adds, so the first listing after it
//! checks none of them again; a later day checks again exactly the
//! requests whose count may have changed since (their horizon passed), a
//! draft only its request, and other campaign settings every request.

#[path = "common/inbox_support.rs"]
mod inbox_support;
use std::collections::BTreeSet;

use avis::domain::checks::evaluate_with_horizon;
use avis::store::{alert_evaluations, point_reads, ImportOptions, Store};
use chrono::NaiveDate;
use inbox_support::{assert_counts_exact, day, medical_motivation_opinion, Setup};

/// The checks evaluated for alert counts, and the records looked up one by
/// one, while `f` runs (this file holds one test: nothing else runs).
fn work_of<R>(f: impl FnOnce() -> R) -> (R, u64, u64) {
    let (evaluations, reads) = (alert_evaluations(), point_reads());
    let out = f();
    (
        out,
        alert_evaluations() - evaluations,
        point_reads() - reads,
    )
}

/// The ids listed with a pending count in the early lines on `today`.
fn pending_on(store: &Store, today: NaiveDate) -> (BTreeSet<String>, u64) {
    let mut pending = BTreeSet::new();
    let (_, evaluations, _) = work_of(|| {
        store
            .summaries_then(today, &mut |lines| {
                pending.extend(
                    lines
                        .iter()
                        .filter(|s| s.alerts_pending)
                        .map(|s| s.id.clone()),
                )
            })
            .unwrap()
    });
    (pending, evaluations)
}

#[test]
fn a_listing_checks_again_only_the_requests_whose_count_may_have_changed() {
    const REQUESTS: usize = 1_200;
    /// Lookups a listing may make, far below one per request.
    const FIXED: u64 = 20;
    let setup = Setup::new();
    let store = &setup.store;
    let options = ImportOptions {
        today: Some(day(26)),
        ..ImportOptions::default()
    };
    let (_, evaluations, _) = work_of(|| {
        store
            .import(&setup.bundle(REQUESTS, 1, 5), &options, &mut |_| {})
            .unwrap()
    });
    assert_eq!(
        evaluations, REQUESTS as u64,
        "the import counts each request"
    );

    // The first listing after the import: nothing checked again.
    let (first, evaluations, reads) = work_of(|| store.summaries(day(26)).unwrap());
    assert_eq!(first.len(), REQUESTS);
    assert_eq!(evaluations, 0, "first listing after the import");
    assert!(reads <= FIXED, "{reads} lookups");
    assert!(first.iter().all(|s| !s.alerts_pending));
    assert_counts_exact(store, day(26));
    // The next day: the same counts hold.
    let (pending, evaluations) = pending_on(store, day(27));
    assert!(pending.is_empty(), "{pending:?}");
    assert_eq!(evaluations, 0, "next day");
    assert_counts_exact(store, day(27));

    // Around the BTS exams. Each count was made with the one that follows
    // it from its horizon on (both from the checks, computed here
    // independently): a day past the first horizon only checks nothing
    // again; a day past both checks again exactly those requests.
    let horizons: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)> = first
        .iter()
        .map(|s| {
            let request = store.request(&s.id).unwrap().request;
            let settings = store.settings();
            let (_, first) = evaluate_with_horizon(&request, None, day(26), settings);
            let second = first.and_then(|h| evaluate_with_horizon(&request, None, h, settings).1);
            (s.id.clone(), first, second)
        })
        .collect();
    let passed = |on: NaiveDate, h: Option<NaiveDate>| h.is_some_and(|h| h <= on);
    let may_10 = NaiveDate::from_ymd_opt(2027, 5, 10).unwrap();
    let first_passed = horizons.iter().filter(|h| passed(may_10, h.1)).count();
    assert!(first_passed > 0 && horizons.iter().all(|h| !passed(may_10, h.2)));
    let (pending, evaluations) = pending_on(store, may_10);
    assert!(pending.is_empty(), "10 May: {pending:?}");
    assert_eq!(
        evaluations, 0,
        "10 May: {first_passed} first horizons passed, counted already"
    );
    assert_counts_exact(store, may_10);
    let may = NaiveDate::from_ymd_opt(2027, 5, 20).unwrap();
    let expired: BTreeSet<String> = horizons
        .iter()
        .filter(|h| passed(may, h.1) && passed(may, h.2))
        .map(|h| h.0.clone())
        .collect();
    assert!(
        !expired.is_empty() && expired.len() < REQUESTS,
        "{}",
        expired.len()
    );
    let (pending, evaluations) = pending_on(store, may);
    assert_eq!(pending, expired);
    assert_eq!(evaluations, expired.len() as u64);
    assert_counts_exact(store, may);
    let (_, evaluations, reads) = work_of(|| store.summaries(may).unwrap());
    assert_eq!(evaluations, 0, "cached for that day");
    assert!(reads <= FIXED, "{reads} lookups");
    // Back to the day after the import: the import's counts hold again.
    let (_, evaluations, _) = work_of(|| store.summaries(day(27)).unwrap());
    assert_eq!(evaluations, 0, "back to 27 November");

    // Drafts: only their requests are checked again.
    let drafted: Vec<String> = first.iter().take(5).map(|s| s.id.clone()).collect();
    for id in &drafted {
        store
            .apply_opinion(&medical_motivation_opinion(store, id))
            .unwrap();
    }
    let (pending, evaluations) = pending_on(store, day(27));
    assert_eq!(pending, drafted.iter().cloned().collect::<BTreeSet<_>>());
    assert_eq!(evaluations, drafted.len() as u64);
    assert_counts_exact(store, day(27));

    // Other campaign settings: every count is made again.
    let Setup {
        store,
        pass,
        options,
        dir: _dir,
        ..
    } = setup;
    let path = store.dir().to_path_buf();
    store.lock().unwrap();
    std::fs::write(path.join("settings.json"), r#"{"bilan_max_age_years": 3}"#).unwrap();
    let store = Store::open(&path, &pass, &options).unwrap();
    let (_, evaluations, _) = work_of(|| store.summaries(day(27)).unwrap());
    assert_eq!(evaluations, REQUESTS as u64, "other settings");
    assert_counts_exact(&store, day(27));
}
