//! `--only` and `--skip`: which groups and checks a run selects.
//!
//! A selector is a group name or a `group.check` name, either one a glob
//! (`*` any run of characters, `?` one character): `--only 'sse.*'` runs
//! every check of group `sse`, `--only auth.login` only that check of its
//! group, `--skip 'slow*'` leaves out every group whose name starts so. A
//! selector that matches nothing is an error listing the groups.

use std::collections::{HashMap, HashSet};

/// Whether `pattern` matches all of `text`, `*` standing for any run of
/// characters and `?` for one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it now stands up to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// What a list of selectors picks.
#[derive(Debug, Default)]
pub struct Picked {
    /// Groups picked whole.
    pub groups: HashSet<String>,
    /// Checks picked one by one, by group.
    pub checks: HashMap<String, HashSet<String>>,
}

impl Picked {
    /// Whether the selectors pick anything of `group`.
    pub fn touches(&self, group: &str) -> bool {
        self.groups.contains(group) || self.checks.contains_key(group)
    }
}

/// What `patterns` pick among `groups` (each name with its checks); the
/// first pattern that matches nothing is the error.
pub fn pick(patterns: &[String], groups: &[(&str, &[String])]) -> Result<Picked, String> {
    let mut picked = Picked::default();
    for pattern in patterns {
        let mut hit = false;
        for (group, checks) in groups {
            if glob(pattern, group) {
                picked.groups.insert((*group).to_owned());
                hit = true;
                continue;
            }
            for check in checks.iter() {
                if glob(pattern, &format!("{group}.{check}")) {
                    picked
                        .checks
                        .entry((*group).to_owned())
                        .or_default()
                        .insert(check.clone());
                    hit = true;
                }
            }
        }
        if !hit {
            return Err(pattern.clone());
        }
    }
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob("sse.*", "sse.events"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(glob("*.up", "health.admin.up"));
        assert!(!glob("sse", "sse.events"));
        assert!(!glob("a*b", "acbx"));
        assert!(glob("a*b*c", "axxbyyc"));
    }

    #[test]
    fn a_selector_picks_groups_or_single_checks() {
        let health = ["up".to_owned(), "version".to_owned()];
        let sse = ["open".to_owned(), "events".to_owned()];
        let groups: Vec<(&str, &[String])> = vec![("health", &health), ("sse", &sse)];
        let p = pick(&["sse.*".into(), "health.up".into()], &groups).unwrap();
        assert!(p.groups.is_empty());
        assert_eq!(p.checks["sse"].len(), 2);
        assert_eq!(p.checks["health"], HashSet::from(["up".to_owned()]));
        let p = pick(&["h*".into()], &groups).unwrap();
        assert_eq!(p.groups, HashSet::from(["health".to_owned()]));
        assert_eq!(pick(&["nope*".into()], &groups).unwrap_err(), "nope*");
    }
}
