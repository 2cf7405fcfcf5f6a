//! Pièces received on paper, under sealed envelope "à l'attention du
//! médecin désigné par la CDAPH" (seeds 000, 003): the doctor records the
//! category and date (no file); the checks count them like joined pièces;
//! they and their private note stay in the store (never exported).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalogue::DocumentCategory;

/// A pièce received on paper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperDocument {
    pub category: DocumentCategory,
    /// The date the pièce bears.
    pub date: NaiveDate,
    /// The doctor's private note (never exported).
    #[serde(default)]
    pub note: String,
}

impl PaperDocument {
    /// Problems with a pièce about to be recorded on `today`, in French
    /// (empty: it can be recorded).
    pub fn problems(&self, today: NaiveDate) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.category.is_known() {
            let known: Vec<&str> = DocumentCategory::KNOWN.iter().map(|c| c.code()).collect();
            problems.push(format!(
                "catégorie de pièce inconnue « {} » : choisissez parmi {}",
                crate::text::sanitize(self.category.code()),
                known.join(", ")
            ));
        }
        if self.date > today {
            problems.push(format!(
                "la pièce est datée du {}, après aujourd'hui : vérifiez la date écrite sur la pièce",
                self.date.format("%d/%m/%Y")
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn unknown_category_and_future_date_are_problems() {
        let today = d(2026, 11, 26);
        let ok = PaperDocument {
            category: DocumentCategory::BilanOrthophonique,
            date: d(2026, 9, 1),
            note: "reçu sous pli".into(),
        };
        assert!(ok.problems(today).is_empty());
        let bad = PaperDocument {
            category: DocumentCategory::from_code("radio"),
            date: d(9999, 12, 31),
            note: String::new(),
        };
        let p = bad.problems(today);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("bilan_orthophonique"));
        assert!(p[1].contains("31/12/9999"));
    }
}
