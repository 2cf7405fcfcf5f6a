//! The review TUI.
