//! The domain: requests, the catalogue, the avis and the regulatory checks.
//!
//! Pure: no I/O, no terminal, no clock (the review date is a parameter).

pub mod catalogue;
pub mod checks;
pub mod code;
pub mod opinion;
pub mod paper;
pub mod request;
pub mod secrecy;
pub mod status;

pub use catalogue::{
    DiplomaCode, DiplomaFamily, DocumentCategory, MeasureCategory, MeasureCode, TroubleCode,
};
pub use opinion::{
    CheckOverride, Decision, Doctor, Draft, Epreuves, MeasureOpinion, Opinion, Outcome, Validity,
    ValidityKind,
};
pub use paper::PaperDocument;
pub use request::{Procedure, Request};
pub use status::Status;
