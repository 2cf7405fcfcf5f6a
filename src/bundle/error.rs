//! Typed bundle errors, each with a French message saying what is wrong and
//! what to do.

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("lecture impossible : {0}")]
    Io(#[from] std::io::Error),
}
