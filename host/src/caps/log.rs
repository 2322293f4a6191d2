//! `plume:check/log`: a plugin's own lines, unique markers, values a
//! plugin obtained and registers for redaction (`mask`, 0.1.3), and the
//! attempts it made itself (`attempt-failed`, 0.1.4).
//!
//! An attempt reported joins the running check's earlier attempts exactly
//! as one `--retries` made: its detail redacted and cut as any detail is
//! (only a kept attempt's text is read at all: past
//! [`crate::limits::EARLIER_ATTEMPTS_MAX`] it is counted, not kept), so
//! reports count it and an `erred` one makes a check that passes flaky.
//! Outside a check (`describe`) the call is ignored.
//!
//! A value masked joins the run's redactor (the ledger's): every text of the
//! run that reaches a sink after the call — any group's, any check's —
//! shows it as `***` in every encoding the redactor knows, and so do the
//! excerpts assertions quote and `plume list`. Each value is counted against the plugin's
//! budget, once however often it is masked ([`crate::limits::MASK_MAX_VALUES`], [`crate::limits::MASK_MAX_BYTES`]);
//! past it the instance ends with the quota's line. A value too short to
//! mask is not masked: a warning line says so, without the value.
//! [`LogView`] is all it reaches of the Store.

use rand::RngCore;
use wasmtime::component::HasData;

use std::time::Duration;

use crate::engine::bindings::log::{
    AttemptKind as WitKind, FailedAttempt as WitAttempt, Host, Level,
};
use crate::engine::check_log::CheckLog;
use crate::engine::state::StoreState;
use crate::events::{AttemptKind, Earlier, FailedAttempt};
use crate::limits::DETAIL_MAX;
use crate::record::budget::PluginBudget;
use crate::redact::MIN_SECRET_LEN;

/// A fresh `PLUME-MARKER-<32 hex digits>`.
pub fn new_marker() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("PLUME-MARKER-{}", hex::encode(bytes))
}

/// What `plume:check/log` reaches: the check's log (whose ledger holds the
/// run's redactor a masked value joins), the plugin's budget a mask is
/// charged to, and the attempts the plugin reported during the check.
pub struct LogView<'a> {
    pub log: CheckLog<'a>,
    pub budget: &'a PluginBudget,
    pub reported: &'a mut Earlier,
}

/// Names [`LogView`] for the linker.
pub struct Log;

impl HasData for Log {
    type Data<'a> = LogView<'a>;
}

/// The log capability's view of `state`.
pub fn view(state: &mut StoreState) -> LogView<'_> {
    let StoreState {
        run,
        budget,
        position,
        log_bytes,
        reported,
        ..
    } = state;
    LogView {
        log: CheckLog::new(&run.ledger, position, log_bytes),
        budget,
        reported,
    }
}

impl LogView<'_> {
    fn log(&mut self, level: &str, message: &str) {
        self.log.write(level, message);
    }
}

impl Host for LogView<'_> {
    fn write(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
        };
        self.log(level, &message);
        Ok(())
    }

    fn marker(&mut self) -> wasmtime::Result<String> {
        Ok(new_marker())
    }

    fn mask(&mut self, value: String) -> wasmtime::Result<()> {
        if crate::redact::check_secret(&value).is_err() {
            let note = format!(
                "log.mask: a value of {} character(s) is not masked: values of at least {MIN_SECRET_LEN} characters are (a shorter one would mangle ordinary text)",
                value.chars().count()
            );
            self.log("warn", &note);
            return Ok(());
        }
        // Masking a value twice (a retried check, two SDK calls) costs once.
        if self.log.ledger.masks(&value) {
            return Ok(());
        }
        self.budget.charge_mask(value.len() as u64)?;
        self.log.ledger.mask(&value);
        Ok(())
    }

    fn attempt_failed(&mut self, attempt: WitAttempt) -> wasmtime::Result<()> {
        if !self.log.position.in_check() {
            return Ok(());
        }
        let kind = match attempt.kind {
            WitKind::Erred => AttemptKind::Erred,
            WitKind::Pending => AttemptKind::Pending,
        };
        if !self.reported.has_room() {
            self.reported.count_dropped(kind);
            return Ok(());
        }
        let detail = self.log.ledger.line(&attempt.detail, DETAIL_MAX);
        self.reported.push(FailedAttempt {
            kind,
            status: attempt.status,
            detail,
            elapsed: Duration::from_millis(attempt.elapsed_ms.into()),
        });
        Ok(())
    }
}
