//! `plume:check/digest`: SHA-256 on the host, one-shot or incremental.

use sha2::{Digest, Sha256};
use wasmtime::component::Resource;

use crate::bindings::digest::{Host, HostHasher};
use crate::state::StoreState;

/// An incremental SHA-256 held for the guest.
pub struct Hasher(Sha256);

impl Host for StoreState {
    fn sha256(&mut self, data: Vec<u8>) -> wasmtime::Result<String> {
        Ok(hex::encode(Sha256::digest(&data)))
    }
}

impl HostHasher for StoreState {
    fn new(&mut self) -> wasmtime::Result<Resource<Hasher>> {
        Ok(self.table.push(Hasher(Sha256::new()))?)
    }

    fn update(&mut self, hasher: Resource<Hasher>, data: Vec<u8>) -> wasmtime::Result<()> {
        self.table.get_mut(&hasher)?.0.update(&data);
        Ok(())
    }

    fn finish(&mut self, hasher: Resource<Hasher>) -> wasmtime::Result<String> {
        let state = self.table.get(&hasher)?.0.clone();
        Ok(hex::encode(state.finalize()))
    }

    fn drop(&mut self, hasher: Resource<Hasher>) -> wasmtime::Result<()> {
        self.table.delete(hasher)?;
        Ok(())
    }
}
