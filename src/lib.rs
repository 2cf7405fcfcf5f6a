//! avis: the tool of the doctors designated by the CDAPH who review French
//! students' requests for exam accommodations.
//!
//! Layers, each depending only on those below it:
//! - [`domain`]: requests, catalogue, avis, regulatory checks (pure);
//! - [`bundle`]: the signed, encrypted wire format shared with the rectorat;
//! - [`store`]: the doctor's encrypted local store;
//! - [`rectorat`]: the rectorat's side (workspace, assignment, gathering);
//! - [`cli`] and [`tui`]: the two faces of the binary.

// Nothing from outside may panic the program: no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod allocator;
pub mod atomic;
pub mod bundle;
pub mod cli;
pub mod domain;
pub mod figures;
pub mod hardening;
pub mod passphrase;
pub mod pieces;
pub mod print;
pub mod rectorat;
pub mod store;
pub mod synth;
pub mod testhooks;
pub mod text;
pub mod tui;
