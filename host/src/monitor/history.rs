//! The monitor's history of runs, in SQLite, so the status page can say
//! since when a suite is red and whether it flaps, across restarts.
//!
//! Guarantees:
//! - one transaction per run (the run, its checks, the pruning), in WAL
//!   mode: a crash loses at most the run in flight, never a half-written one;
//! - bounded: runs older than `--keep` are pruned, and so are the oldest
//!   runs while the data passes `--max-state-mib`;
//! - versioned: `PRAGMA user_version` is the schema's version; migrations
//!   run in order, each in its own transaction, and a database of a newer
//!   plume is refused rather than misread;
//! - exclusive: the state directory's lock file is held (`flock`) as long as
//!   the history is open, so a second monitor on the same directory is
//!   refused at start-up instead of both writing;
//! - `:memory:` keeps the history for the process's life only.
//!
//! Every text stored came through the ledger (redacted, one bounded line).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use super::collect::RunResult;
use crate::events::Outcome;

/// What the state directory's lock file is called.
pub const LOCK_FILE: &str = "monitor.lock";
/// What the database is called in the state directory.
pub const DATABASE: &str = "history.sqlite3";

/// The schema, one migration per version: `MIGRATIONS[n]` takes version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        suite TEXT NOT NULL,
        env TEXT NOT NULL,
        finished_ms INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        success INTEGER NOT NULL,
        passed INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        headline TEXT NOT NULL,
        events BLOB
    );
    CREATE INDEX runs_target ON runs (suite, env, finished_ms);
    CREATE INDEX runs_state ON runs (suite, env, success, finished_ms);
    CREATE INDEX runs_age ON runs (finished_ms);
    CREATE TABLE checks (
        run_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        outcome INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL
    );
    CREATE INDEX checks_run ON checks (run_id);
"];

/// The schema version this plume writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why the history cannot be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "another plume monitor is using the state directory {dir} (its {LOCK_FILE} is locked); stop it, or give this one its own --state-dir"
    )]
    Locked { dir: PathBuf },
    #[error(
        "cannot use the state directory {dir}: {reason} (give another --state-dir, or :memory: for no history)"
    )]
    Dir { dir: PathBuf, reason: String },
    #[error(
        "{path} holds history of schema {found}, newer than this plume's {SCHEMA_VERSION}: run the newer plume, or give another --state-dir"
    )]
    Newer { path: PathBuf, found: i64 },
    #[error("the history database {path}: {reason}")]
    Database { path: PathBuf, reason: String },
}

/// Where the history lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateDir {
    /// `:memory:`: kept for the process's life only.
    Memory,
    Dir(PathBuf),
}

impl StateDir {
    /// `--state-dir`: `:memory:` or a directory.
    pub fn parse(text: &str) -> StateDir {
        if text == ":memory:" {
            StateDir::Memory
        } else {
            StateDir::Dir(PathBuf::from(text))
        }
    }
}

/// How much history to keep.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub keep: Duration,
    pub max_bytes: u64,
}

/// One run as the history keeps it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRow {
    pub id: i64,
    #[serde(skip)]
    pub finished: SystemTime,
    pub duration_ms: u64,
    pub success: bool,
    pub passed: i64,
    pub failed: i64,
    pub skipped: i64,
    pub headline: String,
}

/// One check of a run as the history keeps it.
#[derive(Debug, Clone)]
pub struct CheckPoint {
    pub run_id: i64,
    pub name: String,
    pub outcome: Outcome,
    pub duration_ms: u64,
}

/// A target's recent history: its last runs (newest first) and their checks.
#[derive(Debug, Default)]
pub struct Recent {
    pub runs: Vec<RunRow>,
    pub checks: Vec<CheckPoint>,
    /// When the current state (green or red) began: the first run of the current streak.
    pub since: Option<SystemTime>,
    /// When the oldest run kept of this target ended.
    pub oldest: Option<SystemTime>,
}

/// The history: a connection and, for a directory, its lock.
pub struct History {
    conn: Mutex<Connection>,
    path: PathBuf,
    retention: Retention,
    _lock: Option<File>,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "History({})", self.path.display())
    }
}

fn ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn time_of(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

fn outcome_code(o: Outcome) -> i64 {
    match o {
        Outcome::Ok => 0,
        Outcome::Err => 1,
        Outcome::Skip => 2,
    }
}

fn outcome_of(code: i64) -> Outcome {
    match code {
        0 => Outcome::Ok,
        1 => Outcome::Err,
        _ => Outcome::Skip,
    }
}

fn whole_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl History {
    /// Opens (creating, migrating) the history in `dir`, holding its lock.
    pub fn open(dir: &StateDir, retention: Retention) -> Result<History, HistoryError> {
        match dir {
            StateDir::Memory => {
                let path = PathBuf::from(":memory:");
                let conn = Connection::open_in_memory().map_err(|e| db(&path, e))?;
                History::ready(conn, path, retention, None)
            }
            StateDir::Dir(dir) => {
                let fail = |reason: String| HistoryError::Dir {
                    dir: dir.clone(),
                    reason,
                };
                std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
                let lock = File::options()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(dir.join(LOCK_FILE))
                    .map_err(|e| fail(format!("cannot open its {LOCK_FILE}: {e}")))?;
                match lock.try_lock() {
                    Ok(()) => {}
                    Err(std::fs::TryLockError::WouldBlock) => {
                        return Err(HistoryError::Locked { dir: dir.clone() });
                    }
                    Err(std::fs::TryLockError::Error(e)) => {
                        return Err(fail(format!("cannot lock its {LOCK_FILE}: {e}")));
                    }
                }
                let path = dir.join(DATABASE);
                let conn = Connection::open(&path).map_err(|e| db(&path, e))?;
                History::ready(conn, path, retention, Some(lock))
            }
        }
    }

    fn ready(
        mut conn: Connection,
        path: PathBuf,
        retention: Retention,
        lock: Option<File>,
    ) -> Result<History, HistoryError> {
        let fail = |e: rusqlite::Error| db(&path, e);
        // Freed pages go back to the file's free list, so pruning bounds the
        // file; set before the first table, so only a new database takes it.
        conn.execute_batch(
            "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
        )
        .map_err(fail)?;
        migrate(&mut conn, &path)?;
        Ok(History {
            conn: Mutex::new(conn),
            path,
            retention,
            _lock: lock,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fail(&self, e: rusqlite::Error) -> HistoryError {
        db(&self.path, e)
    }

    /// Where the history is (`:memory:` or the database file).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps `run` with its `events` (the JSON events, when whole), in one
    /// transaction with the pruning it makes due; returns the run's id.
    pub fn record(
        &self,
        suite: &str,
        env: &str,
        run: &RunResult,
        events: Option<&[u8]>,
    ) -> Result<i64, HistoryError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.fail(e))?;
        let id = insert_run(&tx, suite, env, run, events).map_err(|e| self.fail(e))?;
        prune(&tx, self.retention, SystemTime::now()).map_err(|e| self.fail(e))?;
        tx.commit().map_err(|e| self.fail(e))?;
        Ok(id)
    }

    /// The last `limit` runs of a target (newest first), their checks, and
    /// when its current state began.
    pub fn recent(&self, suite: &str, env: &str, limit: usize) -> Result<Recent, HistoryError> {
        let conn = self.lock();
        recent(&conn, suite, env, limit).map_err(|e| self.fail(e))
    }

    /// Run `id`'s JSON events: `None` when there is no such run, `Some(None)`
    /// when it kept none (it did not start, or they passed 1 MiB).
    pub fn events(&self, id: i64) -> Result<Option<Option<Vec<u8>>>, HistoryError> {
        let conn = self.lock();
        conn.query_row("SELECT events FROM runs WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// Bytes the history's data takes (its pages in use).
    pub fn used_bytes(&self) -> Result<u64, HistoryError> {
        used_bytes(&self.lock()).map_err(|e| self.fail(e))
    }
}

fn db(path: &Path, e: rusqlite::Error) -> HistoryError {
    HistoryError::Database {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Brings the schema to [`SCHEMA_VERSION`], one migration per transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), HistoryError> {
    let fail = |e: rusqlite::Error| db(path, e);
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(fail)?;
    if found > SCHEMA_VERSION {
        return Err(HistoryError::Newer {
            path: path.to_owned(),
            found,
        });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
}

fn insert_run(
    tx: &rusqlite::Transaction<'_>,
    suite: &str,
    env: &str,
    run: &RunResult,
    events: Option<&[u8]>,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO runs (suite, env, finished_ms, duration_ms, success, passed, failed, skipped, headline, events)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            suite,
            env,
            ms(run.finished_at),
            whole_ms(run.duration),
            run.success,
            run.passed as i64,
            run.failed as i64,
            run.skipped as i64,
            run.headline,
            events,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut insert = tx.prepare_cached(
        "INSERT INTO checks (run_id, name, outcome, duration_ms) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for c in &run.checks {
        insert.execute(params![
            id,
            format!("{}.{}", c.group, c.check),
            outcome_code(c.outcome),
            whole_ms(c.duration),
        ])?;
    }
    Ok(id)
}

fn used_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(u64::try_from((pages - free).max(0) * size).unwrap_or(0))
}

/// Drops the runs older than `keep`, then the oldest tenth (by id) while
/// the data is over `max_bytes`, never the newest run. Every query here
/// walks an index: its cost does not grow with the history.
fn prune(
    tx: &rusqlite::Transaction<'_>,
    retention: Retention,
    now: SystemTime,
) -> rusqlite::Result<()> {
    let cutoff = ms(now.checked_sub(retention.keep).unwrap_or(UNIX_EPOCH));
    tx.execute(
        "DELETE FROM checks WHERE run_id IN (SELECT id FROM runs WHERE finished_ms < ?1)",
        [cutoff],
    )?;
    tx.execute("DELETE FROM runs WHERE finished_ms < ?1", [cutoff])?;
    while used_bytes(tx)? > retention.max_bytes {
        let (first, last): (Option<i64>, Option<i64>) =
            tx.query_row("SELECT MIN(id), MAX(id) FROM runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let (Some(first), Some(last)) = (first, last) else {
            break;
        };
        if first >= last {
            break;
        }
        let through = (first + (last - first) / 10).min(last - 1);
        tx.execute("DELETE FROM checks WHERE run_id <= ?1", [through])?;
        tx.execute("DELETE FROM runs WHERE id <= ?1", [through])?;
    }
    tx.execute_batch("PRAGMA incremental_vacuum")?;
    Ok(())
}

fn recent(conn: &Connection, suite: &str, env: &str, limit: usize) -> rusqlite::Result<Recent> {
    let mut runs_of = conn.prepare_cached(
        "SELECT id, finished_ms, duration_ms, success, passed, failed, skipped, headline
         FROM runs WHERE suite = ?1 AND env = ?2 ORDER BY finished_ms DESC, id DESC LIMIT ?3",
    )?;
    let runs: Vec<RunRow> = runs_of
        .query_map(params![suite, env, limit as i64], |r| {
            Ok(RunRow {
                id: r.get(0)?,
                finished: time_of(r.get(1)?),
                duration_ms: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                success: r.get(3)?,
                passed: r.get(4)?,
                failed: r.get(5)?,
                skipped: r.get(6)?,
                headline: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let Some(last) = runs.first() else {
        return Ok(Recent::default());
    };
    let mut checks_of = conn.prepare_cached(
        "SELECT run_id, name, outcome, duration_ms FROM checks WHERE run_id = ?1",
    )?;
    let mut checks = Vec::new();
    for run in &runs {
        let rows = checks_of.query_map([run.id], |r| {
            Ok(CheckPoint {
                run_id: r.get(0)?,
                name: r.get(1)?,
                outcome: outcome_of(r.get(2)?),
                duration_ms: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            })
        })?;
        for row in rows {
            checks.push(row?);
        }
    }
    // The last run in the other state; the current streak began after it.
    let other: Option<i64> = conn.query_row(
        "SELECT MAX(finished_ms) FROM runs WHERE suite = ?1 AND env = ?2 AND success = ?3",
        params![suite, env, !last.success],
        |r| r.get(0),
    )?;
    let since: Option<i64> = conn.query_row(
        "SELECT MIN(finished_ms) FROM runs WHERE suite = ?1 AND env = ?2 AND finished_ms > ?3",
        params![suite, env, other.unwrap_or(i64::MIN)],
        |r| r.get(0),
    )?;
    let oldest: Option<i64> = conn.query_row(
        "SELECT MIN(finished_ms) FROM runs WHERE suite = ?1 AND env = ?2",
        params![suite, env],
        |r| r.get(0),
    )?;
    Ok(Recent {
        runs,
        checks,
        since: since.map(time_of),
        oldest: oldest.map(time_of),
    })
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
