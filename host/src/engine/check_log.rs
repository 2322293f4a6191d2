//! The running check's log, as a capability sees it: lines go to the run's
//! ledger under the instance's group and check, within the check's log
//! budget ([`CHECK_LOG_BYTES`]). Past the budget one line says so and the
//! rest is dropped, so a plugin flooding its log cannot flood the terminal
//! or a report. It borrows only the ledger, the position and the bytes the
//! check has logged so far.

use crate::engine::state::Position;
use crate::limits::{CHECK_LOG_BYTES, LOG_LINE_COST};
use crate::record::ledger::Ledger;

/// The current check's log and what it has spent of its budget.
pub struct CheckLog<'a> {
    pub ledger: &'a Ledger,
    pub position: &'a Position,
    /// Bytes (with each line's framing) logged by the check's attempts so far.
    pub spent: &'a mut usize,
}

impl<'a> CheckLog<'a> {
    /// The log of the check at `position`, which has logged `spent` bytes.
    pub fn new(ledger: &'a Ledger, position: &'a Position, spent: &'a mut usize) -> Self {
        CheckLog {
            ledger,
            position,
            spent,
        }
    }

    /// Sends a line to the run's log as the current check's, within the
    /// check's log budget.
    pub fn write(&mut self, level: &str, message: &str) {
        if message.is_empty() || *self.spent > CHECK_LOG_BYTES || !self.ledger.wants_logs() {
            return;
        }
        // Each line becomes an event of its own in every report, so a line
        // costs its framing too: 128 KiB of "x\n" is not 65,536 events.
        let lines = crate::text::lines(message).count();
        *self.spent += message.len() + lines * LOG_LINE_COST;
        let p = self.position;
        if *self.spent > CHECK_LOG_BYTES {
            let note = format!(
                "log output past {} KiB for this check dropped",
                CHECK_LOG_BYTES / 1024
            );
            self.ledger.log(&p.suite_group, &p.check, "warn", &note);
            return;
        }
        self.ledger.log(&p.suite_group, &p.check, level, message);
    }
}
