//! Entry path validation.
