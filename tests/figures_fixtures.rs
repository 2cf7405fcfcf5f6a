//! The activity figures on the demo fixtures, checked against counts made
//! independently here from the fixture files (plain JSON, not the crate's
//! types), through the library and `avis bilan`.

#[path = "common/papers_support.rs"]
mod papers_support;

use std::collections::BTreeMap;

use avis::figures::{self, Period};
use papers_support::*;

/// The fixture requests as plain JSON.
fn fixture_requests() -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root("fixtures/requests")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        out.push(serde_json::from_str(&text).unwrap());
    }
    out
}

fn median(mut v: Vec<i64>) -> Option<f64> {
    v.sort();
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[n / 2] as f64),
        n => Some((v[n / 2 - 1] + v[n / 2]) as f64 / 2.0),
    }
}

const EXPORTED: [&str; 3] = ["AMX-2027-000001", "AMX-2027-000003", "AMX-2027-000008"];
const VALIDATED: &str = "AMX-2027-000005";
const DRAFT: &str = "AMX-2027-000007";

#[test]
fn figures_match_counts_made_from_the_fixture_files() {
    let demo = demo_store();
    let store = &demo.store;
    for id in EXPORTED {
        validate_with_note(store, &granting_opinion(store, id), "note");
    }
    export_all(store, demo.tmp.path(), 1);
    validate_with_note(store, &granting_opinion(store, VALIDATED), "note");
    store
        .apply_opinion(&granting_opinion(store, DRAFT))
        .unwrap();

    let facts = figures::facts(store, review_day()).unwrap();
    let f = figures::compute(&facts, &Period::Season("2027".into()));

    // Independent counts.
    let requests = fixture_requests();
    let season: Vec<&serde_json::Value> = requests
        .iter()
        .filter(|r| r["exam"]["session"] == "2027")
        .collect();
    assert_eq!(f.received, season.len() as u64);
    assert_eq!(
        f.late,
        season.iter().filter(|r| r["late"] == true).count() as u64
    );
    assert_eq!(f.exported, EXPORTED.len() as u64);
    assert_eq!(f.reviewed, EXPORTED.len() as u64 + 1);
    assert_eq!(f.outcomes.len(), 1);
    assert_eq!(f.outcomes[0].code, "favorable");
    assert_eq!(f.outcomes[0].count, f.reviewed);

    let mut per_diploma: BTreeMap<String, u64> = BTreeMap::new();
    let mut requested: BTreeMap<String, u64> = BTreeMap::new();
    let mut granted: BTreeMap<String, u64> = BTreeMap::new();
    let reviewed_ids: Vec<&str> = EXPORTED.iter().copied().chain([VALIDATED]).collect();
    let mut delays = Vec::new();
    let today = chrono::Utc::now().date_naive();
    for r in &season {
        *per_diploma
            .entry(r["exam"]["diploma"].as_str().unwrap().to_string())
            .or_default() += 1;
        let reviewed = reviewed_ids.contains(&r["id"].as_str().unwrap());
        for m in r["requested_measures"].as_array().unwrap() {
            let code = m["code"].as_str().unwrap().to_string();
            *requested.entry(code.clone()).or_default() += 1;
            if reviewed {
                *granted.entry(code).or_default() += 1;
            }
        }
        if reviewed {
            let received =
                chrono::NaiveDate::parse_from_str(r["received_at"].as_str().unwrap(), "%Y-%m-%d")
                    .unwrap();
            delays.push((today - received).num_days());
        }
    }
    let got_diplomas: BTreeMap<String, u64> = f
        .diplomas
        .iter()
        .map(|c| (c.code.clone(), c.count))
        .collect();
    assert_eq!(got_diplomas, per_diploma);
    for m in &f.measures {
        assert_eq!(
            m.requested,
            requested.get(&m.code).copied().unwrap_or(0),
            "{}",
            m.code
        );
        assert_eq!(
            m.granted,
            granted.get(&m.code).copied().unwrap_or(0),
            "{}",
            m.code
        );
        assert_eq!((m.modified, m.refused, m.added), (0, 0, 0));
    }
    assert_eq!(
        f.measures.iter().filter(|m| m.requested > 0).count(),
        requested.len()
    );
    assert_eq!(f.median_days_to_avis, median(delays));

    // A date range: the requests received in October 2026.
    let october = figures::compute(
        &facts,
        &Period::Range {
            from: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        },
    );
    let expected = requests
        .iter()
        .filter(|r| r["received_at"].as_str().unwrap().starts_with("2026-10"))
        .count();
    assert_eq!(october.received, expected as u64);
}

#[test]
fn bilan_prints_counts_only_as_json_and_csv() {
    let demo = demo_store();
    for id in EXPORTED {
        validate_with_note(&demo.store, &granting_opinion(&demo.store, id), "note");
    }
    export_all(&demo.store, demo.tmp.path(), 1);
    let Demo { tmp, dir, store } = demo;
    store.lock().unwrap();
    let phrase = tmp.path().join("phrase");
    std::fs::write(&phrase, format!("{PASSPHRASE}\n")).unwrap();
    let avis = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_avis"))
            .env("AVIS_STORE", &dir)
            .env("AVIS_PASSPHRASE_FILE", &phrase)
            .env("AVIS_DATE", "2026-11-26")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let requests = fixture_requests();
    let json: serde_json::Value =
        serde_json::from_str(&avis(&["bilan", "--json", "--saison", "2027"])).unwrap();
    let season = requests
        .iter()
        .filter(|r| r["exam"]["session"] == "2027")
        .count();
    assert_eq!(json["received"], season);
    assert_eq!(json["exported"], EXPORTED.len());
    let csv = avis(&["bilan", "--csv"]);
    assert!(csv.starts_with("\u{feff}rubrique;code;libellé;nombre;"));
    assert!(csv.contains(&format!(
        "activité;recues;Demandes reçues;{};;;;\r\n",
        requests.len()
    )));
    let text = avis(&["bilan", "--du", "2026-09-01", "--au", "2026-12-31"]);
    assert!(text.contains("Bilan d'activité"));
    // No name, no id, nothing from the requests' free text.
    for out in [json.to_string(), csv, text] {
        assert!(!out.contains("AMX-"), "identifiant dans le bilan");
        for r in &requests {
            let name = r["candidate"]["last_name"].as_str().unwrap();
            assert!(!out.contains(name), "nom {name} dans le bilan");
        }
    }
}
