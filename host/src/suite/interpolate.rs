//! `${name}` and `${env:NAME}` in suite values.
//!
//! `${name}` takes a value from the chosen environment's table or `--var`;
//! `${env:NAME}` takes a variable from the process environment; either may
//! carry a default, `${env:EXPECTED_SHA:-}`, used when it is unset; `$$` is a
//! literal `$`. A name that is not defined, or a variable that is not set, is
//! an error naming where it was used and how to supply it.

use std::collections::BTreeMap;

use crate::error::PlumeError;

/// Named values that `${name}` can refer to.
#[derive(Debug, Default, Clone)]
pub struct Values(BTreeMap<String, String>);

impl Values {
    pub fn insert(&mut self, key: String, value: String) {
        self.0.insert(key, value);
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// Replaces every `${...}` in `text`; `place` names the value in errors.
///
/// A value may itself refer to others (`api = "${base}/api"`); references are
/// followed to a depth of 8, which also stops cycles.
pub fn interpolate(text: &str, values: &Values, place: &str) -> Result<String, PlumeError> {
    expand(text, values, place, 0)
}

fn expand(text: &str, values: &Values, place: &str, depth: usize) -> Result<String, PlumeError> {
    let err = |message: String| PlumeError::Interpolation {
        place: place.to_owned(),
        message,
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{') {
            let end = inner
                .find('}')
                .ok_or_else(|| err(format!("unclosed `${{` in {text:?}")))?;
            let name = inner[..end].trim();
            if name.contains(char::is_control) {
                return Err(err(format!(
                    "{:?} is not a name: names have no control characters",
                    &inner[..end]
                )));
            }
            let (name, default) = match name.split_once(":-") {
                Some((n, d)) => (n.trim(), Some(d)),
                None => (name, None),
            };
            let raw = match (lookup(name, values), default) {
                (Ok(v), _) => v,
                (Err(_), Some(d)) => d.to_owned(),
                (Err(e), None) => return Err(err(e)),
            };
            if name.starts_with("env:") {
                out.push_str(&raw);
            } else if depth >= 8 {
                return Err(err(format!(
                    "`${{{name}}}` nests more than 8 deep or forms a cycle"
                )));
            } else {
                out.push_str(&expand(&raw, values, place, depth + 1)?);
            }
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn lookup(name: &str, values: &Values) -> Result<String, String> {
    if let Some(var) = name.strip_prefix("env:") {
        return std::env::var(var).map_err(|_| {
            format!("environment variable {var} is not set (export {var}=... before running)")
        });
    }
    if name.is_empty() {
        return Err("empty `${}`".to_owned());
    }
    values.get(name).map(str::to_owned).ok_or_else(|| {
        format!("unknown value `${{{name}}}`: define `{name}` in the environment's table or pass --var {name}=...")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Values {
        let mut v = Values::default();
        for (k, val) in pairs {
            v.insert((*k).into(), (*val).into());
        }
        v
    }

    /// Found by the `interpolate` fuzz target: the CLI prints errors as one line.
    #[test]
    fn errors_stay_on_one_line_whatever_the_text() {
        for text in ["line one\n${unclosed", "${a\nb}"] {
            let e = interpolate(text, &values(&[]), "env.x")
                .unwrap_err()
                .to_string();
            assert!(!e.contains('\n'), "{e:?}");
        }
    }

    #[test]
    fn replaces_names_and_keeps_plain_dollars() {
        let v = values(&[("host", "h"), ("port", "1")]);
        assert_eq!(
            interpolate("http://${host}:${port}/$x$$", &v, "t").unwrap(),
            "http://h:1/$x$"
        );
    }

    #[test]
    fn defaults_apply_when_unset() {
        let v = values(&[("set", "yes")]);
        assert_eq!(
            interpolate("[${env:PLUME_SURELY_UNSET_VAR:-}]", &v, "t").unwrap(),
            "[]"
        );
        assert_eq!(
            interpolate("${nope:-fallback}/${set:-no}", &v, "t").unwrap(),
            "fallback/yes"
        );
    }

    #[test]
    fn unknown_names_say_how_to_define_them() {
        let err = interpolate("${nope}", &Values::default(), "plugins.a.config.u").unwrap_err();
        assert!(err.to_string().contains("--var nope="), "{err}");
        assert!(err.to_string().starts_with("plugins.a.config.u"), "{err}");
    }

    #[test]
    fn unset_process_variables_are_named() {
        let err =
            interpolate("${env:PLUME_SURELY_UNSET_VAR}", &Values::default(), "x").unwrap_err();
        assert!(
            err.to_string()
                .contains("PLUME_SURELY_UNSET_VAR is not set"),
            "{err}"
        );
    }

    #[test]
    fn values_refer_to_each_other_and_cycles_stop() {
        let v = values(&[
            ("base", "http://h"),
            ("api", "${base}/api"),
            ("lit", "$${x}"),
        ]);
        assert_eq!(interpolate("${api}", &v, "t").unwrap(), "http://h/api");
        assert_eq!(interpolate("${lit}", &v, "t").unwrap(), "${x}");
        let cyclic = values(&[("a", "${b}"), ("b", "${a}")]);
        assert!(interpolate("${a}", &cyclic, "t").is_err());
    }
}
