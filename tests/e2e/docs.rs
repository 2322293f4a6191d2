//! The documentation as a book with no broken link: every relative link in
//! every Markdown file of the repository (the README, the book in `docs/`,
//! the packs', the benchmarks' and the SDKs' READMEs) names a file that
//! exists, and a `#fragment` names a heading of its target (GitHub's anchor
//! rule: lower case, punctuation dropped, spaces as `-`, a repeated heading
//! numbered `-1`, `-2`, ...). Links with a scheme (`https:`, `mailto:`) are
//! not fetched: the tests reach loopback only. Markdown is read with
//! pulldown-cmark, so a link inside a code block is no link.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

fn root() -> PathBuf {
    crate::support::tools::workspace()
}

/// The book's chapters: every `.md` file in `docs/`.
pub fn book_chapters() -> Vec<PathBuf> {
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("read docs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    chapters
}

/// Every Markdown file of the repository outside build output and installed packages.
fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    const SKIP: &[&str] = &["target", "node_modules", ".git", "fuzz"];
    for entry in std::fs::read_dir(dir).expect("read a folder").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !SKIP.iter().any(|s| name == *s) {
                markdown_files(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

/// GitHub's anchor for a heading's text.
fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// A file's links (destination, line) and its headings' anchors.
struct Page {
    links: Vec<(String, usize)>,
    anchors: BTreeSet<String>,
}

fn read_page(path: &Path) -> Page {
    let text = std::fs::read_to_string(path).expect("read a Markdown file");
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut links = Vec::new();
    let mut anchors = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut heading: Option<String> = None;
    for (event, range) in Parser::new(&text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let base = slug(&heading.take().unwrap_or_default());
                let n = seen.entry(base.clone()).or_insert(0);
                anchors.insert(if *n == 0 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                });
                *n += 1;
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push((dest_url.to_string(), line_of(range.start)));
            }
            _ => {}
        }
    }
    Page { links, anchors }
}

/// Why `dest`, linked from `from`, is broken; `None` when it is fine.
fn broken(from: &Path, dest: &str, pages: &mut BTreeMap<PathBuf, Page>) -> Option<String> {
    if dest.contains("://") || dest.starts_with("mailto:") {
        return None;
    }
    let (file, fragment) = dest
        .split_once('#')
        .map_or((dest, None), |(f, a)| (f, Some(a)));
    let target = if file.is_empty() {
        from.to_owned()
    } else {
        let joined = from.parent().expect("a file's folder").join(file);
        match joined.canonicalize() {
            Ok(p) => p,
            Err(_) => return Some(format!("{file} does not exist")),
        }
    };
    let fragment = fragment.filter(|f| !f.is_empty())?;
    if target.extension().is_none_or(|e| e != "md") {
        return None;
    }
    let page = pages
        .entry(target.clone())
        .or_insert_with(|| read_page(&target));
    (!page.anchors.contains(fragment)).then(|| {
        format!(
            "no heading of {} has the anchor #{fragment}",
            target.display()
        )
    })
}

#[test]
fn every_link_in_the_docs_names_a_file_and_heading_that_exist() {
    let root = root().canonicalize().expect("workspace root");
    let mut files = Vec::new();
    markdown_files(&root, &mut files);
    assert!(
        files.len() > 20,
        "only {} Markdown files found",
        files.len()
    );
    let mut pages = BTreeMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        let file = file.canonicalize().expect("canonical path");
        let links = pages
            .entry(file.clone())
            .or_insert_with(|| read_page(&file))
            .links
            .clone();
        for (dest, line) in links {
            checked += 1;
            if let Some(why) = broken(&file, &dest, &mut pages) {
                let rel = file
                    .strip_prefix(&root)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                problems.push(format!("{rel}:{line}: ({dest}) {why}"));
            }
        }
    }
    assert!(checked > 50, "only {checked} links checked");
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

/// The checker itself: a missing file and a missing anchor are found, and
/// GitHub's numbering of repeated headings is followed.
#[test]
fn the_link_checker_finds_a_missing_file_and_a_missing_anchor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.md");
    std::fs::write(&a, "# Title: `plume run`, again\n\n## Same\n\n## Same\n").expect("write");
    let a = a.canonicalize().expect("canonical");
    let mut pages = BTreeMap::new();
    assert_eq!(broken(&a, "#title-plume-run-again", &mut pages), None);
    assert_eq!(broken(&a, "#same-1", &mut pages), None);
    assert!(broken(&a, "#same-2", &mut pages).is_some());
    assert!(broken(&a, "b.md", &mut pages).is_some());
    assert!(broken(&a, "a.md#nowhere", &mut pages).is_some());
    assert_eq!(broken(&a, "https://example.com/x#y", &mut pages), None);
}
