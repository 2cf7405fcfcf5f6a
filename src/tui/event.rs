//! The UI thread's inbox: terminal input (read on its own thread), worker
//! replies, and ticks (the receive timeout) all arrive on one channel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use ratatui::crossterm::event as ct;

use super::worker::Reply;

/// Something the UI loop must react to.
#[derive(Debug)]
pub enum Event {
    /// A key, mouse or resize event from the terminal.
    Input(ct::Event),
    /// A reply from the worker.
    Worker(Reply),
}

/// Reads terminal input on a dedicated thread until `stop` is set or the
/// receiver is gone.
pub fn spawn_input(tx: Sender<Event>, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("avis-input".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match ct::poll(Duration::from_millis(50)) {
                    Ok(true) => match ct::read() {
                        Ok(ev) => {
                            if tx.send(Event::Input(ev)).is_err() {
                                break;
                            }
                        }
                        Err(_) => break,
                    },
                    Ok(false) => {}
                    Err(_) => break,
                }
            }
        })
        .map(|_| ())
}
