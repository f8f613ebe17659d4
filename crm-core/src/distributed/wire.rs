//! The byte form of partial results: a four-byte tag naming the kind, a format version,
//! then little-endian u64 lengths and values. Reading checks every length against the
//! bytes present, so a truncated or foreign cell is an error, never a panic.

use crate::error::{Error, Result};

/// Format version written after the tag.
const VERSION: u8 = 1;

/// Writes a partial: tag and version first.
pub(crate) struct Writer(Vec<u8>);

impl Writer {
    pub(crate) fn new(tag: &[u8; 4]) -> Self {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(tag);
        out.push(VERSION);
        Writer(out)
    }

    pub(crate) fn u64s(&mut self, values: &[u64]) {
        self.0.reserve(8 * (values.len() + 1));
        self.0.extend_from_slice(&(values.len() as u64).to_le_bytes());
        for v in values {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// Numbers by their bit patterns (exact).
    pub(crate) fn f64s(&mut self, values: &[f64]) {
        self.u64s(&values.iter().map(|v| v.to_bits()).collect::<Vec<u64>>());
    }

    /// Bytes of another kind (a nested cell), with their length.
    pub(crate) fn blob(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(bytes);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// Reads a partial written by [`Writer`].
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Checks the tag and version; `what` names the kind in errors.
    pub(crate) fn new(bytes: &'a [u8], tag: &[u8; 4], what: &'static str) -> Result<Self> {
        if bytes.len() < 5 || &bytes[..4] != tag {
            return Err(bad(what, "the bytes are not one (wrong tag)"));
        }
        if bytes[4] != VERSION {
            return Err(bad(what, format!("format version {} is not {VERSION}", bytes[4])));
        }
        Ok(Reader { bytes: &bytes[5..], what })
    }

    pub(crate) fn u64s(&mut self) -> Result<Vec<u64>> {
        let n = self.word()?;
        let n = usize::try_from(n).ok().filter(|n| n.checked_mul(8).is_some_and(|b| b <= self.bytes.len()));
        let n = n.ok_or_else(|| bad(self.what, "truncated (a length exceeds the bytes)"))?;
        (0..n).map(|_| self.word()).collect()
    }

    pub(crate) fn f64s(&mut self) -> Result<Vec<f64>> {
        Ok(self.u64s()?.into_iter().map(f64::from_bits).collect())
    }

    /// Reads [`Writer::blob`].
    pub(crate) fn blob(&mut self) -> Result<&'a [u8]> {
        let n = usize::try_from(self.word()?).ok().filter(|&n| n <= self.bytes.len());
        let n = n.ok_or_else(|| bad(self.what, "truncated (a length exceeds the bytes)"))?;
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn word(&mut self) -> Result<u64> {
        let (head, rest) = self.bytes.split_at_checked(8).ok_or_else(|| bad(self.what, "truncated"))?;
        self.bytes = rest;
        Ok(u64::from_le_bytes(head.try_into().expect("8 bytes")))
    }

    /// Checks nothing is left over.
    /// True when every byte has been read.
    pub(crate) fn is_at_end(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn end(self) -> Result<()> {
        if self.bytes.is_empty() { Ok(()) } else { Err(bad(self.what, "trailing bytes")) }
    }
}

fn bad(what: &str, message: impl Into<String>) -> Error {
    Error::config(what, message)
}
