//! docs/domain-rules.md keeps one row per rule id of the code, with the
//! rule's severity, and no row for a rule the code does not have.

use std::collections::BTreeSet;

use avis::domain::checks::rules;

fn doc_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/domain-rules.md"),
    )
    .unwrap();
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn every_rule_id_has_a_row_with_its_severity_and_seed() {
    let rows = doc_rows();
    for rule in rules() {
        let row = rows
            .iter()
            .find(|r| r[0] == format!("`{}`", rule.id))
            .unwrap_or_else(|| panic!("no row for {} in docs/domain-rules.md", rule.id));
        assert_eq!(
            row.len(),
            5,
            "{}: rule, trigger, severity, resolution, seed",
            rule.id
        );
        assert!(
            row[2].contains(rule.severity.label()),
            "{}: severity {} not in « {} »",
            rule.id,
            rule.severity.label(),
            row[2]
        );
        if !rule.overridable {
            assert!(row[2].contains("never lifted"), "{}", rule.id);
        }
        assert!(!row[4].is_empty(), "{}: no seed", rule.id);
    }
    let code: BTreeSet<String> = rules().iter().map(|r| format!("`{}`", r.id)).collect();
    for row in &rows {
        assert!(
            code.contains(&row[0]),
            "row {} names no rule of the code",
            row[0]
        );
    }
}
