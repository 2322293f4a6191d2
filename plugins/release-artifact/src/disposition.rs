//! The file name a `Content-Disposition` header gives (RFC 6266): the
//! `filename*` ext-value (RFC 8187, formerly RFC 5987: `UTF-8''plume%20agent.bin`
//! or `ISO-8859-1'en'…`) wins over `filename`, a quoted string may hold `;`
//! and `\"`, and a name with a folder counts as its last segment, as
//! browsers and `curl -J` save it. Parameter names are matched in any case.
//!
//! Written here because the crates at hand read `filename` over
//! `filename*` (the reverse of RFC 6266 §4.3) or pull in a whole charset
//! library for the one ISO-8859-1 case.

/// The file name `header` gives, if it gives one that is not empty.
pub fn file_name(header: &str) -> Option<String> {
    let params = params(header);
    let extended = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("filename*"))
        .and_then(|(_, v)| ext_value(v));
    let plain = || {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("filename"))
            .map(|(_, v)| v.clone())
    };
    let name = extended.or_else(plain)?;
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    (!last.is_empty()).then(|| last.to_owned())
}

/// The `name=value` parameters after the disposition type, quoted values
/// unquoted.
fn params(header: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = header.split_once(';').map_or("", |(_, rest)| rest);
    while let Some((name, after)) = rest.split_once('=') {
        if let Some((_, next)) = name.split_once(';') {
            // A parameter without `=`: skip it.
            rest = next;
            continue;
        }
        let after = after.trim_start();
        let (value, tail) = match after.strip_prefix('"') {
            Some(quoted) => quoted_string(quoted),
            None => {
                let end = after.find(';').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            }
        };
        out.push((name.trim().to_owned(), value));
        rest = tail.split_once(';').map_or("", |(_, next)| next);
    }
    out
}

/// A quoted string's content (after its opening quote) and what follows
/// its closing quote.
fn quoted_string(s: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            '"' => return (value, &s[i + 1..]),
            c => value.push(c),
        }
    }
    (value, "")
}

/// An RFC 8187 ext-value: `charset'language'percent-encoded`, in UTF-8 or
/// ISO-8859-1 (the two charsets the RFC requires); any other is not read.
fn ext_value(v: &str) -> Option<String> {
    let mut parts = v.splitn(3, '\'');
    let (charset, _language, encoded) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn plain_and_quoted_names_are_read() {
        let name = |h| file_name(h);
        assert_eq!(
            name("attachment; filename=plume.bin").as_deref(),
            Some("plume.bin")
        );
        assert_eq!(
            name("attachment;filename=\"plume; agent \\\"1\\\".bin\"; size=3").as_deref(),
            Some("plume; agent \"1\".bin")
        );
        assert_eq!(
            name("inline; FILENAME = \"a.bin\"").as_deref(),
            Some("a.bin")
        );
        assert_eq!(name("attachment").as_deref(), None);
        assert_eq!(name("attachment; filename=\"\"").as_deref(), None);
    }

    #[test]
    fn the_extended_name_wins_and_folders_are_dropped() {
        assert_eq!(
            file_name("attachment; filename=\"fallback.bin\"; filename*=UTF-8''plume%E2%82%AC.bin")
                .as_deref(),
            Some("plume€.bin")
        );
        assert_eq!(
            file_name("attachment; filename*=iso-8859-1'en'caf%E9.bin").as_deref(),
            Some("café.bin")
        );
        assert_eq!(
            file_name("attachment; filename*=koi8-r''x.bin; filename=y.bin").as_deref(),
            Some("y.bin")
        );
        assert_eq!(
            file_name("attachment; filename=\"../dist/plume.bin\"").as_deref(),
            Some("plume.bin")
        );
    }
}
