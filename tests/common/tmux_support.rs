//! A tmux session driving the real binary in a pseudo-terminal, for the
//! end-to-end tests (`tests/e2e_*.rs`).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Whether tmux is there; without it the test is skipped with a reason,
/// or fails when `CI` is set.
pub fn tmux_or_skip() -> bool {
    let available = Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !available {
        if std::env::var_os("CI").is_some() {
            panic!("tmux is required for the end-to-end test in CI");
        }
        eprintln!("tmux introuvable : test de bout en bout ignoré");
    }
    available
}

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A detached session `avis` of `width`×`height` running `command`
    /// (in `dir` when given), on a server of its own named after `name`.
    pub fn start(
        name: &str,
        (width, height): (u16, u16),
        dir: Option<&Path>,
        command: &str,
    ) -> Tmux {
        let tmux = Tmux {
            socket: format!("avis-e2e-{name}-{}", std::process::id()),
        };
        let (width, height) = (width.to_string(), height.to_string());
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            "avis",
            "-x",
            &width,
            "-y",
            &height,
        ];
        if let Some(dir) = dir {
            args.extend(["-c", dir.to_str().unwrap()]);
        }
        args.push(command);
        let out = tmux.run(&args);
        assert!(out.status.success(), "tmux new-session failed");
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.run(&["send-keys", "-t", "avis", k]);
            assert!(out.status.success(), "send-keys {k} failed");
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    pub fn text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", "avis", "-l", text]);
        assert!(out.status.success());
        std::thread::sleep(Duration::from_millis(200));
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "avis"]).stdout)
            .into_owned()
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |screen| screen.contains(needle))
    }

    /// Waits until `ready` holds for the screen (`what` names it on failure).
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(60) {
                panic!("timed out waiting for {what:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The content of `path` once the binary wrote it whole (a last newline).
pub fn wait_file(path: &Path) -> String {
    let start = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            if s.ends_with('\n') {
                return s;
            }
        }
        if start.elapsed() > Duration::from_secs(30) {
            panic!("the binary did not exit");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
