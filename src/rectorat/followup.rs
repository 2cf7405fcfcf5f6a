//! What is pending (`avis rectorat suivi`): per doctor, the requests sent,
//! the avis received, the outstanding ones, the oldest outstanding with its
//! date and the exam date it puts at risk; overdue ones first.

use chrono::NaiveDate;
use serde::Serialize;

use super::workspace::Workspace;
use crate::domain::checks::CampaignSettings;
use crate::domain::DiplomaCode;

/// Days after which an outstanding request is overdue, by default.
pub const DEFAULT_RESPONSE_DAYS: i64 = 30;

/// One request still without an avis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outstanding {
    pub request_id: String,
    pub sent_on: NaiveDate,
    /// Days since it was sent.
    pub days: i64,
    /// First exam day of its diploma and session, when known.
    pub exam_on: Option<NaiveDate>,
    /// Last day an accommodation can still be decided (exam day less the
    /// campaign's `no_accommodation_days`), when known.
    pub decide_by: Option<NaiveDate>,
    /// Waiting longer than the response delay, or past `decide_by`.
    pub overdue: bool,
}

/// One doctor's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoctorFollowUp {
    pub name: String,
    pub rpps: Option<String>,
    pub sent: usize,
    pub received: usize,
    pub outstanding: usize,
    pub overdue: usize,
    /// Overdue first, then oldest first.
    pub requests: Vec<Outstanding>,
}

impl DoctorFollowUp {
    /// The oldest outstanding request.
    pub fn oldest(&self) -> Option<&Outstanding> {
        self.requests
            .iter()
            .min_by_key(|o| (o.sent_on, o.request_id.as_str()))
    }
}

/// The whole follow-up on `date`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub date: NaiveDate,
    pub response_days: i64,
    pub doctors: Vec<DoctorFollowUp>,
}

impl Workspace {
    /// The follow-up on `today`: doctors with overdue requests first (most
    /// overdue first), then by oldest outstanding, then those owing nothing.
    pub fn follow_up(
        &self,
        today: NaiveDate,
        response_days: i64,
        settings: &CampaignSettings,
    ) -> FollowUp {
        let mut doctors: Vec<DoctorFollowUp> = self
            .doctors()
            .iter()
            .map(|d| DoctorFollowUp {
                name: d.name.clone(),
                rpps: d.rpps.clone(),
                sent: 0,
                received: 0,
                outstanding: 0,
                overdue: 0,
                requests: Vec::new(),
            })
            .collect();
        for (id, sent) in self.sent_requests() {
            let Some(line) = doctors.get_mut(sent.doctor) else {
                continue;
            };
            line.sent += 1;
            if self.received_avis().contains_key(id) {
                line.received += 1;
                continue;
            }
            let sent_on = sent.sent_at.date_naive();
            let days = (today - sent_on).num_days();
            let diploma = DiplomaCode::from_code(&sent.diploma);
            let exam_on = settings.first_exam(&diploma, &sent.session);
            let decide_by = exam_on.and_then(|d| {
                d.checked_sub_days(chrono::Days::new(u64::from(settings.no_accommodation_days)))
            });
            let overdue = days > response_days || decide_by.is_some_and(|d| today > d);
            line.outstanding += 1;
            line.overdue += usize::from(overdue);
            line.requests.push(Outstanding {
                request_id: id.clone(),
                sent_on,
                days,
                exam_on,
                decide_by,
                overdue,
            });
        }
        for line in &mut doctors {
            line.requests.sort_by(|a, b| {
                let key = |o: &Outstanding| (!o.overdue, o.sent_on, o.request_id.clone());
                key(a).cmp(&key(b))
            });
        }
        doctors.sort_by(|a, b| {
            let key = |d: &DoctorFollowUp| {
                (
                    std::cmp::Reverse(d.overdue),
                    d.outstanding == 0,
                    d.oldest().map(|o| o.sent_on),
                )
            };
            key(a).cmp(&key(b))
        });
        FollowUp {
            date: today,
            response_days,
            doctors,
        }
    }
}
