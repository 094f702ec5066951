//! `broken-content-link`: a content item whose file is missing or whose link is unsafe.

use std::path::{Component, Path, PathBuf};

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};
use crate::load::{Document, project_root};

declare_rule! {
    /// ## What it checks
    ///
    /// For every item of the `content` library:
    ///
    /// - `path` must name a file that exists, inside the project folder (the nearest folder
    ///   above the playbook holding `stagebook.toml` or `.git`). Paths are relative to the file
    ///   that defines the item; absolute paths and paths that climb out of the project are
    ///   flagged.
    /// - `url` must be `http://` or `https://` with a host, or `mailto:` with an address, and
    ///   hold no spaces or control characters. `javascript:`, `data:`, `file:` and every other
    ///   scheme are flagged.
    ///
    /// The check is offline: it never makes a network request, so it cannot tell whether a web
    /// page still exists.
    ///
    /// ## Why it matters
    ///
    /// A rep who clicks the case study during a call and gets a 404 loses the moment, and a
    /// handbook link that runs script is a security hole in a document the whole team opens.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// content:
    ///   - id: acme-story
    ///     title: ACME case study
    ///     kind: case-study
    ///     path: content/acme.pdf     # the file was moved
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    ///     path: content/case-studies/acme.pdf
    /// ```
    BrokenContentLink {
        id: "broken-content-link",
        category: Content,
        level: Deny,
        summary: "a content `path` does not exist in the project, or a `url` is not http(s) or mailto",
    }
}

/// Why a URL is not acceptable, if it is not.
pub(crate) fn url_problem(url: &str) -> Option<&'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("contains spaces or control characters");
    }
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or(host);
        if host.is_empty() || host.starts_with(':') {
            return Some("has no host name");
        }
        return None;
    }
    if let Some(address) = lower.strip_prefix("mailto:") {
        if address.contains('@') {
            return None;
        }
        return Some("has no e-mail address");
    }
    if lower.starts_with("javascript:") {
        return Some("runs script (`javascript:`), which a handbook must never link to");
    }
    Some("is not an http, https or mailto link")
}

/// The file the `path` of content item `k` names, checked as this rule checks it: relative,
/// inside the project folder `root` (canonical), a regular file. The problem in words when it
/// is not.
pub(crate) fn content_file(
    document: &Document,
    root: &Path,
    k: usize,
    path: &str,
) -> Result<PathBuf, String> {
    let relative = Path::new(path);
    if relative.has_root()
        || relative
            .components()
            .any(|c| matches!(c, Component::Prefix(_)))
    {
        return Err(format!("`{path}` is an absolute path"));
    }
    let target = document
        .folder_of(&format!("/content/{k}/path"))
        .join(relative);
    match target.canonicalize() {
        Ok(found) if !found.starts_with(root) => {
            Err(format!("`{path}` is outside the project folder"))
        }
        Ok(found) if !found.is_file() => Err(format!("`{path}` is not a file")),
        Ok(found) => Ok(found),
        Err(_) => Err(format!("`{path}` does not exist")),
    }
}

impl Rule for BrokenContentLink {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let root = project_root(&cx.document.file().path);
        let root = root.canonicalize().unwrap_or(root);
        for (k, item) in cx.playbook.content.iter().enumerate() {
            if let Some(url) = &item.url
                && let Some(why) = url_problem(url)
            {
                out.push(
                    cx.finding(
                        &Self::META,
                        format!("/content/{k}/url"),
                        false,
                        format!("content `{}`: the link {why}", item.id),
                    )
                    .with_help("use a full `https://…` address (or `mailto:` for an e-mail)"),
                );
            }
            let Some(path) = &item.path else { continue };
            let pointer = format!("/content/{k}/path");
            let problem = content_file(cx.document, &root, k, path).err();
            if let Some(problem) = problem {
                out.push(
                    cx.finding(&Self::META, pointer, false, format!("content `{}`: {problem}", item.id))
                        .with_help("the path is relative to the playbook file and must stay inside the project: fix it, or link the web copy with `url:`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::lint::testing::{CLEAN, findings, findings_at};

    #[test]
    fn passes_on_web_links() {
        assert!(findings(&BrokenContentLink, CLEAN).is_empty());
    }

    #[test]
    fn judges_urls_offline() {
        assert_eq!(
            url_problem("https://example.com/a b"),
            Some("contains spaces or control characters")
        );
        assert_eq!(url_problem("https:///nohost"), Some("has no host name"));
        assert!(
            url_problem("JavaScript:alert(1)")
                .unwrap()
                .contains("script")
        );
        assert!(url_problem("data:text/html,x").is_some());
        assert_eq!(url_problem("mailto:sales@example.com"), None);
        assert_eq!(url_problem("HTTPS://example.com"), None);
    }

    #[test]
    fn flags_missing_and_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/acme.pdf"), "%PDF").unwrap();
        let yaml = CLEAN
            .replace(
                "    url: https://example.com/acme\n",
                "    path: content/acme.pdf\n",
            )
            .replace(
                "    url: https://example.com/pricing\n",
                "    path: ../../etc/passwd\n",
            );
        let path = dir.path().join("playbook.yaml");
        std::fs::write(&path, &yaml).unwrap();
        let found = findings_at(&BrokenContentLink, &path, &Config::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("/content/1/path: content `pricing`: `../../etc/passwd`"),
            "{found:?}"
        );
    }
}
