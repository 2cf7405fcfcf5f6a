//! An import bringing a newer version of a request already drafted keeps
//! the draft and marks the request "à revoir" with what changed (new
//! pièces, changed measures), in `avis list --json`, until a draft is
//! saved on the current version.

#[path = "common/store_support.rs"]
mod store_support;

use store_support::*;

fn list_entry(t: &TestStore, id: &str) -> serde_json::Value {
    let listed = t.json(&["list", "--json"]);
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not listed: {listed}"))
}

fn apply(t: &TestStore, name: &str, json: &str) {
    let path = t.path(name);
    std::fs::write(&path, json).unwrap();
    assert_success(&t.avis(&["opinion", "apply", path.to_str().unwrap()]));
}

#[test]
fn a_newer_version_of_a_drafted_request_is_to_review_with_what_changed() {
    let t = TestStore::init();
    let rectorat = Rectorat::trusted_by(&t, "Rectorat de test");
    let first_doc = b"%PDF-1.4 bilan initial\n".repeat(20);
    let second_doc = b"%PDF-1.4 bilan complementaire\n".repeat(20);
    let (first_sha, second_sha) = (sha256_hex(&first_doc), sha256_hex(&second_doc));

    let v1 = request_json("AMX-1", 1, "Durand", std::slice::from_ref(&first_sha));
    let other = request_json("AMX-2", 1, "Martin", std::slice::from_ref(&first_sha));
    let dir = pack_dir(
        &t.path("v1"),
        &[("AMX-1".into(), v1), ("AMX-2".into(), other)],
        std::slice::from_ref(&first_doc),
    );
    let bundle = t.path("v1.avis");
    assert_success(&rectorat.pack(&t, &dir, 1, &bundle));
    assert_success(&t.avis(&["import", bundle.to_str().unwrap()]));
    apply(&t, "avis-v1.json", &opinion_json("AMX-1", 1));
    assert!(list_entry(&t, "AMX-1")["review"].is_null());

    // Version 2: one more pièce; one measure's detail changed, one
    // withdrawn, one added.
    let mut v2: serde_json::Value = serde_json::from_str(&request_json(
        "AMX-1",
        2,
        "Durand",
        &[first_sha.clone(), second_sha.clone()],
    ))
    .unwrap();
    v2["requested_measures"] = serde_json::json!([
        {"code": "temps_majore_tiers", "detail": "Pour les épreuves écrites"},
        {"code": "pauses"}
    ]);
    let dir = pack_dir(
        &t.path("v2"),
        &[("AMX-1".into(), serde_json::to_string_pretty(&v2).unwrap())],
        &[first_doc, second_doc],
    );
    let bundle = t.path("v2.avis");
    assert_success(&rectorat.pack(&t, &dir, 2, &bundle));
    assert_success(&t.avis(&["import", bundle.to_str().unwrap()]));

    let entry = list_entry(&t, "AMX-1");
    assert_eq!(entry["status"], "brouillon");
    assert_eq!(
        entry["review"],
        serde_json::json!({
            "from_version": 1,
            "to_version": 2,
            "new_documents": 1,
            "added_measures": ["pauses"],
            "removed_measures": ["ordinateur"],
            "changed_measures": ["temps_majore_tiers"],
        })
    );
    // Nothing medical nor any name in the review.
    let text = entry["review"].to_string();
    assert!(!text.contains("Durand") && !text.contains("bilan"));
    // The request never drafted is not to review; the draft is kept.
    assert!(list_entry(&t, "AMX-2")["review"].is_null());
    let show = t.json(&["show", "AMX-1", "--json"]);
    assert!(show.to_string().contains("Lenteur de lecture"), "{show}");
    let text = stdout(&t.avis(&["list"]));
    assert!(text.contains("à revoir"), "{text}");

    // A draft saved on the current version: reviewed.
    let mut opinion: serde_json::Value = serde_json::from_str(&opinion_json("AMX-1", 2)).unwrap();
    opinion["measures"] = serde_json::json!([
        {"code": "temps_majore_tiers", "decision": "accorde"},
        {"code": "pauses", "decision": "accorde"}
    ]);
    apply(&t, "avis-v2.json", &opinion.to_string());
    assert!(list_entry(&t, "AMX-1")["review"].is_null());
    assert!(!stdout(&t.avis(&["list"])).contains("à revoir"));
}
