//! Campaign settings: the thresholds, deadlines and vocabularies the checks
//! use, which vary by académie and year (docs/domain.md). Loaded by the store
//! from a JSON file; every field has a default, so `{}` is a valid file.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::DiplomaCode;

/// A day of the year, written `"MM-DD"` (e.g. `"11-20"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    month: u32,
    day: u32,
}

impl MonthDay {
    /// `None` unless the day exists in a leap year.
    pub fn new(month: u32, day: u32) -> Option<MonthDay> {
        NaiveDate::from_ymd_opt(2000, month, day).map(|_| MonthDay { month, day })
    }

    /// The month (1–12).
    pub fn month(self) -> u32 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u32 {
        self.day
    }

    /// This day in `year`; 29 February becomes 28 February in common years.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day.saturating_sub(1)))
    }

    const fn known(month: u32, day: u32) -> MonthDay {
        MonthDay { month, day }
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl From<MonthDay> for String {
    fn from(md: MonthDay) -> String {
        md.to_string()
    }
}

impl TryFrom<String> for MonthDay {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        let bad = || {
            format!(
                "date de campagne invalide « {} » : écrivez le mois et le jour sous la forme MM-JJ, par exemple 11-20",
                crate::text::sanitize(&s)
            )
        };
        let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
        let month = m.parse::<u32>().map_err(|_| bad())?;
        let day = d.parse::<u32>().map_err(|_| bad())?;
        MonthDay::new(month, day).ok_or_else(bad)
    }
}

/// The key, in [`CampaignSettings::deadlines`] and
/// [`CampaignSettings::session_deadlines`], of the deadline of the
/// baccalauréat's épreuves anticipées.
pub const ANTICIPATED_KEY: &str = "anticipees";

/// The key, in the first-exam tables, that applies to every diploma.
pub const ANY_DIPLOMA_KEY: &str = "*";

/// Thresholds, deadlines and vocabularies of a campaign.
///
/// Maps are *overrides* on top of built-in defaults (so a settings file
/// only names what differs): diploma keys are diploma codes, session keys
/// are session strings as in requests (`"2027"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignSettings {
    /// Maximum age in years of the newest bilan (orthophonique, or the
    /// dyspraxie ones) before the dossier is rejected: 2 (Aix-Marseille,
    /// Rennes); Dijon uses 3.
    pub bilan_max_age_years: u32,
    /// Maximum age in years of a point d'évolution that makes an older
    /// bilan acceptable: 1 (seed 003: "pas plus de 2 ans ou accompagné d'un
    /// point d'évolution datant de moins d'un an"). `0`: no bilan older than
    /// `bilan_max_age_years` is accepted.
    #[serde(alias = "point_evolution_after_years")]
    pub point_evolution_max_age_years: u32,
    /// Maximum age in years of the newest medical document: 1 (seed 003,
    /// "dossier médical récent (moins d'un an)").
    pub medical_file_max_age_years: u32,
    /// Deadline overrides per diploma code (and [`ANTICIPATED_KEY`]), as a
    /// day of the year before the session. Defaults: see
    /// [`default_deadline`].
    pub deadlines: BTreeMap<String, MonthDay>,
    /// Exact deadlines per session, then per diploma code (or
    /// [`ANTICIPATED_KEY`]): win over everything else.
    pub session_deadlines: BTreeMap<String, BTreeMap<String, NaiveDate>>,
    /// First exam day overrides per diploma code (or [`ANY_DIPLOMA_KEY`]),
    /// in the session's year. Defaults: see [`default_first_exam`].
    pub first_exams: BTreeMap<String, MonthDay>,
    /// Exact first exam dates per session, then per diploma code (or
    /// [`ANY_DIPLOMA_KEY`], or [`ANTICIPATED_KEY`]).
    pub session_first_exams: BTreeMap<String, BTreeMap<String, NaiveDate>>,
    /// No accommodation in this many days before the exam, outside the
    /// urgence procedure: 14.
    pub no_accommodation_days: u32,
    /// Diplomas where 16/20-point print is possible for every épreuve: the
    /// baccalauréats of the Éducation nationale and the DNB (seed 003). Not
    /// the agricultural ones: seed 004 knows only A3 or two A4 sheets.
    pub large_print_diplomas: Vec<DiplomaCode>,
    /// Diplomas where 16/20-point print is possible for the general domains
    /// only (vocational exams of the Éducation nationale): CAP, BEP, BP, BMA, MC.
    pub large_print_general_domains_diplomas: Vec<DiplomaCode>,
    /// Diplomas with épreuves that assess spelling (a spell checker is then
    /// forbidden for those): all known diplomas except DCG, DSCG and CS.
    pub spelling_assessed_diplomas: Vec<DiplomaCode>,
    /// Words and phrases an exported text must not contain, on top of the
    /// built-in lexicon of [`crate::domain::secrecy`] (which always
    /// applies); matched without regard to case or accents, on word
    /// boundaries. Empty by default.
    pub medical_terms: Vec<String>,
    /// More such terms (kept apart so that a file can extend a shared list).
    pub extra_medical_terms: Vec<String>,
}

impl Default for CampaignSettings {
    fn default() -> Self {
        use DiplomaCode as D;
        CampaignSettings {
            bilan_max_age_years: 2,
            point_evolution_max_age_years: 1,
            medical_file_max_age_years: 1,
            deadlines: BTreeMap::new(),
            session_deadlines: BTreeMap::new(),
            first_exams: BTreeMap::new(),
            session_first_exams: BTreeMap::new(),
            no_accommodation_days: 14,
            large_print_diplomas: vec![D::BacGeneral, D::BacTechno, D::BacPro, D::Dnb],
            large_print_general_domains_diplomas: vec![D::Cap, D::Bep, D::Bp, D::Bma, D::Mc],
            spelling_assessed_diplomas: DiplomaCode::KNOWN
                .iter()
                .filter(|d| !matches!(d, D::Dcg | D::Dscg | D::Cs))
                .cloned()
                .collect(),
            medical_terms: Vec::new(),
            extra_medical_terms: Vec::new(),
        }
    }
}

/// The built-in deadline of a diploma: the day of the year before the
/// session by which the dossier must reach the doctor. Seed 003's dates for
/// 2019-2020 (bac général/technologique terminal 20 Nov, bac pro 29 Nov,
/// other vocational exams 22 Nov, BTS 15 Nov, DNB 20 Dec; DCG/DSCG follow
/// the BTS, the CFG the DNB); agricultural exams: 31 Dec (seed 004). The
/// épreuves anticipées ([`ANTICIPATED_KEY`]): 6 Dec. `None` for an unknown
/// diploma.
pub fn default_deadline(diploma: &DiplomaCode) -> Option<MonthDay> {
    use DiplomaCode as D;
    Some(match diploma {
        D::BacGeneral | D::BacTechno => MonthDay::known(11, 20),
        D::BacPro => MonthDay::known(11, 29),
        D::Cap | D::Bep | D::Bp | D::Bma | D::Mc => MonthDay::known(11, 22),
        D::Bts | D::Dcg | D::Dscg => MonthDay::known(11, 15),
        D::Dnb | D::Cfg => MonthDay::known(12, 20),
        D::Capa
        | D::Bepa
        | D::Bpa
        | D::BpAgricole
        | D::BacTechnoStav
        | D::BacProAgricole
        | D::Btsa
        | D::Cs => MonthDay::known(12, 31),
        D::Other(_) => return None,
    })
}

/// The built-in deadline of the baccalauréat's épreuves anticipées: 6 Dec.
pub const DEFAULT_ANTICIPATED_DEADLINE: MonthDay = MonthDay::known(12, 6);

/// The built-in first exam day, in the session's year: 15 June for written
/// exams in general, 26 June for the DNB and the CFG, 15 May for the BTS,
/// DCG and DSCG (their written exams start in May).
pub fn default_first_exam(diploma: &DiplomaCode) -> MonthDay {
    use DiplomaCode as D;
    match diploma {
        D::Dnb | D::Cfg => MonthDay::known(6, 26),
        D::Bts | D::Btsa | D::Dcg | D::Dscg => MonthDay::known(5, 15),
        _ => MonthDay::known(6, 15),
    }
}

/// The year of a session string (`"2027"`, `"2027-juin"`…): its first four digits.
pub fn session_year(session: &str) -> Option<i32> {
    let digits: String = session
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if digits.len() != 4 {
        return None;
    }
    digits.parse().ok()
}

impl CampaignSettings {
    /// The deadline of `diploma` for `session`; `None` when unknown.
    pub fn deadline(&self, diploma: &DiplomaCode, session: &str) -> Option<NaiveDate> {
        self.deadline_by_key(diploma.code(), default_deadline(diploma), session)
    }

    /// The deadline of the épreuves anticipées of `anticipated_session`.
    pub fn anticipated_deadline(&self, anticipated_session: &str) -> Option<NaiveDate> {
        self.deadline_by_key(
            ANTICIPATED_KEY,
            Some(DEFAULT_ANTICIPATED_DEADLINE),
            anticipated_session,
        )
    }

    fn deadline_by_key(
        &self,
        key: &str,
        default: Option<MonthDay>,
        session: &str,
    ) -> Option<NaiveDate> {
        if let Some(date) = self.session_deadlines.get(session).and_then(|m| m.get(key)) {
            return Some(*date);
        }
        let md = self.deadlines.get(key).copied().or(default)?;
        md.in_year(session_year(session)? - 1)
    }

    /// The first exam day of `diploma` for `session`.
    pub fn first_exam(&self, diploma: &DiplomaCode, session: &str) -> Option<NaiveDate> {
        if let Some(per_session) = self.session_first_exams.get(session) {
            if let Some(date) = per_session
                .get(diploma.code())
                .or_else(|| per_session.get(ANY_DIPLOMA_KEY))
            {
                return Some(*date);
            }
        }
        let md = self
            .first_exams
            .get(diploma.code())
            .or_else(|| self.first_exams.get(ANY_DIPLOMA_KEY))
            .copied()
            .unwrap_or_else(|| default_first_exam(diploma));
        md.in_year(session_year(session)?)
    }

    /// The first day of the épreuves anticipées of `anticipated_session`.
    pub fn anticipated_first_exam(&self, anticipated_session: &str) -> Option<NaiveDate> {
        if let Some(date) = self
            .session_first_exams
            .get(anticipated_session)
            .and_then(|m| m.get(ANTICIPATED_KEY))
        {
            return Some(*date);
        }
        let md = self
            .first_exams
            .get(ANTICIPATED_KEY)
            .copied()
            .unwrap_or(MonthDay::known(6, 15));
        md.in_year(session_year(anticipated_session)?)
    }

    /// The configured terms of `motivation_medicale` (beyond the lexicon).
    pub fn all_medical_terms(&self) -> impl Iterator<Item = &str> {
        self.medical_terms
            .iter()
            .chain(self.extra_medical_terms.iter())
            .map(String::as_str)
    }
}

/// `date` is older than `years` years on `today` (exactly `years` years is not older).
pub fn older_than_years(date: NaiveDate, today: NaiveDate, years: u32) -> bool {
    match today.checked_sub_months(chrono::Months::new(years.saturating_mul(12))) {
        Some(limit) => date < limit,
        None => false,
    }
}

/// Full years between `date` and `today` (0 when `date` is in the future).
pub fn age_in_years(date: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - date.year();
    if (today.month(), today.day()) < (date.month(), date.day()) {
        years -= 1;
    }
    years.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn defaults_follow_seed_003() {
        let s = CampaignSettings::default();
        assert_eq!(
            s.deadline(&DiplomaCode::BacGeneral, "2020"),
            Some(d(2019, 11, 20))
        );
        assert_eq!(s.anticipated_deadline("2020"), Some(d(2019, 12, 6)));
        assert_eq!(
            s.deadline(&DiplomaCode::BacPro, "2020"),
            Some(d(2019, 11, 29))
        );
        assert_eq!(s.deadline(&DiplomaCode::Cap, "2020"), Some(d(2019, 11, 22)));
        assert_eq!(s.deadline(&DiplomaCode::Bts, "2020"), Some(d(2019, 11, 15)));
        assert_eq!(s.deadline(&DiplomaCode::Dnb, "2020"), Some(d(2019, 12, 20)));
        assert_eq!(
            s.deadline(&DiplomaCode::Capa, "2020"),
            Some(d(2019, 12, 31))
        );
        assert_eq!(s.deadline(&DiplomaCode::from_code("x"), "2020"), None);
        assert_eq!(s.deadline(&DiplomaCode::Dnb, "session?"), None);
        assert_eq!(
            s.first_exam(&DiplomaCode::Dnb, "2027"),
            Some(d(2027, 6, 26))
        );
        assert_eq!(
            s.first_exam(&DiplomaCode::BacGeneral, "2027"),
            Some(d(2027, 6, 15))
        );
        assert_eq!(s.bilan_max_age_years, 2);
    }

    #[test]
    fn overrides_win_per_diploma_then_per_session() {
        let json = r#"{
            "bilan_max_age_years": 3,
            "deadlines": {"bts": "11-10", "anticipees": "12-01"},
            "session_deadlines": {"2027": {"bts": "2026-11-05"}},
            "first_exams": {"*": "06-10"},
            "session_first_exams": {"2027": {"dnb": "2027-06-29"}}
        }"#;
        let s: CampaignSettings = serde_json::from_str(json).unwrap();
        assert_eq!(s.bilan_max_age_years, 3);
        assert_eq!(s.medical_file_max_age_years, 1);
        assert_eq!(s.deadline(&DiplomaCode::Bts, "2026"), Some(d(2025, 11, 10)));
        assert_eq!(s.deadline(&DiplomaCode::Bts, "2027"), Some(d(2026, 11, 5)));
        assert_eq!(s.deadline(&DiplomaCode::Dnb, "2027"), Some(d(2026, 12, 20)));
        assert_eq!(s.anticipated_deadline("2027"), Some(d(2026, 12, 1)));
        assert_eq!(
            s.first_exam(&DiplomaCode::Dnb, "2027"),
            Some(d(2027, 6, 29))
        );
        assert_eq!(
            s.first_exam(&DiplomaCode::Dnb, "2028"),
            Some(d(2028, 6, 10))
        );
        assert!(s.medical_terms.is_empty(), "the lexicon is built in");
    }

    #[test]
    fn empty_settings_file_gives_defaults_and_round_trips() {
        let s: CampaignSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, CampaignSettings::default());
        let back: CampaignSettings =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn bad_month_day_is_an_error_not_a_panic() {
        let r: Result<CampaignSettings, _> =
            serde_json::from_str(r#"{"deadlines": {"bts": "02-30"}}"#);
        assert!(r.is_err());
        let r: Result<CampaignSettings, _> =
            serde_json::from_str(r#"{"deadlines": {"bts": "novembre"}}"#);
        assert!(r.is_err());
        assert_eq!(
            MonthDay::new(2, 29).unwrap().in_year(2027),
            Some(d(2027, 2, 28))
        );
    }

    #[test]
    fn ages_at_the_boundaries() {
        let today = d(2026, 11, 26);
        assert!(!older_than_years(d(2024, 11, 26), today, 2));
        assert!(older_than_years(d(2024, 11, 25), today, 2));
        assert!(!older_than_years(d(2027, 1, 1), today, 2));
        assert_eq!(age_in_years(d(2024, 11, 26), today), 2);
        assert_eq!(age_in_years(d(2024, 11, 27), today), 1);
        assert_eq!(session_year("2027"), Some(2027));
        assert_eq!(session_year("27"), None);
    }
}
