//! The inbox's cached alert counts always equal the checks evaluated from
//! scratch: after an import, after drafts are written, on another day,
//! after further imports, and once the store is reopened.

#[path = "common/inbox_support.rs"]
mod inbox_support;
use avis::store::{ImportOptions, Store};
use inbox_support::{assert_counts_exact, day, medical_motivation_opinion, Setup};

#[test]
fn cached_alert_counts_follow_drafts_days_and_imports() {
    let setup = Setup::new();
    let store = &setup.store;
    let bundle = |sequence, seed| setup.bundle(300, sequence, seed);
    store
        .import(&bundle(1, 5), &ImportOptions::default(), &mut |_| {})
        .unwrap();

    let before = assert_counts_exact(store, day(26));
    // Cached now: the same again.
    assert_eq!(assert_counts_exact(store, day(26)), before);

    let ids: Vec<String> = store
        .summaries(day(26))
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    for id in ids.iter().step_by(3) {
        store
            .apply_opinion(&medical_motivation_opinion(store, id))
            .unwrap();
    }
    let after = assert_counts_exact(store, day(26));
    assert_ne!(after, before, "the drafts changed some counts");

    // Another day, then back.
    assert_counts_exact(store, day(27));
    assert_counts_exact(store, day(26));

    // A further bundle with the same requests (version 1, same bytes: kept
    // as they are), then one whose version 1 differs (refused as a whole):
    // the counts stay exact.
    let second = bundle(2, 5);
    store
        .import(&second, &ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert_counts_exact(store, day(26));
    let third = bundle(3, 7);
    assert!(matches!(
        store.import(&third, &ImportOptions::default(), &mut |_| {}),
        Err(avis::store::StoreError::SameVersionChanged { version: 1, .. })
    ));
    assert_eq!(assert_counts_exact(store, day(26)), after);

    // Reopened, the cache still agrees.
    let Setup {
        store,
        pass,
        options,
        dir: _dir,
        ..
    } = setup;
    let path = store.dir().to_path_buf();
    store.lock().unwrap();
    let store = Store::open(&path, &pass, &options).unwrap();
    assert_counts_exact(&store, day(26));
}

#[test]
fn the_first_load_of_a_day_hands_the_lines_before_the_checks() {
    let setup = Setup::new();
    let store = &setup.store;
    let path = setup.bundle(40, 1, 9);
    store
        .import(&path, &ImportOptions::default(), &mut |_| {})
        .unwrap();

    let load = |today| {
        let mut early: Vec<Vec<avis::store::RequestSummary>> = Vec::new();
        let full = store
            .summaries_then(today, &mut |lines| early.push(lines.to_vec()))
            .unwrap();
        (early, full)
    };
    // Nothing cached yet: the lines come first, every count pending.
    let (early, full) = load(day(26));
    assert_eq!(early.len(), 1);
    let ids =
        |l: &[avis::store::RequestSummary]| l.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&early[0]), ids(&full), "same lines, same order");
    assert!(early[0].iter().all(|s| s.alerts_pending));
    assert!(full.iter().all(|s| !s.alerts_pending));
    assert!(full.iter().any(|s| s.alerts > 0));
    // Cached for the day: no early lines.
    let (early, again) = load(day(26));
    assert!(early.is_empty());
    assert_eq!(again, full);
    // Another day: early lines with yesterday's counts, flagged pending.
    let (early, next_day) = load(day(27));
    assert_eq!(early.len(), 1);
    assert!(early[0].iter().all(|s| s.alerts_pending));
    let yesterday: Vec<usize> = full.iter().map(|s| s.alerts).collect();
    assert_eq!(
        early[0].iter().map(|s| s.alerts).collect::<Vec<_>>(),
        yesterday
    );
    assert!(next_day.iter().all(|s| !s.alerts_pending));
}
