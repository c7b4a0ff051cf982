//! Progress of long waits: one line rewritten in place on a terminal, plain lines otherwise.
//!
//! On a terminal (stderr is one, and `RAMPART_PLAIN_PROGRESS` is unset) [`Progress::update`]
//! redraws a single live line; elsewhere (a pipe, a log file, CI, `--json`) it prints a plain
//! line when the text changed and at most one every [`Progress::PLAIN_EVERY`], so logs stay short
//! and machine-readable. Progress is stderr only: a command's `--json` document on stdout stays
//! whole.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Environment variable that forces plain lines even on a terminal.
pub const PLAIN_ENV: &str = "RAMPART_PLAIN_PROGRESS";

/// A live progress line on stderr.
#[derive(Debug)]
pub struct Progress {
    live: bool,
    last_text: String,
    last_print: Option<Instant>,
    drawn: bool,
}

impl Progress {
    /// The shortest time between two plain progress lines.
    pub const PLAIN_EVERY: Duration = Duration::from_secs(2);

    /// A live line when stderr is a terminal (and plain output is not forced), else plain lines.
    pub fn new() -> Self {
        let forced_plain = std::env::var_os(PLAIN_ENV).is_some_and(|v| !v.is_empty());
        Self::with_live(std::io::stderr().is_terminal() && !forced_plain)
    }

    fn with_live(live: bool) -> Self {
        Self {
            live,
            last_text: String::new(),
            last_print: None,
            drawn: false,
        }
    }

    /// Whether the line is redrawn in place.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// Shows `text` as the current state: redrawn on a terminal, else printed as a line when it
    /// changed and [`Progress::PLAIN_EVERY`] has passed since the last one.
    pub fn update(&mut self, text: &str) {
        if self.live {
            eprint!("\r{text}\x1b[K");
            let _ = std::io::stderr().flush();
            self.drawn = true;
        } else if self.plain_due(text) {
            eprintln!("{text}");
            self.last_print = Some(Instant::now());
        }
        text.clone_into(&mut self.last_text);
    }

    /// Ends the live line (if any) and prints `text` as a line of its own.
    pub fn finish(&mut self, text: &str) {
        if self.drawn {
            eprint!("\r\x1b[K");
            self.drawn = false;
        }
        eprintln!("{text}");
    }

    /// Ends the live line, if one is drawn, so that what follows starts on a fresh line.
    pub fn clear(&mut self) {
        if self.drawn {
            eprintln!();
            self.drawn = false;
        }
    }

    fn plain_due(&self, text: &str) -> bool {
        text != self.last_text
            && self
                .last_print
                .is_none_or(|at| at.elapsed() >= Self::PLAIN_EVERY)
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_only_when_changed_and_due() {
        let mut progress = Progress::with_live(false);
        assert!(!progress.is_live());
        assert!(progress.plain_due("height 1"));
        progress.update("height 1");
        assert!(
            !progress.plain_due("height 1"),
            "unchanged text is not repeated"
        );
        assert!(
            !progress.plain_due("height 2"),
            "at most one line per PLAIN_EVERY"
        );
        progress.last_print = Instant::now().checked_sub(Progress::PLAIN_EVERY);
        assert!(progress.plain_due("height 2"));
    }
}
