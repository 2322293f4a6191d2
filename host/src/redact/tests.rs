//! The redactor against every form a secret is shown in.

use super::*;

#[test]
fn plain_url_encoded_and_base64_forms_are_redacted() {
    let r = Redactor::new(["s3cr et/pw"]);
    assert_eq!(r.redact("pw=s3cr et/pw"), "pw=***");
    assert_eq!(r.redact("?pw=s3cr+et%2Fpw"), "?pw=***");
    assert_eq!(r.redact("?pw=s3cr%20et%2Fpw"), "?pw=***");
    let b64 = STANDARD.encode("s3cr et/pw");
    let shown = r.redact(&format!("Basic {b64}"));
    assert!(
        shown.starts_with("Basic ***") && !shown.contains(b64.trim_end_matches('=')),
        "{shown}"
    );
}

#[test]
fn the_url_crates_own_encodings_are_redacted() {
    let secret = "Zq@8<k>x!pw/9";
    let r = Redactor::new([secret]);
    // What reqwest's connect error shows of `?pw=Zq@8<k>x!pw/9`.
    assert_eq!(r.redact("…?pw=Zq@8%3Ck%3Ex!pw/9 failed"), "…?pw=*** failed");
    let base = url::Url::parse("http://127.0.0.1:1/x").unwrap();
    let mut urls = vec![base.clone(); 5];
    urls[0].set_query(Some(&format!("pw={secret}&n=1")));
    urls[1].set_path(&format!("/p/{secret}/q"));
    urls[2].set_fragment(Some(secret));
    urls[3].set_password(Some(secret)).unwrap();
    urls[4].set_username(secret).unwrap();
    for url in urls {
        let shown = url.to_string();
        let out = r.redact(&shown);
        assert!(
            out.contains(MASK) && !out.contains("k%3Ex"),
            "{shown} -> {out}"
        );
    }
    let json = serde_json::to_string("q\"uo\\te-Tok").unwrap();
    assert_eq!(Redactor::new(["q\"uo\\te-Tok"]).redact(&json), "\"***\"");
    assert_eq!(
        r.redact("x=Zq%408%3Ck%3Ex!pw%2F9"),
        "x=***",
        "encodeURIComponent"
    );
    assert_eq!(r.redact("x=Zq%408%3Ck%3Ex%21pw%2F9"), "x=***", "every byte");
}

#[test]
fn base64_of_user_and_secret_is_redacted_at_every_offset() {
    let secret = "Zq@8<k>x!pw/9";
    let r = Redactor::new([secret]);
    for user in ["", "a", "ab", "abc", "user", "admin"] {
        for engine in [STANDARD, URL_SAFE] {
            let encoded = engine.encode(format!("{user}:{secret}:tail"));
            let shown = r.redact(&format!("Authorization: Basic {encoded}"));
            assert!(shown.contains(MASK), "{user}: {shown}");
            // At most the two characters each side that mix in other bytes survive.
            let visible = shown.trim_start_matches("Authorization: Basic ").len() - MASK.len();
            let neighbours = engine
                .encode(format!("{user}:"))
                .trim_end_matches('=')
                .len()
                + engine.encode(":tail").len();
            assert!(visible <= neighbours + 2, "{user}: {shown}");
        }
    }
}

#[test]
fn a_cut_never_ends_in_half_a_secret() {
    let r = Redactor::new(["hunter2-long-secret"]);
    let text = "abc hunter2-long-secret";
    assert_eq!(
        r.cut_prefix(text, 12),
        "abc ",
        "the start of the secret is dropped"
    );
    assert_eq!(r.cut_prefix(text, 3), "abc");
    assert_eq!(r.cut_prefix(text, 100), text);
    let out = r.redact(r.cut_prefix("xx hunter2-long-secret yy", 23));
    assert_eq!(out, "xx *** ", "a whole secret inside the cut is masked");
}

/// `secret` as a JSON string's inside, each character escaped when `escape` says so.
fn escaped(secret: &str, escape: impl Fn(char) -> bool, upper: bool) -> String {
    let mut out = String::new();
    for c in secret.chars() {
        if escape(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&if upper {
                    format!("\\u{u:04X}")
                } else {
                    format!("\\u{u:04x}")
                });
            }
        } else if c == '/' {
            out.push_str("\\/");
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_secret_echoed_with_json_escapes_is_masked_whole() {
    let secret = "pé/w😀-Tok";
    let r = Redactor::new([secret]);
    for (escape, upper) in [
        (
            Box::new(|c: char| !c.is_ascii()) as Box<dyn Fn(char) -> bool>,
            false,
        ),
        (Box::new(|_| true), true),
        (Box::new(|_| true), false),
        (Box::new(|c: char| c == 'w'), true),
    ] {
        let body = format!("{{\"echo\": \"{}\"}}", escaped(secret, escape, upper));
        assert_eq!(r.redact(&body), "{\"echo\": \"***\"}", "{body}");
        // JSON quoted inside JSON.
        let outer = serde_json::to_string(&body).unwrap();
        assert!(!r.redact(&outer).contains("Tok"), "{outer}");
    }
    assert_eq!(r.redact(r"x pé\/w😀-Tok y"), "x *** y", "PHP's slash");
    assert_eq!(r.redact(r"lone \ud83d and \q"), r"lone \ud83d and \q");
}

#[test]
fn a_cut_never_ends_in_half_an_escaped_secret() {
    let r = Redactor::new(["hunter2-long-secret"]);
    let esc = escaped("hunter2-long-secret", |_| true, false);
    let text = format!("abc {esc}");
    for max in 5..text.len() {
        let cut = r.cut_prefix(&text, max);
        assert_eq!(cut, "abc ", "cut at {max}");
    }
    assert_eq!(
        r.cut_prefix(r"ab \u0068u", 7),
        "ab ",
        "a half-written escape is dropped"
    );
}

#[test]
fn a_multi_line_secret_is_masked_as_plume_flattens_it() {
    let pem = "-----BEGIN K-----\nMIIB/x\tyz\n\tQk+9\n-----END K-----";
    let r = Redactor::new([pem]);
    let flat = pem.replace(['\n', '\t'], " ");
    assert_eq!(r.redact(&format!("body: {flat}")), "body: ***");
    let joined = pem.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(r.redact(&joined), "***");
    let line = r.line(&format!("got {pem} end"), 4096);
    assert_eq!(line, "got *** end");
}

#[test]
fn secrets_too_short_to_mask_are_refused_and_urls_shown_without_credentials() {
    assert!(
        check_secret("abc")
            .unwrap_err()
            .contains("3 character(s) long")
    );
    assert!(check_secret("éé").is_err(), "characters, not bytes");
    assert!(check_secret("abcd").is_ok());
    let url = url::Url::parse("http://us%3Ar:p%40ss@h:1/p?api_token=t0k&n=1&X-Amz-Signature=s1g")
        .unwrap();
    assert_eq!(
        url_shown(&url),
        "http://***:***@h:1/p?api_token=***&n=1&X-Amz-Signature=***"
    );
    assert_eq!(url_credentials(&url), ["us:r", "p@ss", "t0k", "s1g"]);
    assert_eq!(
        url_shown(&url::Url::parse("http://h/x").unwrap()),
        "http://h/x"
    );
}

#[test]
fn tiny_values_are_left_alone() {
    assert_eq!(Redactor::new(["ab"]).redact("abc"), "abc");
    assert_eq!(Redactor::new(Vec::<&str>::new()).redact("abc"), "abc");
}

#[test]
fn redaction_is_idempotent_and_overlaps_mask_whole() {
    let r = Redactor::new(["abcdef", "defghi"]);
    let once = r.redact("xx abcdefghi yy");
    assert!(
        !once.contains("abcdef") && !once.contains("defghi"),
        "{once}"
    );
    assert_eq!(r.redact(&once), once);
}
