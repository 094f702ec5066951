//! LEB128 variable-length integers, for the compact encodings of the **metrics** stage: the
//! run files of [`super::group`] and the duration samples of [`super::sample`]. Seven bits a
//! byte, low bits first, the high bit set on every byte but the last: numbers below 128 take
//! one byte, and a `u64` at most ten.

/// The most bytes a `u64` takes.
const MAX_BYTES: usize = 10;

/// A number, encoded.
pub(crate) struct Encoded {
    bytes: [u8; MAX_BYTES],
    len: usize,
}

impl Encoded {
    /// The bytes to write.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Encodes `value`.
#[allow(clippy::cast_possible_truncation)] // the low seven bits
pub(crate) fn encode(mut value: u64) -> Encoded {
    let mut bytes = [0u8; MAX_BYTES];
    let mut len = 0;
    while value >= 0x80 {
        bytes[len] = (value & 0x7F) as u8 | 0x80;
        value >>= 7;
        len += 1;
    }
    bytes[len] = value as u8;
    Encoded {
        bytes,
        len: len + 1,
    }
}

/// Decodes one number from the bytes `next` hands out, one a call; `None` when they end
/// before the number does, or it runs past ten bytes.
pub(crate) fn decode(mut next: impl FnMut() -> Option<u8>) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = next()?;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_back_and_small_ones_take_one_byte() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let encoded = encode(value);
            let mut bytes = encoded.as_bytes().iter().copied();
            assert_eq!(decode(|| bytes.next()), Some(value), "{value}");
            assert_eq!(bytes.next(), None);
        }
        assert_eq!(encode(127).as_bytes(), [127]);
        assert_eq!(encode(300).as_bytes(), [0xAC, 0x02]);
        assert_eq!(encode(u64::MAX).as_bytes().len(), MAX_BYTES);
        // Cut short, and too long.
        let mut bytes = [0x80u8].into_iter();
        assert_eq!(decode(|| bytes.next()), None);
        let mut bytes = [0x80u8; 11].into_iter();
        assert_eq!(decode(|| bytes.next()), None);
    }
}
