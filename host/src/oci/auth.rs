//! The registry's authentication challenge, and where Plume's credentials
//! may go when it names a token service (a "realm").
//!
//! A `WWW-Authenticate` header is parsed by `http-auth`. `Basic` means the
//! registry itself takes the user and password. `Bearer realm=…` names a
//! token service; the credentials go there only when [`realm_allowed`]
//! says so: over HTTPS, or over plain HTTP only when the registry and the
//! realm are both loopback or the realm's `host:port` is listed in
//! `PLUME_INSECURE_REGISTRIES`. The realm's address is held to the
//! registry's [`Egress`](crate::oci::egress::Egress) policy when it is
//! requested, with or without credentials: a realm on another public host
//! (Docker Hub's `auth.docker.io` for `registry-1.docker.io`) is fine, one
//! on a private or metadata address is not. The token service's answer is
//! read up to a bound and never shown.

use url::Url;

use crate::oci::reference::{is_listed, is_loopback};

/// What the registry asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

/// The challenges of `WWW-Authenticate` header values Plume can answer,
/// in the order given; a header that does not parse offers none.
pub fn challenges<'a>(values: impl Iterator<Item = &'a str>) -> Vec<Challenge> {
    let mut found = Vec::new();
    for value in values {
        let Ok(parsed) = http_auth::parse_challenges(value) else {
            continue;
        };
        for challenge in parsed {
            let param = |name: &str| {
                challenge
                    .params
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.to_unescaped())
            };
            if challenge.scheme.eq_ignore_ascii_case("basic") {
                found.push(Challenge::Basic);
            } else if challenge.scheme.eq_ignore_ascii_case("bearer")
                && let Some(realm) = param("realm")
            {
                found.push(Challenge::Bearer {
                    realm,
                    service: param("service"),
                });
            }
        }
    }
    found
}

/// Whether a request to the token service at `realm`, named by `registry`
/// (`host[:port]`), may carry credentials (`with_credentials`): the reason
/// when not. `insecure` is the value of `PLUME_INSECURE_REGISTRIES`.
pub fn realm_allowed(
    registry: &str,
    realm: &Url,
    with_credentials: bool,
    insecure: Option<&str>,
) -> Result<(), String> {
    let origin = origin_of(realm);
    match realm.scheme() {
        "https" => Ok(()),
        "http" if !with_credentials => Ok(()),
        "http" => {
            let authority = authority_of(realm);
            if (is_loopback(registry) && is_loopback(&authority)) || is_listed(insecure, &authority)
            {
                Ok(())
            } else {
                Err(format!(
                    "it names the token service {origin}, which is plain HTTP, for the credentials (only HTTPS, or loopback for a loopback registry, or a host:port listed in PLUME_INSECURE_REGISTRIES)"
                ))
            }
        }
        other => Err(format!(
            "it names the token service {origin} with the scheme {other}: (only https)"
        )),
    }
}

/// The token request: the realm with `scope` and `service` added to its query.
pub fn token_url(realm: &Url, service: Option<&str>, scope: &str) -> Url {
    let mut url = realm.clone();
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("scope", scope);
        if let Some(service) = service {
            query.append_pair("service", service);
        }
    }
    url
}

/// The token of a token service's JSON answer (`token`, else `access_token`).
pub fn token_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        token: Option<String>,
        access_token: Option<String>,
    }
    let answer: Answer = serde_json::from_slice(body).ok()?;
    answer
        .token
        .or(answer.access_token)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
}

/// `scheme://host[:port]` of a URL, as an error line names it: nothing of
/// its path or query, which the registry chose.
pub fn origin_of(url: &Url) -> String {
    format!("{}://{}", url.scheme(), authority_of(url))
}

/// `host[:port]` of a URL.
fn authority_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn challenges_are_read_from_every_header_value() {
        let found = challenges(
            [
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#,
                r#"Basic realm="Registry Realm""#,
                "garbage ,,, =",
            ]
            .into_iter(),
        );
        assert_eq!(
            found,
            vec![
                Challenge::Bearer {
                    realm: "https://auth.docker.io/token".into(),
                    service: Some("registry.docker.io".into())
                },
                Challenge::Basic
            ]
        );
        assert!(challenges(["Bearer service=\"x\""].into_iter()).is_empty());
    }

    #[test]
    fn credentials_go_to_a_realm_over_https_or_loopback_to_loopback() {
        let ok = |registry: &str, realm: &str, creds: bool| {
            realm_allowed(registry, &url(realm), creds, None).is_ok()
        };
        // Docker Hub: the realm is another public host, over HTTPS.
        assert!(ok(
            "registry-1.docker.io",
            "https://auth.docker.io/token",
            true
        ));
        assert!(ok("127.0.0.1:5000", "http://127.0.0.1:5001/token", true));
        assert!(ok("localhost:5000", "http://[::1]:5001/token", true));
        let err = realm_allowed(
            "127.0.0.1:5000",
            &url("http://auth.example.com/token?x=1"),
            true,
            None,
        )
        .unwrap_err();
        assert!(
            err.contains("http://auth.example.com, which is plain HTTP") && !err.contains("x=1"),
            "{err}"
        );
        assert!(!ok("registry.example.com", "http://127.0.0.1/token", true));
        assert!(!ok(
            "registry.example.com",
            "http://auth.example.com/t",
            true
        ));
        assert!(!ok(
            "registry.example.com",
            "ftp://auth.example.com/t",
            false
        ));
        assert!(
            ok("registry.example.com", "http://auth.example.com/t", false),
            "nothing to leak"
        );
        assert!(
            realm_allowed(
                "harbor.lan",
                &url("http://harbor.lan:8080/service/token"),
                true,
                Some("harbor.lan, harbor.lan:8080")
            )
            .is_ok(),
            "listed by the user"
        );
    }

    #[test]
    fn token_requests_and_answers() {
        let u = token_url(
            &url("https://auth.example.com/token?account=a"),
            Some("reg"),
            "repository:team/x:pull",
        );
        assert_eq!(
            u.as_str(),
            "https://auth.example.com/token?account=a&scope=repository%3Ateam%2Fx%3Apull&service=reg"
        );
        assert_eq!(token_of(br#"{"token":"t1"}"#).as_deref(), Some("t1"));
        assert_eq!(token_of(br#"{"access_token":"t2"}"#).as_deref(), Some("t2"));
        assert_eq!(token_of(b"{\"token\":\"a\\r\\nX-Evil: 1\"}"), None);
        assert_eq!(token_of(b"<html>"), None);
    }
}
