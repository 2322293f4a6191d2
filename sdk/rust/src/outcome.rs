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
    Err(Halt::skip(reason))
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

    /// A `skip` with the reason a reader needs.
    pub fn skip(reason: impl Into<String>) -> Halt {
        Halt::Skip {
            reason: reason.into(),
        }
    }

    /// `"err"` or `"skip"`, as the JavaScript and Python SDKs' `outcome`.
    pub fn outcome(&self) -> &'static str {
        match self {
            Halt::Err { .. } => "err",
            Halt::Skip { .. } => "skip",
        }
    }

    /// The status an `err` turned on; a `skip` has none.
    pub fn status(&self) -> Option<u16> {
        match self {
            Halt::Err { status, .. } => *status,
            Halt::Skip { .. } => None,
        }
    }

    /// What went wrong, or why the check was skipped.
    pub fn detail(&self) -> &str {
        match self {
            Halt::Err { detail, .. } => detail,
            Halt::Skip { reason } => reason,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_fail_skip_and_halt_give_one_result_shape() {
        let pass = ok(None, "fine").unwrap();
        assert_eq!((pass.status, pass.detail.as_str()), (None, "fine"));
        assert_eq!(ok(204, "x").unwrap().status, Some(204));
        let failed = fail::<()>(404, "gone").unwrap_err();
        assert_eq!(
            (failed.outcome(), failed.status(), failed.detail()),
            ("err", Some(404), "gone")
        );
        let skipped = skip::<()>("no admin_password").unwrap_err();
        assert_eq!(
            (skipped.outcome(), skipped.status(), skipped.detail()),
            ("skip", None, "no admin_password")
        );
        let ctx = Halt::err("x").context("signin");
        assert_eq!((ctx.status(), ctx.detail()), (None, "signin: x"));
        assert_eq!(Halt::skip("later").context("step").detail(), "step: later");
    }

    #[test]
    fn describe_error_names_every_kind_as_the_host_prints_it() {
        let m = || "m".to_owned();
        let all = [
            (HttpError::Timeout(m()), "timeout: m"),
            (HttpError::Connect(m()), "connect: m"),
            (HttpError::Tls(m()), "tls: m"),
            (HttpError::Denied(m()), "denied: m"),
            (HttpError::TooLarge(m()), "too-large: m"),
            (HttpError::Invalid(m()), "invalid: m"),
        ];
        for (error, text) in all {
            assert_eq!(describe_error(&error), text);
            let halt = Halt::from(error);
            assert_eq!((halt.outcome(), halt.detail()), ("err", text));
        }
    }
}
