//! Salesforce record ids: the 15-character form (case-sensitive, as reports and the UI show
//! it) and the 18-character form (the API's and the Data Loader's: the same 15 characters
//! plus a 3-character suffix that encodes which of them are upper case) name one record.
//! Deal ids of the history and of the activities file are brought to the 18-character form,
//! so that exports of either kind join.

/// The suffix alphabet: 5 bits of "which characters of this block are upper case" each.
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 18-character form of `id` when it looks like a 15-character Salesforce id: 15 ASCII
/// letters and digits, at least one of them a letter (ids of other CRMs, such as HubSpot's
/// and Pipedrive's, are numbers and are left alone). `None` for anything else.
#[must_use]
pub(crate) fn to_18(id: &[u8]) -> Option<[u8; 18]> {
    let short: &[u8; 15] = id.try_into().ok()?;
    if !short.iter().all(u8::is_ascii_alphanumeric) || short.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut long = [0u8; 18];
    long[..15].copy_from_slice(short);
    for (block, chars) in short.chunks_exact(5).enumerate() {
        let flags = chars
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |flags, (bit, _)| flags | 1 << bit);
        long[15 + block] = SUFFIX[flags];
    }
    Some(long)
}

/// `id` in its 18-character form when it is a 15-character Salesforce id, else as it is.
#[must_use]
pub(crate) fn normalize(id: &str) -> std::borrow::Cow<'_, str> {
    match to_18(id.as_bytes()) {
        // The 18 bytes are ASCII.
        Some(long) => String::from_utf8_lossy(&long).into_owned().into(),
        None => id.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_the_documented_case_suffix() {
        // Examples of the 15- and 18-character forms of one record.
        assert_eq!(normalize("0015000000Gv7qJ"), "0015000000Gv7qJAAR");
        assert_eq!(normalize("006000000000aaa"), "006000000000aaaAAA");
        assert_eq!(normalize("006ZZZZZZZZZZZZ"), "006ZZZZZZZZZZZZY55");
    }

    #[test]
    fn leaves_other_ids_alone() {
        for id in [
            "0015000000Gv7qJAAR",
            "123456789012345",
            "D-1",
            "0015000000Gv7q-",
            "",
            "0015000000Gv7qJ ",
        ] {
            assert_eq!(normalize(id), id);
        }
    }
}
