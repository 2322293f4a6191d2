//! The catalogue of bugs the service can be started with (`--fault NAME`),
//! each of the kind the field reports describe: a surface that still answers
//! 200 but no longer does what customers depend on.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, RwLock};

/// One injectable bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    StaleManifest,
    EmptyMemoryAccepted,
    DedupBroken,
    RevokeNoop,
    LogoutNoop,
    MissingBillingPlan,
    SseRejectsToken,
    WrongErrorCode,
    AdminDown,
    SlowQuery,
}

impl Fault {
    /// Every fault, in catalogue order.
    pub const ALL: [Fault; 10] = [
        Fault::StaleManifest,
        Fault::EmptyMemoryAccepted,
        Fault::DedupBroken,
        Fault::RevokeNoop,
        Fault::LogoutNoop,
        Fault::MissingBillingPlan,
        Fault::SseRejectsToken,
        Fault::WrongErrorCode,
        Fault::AdminDown,
        Fault::SlowQuery,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::StaleManifest => "stale-manifest",
            Fault::EmptyMemoryAccepted => "empty-memory-accepted",
            Fault::DedupBroken => "dedup-broken",
            Fault::RevokeNoop => "revoke-noop",
            Fault::LogoutNoop => "logout-noop",
            Fault::MissingBillingPlan => "missing-billing-plan",
            Fault::SseRejectsToken => "sse-rejects-token",
            Fault::WrongErrorCode => "wrong-error-code",
            Fault::AdminDown => "admin-down",
            Fault::SlowQuery => "slow-query",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Fault::StaleManifest => "version.json claims a sha256 the served binary does not have",
            Fault::EmptyMemoryAccepted => {
                "storing a memory with empty content answers 201 instead of 400"
            }
            Fault::DedupBroken => "storing the same content twice creates a second memory",
            Fault::RevokeNoop => "revoking an API key answers 204 but the key keeps working",
            Fault::LogoutNoop => "logout answers 204 but the session keeps working",
            Fault::MissingBillingPlan => "admin customer detail no longer includes billing_plan",
            Fault::SseRejectsToken => "the MCP event stream rejects valid bearer tokens with 401",
            Fault::WrongErrorCode => "a wrong password gives 500 instead of 401",
            Fault::AdminDown => "the admin listener refuses connections",
            Fault::SlowQuery => "the memory query answers after 12 s, past any check timeout",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown fault `{s}`; the catalogue is: {}",
                    names.join(", ")
                )
            })
    }
}

/// The faults switched on for this process. Clones share one set, so a
/// fault can be switched while the service runs ([`Faults::set`], or
/// `PUT`/`DELETE /_faults/NAME` on the admin port); `admin-down` acts only
/// at start, when the admin listener is bound or not.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<RwLock<BTreeSet<Fault>>>);

impl Faults {
    pub fn new(list: impl IntoIterator<Item = Fault>) -> Self {
        Faults(Arc::new(RwLock::new(list.into_iter().collect())))
    }

    pub fn on(&self, fault: Fault) -> bool {
        self.0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&fault)
    }

    /// Switches `fault` on or off for every request from now on.
    pub fn set(&self, fault: Fault, on: bool) {
        let mut set = self.0.write().unwrap_or_else(|p| p.into_inner());
        if on {
            set.insert(fault);
        } else {
            set.remove(&fault);
        }
    }
}
