//! The partition as a pure function: every group exactly once, a group with
//! the groups it is linked to, the same split whatever the input order.

use std::collections::BTreeMap;

use super::*;

/// `(name, checks, depends_on)`.
type Spec = (&'static str, usize, &'static [&'static str]);

const SUITE: &[Spec] = &[
    ("health", 2, &[]),
    ("account", 3, &["health"]),
    ("auth", 4, &["account"]),
    ("admin", 2, &["account"]),
    ("discovery", 4, &[]),
    ("public", 5, &[]),
    ("release", 3, &[]),
    ("failing", 1, &[]),
    ("after_failing", 1, &["failing"]),
];

/// Each group's shard (0-based), by name.
fn split(specs: &[Spec], count: usize) -> BTreeMap<&'static str, usize> {
    let deps: Vec<Vec<String>> = specs
        .iter()
        .map(|(_, _, d)| d.iter().map(|s| (*s).to_owned()).collect())
        .collect();
    let weighed: Vec<Weighed<'_>> = specs
        .iter()
        .zip(&deps)
        .map(|((name, checks, _), depends_on)| Weighed {
            name,
            checks: *checks,
            depends_on,
        })
        .collect();
    let shards = partition(&weighed, count);
    assert_eq!(shards.len(), specs.len(), "one shard per group");
    specs.iter().map(|s| s.0).zip(shards).collect()
}

#[test]
fn every_group_lands_in_exactly_one_shard_with_its_dependencies() {
    for count in 1..=6 {
        let shards = split(SUITE, count);
        assert_eq!(shards.len(), SUITE.len());
        for (name, _, deps) in SUITE {
            assert!(shards[name] < count, "{name} in shard {}", shards[name]);
            for d in *deps {
                assert_eq!(shards[name], shards[d], "{name} and {d} with N = {count}");
            }
        }
    }
}

#[test]
fn components_go_heaviest_first_to_the_least_loaded_shard() {
    // Components: account+auth+admin+health (11 checks), public (5),
    // discovery (4), release (3), failing+after_failing (2).
    let shards = split(SUITE, 2);
    // 11 -> shard 0; 5 -> 1; 4 -> 1 (9 < 11); 3 -> 1 (12); 2 -> 0 (11 < 12).
    let expected = BTreeMap::from([
        ("health", 0),
        ("account", 0),
        ("auth", 0),
        ("admin", 0),
        ("public", 1),
        ("discovery", 1),
        ("release", 1),
        ("failing", 0),
        ("after_failing", 0),
    ]);
    assert_eq!(shards, expected);
    // Four shards: 11 | 5 | 4 | 3, then the 2 checks join the lightest (3).
    let shards = split(SUITE, 4);
    assert_eq!(
        [
            shards["auth"],
            shards["public"],
            shards["discovery"],
            shards["release"]
        ],
        [0, 1, 2, 3]
    );
    assert_eq!(shards["failing"], 3);
}

#[test]
fn equal_weights_are_ordered_by_name_and_ties_go_to_the_lowest_shard() {
    let specs: &[Spec] = &[("c", 1, &[]), ("a", 1, &[]), ("b", 1, &[])];
    assert_eq!(
        split(specs, 2),
        BTreeMap::from([("a", 0), ("b", 1), ("c", 0)])
    );
    assert_eq!(
        split(specs, 3),
        BTreeMap::from([("a", 0), ("b", 1), ("c", 2)])
    );
}

#[test]
fn the_split_does_not_depend_on_the_order_groups_come_in() {
    let mut reversed = SUITE.to_vec();
    reversed.reverse();
    for count in 1..=5 {
        assert_eq!(split(SUITE, count), split(&reversed, count), "N = {count}");
    }
}

#[test]
fn more_shards_than_components_leaves_some_empty() {
    let specs: &[Spec] = &[("a", 1, &[]), ("b", 2, &["a"])];
    let shards = split(specs, 4);
    assert_eq!(shards, BTreeMap::from([("a", 0), ("b", 0)]));
    assert!(split(&[], 3).is_empty());
}

#[test]
fn a_dependency_left_out_of_the_plan_links_nothing() {
    // `--skip base`: its two dependents are no longer one component.
    let specs: &[Spec] = &[("left", 1, &["base"]), ("right", 1, &["base"])];
    assert_eq!(split(specs, 2), BTreeMap::from([("left", 0), ("right", 1)]));
    // A group depending on two others ties the three together.
    let specs: &[Spec] = &[("x", 1, &[]), ("y", 1, &[]), ("z", 1, &["x", "y"])];
    let shards = split(specs, 3);
    assert!(shards.values().all(|s| *s == 0), "{shards:?}");
}

#[test]
fn shard_values_parse_one_based() {
    assert_eq!(Shard::parse("1/4").unwrap(), Shard { index: 1, count: 4 });
    assert_eq!(Shard::parse("4/4").unwrap().to_string(), "4/4");
    assert_eq!(Shard::parse("1/1").unwrap(), Shard { index: 1, count: 1 });
    for bad in [
        "0/3", "5/4", "a/b", "3", "", "1/0", "0/0", "-1/3", "1/2/3", "2/",
    ] {
        let err = Shard::parse(bad).expect_err(bad).to_string();
        assert!(
            err.starts_with(&format!("invalid --shard `{bad}`")),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }
    assert!(
        Shard::parse("5/4")
            .unwrap_err()
            .to_string()
            .contains("use 1/4 to 4/4")
    );
}
