//! The regulatory checks of docs/domain.md: a table of rules evaluated on a
//! request, its draft avis, the review date and the campaign settings.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalogue::MeasureCode;
use super::opinion::Draft;
use super::request::Request;

/// How much a check matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information.
    Info,
    /// Worth the doctor's attention.
    Attention,
    /// The avis cannot be validated until resolved or overridden.
    Bloquant,
}

impl Severity {
    /// The French label.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Attention => "attention",
            Severity::Bloquant => "bloquant",
        }
    }
}

/// One check that fires on a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id (`bilan_orthophonique`…).
    pub rule: String,
    pub severity: Severity,
    /// French: what is wrong and what the doctor can do.
    pub message: String,
    /// The measure concerned, if the check is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureCode>,
    /// A `bloquant` finding the doctor overrode with a written reason.
    #[serde(default)]
    pub overridden: bool,
}

impl Finding {
    /// Whether this finding stops validation.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Bloquant && !self.overridden
    }
}

/// Campaign settings: thresholds and deadlines that vary by académie and year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CampaignSettings {}

/// Evaluates every rule on `request` and its draft, on the day `today`.
pub fn evaluate(
    _request: &Request,
    _draft: Option<&Draft>,
    _today: NaiveDate,
    _settings: &CampaignSettings,
) -> Vec<Finding> {
    Vec::new()
}
