//! A plugin whose every text tries to forge output, drive the reader's
//! terminal or leak a secret, so the tests can show none of it gets through:
//! names of 70,000 characters, details full of escape sequences and line
//! separators, log lines broken by a lone CR, cleanup labels that spell out a
//! `[ok  ]` line, GitHub workflow commands, TAP test points and Markdown rows,
//! a 16 MiB detail, and a secret put in names, labels, URLs, JSON and Basic
//! headers at every offset.
//!
//! Config: `base_url` (the test server), `dead_url` (a closed loopback port,
//! for connect errors that quote the URL), `mode` (`long-name`, `long-group`,
//! `bidi-name`: a name the host must refuse; `huge`: only the 16 MiB texts).
//! Secrets: `pw`, `jq` (optional; the `secret` groups exist only when `pw` is set).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use plume_sdk::prelude::*;

/// Each tries to end its line and start a forged one in some sink.
const LABELS: &[&str] = &[
    "a\n[ok  ] fake.line                200  forged by a label",
    "b\n::error::forged",
    "c\n::stop-commands::tok",
    "d\nok 999 forged",
    "e\nBail out!",
    "f | row | injection |\n| **err** | `x` | - | forged row |",
    "g\r[ok  ] fake.cr",
    "h\x1b[1A\x1b[2K\u{202e}desrever",
    "i\u{2028}ok 998 forged\u{85}not ok 997 forged\u{2029}",
    "j # SKIP forged \\",
];

/// Everything a terminal would act on, in one detail.
const ESCAPES: &str = "\x1b[32m[ok  ] looks green\x1b[0m \x1b]0;pwned title\x07 \
    \x1b]52;c;Zm9yZ2Vk\x07 \x1b[1A\x1b[2Kerased above \x0bVT \x0cFF \u{85}NEL \
    \u{9b}31mC1 \u{202e}desrever\u{202c} \u{2066}isolate\u{2069} \u{200f}\u{61c}marks \
    LS\u{2028}PS\u{2029}DEL\x7f end";

/// A name as long as a name may be (128), minus a little: it must print.
fn long_ok_name() -> String {
    "n".repeat(120)
}

fn plugin() -> Plugin {
    let mode = plume_sdk::config_value("mode").unwrap_or_default();
    let secret = plume_sdk::__bindings::plume::check::config::secret("pw");
    let plugin = Plugin::new(
        "forger\x1b]0;meta\x07\n::error::forged-meta",
        "0.1.0\u{202e}\r[ok  ] meta",
    )
    .config(&["base_url", "dead_url", "mode\n::stop-commands::meta"])
    .secrets(&["pw", "jq"]);
    match mode.as_str() {
        "long-name" => plugin.group("long", &[], |g| g.check(&"n".repeat(70_000), fine)),
        "long-group" => plugin.group(&"g".repeat(70_000), &[], |g| g.check("c", fine)),
        "bidi-name" => plugin.group("bidi", &[], |g| g.check("ok\u{202e}kab", fine)),
        "huge" => plugin.group("huge", &[], |g| {
            g.check("detail", huge_detail).check("label", huge_label)
        }),
        _ => {
            let plugin = plugin.group("forge", &[], |g| {
                g.check("escapes", escapes)
                    .check("log_cr", log_cr)
                    .check("labels", labels)
                    .check("skip_forged", skip_forged)
                    .check(&long_ok_name(), fine)
            });
            match secret {
                Some(pw) => plugin
                    .group("secret", &[], |g| {
                        g.check("query", query)
                            .check("path", path)
                            .check("userinfo", userinfo)
                            .check("basic", basic)
                            .check("json", json)
                            .check("label", secret_label)
                    })
                    .group(&format!("s-{pw}"), &[], |g| {
                        g.check(&format!("n-{pw}"), fine)
                    }),
                None => plugin,
            }
        }
    }
}

fn fine(_ctx: &mut Ctx) -> Check {
    ok(None, "fine")
}

fn escapes(_ctx: &mut Ctx) -> Check {
    fail(None, ESCAPES)
}

fn log_cr(ctx: &mut Ctx) -> Check {
    ctx.info("real\r[ok  ] forge.cr_forged               200  forged by a CR");
    ctx.warn("::error::forged from a log\n::stop-commands::tok2\u{2028}ok 996 forged");
    println!("printed\r[ok  ] forge.cr_stdout  200  forged\x1b[2K");
    ok(None, "logged")
}

fn labels(ctx: &mut Ctx) -> Check {
    let base = ctx.config("base_url")?;
    for (i, label) in LABELS.iter().enumerate() {
        ctx.defer(label, ctx.delete(format!("{base}/cleanup/forged-{i}")));
    }
    ok(None, format!("registered {} cleanups", LABELS.len()))
}

fn skip_forged(_ctx: &mut Ctx) -> Check {
    skip("a reason\nok 995 forged\nBail out!\n::error::skip")
}

fn huge_detail(_ctx: &mut Ctx) -> Check {
    fail(None, "x".repeat(16 * 1024 * 1024))
}

fn huge_label(ctx: &mut Ctx) -> Check {
    let base = ctx.config("base_url")?;
    // Far past what a line shows, well within the host's cleanup quota.
    ctx.defer(
        &"L".repeat(64 * 1024),
        ctx.delete(format!("{base}/cleanup/huge")),
    );
    ok(None, "registered a cleanup with a 64 KiB label")
}

/// Fetches `url`, expected to fail to connect, and shows the host's error (which quotes the URL).
fn connect_error(ctx: &mut Ctx, url: String) -> Check {
    match ctx.get(url).try_send() {
        Ok(resp) => fail(resp.status, "the closed port answered"),
        Err(e) => fail(None, plume_sdk::describe_error(&e)),
    }
}

fn query(ctx: &mut Ctx) -> Check {
    let (dead, pw, jq) = (
        ctx.config("dead_url")?,
        ctx.secret("pw")?,
        ctx.secret("jq")?,
    );
    connect_error(ctx, format!("{dead}/x?pw={pw}&jq={jq}&n=1"))
}

fn path(ctx: &mut Ctx) -> Check {
    let (dead, pw, jq) = (
        ctx.config("dead_url")?,
        ctx.secret("pw")?,
        ctx.secret("jq")?,
    );
    connect_error(ctx, format!("{dead}/p/{pw}/{jq}/q#{jq}"))
}

fn userinfo(ctx: &mut Ctx) -> Check {
    let (dead, pw) = (ctx.config("dead_url")?, ctx.secret("pw")?);
    let url = dead.replacen("http://", &format!("http://u:{}@", percent(&pw)), 1);
    connect_error(ctx, format!("{url}/u"))
}

/// `user:secret` in base64 for users of every length mod 3, both alphabets,
/// sent as a Basic header (the server echoes it), logged and put in the detail.
fn basic(ctx: &mut Ctx) -> Check {
    let (base, pw) = (ctx.config("base_url")?, ctx.secret("pw")?);
    let mut shown = Vec::new();
    for user in ["", "a", "ab", "user"] {
        for engine in [STANDARD, URL_SAFE] {
            shown.push(engine.encode(format!("{user}:{pw}")));
        }
    }
    let resp = ctx
        .get(format!("{base}/echo"))
        .header("authorization", format!("Basic {}", shown[6]))
        .send()?;
    let echoed = String::from_utf8_lossy(&resp.body).into_owned();
    ctx.info(format!("sent Basic {}", shown.join(" Basic ")));
    ok(
        resp.status,
        format!("echoed {echoed}; forms {}", shown.join(", ")),
    )
}

fn json(ctx: &mut Ctx) -> Check {
    let pw = ctx.secret("pw")?;
    let jq = ctx.secret("jq")?;
    let body = serde_json::json!({"pw": pw, "jq": jq}).to_string();
    ctx.debug(&body);
    ok(None, format!("json {body}; percent {}", percent(&pw)))
}

/// encodeURIComponent's encoding.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn secret_label(ctx: &mut Ctx) -> Check {
    let (base, pw) = (ctx.config("base_url")?, ctx.secret("pw")?);
    let encoded = STANDARD.encode(format!("ab:{pw}"));
    ctx.defer(
        &format!("undo-{pw}\n::error::{encoded}"),
        ctx.delete(format!("{base}/cleanup/secret")),
    );
    ok(None, "registered")
}

plume_sdk::export_plugin!(plugin);
