//! The service's in-memory state: accounts, sessions, API keys, memories,
//! admin sessions and the release artifact generated at start-up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::faults::Faults;

pub const VERSION: &str = "1.4.2";
pub const ADMIN_EMAIL: &str = "admin@demo.test";

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub password: String,
    pub plan: &'static str,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: String,
    pub account: String,
    pub secret: String,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct Memory {
    pub id: String,
    pub content: String,
}

#[derive(Debug, Default)]
pub struct Data {
    pub accounts: HashMap<String, Account>,
    pub sessions: HashMap<String, String>,
    pub keys: HashMap<String, ApiKey>,
    pub memories: HashMap<String, Vec<Memory>>,
    pub admin_sessions: Vec<String>,
}

impl Data {
    pub fn account_by_email(&self, email: &str) -> Option<&Account> {
        self.accounts.values().find(|a| a.email == email)
    }

    /// The account a bearer credential (session token or API key) belongs to.
    pub fn account_for(&self, bearer: &str) -> Option<&Account> {
        let id = self.sessions.get(bearer).or_else(|| {
            self.keys
                .values()
                .find(|k| k.secret == bearer && !k.revoked)
                .map(|k| &k.account)
        })?;
        self.accounts.get(id)
    }
}

/// The release channel's artifact.
#[derive(Debug, Clone)]
pub struct Release {
    pub binary: Bytes,
    pub sha256: String,
    pub updated_at: String,
}

impl Release {
    /// A deterministic 4 MiB "agent binary".
    pub fn generate() -> Release {
        let mut binary = Vec::with_capacity(4 << 20);
        let mut x: u32 = 0x9e37_79b9;
        while binary.len() < 4 << 20 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            binary.extend_from_slice(&x.to_le_bytes());
        }
        let sha256 = hex::encode(Sha256::digest(&binary));
        Release {
            binary: Bytes::from(binary),
            sha256,
            updated_at: "2026-11-20T09:30:00Z".to_owned(),
        }
    }
}

/// Everything a handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub data: Arc<Mutex<Data>>,
    pub faults: Faults,
    pub admin_password: String,
    pub release: Arc<Release>,
    admin_url: String,
}

impl AppState {
    pub fn new(faults: Faults, admin_password: String, admin_url: String) -> Self {
        AppState {
            data: Arc::default(),
            faults,
            admin_password,
            release: Arc::new(Release::generate()),
            admin_url,
        }
    }

    /// The admin listener's URL: the OAuth issuer.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    pub fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A random token with a readable prefix: `sess_…`, `pk_…`.
pub fn token(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}
