//! `plume:check/digest`: SHA-256 on the host, one-shot or incremental.
//!
//! Large inputs are hashed off the runtime's workers ([`super::offload`]);
//! an input is bounded by the guest's own memory, which it was copied from.
//! [`DigestView`] is all it reaches of the Store.

use sha2::{Digest as _, Sha256};
use wasmtime::component::{HasData, Resource, ResourceTable};

use crate::engine::bindings::digest::{Host, HostHasher};
use crate::engine::resources::Hasher;
use crate::engine::state::{Pending, StoreState};
use crate::limits::{MAX_HASHERS, Quota, QuotaExceeded, bytes};

use super::offload;

/// What `plume:check/digest` reaches: the guest's open hashers and their
/// count, and the call the check waits on (a large one-shot hash names
/// itself there).
pub struct DigestView<'a> {
    /// Where the open [`Hasher`]s live.
    pub table: &'a mut ResourceTable,
    /// Hashers the instance holds open, against [`MAX_HASHERS`].
    pub hashers: &'a mut usize,
    pub pending: &'a mut Pending,
}

/// Names [`DigestView`] for the linker.
pub struct Digest;

impl HasData for Digest {
    type Data<'a> = DigestView<'a>;
}

/// The digest capability's view of `state`.
pub fn view(state: &mut StoreState) -> DigestView<'_> {
    DigestView {
        table: &mut state.table,
        hashers: &mut state.hashers,
        pending: &mut state.pending,
    }
}

impl Host for DigestView<'_> {
    async fn sha256(&mut self, data: Vec<u8>) -> wasmtime::Result<String> {
        self.pending
            .start(format!("digest.sha256 of {}", bytes(data.len() as u64)));
        let digest = offload::run(data.len(), move || hex::encode(Sha256::digest(&data))).await;
        self.pending.end();
        digest
    }
}

impl HostHasher for DigestView<'_> {
    /// At most `MAX_HASHERS` open at once: each is host memory the guest
    /// could otherwise pile up without bound.
    async fn new(&mut self) -> wasmtime::Result<Resource<Hasher>> {
        if *self.hashers >= MAX_HASHERS {
            return Err(QuotaExceeded {
                quota: Quota::Hashers,
                what: format!(
                    "digest.hasher number {} open at once in this instance",
                    *self.hashers + 1
                ),
                limit: format!("{MAX_HASHERS} hashers"),
            }
            .into());
        }
        *self.hashers += 1;
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
        *self.hashers = self.hashers.saturating_sub(1);
        Ok(())
    }
}
