//! Small reusable widgets.

pub mod halfblocks;
