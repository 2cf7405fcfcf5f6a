//! The avis JSON that `avis opinion apply` reads, and the request JSON of a
//! bundle: parsing and the domain's checks on them must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(opinion) = serde_json::from_slice::<avis::domain::Opinion>(data) {
        let _ = serde_json::to_vec(&opinion);
    }
    if let Ok(request) = serde_json::from_slice::<avis::domain::Request>(data) {
        let settings = avis::domain::checks::CampaignSettings::default();
        let Some(today) = chrono::NaiveDate::from_ymd_opt(2026, 11, 26) else {
            return;
        };
        let _ = avis::domain::checks::evaluate(&request, None, today, &settings);
        if let Ok(opinion) = serde_json::from_slice::<avis::domain::Opinion>(data) {
            let _ = opinion.completeness_problems(&request);
        }
    }
});

