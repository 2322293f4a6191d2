//! A plugin's way out, in one place: which hosts and addresses it may reach
//! ([`policy`], [`ranges`]), the client it reaches them with and the slots
//! that cap its requests in flight ([`clients`]), and one exchange with a
//! server — send, follow redirects, read under caps, say what went wrong
//! ([`exchange`]) — or one TLS handshake to report what a server presents
//! ([`tls`]), a refused certificate said in words ([`tls_words`]), each in
//! `net`'s own types ([`message`]). The roots every TLS connection trusts are read once, at the
//! first handshake that needs them ([`roots`]).
//!
//! It guarantees that nothing leaves for a host the plugin's `allow-hosts`
//! does not grant, that a name is resolved once under the policy and the
//! connection goes only to the addresses that survived, that proxy
//! variables are ignored, and that every body is read under a cap and a
//! deadline. The capabilities (`caps::http`, `caps::tls`), the cleanup walk
//! and the preflight all go out through here.

#[cfg(feature = "runtime")]
pub mod clients;
#[cfg(feature = "runtime")]
pub mod exchange;
pub mod message;
pub mod policy;
pub mod ranges;
#[cfg(feature = "runtime")]
pub mod roots;
#[cfg(feature = "runtime")]
pub mod tls;
#[cfg(feature = "runtime")]
pub mod tls_words;
