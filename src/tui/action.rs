//! Every intent the UI can have, as one message enum: keys and mouse are
//! turned into [`Action`]s by [`super::keys`], worker replies arrive as
//! [`Action::Worker`], and [`super::app::App::update`] carries them out.

use std::time::Instant;

use ratatui::crossterm::event::KeyEvent;

use crate::domain::{Decision, Status};

use super::worker::WorkerEvent;

/// A message for [`super::app::App::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave the application (saving first).
    Quit,
    /// Go back one screen, or close the open overlay.
    Back,
    ToggleHelp,
    ToggleContrast,
    /// Time passes (drives the debounced save and the idle lock).
    Tick(Instant),
    /// Lock the session now (Ctrl+L): save, close the store, ask the
    /// passphrase again.
    Lock,
    Resize(u16, u16),

    // Unlock screen.
    UnlockInput(char),
    UnlockBackspace,
    UnlockSubmit,

    // Inbox.
    Move(isize),
    MoveTo(usize),
    MoveFirst,
    MoveLast,
    OpenSelected,
    StartFilter,
    FilterInput(char),
    FilterBackspace,
    /// Leave the filter field and open the selected request.
    FilterSubmit,
    FilterClear,
    CycleSort,
    ReverseSort,
    StatusFilter(Option<Status>),
    OpenExport,
    /// A click at (column, row) of the terminal.
    Click(u16, u16),
    /// Mouse wheel: lines down (positive) or up.
    Wheel(isize),

    // Request view.
    NextTab,
    PrevTab,
    SelectTab(usize),
    Scroll(isize),
    OpenEditor,
    OpenDocument,
    OpenExternal,

    // Viewer.
    NextPage,
    PrevPage,
    /// The viewer's own actions (zoom, rotation, search…).
    Viewer(super::screens::viewer::ViewerAction),

    // Editor.
    FocusNext,
    FocusPrev,
    Decide(Decision),
    ModifyMeasure,
    AddMeasure,
    RemoveMeasure,
    CycleEpreuves,
    EditDetail,
    CycleOutcome,
    /// Override the first `bloquant` check with a written reason.
    OverrideCheck,
    ToggleValidity,
    EditUntilSession,
    EditMeasureMotivation,
    ToggleMissing,
    InsertTemplate,
    /// A key typed into the focused multi-line text.
    TextKey(KeyEvent),
    SaveNow,
    Validate,
    Unvalidate,

    // Catalogue picker and one-line inputs (detail, export path).
    PickerInput(char),
    PickerBackspace,
    PickerMove(isize),
    PickerChoose,
    LineInput(char),
    LineBackspace,
    LineSubmit,

    // Export screen.
    ExportSubmit,
    ExportConfirm(bool),

    /// A reply from the worker.
    Worker(WorkerEvent),
}
