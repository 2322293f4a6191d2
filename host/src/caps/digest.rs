//! `plume:check/digest`: SHA-256 on the host, one-shot or incremental.
//!
//! Large inputs are hashed off the runtime's workers ([`super::offload`]);
//! an input is bounded by the guest's own memory, which it was copied from.

use sha2::{Digest, Sha256};
use wasmtime::component::Resource;

use crate::engine::bindings::digest::{Host, HostHasher};
use crate::engine::resources::Hasher;
use crate::engine::state::StoreState;
use crate::limits::{MAX_HASHERS, Quota, QuotaExceeded, bytes};

use super::offload;

impl Host for StoreState {
    async fn sha256(&mut self, data: Vec<u8>) -> wasmtime::Result<String> {
        self.waiting_on(format!("digest.sha256 of {}", bytes(data.len() as u64)));
        let digest = offload::run(data.len(), move || hex::encode(Sha256::digest(&data))).await;
        self.pending = None;
        digest
    }
}

impl HostHasher for StoreState {
    /// At most `MAX_HASHERS` open at once: each is host memory the guest
    /// could otherwise pile up without bound.
    async fn new(&mut self) -> wasmtime::Result<Resource<Hasher>> {
        if self.hashers >= MAX_HASHERS {
            return Err(QuotaExceeded {
                quota: Quota::Hashers,
                what: format!(
                    "digest.hasher number {} open at once in this instance",
                    self.hashers + 1
                ),
                limit: format!("{MAX_HASHERS} hashers"),
            }
            .into());
        }
        self.hashers += 1;
        Ok(self.table.push(Hasher(Sha256::new()))?)
    }

    async fn update(&mut self, hasher: Resource<Hasher>, data: Vec<u8>) -> wasmtime::Result<()> {
        let state = &mut self.table.get_mut(&hasher)?.0;
        if data.len() < offload::OFFLOAD_BYTES {
            state.update(&data);
            return Ok(());
        }
        let mut moved = std::mem::take(state);
        let moved = offload::run(data.len(), move || {
            moved.update(&data);
            moved
        })
        .await?;
        self.table.get_mut(&hasher)?.0 = moved;
        Ok(())
    }

    async fn finish(&mut self, hasher: Resource<Hasher>) -> wasmtime::Result<String> {
        let state = self.table.get(&hasher)?.0.clone();
        Ok(hex::encode(state.finalize()))
    }

    async fn drop(&mut self, hasher: Resource<Hasher>) -> wasmtime::Result<()> {
        self.table.delete(hasher)?;
        self.hashers = self.hashers.saturating_sub(1);
        Ok(())
    }
}
