//! OpenID Connect's ID token, verified as OIDC Core §3.1.3.7 asks a client
//! to: its signature against the key of the server's JWKS (`jwks_uri`) that
//! its `kid` names, `iss` equal to the issuer, `aud` containing the client,
//! `exp` in the future, and the `nonce` the authorization request sent. The
//! JWT work is `jsonwebtoken`'s (pure-Rust RustCrypto backend); a failure
//! names the part that failed.

use jsonwebtoken::dangerous::insecure_decode_claims;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use plume_sdk::prelude::*;

use crate::settings::{issuer, openid};

/// The key of `set` that a token with `kid` is signed with: the one with
/// that `kid`, or the only key when the token names none.
fn signing_key<'a>(set: &'a JwkSet, kid: Option<&str>) -> Option<&'a Jwk> {
    match kid {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }
}

fn kids(set: &JwkSet) -> String {
    let listed: Vec<String> = set
        .keys
        .iter()
        .map(|k| format!("{:?}", k.common.key_id.as_deref().unwrap_or("(no kid)")))
        .collect();
    if listed.is_empty() {
        "no key".to_owned()
    } else {
        listed.join(", ")
    }
}

pub fn verified(ctx: &mut Ctx) -> Check {
    if !openid() {
        return skip("openid is not in the scope: no ID token to verify");
    }
    let Ok(token) = ctx.recall("id_token") else {
        if ctx.recall("access_token").is_err() {
            return skip(
                "no token answer to read: the sign-in and code exchange did not pass \
                 (see flow.code.pkce_s256)",
            );
        }
        return fail(
            None,
            "openid was in the scope, but the token answer has no id_token (OIDC Core §3.1.3.3 \
             requires one)",
        );
    };
    let nonce = ctx.recall("nonce")?;
    let client_id = ctx.recall("client_id")?;
    let issuer = issuer()?;
    let header = decode_header(&token)
        .map_err(|e| Halt::err(format!("the id_token is not a signed JWT: {e}")))?;
    let Ok(jwks_uri) = ctx.published("discovery", "jwks_uri") else {
        return fail(
            None,
            "the server's metadata has no jwks_uri: the id_token's signature cannot be checked",
        );
    };
    let resp = ctx.get(&jwks_uri).send()?;
    if resp.status != 200 {
        return fail(
            resp.status,
            format!(
                "the JWKS at {jwks_uri} answered {}: no key to check the id_token's signature with",
                resp.status
            ),
        );
    }
    let set: JwkSet = serde_json::from_str(&resp.text())
        .map_err(|e| Halt::err(format!("the JWKS at {jwks_uri} is not a JWK set: {e}")))?;
    let kid = header.kid.as_deref();
    let Some(jwk) = signing_key(&set, kid) else {
        return fail(
            resp.status,
            format!(
                "signature: the id_token is signed with key {:?}, which the JWKS at {jwks_uri} \
                 does not list (it lists {})",
                kid.unwrap_or("(no kid)"),
                kids(&set)
            ),
        );
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| {
        Halt::err(format!(
            "the JWKS key {:?} is not usable: {e}",
            kid.unwrap_or("(no kid)")
        ))
    })?;
    let mut rules = Validation::new(header.alg);
    rules.set_issuer(&[&issuer]);
    rules.set_audience(&[&client_id]);
    rules.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims: serde_json::Value = insecure_decode_claims(&token).unwrap_or_default();
    if let Err(e) = decode::<serde_json::Value>(&token, &key, &rules) {
        let part = match e.kind() {
            ErrorKind::InvalidSignature => format!(
                "signature: it does not verify with the JWKS key {:?}",
                kid.unwrap_or("(no kid)")
            ),
            ErrorKind::InvalidIssuer => format!("iss {} is not the issuer {issuer}", claims["iss"]),
            ErrorKind::InvalidAudience => {
                format!(
                    "aud {} does not contain the client {client_id}",
                    claims["aud"]
                )
            }
            ErrorKind::ExpiredSignature => format!("exp {} is in the past", claims["exp"]),
            ErrorKind::MissingRequiredClaim(c) => format!("it has no {c} claim"),
            _ => format!("{e}"),
        };
        return fail(resp.status, format!("id_token: {part}"));
    }
    if claims["nonce"].as_str() != Some(nonce.as_str()) {
        return fail(
            resp.status,
            format!(
                "id_token: nonce {} is not the one the authorization request sent",
                claims["nonce"]
            ),
        );
    }
    ok(
        resp.status,
        format!(
            "id_token: {:?} signature verified with the JWKS key {:?}; iss, aud, exp and nonce \
             as expected (OIDC Core §3.1.3.7)",
            header.alg,
            kid.unwrap_or("(no kid)")
        ),
    )
}
