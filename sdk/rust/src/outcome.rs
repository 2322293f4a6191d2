//! What a check returns: [`Check`] is `Result<Pass, Halt>`, so `?` ends a
//! check early with `err` (a failed assertion, a request error) or `skip`
//! (a secret that is not configured).

use crate::__bindings::plume::check::http::HttpError;

/// A check that passed: the status its question turned on, and what it saw.
#[derive(Debug, Clone)]
pub struct Pass {
    pub status: Option<u16>,
    pub detail: String,
}

/// A check that stopped: `err` with what went wrong, or `skip` with why not.
#[derive(Debug, Clone)]
pub enum Halt {
    Err { status: Option<u16>, detail: String },
    Skip { reason: String },
}

/// The result of a check function.
pub type Check = Result<Pass, Halt>;

/// A passed check: `ok(200, "marker found in answer (1 hit)")`, or `ok(None, ...)`.
pub fn ok(status: impl Into<Option<u16>>, detail: impl Into<String>) -> Check {
    Ok(Pass {
        status: status.into(),
        detail: detail.into(),
    })
}

/// A skipped check, with the reason a reader needs: `skip("no admin_password")`.
pub fn skip<T>(reason: impl Into<String>) -> Result<T, Halt> {
    Err(Halt::Skip {
        reason: reason.into(),
    })
}

/// A failed check: `fail(200, "revoked key still accepted")`.
pub fn fail<T>(status: impl Into<Option<u16>>, detail: impl Into<String>) -> Result<T, Halt> {
    Err(Halt::Err {
        status: status.into(),
        detail: detail.into(),
    })
}

impl Halt {
    /// An `err` with no status.
    pub fn err(detail: impl Into<String>) -> Halt {
        Halt::Err {
            status: None,
            detail: detail.into(),
        }
    }

    /// Prefixes the detail or reason with context: `"signin: " + detail`.
    pub fn context(self, what: &str) -> Halt {
        match self {
            Halt::Err { status, detail } => Halt::Err {
                status,
                detail: format!("{what}: {detail}"),
            },
            Halt::Skip { reason } => Halt::Skip {
                reason: format!("{what}: {reason}"),
            },
        }
    }
}

/// `kind: message` for an HTTP error (`connect: ...`): the one-line form stated
/// in the doc of `http-error` in `wit/plume.wit`, as the host prints it.
pub fn describe_error(e: &HttpError) -> String {
    match e {
        HttpError::Timeout(m) => format!("timeout: {m}"),
        HttpError::Connect(m) => format!("connect: {m}"),
        HttpError::Tls(m) => format!("tls: {m}"),
        HttpError::Denied(m) => format!("denied: {m}"),
        HttpError::TooLarge(m) => format!("too-large: {m}"),
        HttpError::Invalid(m) => format!("invalid: {m}"),
    }
}

impl From<HttpError> for Halt {
    fn from(e: HttpError) -> Halt {
        Halt::err(describe_error(&e))
    }
}
