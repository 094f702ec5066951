//! Vendors' JSON responses read as a stream of items: one page (`{"results": […]}`,
//! `{"data": […]}`), an array of pages, one page per line (JSON Lines), or the items
//! themselves in any of those. One item (a deal, a change) is held at a time, with the small
//! fields of its page, so a 1 GB export takes no more memory than its largest item.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::rc::Rc;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::metrics::Error;

/// Keys under which a page holds its items: HubSpot's `results`, Pipedrive's `data`.
const ITEM_KEYS: [&str; 2] = ["results", "data"];

/// What reading hands on, in file order.
#[derive(Debug)]
pub(super) enum Entry {
    /// An item: a deal, a change.
    Item(Value),
    /// A page's fields besides its items (paging, related objects), after its items.
    Page(Map<String, Value>),
}

/// What is done with each entry; an error stops reading.
type OnItem<'a> = dyn FnMut(Entry) -> Result<(), Error> + 'a;

/// Most bytes read between two items: no deal or change is this long, and a file that holds
/// one (a string that never ends) is refused before it fills the memory.
const MAX_ITEM_BYTES: u64 = 64 << 20;

/// A reader that fails once [`MAX_ITEM_BYTES`] are read since the count was last reset.
struct Capped<R> {
    inner: R,
    since: Rc<Cell<u64>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since.get() > MAX_ITEM_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "an item (a deal, a change) longer than {} MiB",
                    MAX_ITEM_BYTES >> 20
                ),
            ));
        }
        let read = self.inner.read(buf)?;
        self.since.set(self.since.get() + read as u64);
        Ok(read)
    }
}

/// Reads every item of `reader` (the file the user named `name`) in order.
pub(super) fn read_items(
    reader: impl Read,
    name: &str,
    on_item: &mut OnItem<'_>,
) -> Result<(), Error> {
    let since = Rc::new(Cell::new(0));
    let capped = Capped {
        inner: reader,
        since: Rc::clone(&since),
    };
    let mut on_item = |entry: Entry| {
        since.set(0);
        on_item(entry)
    };
    let mut failed = None;
    let mut de =
        serde_json::Deserializer::from_reader(io::BufReader::with_capacity(1 << 16, capped));
    loop {
        let read = Item {
            on_item: &mut on_item,
            failed: &mut failed,
        }
        .deserialize(&mut de);
        if let Err(e) = read {
            let at = if e.line() > 0 {
                format!("{name}:{}", e.line())
            } else {
                name.to_owned()
            };
            return Err(match failed {
                Some(error) => Error::new(format!("{at}: {error}")),
                None if e.is_eof() && e.line() <= 1 && e.column() == 0 => Error::new(format!(
                    "{name}: the file is empty; expected the API's JSON response"
                )),
                None => Error::new(format!(
                    "{at}: not valid JSON: {e}\n  help: save the API's response as it came, one response per file or per line"
                )),
            });
        }
        // Whitespace to the end: done; anything else is the next value (JSON Lines).
        match de.end() {
            Ok(()) => return Ok(()),
            Err(e) if e.is_io() => return Err(Error::new(format!("{name}: cannot read: {e}"))),
            Err(_) => {}
        }
    }
}

/// A value that is a page, an array of pages or items, or an item.
struct Item<'a, 'b> {
    on_item: &'a mut OnItem<'b>,
    failed: &'a mut Option<String>,
}

impl Item<'_, '_> {
    fn call<E: de::Error>(&mut self, entry: Entry) -> Result<(), E> {
        (self.on_item)(entry).map_err(|error| {
            let message = error.to_string();
            *self.failed = Some(message.clone());
            E::custom(message)
        })
    }
}

impl<'de> DeserializeSeed<'de> for Item<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an API response: an object, or an array of them")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Item {
                on_item: &mut *self.on_item,
                failed: &mut *self.failed,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut rest = Map::new();
        let mut paged = false;
        while let Some(key) = map.next_key::<String>()? {
            if ITEM_KEYS.contains(&key.as_str()) {
                let items = map.next_value_seed(Items {
                    on_item: &mut *self.on_item,
                    failed: &mut *self.failed,
                })?;
                match items {
                    Some(value) => {
                        rest.insert(key, value);
                    }
                    None => paged = true,
                }
            } else {
                let value = map.next_value::<Value>()?;
                rest.insert(key, value);
            }
        }
        if paged {
            return self.call(Entry::Page(rest));
        }
        if let Some(message) = error_body(&rest) {
            *self.failed = Some(message.clone());
            return Err(de::Error::custom(message));
        }
        self.call(Entry::Item(Value::Object(rest)))
    }
}

/// The message of an API error response (an expired token's body saved as the export).
fn error_body(object: &Map<String, Value>) -> Option<String> {
    let failed = object.get("success") == Some(&Value::Bool(false))
        || object.get("status").and_then(Value::as_str) == Some("error");
    if !failed {
        return None;
    }
    let message = ["error", "message"]
        .iter()
        .find_map(|k| object.get(*k).and_then(Value::as_str))
        .unwrap_or("no message");
    Some(format!(
        "the file is the API's error response, not data: {}\n  help: request the data again (a token may have expired) and save that response",
        crate::metrics::history::short(message)
    ))
}

/// A page's items: streamed when they are an array (`None` back), handed back when the key
/// was not a page's after all (an item's own `data` object, `Some`).
struct Items<'a, 'b> {
    on_item: &'a mut OnItem<'b>,
    failed: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page's items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut item = Item {
            on_item: self.on_item,
            failed: self.failed,
        };
        while let Some(value) = seq.next_element::<Value>()? {
            item.call(Entry::Item(value))?;
        }
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        // Pipedrive answers `"data": null` when there is nothing.
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let object = Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(Value::Object(object)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Some(Value::String(text.to_owned())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Some(Value::String(text)))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Some(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(value)))
    }
}

/// A text or number field of `item` at a JSON pointer, as text (ids come as either).
pub(super) fn text_at<'a>(item: &'a Value, pointer: &str) -> Option<std::borrow::Cow<'a, str>> {
    match item.pointer(pointer)? {
        Value::String(text) => Some(std::borrow::Cow::Borrowed(text.as_str())),
        Value::Number(number) => Some(std::borrow::Cow::Owned(number.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(json: &str) -> Result<Vec<String>, String> {
        let mut seen = Vec::new();
        read_items(json.as_bytes(), "f.json", &mut |entry| {
            if let Entry::Item(item) = entry {
                seen.push(text_at(&item, "/id").unwrap_or_default().into_owned());
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        Ok(seen)
    }

    #[test]
    fn reads_a_page_an_array_of_pages_lines_and_bare_items() {
        let page = r#"{"results":[{"id":"1"},{"id":"2"}],"paging":{"next":{"after":"2"}}}"#;
        assert_eq!(ids(page).unwrap(), ["1", "2"]);
        assert_eq!(ids(&format!("[{page},{page}]")).unwrap().len(), 4);
        assert_eq!(ids(&format!("{page}\n{page}\n")).unwrap().len(), 4);
        assert_eq!(ids(r#"[{"id":1},{"id":"x"}]"#).unwrap(), ["1", "x"]);
        // An item whose own `data` is an object is an item, not a page.
        assert_eq!(
            ids(r#"{"success":true,"data":[{"id":7,"object":"dealChange","data":{"item_id":3}}]}"#)
                .unwrap(),
            ["7"]
        );
        assert_eq!(ids(r#"{"success":true,"data":null}"#).unwrap().len(), 0);
    }

    #[test]
    fn error_bodies_and_broken_json_are_refused_with_their_line() {
        let error = ids(r#"{"success":false,"error":"unauthorized access"}"#).unwrap_err();
        assert!(
            error.contains("error response") && error.contains("unauthorized access"),
            "{error}"
        );
        let broken = ids("{\"results\":[\n{\"id\":1},\n{\"id\":").unwrap_err();
        assert!(broken.starts_with("f.json:3: not valid JSON"), "{broken}");
        assert!(ids("").unwrap_err().contains("the file is empty"));
    }
}
