//! Durations kept exactly, for the medians and quantiles of the report, in about two bytes
//! each instead of four.
//!
//! A median needs every value, so the fold keeps every time in stage and cycle time. Kept
//! sorted, neighbouring values are close: the gaps between them fit in one or two LEB128
//! bytes. New values gather unsorted and are sorted and merged in when they reach a quarter
//! of the list. Each merge encodes the whole list again, and each list is 0.8 the size of
//! the next (1 / 1.25): over the whole fold a value is encoded about 1 + 0.8 + 0.8² + … =
//! 1 / (1 − 0.8) = five times. The unsorted tail costs half a byte a value on average.

use super::varint;

/// A list of seconds, in no particular order, stored compactly.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sample {
    /// Merged values in ascending order, as gaps from the previous one (LEB128).
    packed: Vec<u8>,
    /// How many values `packed` holds.
    packed_len: usize,
    /// Values not merged in yet.
    fresh: Vec<u32>,
}

/// Lists shorter than this stay plain.
const PLAIN: usize = 256;

impl Sample {
    /// Adds a value.
    pub(crate) fn push(&mut self, value: u32) {
        self.fresh.push(value);
        if self.fresh.len() >= PLAIN.max(self.packed_len / 4) {
            self.merge();
        }
    }

    /// How many values there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.packed_len + self.fresh.len()
    }

    /// Every value (in no particular order).
    pub(crate) fn values(&self) -> impl Iterator<Item = u32> + '_ {
        Gaps {
            bytes: &self.packed,
            value: 0,
        }
        .chain(self.fresh.iter().copied())
    }

    fn merge(&mut self) {
        self.fresh.sort_unstable();
        let mut out = Vec::with_capacity(self.packed.len() + 2 * self.fresh.len());
        let mut previous = 0;
        let mut put = |value: u32| {
            write_gap(&mut out, value - previous);
            previous = value;
        };
        let mut old = Gaps {
            bytes: &self.packed,
            value: 0,
        }
        .peekable();
        for &value in &self.fresh {
            while let Some(older) = old.next_if(|&older| older <= value) {
                put(older);
            }
            put(value);
        }
        old.for_each(put);
        self.packed = out;
        self.packed_len += self.fresh.len();
        self.fresh.clear();
    }
}

fn write_gap(out: &mut Vec<u8>, gap: u32) {
    out.extend_from_slice(varint::encode(u64::from(gap)).as_bytes());
}

/// Decodes merged values.
struct Gaps<'a> {
    bytes: &'a [u8],
    value: u32,
}

impl Iterator for Gaps<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let bytes = &mut self.bytes;
        let gap = varint::decode(|| {
            let (&byte, rest) = bytes.split_first()?;
            *bytes = rest;
            Some(byte)
        })?;
        self.value += u32::try_from(gap).ok()?;
        Some(self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_value_exactly() {
        let mut sample = Sample::default();
        let mut expected = Vec::new();
        // Repeats, zeros, the largest value and big jumps, far past the plain size.
        for i in 0..20_000u32 {
            let value = match i % 5 {
                0 => 0,
                1 => u32::MAX,
                2 => i.wrapping_mul(2_654_435_761) % 9_000_000,
                _ => 86_400 * (i % 40),
            };
            sample.push(value);
            expected.push(value);
        }
        assert_eq!(sample.len(), expected.len());
        let mut values: Vec<u32> = sample.values().collect();
        values.sort_unstable();
        expected.sort_unstable();
        assert_eq!(values, expected);
        assert!(
            sample.packed.len() < 2 * sample.packed_len,
            "{} bytes for {} values",
            sample.packed.len(),
            sample.packed_len
        );
    }
}
