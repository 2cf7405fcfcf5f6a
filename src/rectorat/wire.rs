//! The fields of `opinions/<id>.json` this project added (bundle-format.md):
//! `overrides` (blocking checks the doctor lifted, with the reason) and
//! `replaces` (the earlier sending an avis sent again replaces), read
//! beside the domain's [`Opinion`](crate::domain::Opinion), and how the
//! rectorat's tables show them in French.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::MeasureCode;

/// One lifted check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireOverride {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureCode>,
    pub reason: String,
}

/// The earlier opinions bundle an avis replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replaces {
    pub bundle_id: String,
    pub exported_at: DateTime<Utc>,
}

/// `overrides` and `replaces` of one opinion (both optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpinionExtras {
    #[serde(default)]
    pub overrides: Vec<WireOverride>,
    #[serde(default)]
    pub replaces: Option<Replaces>,
}

impl OpinionExtras {
    /// Reads the two fields from the opinion's JSON bytes.
    pub fn parse(bytes: &[u8]) -> serde_json::Result<OpinionExtras> {
        serde_json::from_slice(bytes)
    }
}

/// « Titre du contrôle (mesure) : motif ».
pub fn override_text(o: &WireOverride) -> String {
    let title = crate::domain::checks::rule(&o.rule)
        .map(|r| r.title.to_owned())
        .unwrap_or_else(|| o.rule.clone());
    match &o.measure {
        Some(m) => format!("{title} ({}) : {}", m.label(), o.reason),
        None => format!("{title} : {}", o.reason),
    }
}

/// Several lifted checks, one per line.
pub fn overrides_text<'a>(list: impl IntoIterator<Item = &'a WireOverride>) -> String {
    list.into_iter()
        .map(override_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A date and time in whole seconds, as tables show it: `2026-11-24 14:02:00`.
pub fn datetime_text(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// « remplace l'avis du 2026-11-24 14:02:00 UTC ».
pub fn replaces_text(exported_at: &DateTime<Utc>) -> String {
    format!("remplace l'avis du {} UTC", datetime_text(exported_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_are_optional_and_shown_in_french() {
        let none = OpinionExtras::parse(br#"{"request_id": "A"}"#).unwrap();
        assert_eq!(none, OpinionExtras::default());
        let some = OpinionExtras::parse(
            br#"{"overrides": [{"rule": "bilan_orthophonique", "measure": "temps_majore_tiers", "reason": "Bilan en cours"}],
                 "replaces": {"bundle_id": "b1", "exported_at": "2026-11-24T14:02:00.123Z"}}"#,
        )
        .unwrap();
        let text = override_text(&some.overrides[0]);
        assert!(
            text.ends_with("(Temps majoré d'un tiers) : Bilan en cours"),
            "{text}"
        );
        assert!(!text.starts_with("bilan_orthophonique"), "{text}");
        let at = some.replaces.unwrap().exported_at;
        assert_eq!(
            replaces_text(&at),
            "remplace l'avis du 2026-11-24 14:02:00 UTC"
        );
    }
}
