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
    let options = ImportOptions {
        today: Some(day(26)),
        ..ImportOptions::default()
    };
    store.import(&path, &options, &mut |_| {}).unwrap();

    let load = |today| {
        let mut early: Vec<Vec<avis::store::RequestSummary>> = Vec::new();
        let full = store
            .summaries_then(today, &mut |lines| early.push(lines.to_vec()))
            .unwrap();
        (early, full)
    };
    // Counted by the import: no early lines, nothing pending.
    let (early, full) = load(day(26));
    assert!(early.is_empty());
    assert!(full.iter().all(|s| !s.alerts_pending));
    assert!(full.iter().any(|s| s.alerts > 0));
    // The next day changes none of these counts.
    let (early, again) = load(day(27));
    assert!(early.is_empty());
    assert_eq!(again, full);
    // During the BTS exams (from 15 May 2027), some counts may have changed
    // (past their horizon and the one of the count made to follow it): the
    // lines come first, those counts pending with the last ones known, the
    // others already right.
    let may = chrono::NaiveDate::from_ymd_opt(2027, 5, 20).unwrap();
    let (early, later) = load(may);
    assert_eq!(early.len(), 1);
    let ids =
        |l: &[avis::store::RequestSummary]| l.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&early[0]), ids(&later), "same lines, same order");
    let pending = early[0].iter().filter(|s| s.alerts_pending).count();
    assert!(pending > 0 && pending < early[0].len(), "{pending} pending");
    for ((first, now), before) in early[0].iter().zip(&later).zip(&full) {
        if first.alerts_pending {
            assert_eq!(first.alerts, before.alerts, "the last count known");
        } else {
            assert_eq!(first.alerts, now.alerts, "already right");
        }
    }
    assert!(later.iter().all(|s| !s.alerts_pending));
    assert_counts_exact(store, may);
    // Then cached for that day.
    let (early, _) = load(may);
    assert!(early.is_empty());
}
