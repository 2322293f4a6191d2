//! An object store's error document, read from the body of an answer other
//! than 200 so a red line names the store's reason whole: S3's
//! `<Error><Code>…</Code><Message>…</Message></Error>` (also inside the
//! `<ErrorResponse><Errors>` wrapping some S3-compatible stores send; Google
//! Cloud Storage's XML API uses the same two elements). The body excerpt a
//! failed status shows is cut at a couple of hundred bytes, which an XML
//! prolog and wrapping use up before the message.
//!
//! Guarantees: only the first `Code` and `Message` are read (never
//! `StringToSign`, `CanonicalRequest` or `SignatureProvided`, which S3 adds to
//! a signature error and which hold the signature); entities are resolved as
//! XML defines them; a body that is not such a document adds nothing; the
//! message is cut to [`MESSAGE_SHOWN`] characters.

use plume_sdk::Halt;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// The most of a store's message a line shows.
const MESSAGE_SHOWN: usize = 300;

/// `SignatureDoesNotMatch: The request signature we calculated …`, when
/// `body` is a store's error document.
pub fn summary(body: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(body);
    let (mut code, mut message) = (None::<String>, None::<String>);
    let mut inside: Option<bool> = None; // Some(true): Code, Some(false): Message
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                inside = match e.local_name().as_ref() {
                    b"Code" if code.is_none() => Some(true),
                    b"Message" if message.is_none() => Some(false),
                    _ => None,
                };
                if let Some(is_code) = inside {
                    *slot(&mut code, &mut message, is_code) = Some(String::new());
                }
            }
            Ok(Event::End(_)) => inside = None,
            Ok(Event::Text(t)) => {
                if let (Some(is_code), Ok(text)) = (inside, t.decode()) {
                    push(slot(&mut code, &mut message, is_code), &text);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let (Some(is_code), Ok(name)) = (inside, r.decode()) {
                    push(slot(&mut code, &mut message, is_code), &format!("&{name};"));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        if code.is_some() && message.is_some() && inside.is_none() {
            break;
        }
    }
    let code = unescaped(&code?);
    if code.is_empty() {
        return None;
    }
    let message = message.map(|m| unescaped(&m)).unwrap_or_default();
    Some(match message.char_indices().nth(MESSAGE_SHOWN) {
        _ if message.is_empty() => code,
        Some((at, _)) => format!("{code}: {}…", &message[..at]),
        None => format!("{code}: {message}"),
    })
}

/// `halt` (a failed status, quoting `body`) with the store's error named
/// after it, when `body` is a store's error document.
pub fn explained(halt: Halt, body: &[u8]) -> Halt {
    match (halt, summary(body)) {
        (Halt::Err { status, detail }, Some(said)) => Halt::Err {
            status,
            detail: format!("{detail}; the store's error: {said}"),
        },
        (halt, _) => halt,
    }
}

fn slot<'a>(
    code: &'a mut Option<String>,
    message: &'a mut Option<String>,
    is_code: bool,
) -> &'a mut Option<String> {
    if is_code { code } else { message }
}

fn push(slot: &mut Option<String>, text: &str) {
    if let Some(s) = slot {
        s.push_str(text);
    }
}

/// `raw` with its entity references resolved; as it is when one is unknown.
fn unescaped(raw: &str) -> String {
    let text = quick_xml::escape::unescape(raw).map_or_else(|_| raw.to_owned(), |t| t.into_owned());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_and_wrapped_error_documents_are_read_and_others_are_not() {
        let s3 = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>1</X-Amz-Expires><SignatureProvided>deadbeef</SignatureProvided></Error>"#;
        assert_eq!(
            summary(s3).as_deref(),
            Some("AccessDenied: Request has expired")
        );
        let wrapped = br#"<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>a &amp; b &lt;c&gt; &#65;</Message></Error></Errors></ErrorResponse>"#;
        assert_eq!(
            summary(wrapped).as_deref(),
            Some("SignatureDoesNotMatch: a & b <c> A")
        );
        assert_eq!(summary(b"<html><body>Forbidden</body></html>"), None);
        assert_eq!(summary(b"not xml at all"), None);
        assert_eq!(summary(b""), None);
        let long = format!(
            "<Error><Code>X</Code><Message>{}</Message></Error>",
            "m".repeat(400)
        );
        let said = summary(long.as_bytes()).unwrap();
        assert_eq!(
            said.chars().count(),
            "X: ".len() + MESSAGE_SHOWN + 1,
            "{said}"
        );
    }
}
