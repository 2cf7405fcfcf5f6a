//! The work of listing the inbox, counted (not timed): whatever the number
//! of requests, a listing looks up a bounded number of records one by one —
//! the lines, statuses, requests and drafts are read by sequential scans,
//! even on the first listing of a day, when every request's checks run —
//! and the counts it shows equal the checks evaluated from scratch.

#[path = "common/inbox_support.rs"]
mod inbox_support;
use avis::store::{point_reads, ImportOptions};
use inbox_support::{assert_counts_exact, day, medical_motivation_opinion, Setup};

/// The point reads `f` makes (this file holds one test: nothing else runs).
fn reads_of<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = point_reads();
    let out = f();
    (out, point_reads() - before)
}

#[test]
fn listing_thousands_of_requests_looks_up_a_bounded_number_of_records() {
    const REQUESTS: usize = 2_000;
    /// Lookups a listing may make besides those of the few requests changed
    /// (the legacy inbox record, the alert cache…), far below one per request.
    const FIXED: u64 = 20;
    let setup = Setup::new();
    let store = &setup.store;
    store
        .import(
            &setup.bundle(REQUESTS, 1, 5),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();

    // First listing of the day (the import counted on the local date, not
    // on this day): every count computed, by scans.
    let (first, reads) = reads_of(|| store.summaries(day(26)).unwrap());
    assert_eq!(first.len(), REQUESTS);
    assert!(reads <= FIXED, "{reads} lookups for the first listing");
    // Cached: the same lines, again by scans.
    let (cached, reads) = reads_of(|| store.summaries(day(26)).unwrap());
    assert_eq!(cached, first);
    assert!(reads <= FIXED, "{reads} lookups for a cached listing");
    assert_counts_exact(store, day(26));

    // A few drafts: only their counts are made again, each by a lookup of
    // its request and draft.
    let ids: Vec<String> = first.iter().take(10).map(|s| s.id.clone()).collect();
    for id in &ids {
        store
            .apply_opinion(&medical_motivation_opinion(store, id))
            .unwrap();
    }
    let (after, reads) = reads_of(|| store.summaries(day(26)).unwrap());
    assert!(
        reads <= FIXED + 3 * ids.len() as u64,
        "{reads} lookups after 10 drafts"
    );
    assert_ne!(after, first, "the drafts changed some counts");
    assert_counts_exact(store, day(26));

    // Another day, after the exams of June 2027: every count made again,
    // by scans (drafts included).
    let later = chrono::NaiveDate::from_ymd_opt(2027, 7, 1).unwrap();
    let (_, reads) = reads_of(|| store.summaries(later).unwrap());
    assert!(reads <= FIXED, "{reads} lookups for another day");
    assert_counts_exact(store, later);
}
