//! Where a value sits in the suite file: the line and column of a plugin's
//! config value named by its path (`checks[3].expect.json[0].pointer`), for
//! the line that reports a config a plugin refused (`config.reject`).
//!
//! The file is parsed again with spans (`toml::de::DeTable`); a path that
//! goes past what the file holds (a key the pack defaults) points at the
//! deepest value that exists on the way.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a config path.
#[derive(Debug, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `checks[3].expect` as steps; `None` for a path that is not keys and
/// indexes.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    if path.is_empty() {
        return Some(out);
    }
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(at) => part.split_at(at),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']')?;
            out.push(Step::Index(inner[..end].parse().ok()?));
            rest = &inner[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// The 1-based line and column in `text` of the value at `path` inside
/// `[plugins.PLUGIN.config]`, or of its deepest ancestor the file holds.
pub fn config_value(text: &str, plugin: &str, path: &str) -> Option<(usize, usize)> {
    let root = DeTable::parse(text).ok()?;
    let mut steps_all = vec![Step::Key("plugins"), Step::Key(plugin), Step::Key("config")];
    steps_all.extend(steps(path).unwrap_or_default());
    let mut here: Option<&Spanned<DeValue<'_>>> = None;
    let mut table: &DeTable<'_> = root.get_ref();
    let mut found = None;
    for (depth, step) in steps_all.iter().enumerate() {
        let next = match (step, here.map(Spanned::get_ref)) {
            (Step::Key(k), None) => key_in(table, k),
            (Step::Key(k), Some(DeValue::Table(t))) => {
                table = t;
                key_in(table, k)
            }
            (Step::Index(i), Some(DeValue::Array(items))) => items.get(*i),
            _ => None,
        };
        let Some(next) = next else { break };
        // Nothing short of the plugin's own table is a place worth naming.
        if depth >= 1 {
            found = Some(next.span().start);
        }
        here = Some(next);
    }
    found.map(|offset| super::line_column(text, offset))
}

fn key_in<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUITE: &str = r#"name = "x"

[plugins.api]
path = "http.wasm"

[[plugins.api.config.checks]]
group = "a"
name = "one"
url = "http://x/"

[[plugins.api.config.checks]]
group = "a"
name = "two"
url = "http://x/"
expect.json = [{ pointer = "/a" }, { pointer = "b" }]
"#;

    #[test]
    fn paths_are_keys_and_indexes() {
        assert_eq!(
            steps("checks[3].expect.json[0].pointer"),
            Some(vec![
                Step::Key("checks"),
                Step::Index(3),
                Step::Key("expect"),
                Step::Key("json"),
                Step::Index(0),
                Step::Key("pointer"),
            ])
        );
        assert_eq!(steps(""), Some(vec![]));
        assert_eq!(steps("checks[x]"), None);
        assert_eq!(steps("checks[1]z"), None);
    }

    #[test]
    fn a_value_is_found_where_it_is_written() {
        // The second pointer of the second check: line 15, at its value.
        let (line, column) =
            config_value(SUITE, "api", "checks[1].expect.json[1].pointer").unwrap();
        assert_eq!(line, 15);
        assert_eq!(&SUITE.lines().nth(14).unwrap()[column - 1..][..3], "\"b\"");
        // A key the file does not hold points at its deepest ancestor: the table.
        let (line, _) = config_value(SUITE, "api", "checks[1].retry").unwrap();
        assert!((11..=15).contains(&line), "{line}");
        let (line, _) = config_value(SUITE, "api", "checks[0].url").unwrap();
        assert_eq!(line, 9);
        assert_eq!(config_value(SUITE, "other", "checks"), None);
    }
}
