//! The figures as JSON, CSV (`;`, UTF-8 with BOM, for spreadsheets) and
//! French text.

use super::Figures;

/// The stable JSON form (`avis bilan --json`).
pub fn to_json(figures: &Figures) -> serde_json::Value {
    serde_json::to_value(figures).unwrap_or(serde_json::Value::Null)
}

/// A CSV field: quoted when needed; a leading formula character is
/// defused (spreadsheets would run it).
fn field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if defused.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn line(out: &mut String, fields: &[&str]) {
    let fields: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&fields.join(";"));
    out.push_str("\r\n");
}

/// The CSV form (`avis bilan --csv`): one line per figure, columns
/// `rubrique;code;libellé;nombre;accordées;modifiées;refusées;ajoutées`
/// (the last four only for measures).
pub fn to_csv(figures: &Figures) -> String {
    let mut out = String::from("\u{feff}");
    line(
        &mut out,
        &[
            "rubrique",
            "code",
            "libellé",
            "nombre",
            "accordées",
            "modifiées",
            "refusées",
            "ajoutées",
        ],
    );
    line(
        &mut out,
        &["période", "", &figures.period, "", "", "", "", ""],
    );
    for (code, label, n) in [
        ("recues", "Demandes reçues", figures.received),
        ("examinees", "Avis validés ou exportés", figures.reviewed),
        ("exportees", "Avis exportés", figures.exported),
        ("hors_delai", "Demandes hors délai", figures.late),
    ] {
        line(
            &mut out,
            &["activité", code, label, &n.to_string(), "", "", "", ""],
        );
    }
    let median = figures
        .median_days_to_avis
        .map(|m| format!("{m}").replace('.', ","))
        .unwrap_or_default();
    line(
        &mut out,
        &[
            "délai",
            "mediane_jours",
            "Délai médian de la réception à l'avis (jours)",
            &median,
            "",
            "",
            "",
            "",
        ],
    );
    for c in &figures.outcomes {
        line(
            &mut out,
            &[
                "avis global",
                &c.code,
                &c.label,
                &c.count.to_string(),
                "",
                "",
                "",
                "",
            ],
        );
    }
    for m in &figures.measures {
        line(
            &mut out,
            &[
                "mesure",
                &m.code,
                &m.label,
                &m.requested.to_string(),
                &m.granted.to_string(),
                &m.modified.to_string(),
                &m.refused.to_string(),
                &m.added.to_string(),
            ],
        );
    }
    for c in &figures.diplomas {
        line(
            &mut out,
            &[
                "diplôme",
                &c.code,
                &c.label,
                &c.count.to_string(),
                "",
                "",
                "",
                "",
            ],
        );
    }
    for c in &figures.overrides {
        line(
            &mut out,
            &[
                "contrôle levé",
                &c.code,
                &c.label,
                &c.count.to_string(),
                "",
                "",
                "",
                "",
            ],
        );
    }
    out
}

/// The French text form (`avis bilan`).
pub fn to_text(figures: &Figures) -> String {
    let clean = |s: &str| crate::text::sanitize(s).into_owned();
    let mut out = format!("Bilan d'activité ({})\n", clean(&figures.period));
    out.push_str(&format!("  Demandes reçues : {}\n", figures.received));
    out.push_str(&format!(
        "  Avis validés ou exportés : {}\n",
        figures.reviewed
    ));
    out.push_str(&format!("  Avis exportés : {}\n", figures.exported));
    out.push_str(&format!("  Demandes hors délai : {}\n", figures.late));
    match figures.median_days_to_avis {
        Some(m) => out.push_str(&format!(
            "  Délai médian de la réception à l'avis : {} jour(s)\n",
            format!("{m}").replace('.', ",")
        )),
        None => out.push_str("  Délai médian de la réception à l'avis : aucun avis encore\n"),
    }
    if !figures.outcomes.is_empty() {
        out.push_str("\nAvis globaux\n");
        for c in &figures.outcomes {
            out.push_str(&format!("  {:<14} {}\n", clean(&c.label), c.count));
        }
    }
    if !figures.measures.is_empty() {
        out.push_str("\nMesures (demandées / accordées / modifiées / refusées / ajoutées)\n");
        for m in &figures.measures {
            out.push_str(&format!(
                "  {} : {} / {} / {} / {} / {}\n",
                clean(&m.label),
                m.requested,
                m.granted,
                m.modified,
                m.refused,
                m.added
            ));
        }
    }
    if !figures.diplomas.is_empty() {
        out.push_str("\nDemandes par diplôme\n");
        for c in &figures.diplomas {
            out.push_str(&format!("  {} : {}\n", clean(&c.label), c.count));
        }
    }
    if !figures.overrides.is_empty() {
        out.push_str("\nContrôles bloquants levés\n");
        for c in &figures.overrides {
            out.push_str(&format!("  {} : {}\n", clean(&c.label), c.count));
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::{compute, Period};

    #[test]
    fn csv_has_a_bom_semicolons_and_defused_fields() {
        let f = compute(&[], &Period::All);
        let csv = to_csv(&f);
        assert!(csv.starts_with("\u{feff}rubrique;code;libellé;nombre;"));
        assert!(csv.contains("activité;recues;Demandes reçues;0;;;;\r\n"));
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("a;b"), "\"a;b\"");
    }
}
