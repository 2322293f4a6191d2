//! What the report tests share: a run whose clock the test moves, and text
//! as the ledger hands it to a sink. Test-only.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::{Clock, RunInfo};
use crate::redact::{Redactor, SafeLine};

/// `text` as the ledger hands it to a sink: one safe line (no secrets here).
pub fn safe(text: &str) -> SafeLine {
    Redactor::new([]).line(text, 1 << 20)
}

/// The clock of a test run (suite `shop`, environment `staging`), which the
/// test moves to each event's millisecond.
pub struct RunClock {
    now: Arc<Mutex<SystemTime>>,
    /// When the run started: every event is stamped after it.
    pub start: SystemTime,
}

impl RunClock {
    pub fn new() -> RunClock {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        RunClock {
            now: Arc::new(Mutex::new(start)),
            start,
        }
    }

    /// The run as a report sees it, stamped by this clock.
    pub fn run(&self) -> RunInfo {
        let clock: Clock = {
            let now = self.now.clone();
            Arc::new(move || *now.lock().unwrap())
        };
        RunInfo {
            suite: "shop".to_owned(),
            shard: None,
            env: Some("staging".to_owned()),
            started_at: self.start,
            clock,
        }
    }

    /// Moves the clock to `ms` after the start.
    pub fn at(&self, ms: u64) {
        *self.now.lock().unwrap() = self.start + Duration::from_millis(ms);
    }
}
