//! Every bound Plume holds, in one file: the bounds a suite sets, in one
//! value, and every fixed bound, as a documented constant.
//!
//! [`Limits`] is resolved once with the suite (its keys, then `--ceiling` and
//! `--check-timeout`) and handed to the loader, the runner, the cleanup walk
//! and the capabilities. Each bound exists so that one plugin, however
//! broken or hostile, can only spend its own share: of time (check timeout,
//! ceiling, cleanup budget), of memory (per instance, and live instances per
//! plugin), and of what it hands the host to keep (published values,
//! deferred cleanups, groups and checks). A breach at run time is the
//! plugin's own `err`, with a line naming the limit and its suite key
//! ([`QuotaExceeded`]); a description over its bounds is refused at load.
//! The HTTP settings every plugin's requests go by
//! ([`HttpSettings`](crate::net::clients::HttpSettings)) are derived from it.
//!
//! The constants below are the bounds no suite sets: how much of a text an
//! output shows, what one store may create, the host's own timeouts, and what
//! the reports and the monitor keep. Each says what it bounds; a bound used
//! in more than one place is named once, here.

use std::time::Duration;

const MIB: u64 = 1024 * 1024;
const KIB: u64 = 1024;

/// The bounds of a run; [`Limits::default`] is the one set of defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Limit for one check (`check-timeout`, `--check-timeout`).
    pub check_timeout: Duration,
    /// Times a check that erred is tried again on its instance (`retries`,
    /// `--retries`); one that then passes is reported flaky.
    pub retries: u32,
    /// Hard limit for the whole run (`ceiling`, `--ceiling`).
    pub ceiling: Duration,
    /// Time the cleanups get after the checks end (`cleanup-budget`).
    pub cleanup_budget: Duration,
    /// Linear memory of one instance, all its memories together (`memory-mib`).
    pub memory_bytes: u64,
    /// Table elements of one instance, all its tables together.
    pub table_elements: u64,
    /// Instances one plugin may hold at once (`max-instances`): its groups
    /// beyond this wait for a free one. With `memory_bytes`, it bounds the
    /// guest memory one plugin can hold: 3 × 64 MiB by default.
    pub instances: usize,
    /// Largest body a plugin's `send` may read (`max-body-mib`); also the
    /// largest body an assertion takes (no response the host hands over is larger).
    pub max_body_bytes: u64,
    /// Largest body `fetch-digest` may hash (`max-digest-mib`).
    pub max_digest_bytes: u64,
    /// Requests and open streams one plugin may have in flight (`max-connections`).
    pub max_connections: usize,
    /// Groups one plugin may describe (`max-groups`).
    pub groups: usize,
    /// Checks one plugin may describe, all groups together (`max-checks`).
    pub checks: usize,
    /// Bytes of keys and values one plugin may publish in a run (`max-published-kib`).
    pub published_bytes: u64,
    /// Cleanups one plugin may register in a run (`max-cleanups`).
    pub cleanups: usize,
    /// Bytes of cleanup requests (URL, headers, body, label) one plugin may
    /// register in a run (`max-cleanup-kib`).
    pub cleanup_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            check_timeout: Duration::from_secs(10),
            retries: 0,
            ceiling: Duration::from_secs(60),
            cleanup_budget: Duration::from_secs(10),
            memory_bytes: 64 * MIB,
            table_elements: 100_000,
            instances: 3,
            max_body_bytes: 16 * MIB,
            max_digest_bytes: 4096 * MIB,
            max_connections: 16,
            groups: 1_000,
            checks: 100_000,
            published_bytes: 1024 * KIB,
            cleanups: 1_000,
            cleanup_bytes: 1024 * KIB,
        }
    }
}

impl Limits {
    /// The memory limit in whole MiB, as lines name it.
    pub fn memory_mib(&self) -> u64 {
        self.memory_bytes / MIB
    }
}

/// What a request waits for its whole answer when the plugin names no
/// timeout (`timeout-ms`); a `tls` inspection too.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Most retries a check may get (`retries`, `--retries`): more hides a
/// broken deploy behind a slow run.
pub const MAX_RETRIES: u32 = 10;

/// Earlier attempts one check's record keeps (those `--retries` made and
/// those a plugin reports with `log.attempt-failed`, together): a check
/// polling every 10 ms for a minute must not fill a report with 6,000 of
/// them. Past it an attempt is counted, not kept, so `attempts` and
/// `flaky` stay true.
pub const EARLIER_ATTEMPTS_MAX: usize = 32;

/// How long each preflight URL gets.
pub const PREFLIGHT_TIMEOUT: Duration = Duration::from_secs(3);

// Text shown. Every text a plugin chose is cut at one of these (with a note
// of its full size) before any output shows it.

/// Longest detail (a check's or a cleanup's) shown, in bytes, before the note.
pub const DETAIL_MAX: usize = 4 * 1024;

/// Longest log line shown, in bytes, before the note.
pub const LOG_MAX: usize = 4 * 1024;

/// Longest cleanup label or piece of plugin metadata shown, in bytes, before the note.
pub const LABEL_MAX: usize = 256;

/// Longest group or check name a plugin may describe, in characters; longer is refused at load.
pub const NAME_MAX: usize = 128;

/// Longest log message (all its lines) the ledger looks at, in bytes; the
/// rest is dropped with a note.
pub const LOG_MESSAGE_MAX: usize = 256 * 1024;

/// Longest line Plume prints itself, in bytes, before the note of its full size.
pub const CONSOLE_LINE_MAX: usize = 8 * 1024;

/// Longest config path (`checks[3].expect.json[0].pointer`) kept from a
/// plugin's `reject`, in bytes.
pub const CONFIG_KEY_MAX: usize = 256;

/// How much of a body a failed assertion quotes, in characters, before the
/// note of its full size.
pub const BODY_EXCERPT_CHARS: usize = 160;

/// How much of a refused name an error message quotes, in bytes.
pub const NAME_QUOTE_MAX: usize = 60;

// One store (a group's instance of a plugin), besides `Limits::memory_bytes`
// and `Limits::table_elements`.

/// Memories one store may create. Components built by the SDKs use a handful.
pub const STORE_MAX_MEMORIES: usize = 64;

/// Tables one store may create.
pub const STORE_MAX_TABLES: usize = 256;

/// Core instances one store may create.
pub const STORE_MAX_INSTANCES: usize = 1_000;

/// How much a plugin may print to stdout and stderr per group, in bytes.
pub const CAPTURE_MAX_BYTES: usize = 1024 * 1024;

/// How many bytes of log lines (its own, its prints, request traces) one
/// check may emit.
pub const CHECK_LOG_BYTES: usize = 256 * 1024;

/// What each log line costs against [`CHECK_LOG_BYTES`] besides its text: a
/// check logs at most 2,048 lines.
pub const LOG_LINE_COST: usize = 128;

/// Hashers one instance may hold open at once.
pub const MAX_HASHERS: usize = 256;

// A plugin's requests, besides the configurable body, digest and connection bounds.

/// Most headers one request of a plugin may carry: far above what servers
/// accept, and a bound on what one request holds.
pub const REQUEST_HEADERS_MAX: usize = 256;

/// Most bytes of one request's headers in all (names and values): nginx
/// answers 431 past 32 KiB by default.
pub const REQUEST_HEADER_BYTES_MAX: usize = 64 * 1024;

// The redactor.

/// Levels of JSON-in-JSON escaping the redactor undoes to find a secret a
/// server echoed escaped (`\u0073ecret` inside a quoted JSON document): each
/// level is one more view of a text to search, so a text costs at most this
/// many more searches.
pub const JSON_ESCAPE_LEVELS: usize = 3;

// The host's own requests.

/// How long to wait for an OCI registry to accept a connection.
pub const OCI_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an OCI registry may stay silent in the middle of an answer (each read).
pub const OCI_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest piece of registry text an error line quotes, in bytes.
pub const OCI_REASON_MAX: usize = 512;

/// How long a `plume init` probe waits for the whole answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of a body a `plume init` probe reads.
pub const MAX_PROBE_BODY: usize = 1024 * 1024;

/// How long a push to a Pushgateway may take.
pub const PUSH_TIMEOUT: Duration = Duration::from_secs(10);

// Reports and the monitor.

/// Trace bytes (all checks together) an HTML report keeps; the lines past it
/// are counted.
pub const HTML_LOGS_MAX: usize = 1024 * 1024;

/// Largest JSON event log the monitor keeps for a run's `/runs/last`.
pub const MONITOR_EVENTS_MAX: usize = 1024 * 1024;

/// The most runs the monitor's `/runs` answers at once.
pub const MONITOR_RUNS_LISTED_MAX: usize = 1000;

/// Checks per run kept as metric series (`--max-check-series`'s default,
/// and every `--push-gateway` push).
pub const MONITOR_CHECK_SERIES: usize = 1000;

/// Runs at once over all of a monitor's suites (`--max-concurrent-runs`'s default).
pub const MONITOR_CONCURRENT_RUNS: u16 = 4;

/// MiB of run history the monitor keeps before pruning the oldest
/// (`--max-state-mib`'s default).
pub const MONITOR_STATE_MIB: u64 = 1024;

/// Largest component an OCI registry may send (`plume pull`, `plume run`,
/// `plume lock`): a layer announcing more is refused before it is read, and
/// one that runs past what it announced is cut and refused. Not configurable;
/// the largest plugins (Python through componentize-py) are about 40 MiB.
pub const OCI_MAX_PLUGIN_BYTES: u64 = 128 * MIB;

/// Largest OCI manifest read from a registry (the distribution spec's 4 MiB).
pub const OCI_MAX_MANIFEST_BYTES: u64 = 4 * MIB;

/// Largest config blob a manifest may announce (Plume's config is a few hundred bytes).
pub const OCI_MAX_CONFIG_BYTES: u64 = MIB;

/// Largest token-service answer or registry error body read.
pub const OCI_MAX_SMALL_BODY_BYTES: u64 = 64 * KIB;

/// Values one plugin may register for redaction (`log.mask`) in a run.
/// Not configurable: each joins the redactor every line of the run passes
/// through, so together they bound its size (an OAuth flow registers about
/// ten; `host/benches/README.md` has what the redactor costs at the bound).
pub const MASK_MAX_VALUES: usize = 256;

/// Bytes of the values one plugin may register for redaction in a run.
pub const MASK_MAX_BYTES: u64 = 256 * KIB;

/// Redirects one registry request may follow.
pub const OCI_MAX_REDIRECTS: usize = 5;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    PublishedBytes,
    Cleanups,
    CleanupBytes,
    /// The input of one synchronous host call (an assertion's body).
    AssertBytes,
    /// Hashers one instance holds open at once.
    Hashers,
    /// Values one plugin registers for redaction, and their bytes.
    Masked,
}

impl Quota {
    /// The suite key that sets it, or what bounds it.
    pub fn key(self) -> &'static str {
        match self {
            Quota::PublishedBytes => "max-published-kib",
            Quota::Cleanups => "max-cleanups",
            Quota::CleanupBytes => "max-cleanup-kib",
            Quota::AssertBytes => "max-body-mib",
            Quota::Hashers | Quota::Masked => "not configurable",
        }
    }
}

/// A plugin went past one of its quotas: its instance ends and the check
/// that did it is `err` with this line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("quota: {what} (limit {limit}, {key})", key = quota.key())]
pub struct QuotaExceeded {
    pub quota: Quota,
    /// What the plugin tried, e.g. "publishing `k` (32 MiB) would bring the plugin to 64 MiB".
    pub what: String,
    /// The limit, written for people: `1024 KiB`, `1000 cleanups`.
    pub limit: String,
}

/// A check's deadline passed while its instance was running wasm or a
/// synchronous host call: the epoch check ends it there, whatever the async
/// runtime's timers are doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the check's deadline passed")]
pub struct DeadlinePassed;

/// `n` bytes written for people: `512 B`, `64 KiB`, `32 MiB`.
pub fn bytes(n: u64) -> String {
    if n >= MIB {
        let text = format!("{:.1}", n as f64 / MIB as f64);
        format!("{} MiB", text.trim_end_matches(".0"))
    } else if n >= KIB {
        format!("{} KiB", n.div_ceil(KIB))
    } else {
        format!("{n} B")
    }
}

/// Connections `plume monitor` serves at once (`--max-client-connections`); past
/// it, new ones wait in the kernel's backlog until one closes.
pub const MONITOR_MAX_CONNECTIONS: u16 = 256;

/// Time a monitor client has to send a whole request head, counted from the
/// connection's opening or the end of the previous response (so it also
/// closes an idle keep-alive connection).
pub const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Time a monitor response may wait, without a byte taken, on a client that
/// does not read it.
pub const RESPONSE_STALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Time responses in flight get to finish once the monitor is told to stop;
/// connections still open then are dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_lines_name_the_limit_and_its_key() {
        let e = QuotaExceeded {
            quota: Quota::PublishedBytes,
            what: "publishing `k` (32 MiB) would bring plugin p to 32 MiB".into(),
            limit: bytes(1024 * 1024),
        };
        assert_eq!(
            e.to_string(),
            "quota: publishing `k` (32 MiB) would bring plugin p to 32 MiB (limit 1 MiB, max-published-kib)"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(100), "100 B");
        assert_eq!(bytes(64 * 1024), "64 KiB");
        assert_eq!(bytes(32 * MIB), "32 MiB");
        assert_eq!(bytes(MIB + MIB / 2), "1.5 MiB");
        assert_eq!(bytes(32 * MIB + 2), "32 MiB");
    }
}
