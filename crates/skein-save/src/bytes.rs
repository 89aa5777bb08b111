//! Postcard's encoding of the scalars (varints, zigzag ints, bools,
//! options, strings) read and written by hand for the hot records of a
//! binary save, with anything else handed to postcard itself: a cursor
//! ([`Reader`]) for the loader, and appending functions for the writer.
//!
//! Every read accepts exactly what postcard accepts for the same type (or
//! less), so a save the fast reader takes reads the same through serde; every
//! write gives the bytes postcard gives.

use serde::Deserialize;

/// Bytes read from the front; `None` on anything postcard would refuse.
pub(crate) struct Reader<'b> {
    buf: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    /// A reader at byte `pos` of `buf`.
    pub fn at(buf: &'b [u8], pos: usize) -> Reader<'b> {
        Reader { buf, pos }
    }

    /// How many bytes were read from the start of the buffer.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Goes back (or on) to `pos`, a position this reader returned.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'b [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// The bytes read since `pos` (a position this reader returned).
    pub fn since(&self, pos: usize) -> &'b [u8] {
        self.buf.get(pos..self.pos).unwrap_or_default()
    }

    #[inline]
    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// A varint of at most `max` bytes whose last byte stays within
    /// `last_max` (postcard's rule for a type of that width).
    fn varint(&mut self, max: u32, last_max: u8) -> Option<u64> {
        let mut out = 0u64;
        for i in 0..max {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return (i + 1 < max || b <= last_max).then_some(out);
            }
        }
        None
    }

    #[inline]
    pub fn u64(&mut self) -> Option<u64> {
        // Up to three bytes without the general loop: ids, lengths, tags
        // and most ints of a world.
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        match *rest {
            [b, ..] if b < 0x80 => {
                self.pos += 1;
                Some(u64::from(b))
            }
            [b, c, ..] if c < 0x80 => {
                self.pos += 2;
                Some(u64::from(b & 0x7f) | u64::from(c) << 7)
            }
            [b, c, d, ..] if d < 0x80 => {
                self.pos += 3;
                Some(u64::from(b & 0x7f) | u64::from(c & 0x7f) << 7 | u64::from(d) << 14)
            }
            _ => self.varint(10, 1),
        }
    }

    #[inline]
    pub fn u32(&mut self) -> Option<u32> {
        match self.buf.get(self.pos) {
            Some(&b) if b < 0x80 => {
                self.pos += 1;
                Some(u32::from(b))
            }
            _ => self.varint(5, 0x0f).map(|v| v as u32),
        }
    }

    /// A length or count (postcard writes `usize` as a u64 varint).
    #[inline]
    pub fn len(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    /// An enum's variant index.
    #[inline]
    pub fn tag(&mut self) -> Option<u32> {
        self.u32()
    }

    #[inline]
    pub fn i64(&mut self) -> Option<i64> {
        let v = self.u64()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    pub fn f64(&mut self) -> Option<f64> {
        let b: [u8; 8] = self.take(8)?.try_into().ok()?;
        Some(f64::from_bits(u64::from_le_bytes(b)))
    }

    #[inline]
    pub fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// An option's tag: whether a value follows.
    pub fn some(&mut self) -> Option<bool> {
        self.bool()
    }

    /// A string's bytes, unchecked: callers that keep or compare it as text
    /// check it is UTF-8 ([`Reader::str`]).
    pub fn str_bytes(&mut self) -> Option<&'b [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    pub fn str(&mut self) -> Option<&'b str> {
        std::str::from_utf8(self.str_bytes()?).ok()
    }

    /// A `T` read by postcard's own deserializer from here on: the rare
    /// shapes the fast reader leaves to serde.
    pub fn serde<T: Deserialize<'b>>(&mut self) -> Option<T> {
        let mut de = postcard::Deserializer::from_bytes(self.rest());
        let v = T::deserialize(&mut de).ok()?;
        let rest = de.finalize().ok()?;
        self.pos = self.buf.len() - rest.len();
        Some(v)
    }
}

/// Appends `v` as postcard writes a `u64`, `u32` or `usize`: LEB128.
#[inline(always)]
pub(crate) fn put_u64(out: &mut Vec<u8>, v: u64) {
    // Ids, lengths, tags and most ints of a world fit one byte.
    if v < 0x80 {
        out.push(v as u8);
    } else {
        put_u64_long(out, v);
    }
}

/// [`put_u64`] of two bytes or more. Two and three bytes (ids and ints
/// of a world up to two million) are appended as arrays of a known size,
/// a few moves, where a loop pushes a byte at a time.
fn put_u64_long(out: &mut Vec<u8>, v: u64) {
    let byte = |shift: u32| (v >> shift) as u8 | 0x80;
    if v < 1 << 14 {
        out.extend_from_slice(&[byte(0), (v >> 7) as u8]);
    } else if v < 1 << 21 {
        out.extend_from_slice(&[byte(0), byte(7), (v >> 14) as u8]);
    } else {
        let mut v = v;
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
}

/// Appends a length or count.
#[inline]
pub(crate) fn put_len(out: &mut Vec<u8>, n: usize) {
    put_u64(out, n as u64);
}

/// Appends `v` zigzagged, as postcard writes an `i64`.
#[inline]
pub(crate) fn put_i64(out: &mut Vec<u8>, v: i64) {
    put_u64(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Appends a string: its length, then its bytes.
pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::{Reader, put_i64, put_str, put_u64};
    use serde::Serialize;

    fn same<T>(v: &T, read: impl Fn(&mut Reader) -> Option<T>)
    where
        T: Serialize + PartialEq + std::fmt::Debug,
    {
        let bytes = postcard::to_allocvec(v).expect("encodes");
        let mut r = Reader::at(&bytes, 0);
        assert_eq!(read(&mut r).as_ref(), Some(v));
        assert_eq!(r.pos(), bytes.len());
    }

    #[test]
    fn scalars_read_as_postcard_wrote_them() {
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            same(&v, |r| r.u64());
        }
        for v in [0u32, 127, 128, 70_000, u32::MAX] {
            same(&v, |r| r.u32());
        }
        for v in [0i64, -1, 1, -64, 64, i64::MIN, i64::MAX] {
            same(&v, |r| r.i64());
        }
        for v in [0.5f64, -0.0, f64::MAX] {
            same(&v, |r| r.f64());
        }
        same(&true, |r| r.bool());
        same(&"héllo".to_string(), |r| r.str().map(str::to_string));
    }

    #[test]
    fn writes_what_postcard_writes() {
        let edges = [16_383, 16_384, 2_097_151, 2_097_152];
        // Around each power of two up to 2^29, and a spread up to three million.
        let around = (0..30).flat_map(|b| [1u64 << b, (1u64 << b) - 1, (1u64 << b) + 1]);
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX]
            .into_iter()
            .chain(edges)
            .chain(around)
            .chain((0..3_000_000).step_by(997))
        {
            let mut out = Vec::new();
            put_u64(&mut out, v);
            assert_eq!(out, postcard::to_allocvec(&v).expect("encodes"));
        }
        for v in [0i64, -1, 1, -64, 64, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            put_i64(&mut out, v);
            assert_eq!(out, postcard::to_allocvec(&v).expect("encodes"));
        }
        let mut out = Vec::new();
        put_str(&mut out, "héllo");
        assert_eq!(out, postcard::to_allocvec("héllo").expect("encodes"));
    }

    #[test]
    fn refuses_what_postcard_refuses() {
        // A u32 varint whose fifth byte overflows 32 bits.
        let bad = [0xff, 0xff, 0xff, 0xff, 0x1f];
        assert_eq!(Reader::at(&bad, 0).u32(), None);
        assert!(postcard::from_bytes::<u32>(&bad).is_err());
        // Eleven bytes of u64 varint, a bool of 2, a string cut short,
        // and invalid UTF-8.
        assert_eq!(Reader::at(&[0x80; 11], 0).u64(), None);
        assert_eq!(Reader::at(&[2], 0).bool(), None);
        assert_eq!(Reader::at(&[3, b'a'], 0).str(), None);
        assert_eq!(Reader::at(&[1, 0xff], 0).str(), None);
        assert!(postcard::from_bytes::<String>(&[1, 0xff]).is_err());
    }

    #[test]
    fn serde_reads_on_from_the_position() {
        let bytes = postcard::to_allocvec(&(7u64, vec![1u32, 2], 9u8)).expect("encodes");
        let mut r = Reader::at(&bytes, 0);
        assert_eq!(r.u64(), Some(7));
        assert_eq!(r.serde::<Vec<u32>>(), Some(vec![1, 2]));
        assert_eq!(r.byte(), Some(9));
        assert!(r.rest().is_empty());
    }
}
