//! Terminal hygiene for untrusted text.
