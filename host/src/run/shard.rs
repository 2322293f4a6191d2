//! `--shard K/N`: a deterministic part of a plan's groups, so N machines
//! (or N CI jobs) run a suite between them, each group exactly once.
//!
//! Groups linked by `depends-on` (the weakly connected components of the
//! dependency graph) always land in the same shard: a group never runs
//! without the groups it depends on, nor twice. Components are dealt out by
//! weight — sorted by check count, heaviest first, then by their smallest
//! group name — each to the least-loaded shard, ties to the lowest index.
//! Nothing depends on the machine, the clock or hashing order, so the same
//! plan splits the same way everywhere. The split is made after `--only`
//! and `--skip`, so every shard must be given the same selection.

use std::collections::HashMap;
use std::fmt;

use crate::error::PlumeError;
use crate::run::plan::Plan;

/// One shard of N, 1-based: `2/4` is the second of four.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1..=count.
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, PlumeError> {
        let bad = |reason: &str| PlumeError::BadShard {
            given: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| bad("expected K/N, e.g. --shard 2/4"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| bad("K and N must be whole numbers, e.g. --shard 2/4"))
        };
        let (index, count) = (number(k)?, number(n)?);
        if count == 0 {
            return Err(bad("N must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(bad(&format!(
                "K counts from 1 to N: use 1/{count} to {count}/{count}"
            )));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What the partition needs to know of a group.
#[derive(Debug, Clone, Copy)]
pub struct Weighed<'a> {
    pub name: &'a str,
    pub checks: usize,
    pub depends_on: &'a [String],
}

/// The shard (0-based) of each of `groups`, `count` shards in all. A
/// dependency that is not among `groups` (left out with `--skip`) links
/// nothing.
pub fn partition(groups: &[Weighed<'_>], count: usize) -> Vec<usize> {
    let count = count.max(1);
    let index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name, i))
        .collect();
    let mut parent: Vec<usize> = (0..groups.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, g) in groups.iter().enumerate() {
        for d in g.depends_on {
            if let Some(&j) = index.get(d.as_str()) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    // Each component: its checks, its smallest name, its members.
    let mut components: HashMap<usize, (usize, &str, Vec<usize>)> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let entry = components
            .entry(root(&mut parent, i))
            .or_insert((0, g.name, Vec::new()));
        entry.0 += g.checks;
        entry.1 = entry.1.min(g.name);
        entry.2.push(i);
    }
    let mut components: Vec<(usize, &str, Vec<usize>)> = components.into_values().collect();
    components.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut load = vec![0usize; count];
    let mut shard_of = vec![0usize; groups.len()];
    for (checks, _, members) in components {
        // `min_by_key` keeps the first of equal loads: the lowest index.
        let (lightest, _) = load
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| **l)
            .unwrap_or((0, &0));
        load[lightest] += checks;
        for m in members {
            shard_of[m] = lightest;
        }
    }
    shard_of
}

/// `plan` with only the groups of `shard`, in plan order.
pub fn keep(plan: Plan, shard: Shard) -> Plan {
    let weighed: Vec<Weighed<'_>> = plan
        .groups
        .iter()
        .map(|g| Weighed {
            name: &g.name,
            checks: g.checks.len(),
            depends_on: &g.depends_on,
        })
        .collect();
    let shard_of = partition(&weighed, shard.count);
    let Plan { groups, excluded } = plan;
    let groups = groups
        .into_iter()
        .zip(shard_of)
        .filter(|(_, s)| *s + 1 == shard.index)
        .map(|(g, _)| g)
        .collect();
    Plan { groups, excluded }
}

#[cfg(test)]
mod tests;
