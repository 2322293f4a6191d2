//! [`Ctx`]: what a check can reach — config, secrets, group values, HTTP,
//! cleanups, logs, markers and digests.

use crate::__bindings::plume::check::{cleanup, config, digest, log, tls};
use crate::outcome::Halt;
use crate::request::RequestBuilder;

/// The context of one running check.
pub struct Ctx {
    group: String,
    check: String,
}

impl Ctx {
    pub(crate) fn new(group: &str, check: &str) -> Self {
        Ctx {
            group: group.to_owned(),
            check: check.to_owned(),
        }
    }

    /// The running check's group.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// The running check's name.
    pub fn check(&self) -> &str {
        &self.check
    }

    /// A config value; `err` naming the key when the suite does not set it.
    pub fn config(&self, key: &str) -> Result<String, Halt> {
        config::get(key).ok_or_else(|| {
            Halt::err(format!(
                "config `{key}` is not set: add it to the plugin's config table in the suite file"
            ))
        })
    }

    /// A config value, or `None`.
    pub fn config_opt(&self, key: &str) -> Option<String> {
        config::get(key)
    }

    /// A config value that is set and not blank, trimmed: `None` for the
    /// empty string `${env:X:-}` gives when `X` is unset.
    pub fn config_given(&self, key: &str) -> Option<String> {
        given(config_value(key))
    }

    /// A secret; `skip` (`no admin_password`) when it is not configured.
    pub fn secret(&self, name: &str) -> Result<String, Halt> {
        config::secret(name).ok_or_else(|| Halt::Skip {
            reason: format!("no {name}"),
        })
    }

    /// A secret, or `None` when it is not configured (for optional ones).
    pub fn secret_opt(&self, name: &str) -> Option<String> {
        config::secret(name)
    }

    /// Publishes a value for the groups that depend on this one.
    pub fn publish(&self, key: &str, value: &str) {
        config::publish(key, value);
    }

    /// A value published by `group` (one this group depends on); `skip` when it published none.
    pub fn published(&self, group: &str, key: &str) -> Result<String, Halt> {
        config::published(group, key).map_err(|reason| Halt::Skip { reason })
    }

    /// A value an earlier check of this group published; `skip` when it did not
    /// (that check already reported why).
    pub fn recall(&self, key: &str) -> Result<String, Halt> {
        config::published(&self.group, key).map_err(|_| Halt::Skip {
            reason: format!(
                "no `{key}`: the check of group {} that makes it did not pass",
                self.group
            ),
        })
    }

    /// A request builder for `method` and `url`.
    pub fn request(&self, method: &str, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder::new(method, url.into())
    }

    pub fn get(&self, url: impl Into<String>) -> RequestBuilder {
        self.request("GET", url)
    }

    pub fn post(&self, url: impl Into<String>) -> RequestBuilder {
        self.request("POST", url)
    }

    pub fn put(&self, url: impl Into<String>) -> RequestBuilder {
        self.request("PUT", url)
    }

    pub fn patch(&self, url: impl Into<String>) -> RequestBuilder {
        self.request("PATCH", url)
    }

    pub fn delete(&self, url: impl Into<String>) -> RequestBuilder {
        self.request("DELETE", url)
    }

    /// Registers a request the host runs when the run ends, newest first.
    /// Register it before the work that needs undoing.
    pub fn defer(&self, label: &str, request: RequestBuilder) {
        cleanup::defer(label, &request.into_request());
    }

    /// What `url`'s server presents in its TLS handshake: version, chain,
    /// whether the chain verifies and the leaf fits the host name (contract 0.1.1).
    pub fn tls(&self, url: &str) -> Result<tls::Peer, Halt> {
        tls::inspect(url, None).map_err(|e| Halt::err(crate::describe_error(&e)))
    }

    /// A fresh `PLUME-MARKER-<hex>` to write and read back.
    pub fn marker(&self) -> String {
        log::marker()
    }

    /// A debug line, shown with `plume run -v`.
    pub fn debug(&self, message: impl AsRef<str>) {
        log::write(log::Level::Debug, message.as_ref());
    }

    /// An info line, shown with `plume run -v`.
    pub fn info(&self, message: impl AsRef<str>) {
        log::write(log::Level::Info, message.as_ref());
    }

    /// A warning line, shown with `plume run -v`.
    pub fn warn(&self, message: impl AsRef<str>) {
        log::write(log::Level::Warn, message.as_ref());
    }

    /// Masks `value` in everything the run shows from now on: see [`mask_secret`].
    pub fn mask_secret(&self, value: impl AsRef<str>) {
        mask_secret(value);
    }
}

/// Masks a value the plugin obtained (a token, a code, a cookie, a signed
/// URL) in everything the run shows from now on, in every encoding, as a
/// configured secret is (contract 0.1.3, GitHub Actions' `::add-mask::`).
/// Call it the moment the value arrives, before logging or returning
/// anything that holds it: lines already shown are not recalled. A value
/// shorter than 4 characters is not masked (the host logs a warning); a
/// plugin may mask at most 256 values, 256 KiB altogether, per run.
pub fn mask_secret(value: impl AsRef<str>) {
    log::mask(value.as_ref());
}

/// A value that is there and not blank, trimmed.
fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A config value outside any check: for the function that builds the
/// [`Plugin`](crate::Plugin), which runs before checks do (the declarative
/// packs in `plugins/` read their checks here).
pub fn config_value(key: &str) -> Option<String> {
    config::get(key)
}

/// Refuses the plugin's config (contract 0.1.2): `key` is the offending
/// value's path inside the plugin's config table (`checks[3].expect`, empty
/// for the table itself), `message` what is wrong and how to fix it. Called
/// while the [`Plugin`](crate::Plugin) is built, `plume` stops before any
/// check with one line naming the suite file's line and column; it never
/// returns.
pub fn reject_config(key: &str, message: &str) -> ! {
    config::reject(key, message);
    // The host ends the instance in `reject`; this is never reached.
    std::process::abort()
}

/// Lowercase hex SHA-256 of `data`, computed by the host.
pub fn sha256(data: &[u8]) -> String {
    digest::sha256(data)
}

/// An incremental SHA-256 computed by the host.
pub struct Hasher(digest::Hasher);

impl Hasher {
    pub fn new() -> Self {
        Hasher(digest::Hasher::new())
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The hex digest of everything passed to `update` so far.
    pub fn finish(&self) -> String {
        self.0.finish()
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher::new()
    }
}

#[cfg(test)]
mod tests {
    use super::given;

    #[test]
    fn a_given_value_is_set_and_not_blank_trimmed() {
        assert_eq!(given(Some(" v ".into())), Some("v".into()));
        assert_eq!(given(Some("   ".into())), None);
        assert_eq!(given(Some(String::new())), None);
        assert_eq!(given(None), None);
    }
}
