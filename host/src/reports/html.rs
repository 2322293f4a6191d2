//! `--report html=FILE` and `plume report html`: one self-contained HTML page
//! of a run, for people — where the time went and what ran in parallel (a
//! timeline, each group a lane), every red and skipped check open with its
//! whole detail, flaky attempts, the cleanup walk and the plugins' traces.
//!
//! Guarantees:
//! - the page is one file that needs nothing else: its style and script are
//!   inline, and a `Content-Security-Policy` (`default-src 'none'`, the
//!   style and the script allowed by their SHA-256 only) forbids every fetch,
//!   so it opens from disk or a CI artifact with no network and sends
//!   nothing anywhere;
//! - every text in it came through the ledger (secrets redacted, one bounded
//!   line) and is written by [`maud`], whose templates escape every value
//!   unless the code says otherwise — a plugin's text is shown as text, and
//!   nothing a plugin chose is ever written unescaped (only the page's own
//!   constants are);
//! - it is readable with scripts off: the script only adds the filters by
//!   outcome and the search by name;
//! - it is bounded: details are at most 4 KiB each (the ledger's limit) and
//!   the traces kept are at most [`HTML_LOGS_MAX`](crate::limits::HTML_LOGS_MAX) bytes, the rest counted.
//!
//! The page is built from the same events the JSON report writes, so `plume
//! report html` renders a run (or a sharded run's shards, merged) from its
//! `--report json` files, and the monitor renders a stored run the same way.

mod model;
mod page;
mod timeline;

use std::io::Write;

pub use model::RunModel;
pub use page::{badge, content_security_policy, head, report_policy};
pub use timeline::duration_text;

use super::{Out, RunInfo};
use crate::events::{Event, Sink};

/// The `--report html` sink: gathers the run, writes the page when it ends.
pub struct HtmlReport {
    out: Out,
    run: RunInfo,
    model: RunModel,
}

impl HtmlReport {
    pub fn new(out: Out, run: RunInfo) -> HtmlReport {
        let model = RunModel::new(&run);
        HtmlReport { out, run, model }
    }
}

impl Sink for HtmlReport {
    fn name(&self) -> &'static str {
        "the html report"
    }

    fn event(&mut self, event: &Event<'_>) {
        let at = (self.run.clock)();
        self.model.add(at, event);
        if let Event::Finished(_) = event {
            let page = page::render(&self.model);
            let _ = self.out.write_all(page.as_bytes());
            let _ = self.out.flush();
        }
    }
}

/// The page of a finished run gathered in `model`.
pub fn render(model: &RunModel) -> String {
    page::render(model)
}

/// The page of the run whose JSON events are `events` (`name` names them
/// in messages).
pub fn from_events(name: &std::path::Path, events: &str) -> Result<String, crate::PlumeError> {
    let merged = super::merge::Merged::from_text(name, events)?;
    let page = PageBuffer::default();
    merged.replay_with(|run| {
        let sink: Box<dyn Sink> = Box::new(HtmlReport::new(Box::new(page.clone()), run.clone()));
        Ok(vec![sink])
    })?;
    Ok(page.text())
}

/// A page written in memory.
#[derive(Clone, Default)]
pub struct PageBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl PageBuffer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What was written.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.lock()).into_owned()
    }
}

impl Write for PageBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.lock().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
