//! Metrics stage, deal details: the name, owner and amount of the deals the report lists one by
//! one (the stalled deals), so a manager reads "Acme – 40 seats, Jane Doe, 14 000" and not a
//! bare id. They are read in a second pass over the history, for those few deals only: the
//! first pass keeps 8 bytes a stage change and nothing per deal.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::Error;
use super::history;

/// Which columns hold a deal's details. `None`: the history has no such column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailColumns {
    /// The deal's name.
    pub name: Option<String>,
    /// Its owner.
    pub owner: Option<String>,
    /// Its amount.
    pub amount: Option<String>,
    /// Whether the user named them (`--column name=`): a missing one is then an error, while
    /// a shape's usual column that an export left out is just not shown.
    pub explicit: bool,
    /// The file that holds them, and its deal id column, when it is not the history (a shape
    /// converted into a stage history keeps them apart).
    pub file: Option<(PathBuf, String)>,
}

impl DetailColumns {
    /// Whether any detail is to be read.
    fn any(&self) -> bool {
        self.name.is_some() || self.owner.is_some() || self.amount.is_some()
    }

    /// The shape's usual columns, for those the user did not name.
    pub(crate) fn or_usual(&mut self, name: &str, owner: &str, amount: &str) {
        for (column, usual) in [
            (&mut self.name, name),
            (&mut self.owner, owner),
            (&mut self.amount, amount),
        ] {
            if column.is_none() && !usual.is_empty() {
                *column = Some(usual.to_owned());
            }
        }
    }
}

/// One deal's details, as written in the export.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Details {
    /// The deal's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Its amount, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
}

/// The details of the `wanted` deals (ids as the report writes them), from the history at
/// `path` read with `delimiter` and its deal column `deal`: each detail from the deal's last
/// row that has it.
pub(crate) fn lookup(
    path: &Path,
    delimiter: u8,
    deal: &str,
    columns: &DetailColumns,
    wanted: &HashSet<&str>,
) -> Result<HashMap<String, Details>, Error> {
    let mut found: HashMap<String, Details> = HashMap::new();
    if wanted.is_empty() || !columns.any() {
        return Ok(found);
    }
    let asked = [
        ("name", columns.name.as_deref()),
        ("owner", columns.owner.as_deref()),
        ("amount", columns.amount.as_deref()),
    ];
    scan(
        &Source::of(path, deal, columns),
        delimiter,
        &asked,
        columns.explicit,
        Some(wanted),
        |id, slot, value| {
            let details = found.entry(id.to_owned()).or_default();
            let field = match slot {
                0 => &mut details.name,
                1 => &mut details.owner,
                _ => &mut details.amount,
            };
            *field = Some(value);
        },
    )?;
    Ok(found)
}

/// The deals one run reads (a group of `--by`): those listed, or all but those listed.
#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    /// Deal ids, as the report writes them.
    pub(crate) deals: HashSet<String>,
    /// Whether the listed deals are the ones read (else all others are).
    pub(crate) keep: bool,
}

impl DealFilter {
    /// Whether deal `id` is read.
    pub(crate) fn admits(&self, id: &str) -> bool {
        self.deals.contains(id) == self.keep
    }
}

/// Most groups `--by` shows; the deals of the others are one more group.
pub(crate) const MAX_GROUPS: usize = 20;

/// Each deal's value of `by` (its last non-empty one), for `--by`: `owner` is the owner
/// column (the shape's, or `--column owner=`), anything else a column of the history.
pub(crate) fn groups(
    path: &Path,
    delimiter: u8,
    deal: &str,
    columns: &DetailColumns,
    by: &str,
) -> Result<HashMap<String, String>, Error> {
    // A converted shape's other columns are in the file its details come from.
    let source = Source::of(path, deal, columns);
    let column = if by.eq_ignore_ascii_case("owner") {
        columns.owner.as_deref().ok_or_else(|| {
            Error::new(format!(
                "{}: --by owner needs the deals' owner, and this history has no owner column\n  help: name it with --column owner=NAME, or pass --by COLUMN",
                path.display()
            ))
        })?
    } else {
        by
    };
    let mut found = HashMap::new();
    scan(
        &source,
        delimiter,
        &[("by", Some(column))],
        true,
        None,
        |id, _, value| {
            found.insert(id.to_owned(), value);
        },
    )?;
    Ok(found)
}

/// The file the details are read from, and its deal id column.
struct Source<'a> {
    path: &'a Path,
    deal: &'a str,
}

impl<'a> Source<'a> {
    /// The details' file: the history, or the file a converted shape keeps them in.
    fn of(path: &'a Path, deal: &'a str, columns: &'a DetailColumns) -> Self {
        match &columns.file {
            Some((file, deal)) => Self { path: file, deal },
            None => Self { path, deal },
        }
    }
}

/// Reads the `asked` columns (key, column name) of the rows of `wanted` deals (all when
/// `None`), handing each non-empty value on with its deal (as the report writes ids) and its
/// place in `asked`. A missing column is an error when `explicit`, else skipped.
fn scan(
    source: &Source<'_>,
    delimiter: u8,
    asked: &[(&str, Option<&str>)],
    explicit: bool,
    wanted: Option<&HashSet<&str>>,
    mut each: impl FnMut(&str, usize, String),
) -> Result<(), Error> {
    let path = source.path;
    let mut reader = history::open_csv(path, delimiter)?;
    let header = history::read_header(&mut reader, path)?;
    let deal_at = history::resolve_columns(path, &header, &[("deal", source.deal)])?[0];
    let mut named = Vec::new();
    for (slot, (key, column)) in asked.iter().enumerate() {
        let Some(column) = column else { continue };
        let at = if explicit {
            history::resolve_columns(path, &header, &[(key, column)])?
                .first()
                .copied()
        } else {
            header.iter().position(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .eq_ignore_ascii_case(column)
            })
        };
        if let Some(at) = at {
            named.push((slot, at));
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let mut record = csv::ByteRecord::new();
    loop {
        match history::next_record(&mut reader, &mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(e.describe(path, 0)),
        }
        let Some(id) = record
            .get(deal_at)
            .and_then(|d| std::str::from_utf8(d.trim_ascii()).ok())
        else {
            continue;
        };
        let id = super::sfid::normalize(id);
        if wanted.is_some_and(|wanted| !wanted.contains(id.as_ref())) {
            continue;
        }
        for (slot, at) in &named {
            let value = record
                .get(*at)
                .map(|v| history::short(String::from_utf8_lossy(v).trim()))
                .unwrap_or_default();
            if !value.is_empty() {
                each(&id, *slot, value);
            }
        }
    }
    Ok(())
}

/// The page of deal `id` in the CRM: `template` with `{id}` replaced by the id, every byte of
/// it outside the URL-safe set percent-encoded.
pub(crate) fn deal_url(template: &str, id: &str) -> String {
    use std::fmt::Write as _;
    let mut encoded = String::new();
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    template.replace("{id}", &encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deal_urls_encode_the_id() {
        assert_eq!(
            deal_url("https://acme.my.salesforce.com/{id}", "0065g00000AbCdEAAW"),
            "https://acme.my.salesforce.com/0065g00000AbCdEAAW"
        );
        assert_eq!(
            deal_url("https://crm.example/deals/{id}/view", "商机 1&x"),
            "https://crm.example/deals/%E5%95%86%E6%9C%BA%201%26x/view"
        );
    }
}
