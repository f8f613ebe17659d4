//! Bytes in: the file read whole, its BOM, its text encoding, its delimiter, records split
//! by a hand-written RFC 4180 splitter that counts lines itself (CRLF files and quoted
//! fields with newlines keep exact line numbers), and cuts of the data into chunks at
//! record ends so that chunks can be parsed on several threads.

use super::Encoding;
use crate::error::{CsvProblem, Error, Result};
use std::ops::Range;
use std::path::Path;

/// A file's bytes with what was found about its format.
pub(crate) struct Source {
    /// The path as shown in messages.
    pub path: String,
    /// The whole file.
    pub bytes: Vec<u8>,
    /// Where the text starts (after a UTF-8 BOM).
    pub start: usize,
    /// The field delimiter.
    pub delimiter: u8,
    /// The text encoding of the fields.
    pub encoding: Encoding,
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Delimiters tried when none is given, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

impl Source {
    /// Reads the file; sniffs the delimiter when `delimiter` is `None`.
    pub fn open(path: &Path, delimiter: Option<char>, encoding: Encoding) -> Result<Source> {
        let shown = path.display().to_string();
        let delimiter = match delimiter {
            Some(c) if !c.is_ascii() || c == '"' || c == '\n' || c == '\r' => {
                return Err(Error::config("delimiter", format!("`{c}` cannot be a field delimiter")));
            }
            Some(c) => Some(c as u8),
            None => None,
        };
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: shown.clone(),
            message: e.to_string(),
            not_found: e.kind() == std::io::ErrorKind::NotFound,
        })?;
        let start = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
        let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&bytes[start..]));
        Ok(Source { path: shown, bytes, start, delimiter, encoding })
    }

    /// Reads the header: trimmed, decoded column names, the offset of the first data byte.
    pub fn header(&self) -> Result<Header> {
        let mut reader = Records::new(&self.bytes[self.start..], self.delimiter);
        let mut rec = Record::default();
        let Some(_) = reader.next(&mut rec) else {
            return Err(problem(&self.path, 1, "", "the file is empty: no header line"));
        };
        let mut names = Vec::with_capacity(rec.len());
        let mut buf = String::new();
        for i in 0..rec.len() {
            let name = match self.encoding.decode(trim(rec.field(i)), &mut buf) {
                Ok(s) => s.to_owned(),
                Err(()) => return Err(problem(&self.path, 1, "", &not_utf8_message())),
            };
            names.push(name);
        }
        Ok(Header { names, data: self.start + reader.pos..self.bytes.len(), first_line: 1 + reader.line })
    }
}

/// A file's header and where its data rows are.
pub(crate) struct Header {
    /// Column names, trimmed.
    pub names: Vec<String>,
    /// Byte range of the data rows in the file.
    pub data: Range<usize>,
    /// Line number of the first byte of `data`.
    pub first_line: u64,
}

impl Header {
    /// Index of a column named in the spec. An unknown name lists the columns the file has;
    /// a name written twice in the header is ambiguous.
    pub fn column(&self, path: &str, name: &str) -> Result<usize> {
        let mut found = self.names.iter().enumerate().filter(|(_, h)| *h == name).map(|(i, _)| i);
        match (found.next(), found.next()) {
            (Some(i), None) => Ok(i),
            (Some(_), Some(_)) => Err(problem(path, 1, name, &format!("the header names column `{name}` twice"))),
            (None, _) => Err(problem(
                path,
                1,
                name,
                &format!("no column `{name}` in the header; the file has the columns {:?}", self.names),
            )),
        }
    }

    /// Index of an optional column: must exist when named.
    pub fn optional(&self, path: &str, name: &Option<String>) -> Result<Option<usize>> {
        name.as_ref().map(|n| self.column(path, n)).transpose()
    }
}

/// An error for one place in a file.
pub(crate) fn problem(path: &str, line: u64, column: &str, message: &str) -> Error {
    Error::Csv {
        path: path.to_owned(),
        problems: vec![CsvProblem { line, column: column.to_owned(), message: message.to_owned() }],
        total: 1,
    }
}

/// The message for a mapped value that is not UTF-8.
pub(crate) fn not_utf8_message() -> String {
    "the value is not valid UTF-8; if the file is not UTF-8, give its encoding \
     (encoding = \"latin-1\" or \"windows-1252\")"
        .to_owned()
}

/// ASCII whitespace trimmed from both ends.
#[inline]
pub(crate) fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// The delimiter of a file: among `,` `;` tab `|`, the one found (outside quotes) the same
/// non-zero number of times on the header and the next lines, the most frequent on the
/// header when several are; `,` when none is found.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let lines = first_lines(text, 10);
    let mut best = (0usize, b',');
    for &d in &CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&head) = counts.first() else { continue };
        let consistent = counts.iter().all(|&c| c == head);
        if head > 0 && consistent && head > best.0 {
            best = (head, d);
        }
    }
    if best.0 > 0 {
        return best.1;
    }
    // No candidate is consistent (ragged lines): the most frequent on the header.
    let head = lines.first().copied().unwrap_or_default();
    CANDIDATES.iter().copied().max_by_key(|&d| (count_outside_quotes(head, d), d == b',')).unwrap_or(b',')
}

/// Up to `n` non-blank records' raw bytes (quoted newlines kept inside a record).
fn first_lines(text: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                let line = trim(&text[start..i]);
                if !line.is_empty() {
                    out.push(line);
                    if out.len() == n {
                        return out;
                    }
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    let line = trim(&text[start..]);
    if !line.is_empty() && out.len() < n {
        out.push(line);
    }
    out
}

fn count_outside_quotes(line: &[u8], d: u8) -> usize {
    let mut quoted = false;
    line.iter()
        .filter(|&&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == d && !quoted
        })
        .count()
}

/// One record's fields: byte ranges into the data, or into `unquoted` for quoted fields
/// that held doubled quotes. Reused from row to row (no allocation per row).
#[derive(Debug, Default)]
pub(crate) struct Record<'a> {
    data: &'a [u8],
    /// Per field: (start, end, true when the range is in `unquoted`).
    bounds: Vec<(usize, usize, bool)>,
    unquoted: Vec<u8>,
}

impl<'a> Record<'a> {
    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// The raw bytes of field `i` (empty when the record is short).
    #[inline]
    pub fn field(&self, i: usize) -> &[u8] {
        match self.bounds.get(i) {
            Some(&(a, b, false)) => &self.data[a..b],
            Some(&(a, b, true)) => &self.unquoted[a..b],
            None => &[],
        }
    }

    /// True for a blank line (one empty field).
    #[inline]
    pub fn is_blank(&self) -> bool {
        self.bounds.len() == 1 && trim(self.field(0)).is_empty()
    }
}

/// Splits data into records. Lines are counted from the bytes (`\n`; a `\r` before it is
/// part of the line end), so CRLF files and quoted newlines give exact line numbers.
pub(crate) struct Records<'a> {
    data: &'a [u8],
    delimiter: u8,
    /// Next byte to read.
    pub pos: usize,
    /// Line ends passed so far.
    pub line: u64,
}

impl<'a> Records<'a> {
    /// A splitter over `data` (which starts at a record start).
    pub fn new(data: &'a [u8], delimiter: u8) -> Self {
        Records { data, delimiter, pos: 0, line: 0 }
    }

    /// Reads the next record into `rec`; returns the 0-based line (relative to the start of
    /// the data) on which it starts, or `None` at the end. Blank lines are records too
    /// (see [`Record::is_blank`]).
    pub fn next(&mut self, rec: &mut Record<'a>) -> Option<u64> {
        let data = self.data;
        if self.pos >= data.len() {
            return None;
        }
        rec.data = data;
        rec.bounds.clear();
        rec.unquoted.clear();
        let first_line = self.line;
        let d = self.delimiter;
        let mut i = self.pos;
        loop {
            // One field from i.
            if data.get(i) == Some(&b'"') {
                let (end, after) = self.quoted(rec, i + 1);
                rec.bounds.push(end);
                i = after;
            } else {
                let start = i;
                while i < data.len() {
                    let b = data[i];
                    if b == d || b == b'\n' {
                        break;
                    }
                    i += 1;
                }
                let mut end = i;
                if end > start && data[end - 1] == b'\r' && (i == data.len() || data[i] == b'\n') {
                    end -= 1;
                }
                rec.bounds.push((start, end, false));
            }
            // Now at a delimiter, a line end or the end of the data.
            match data.get(i) {
                Some(&b) if b == d => i += 1,
                Some(_) => {
                    self.line += 1;
                    self.pos = i + 1;
                    return Some(first_line);
                }
                None => {
                    self.pos = i;
                    return Some(first_line);
                }
            }
        }
    }

    /// A quoted field whose content starts at `i`: its bounds and the position after it
    /// (at the delimiter or line end that follows; text between the closing quote and it
    /// is kept as the csv crate does).
    fn quoted(&mut self, rec: &mut Record<'a>, mut i: usize) -> ((usize, usize, bool), usize) {
        let data = self.data;
        let start = i;
        let mut copied: Option<usize> = None;
        loop {
            match memchr::memchr(b'"', &data[i..]) {
                None => {
                    // Unclosed quote: the field runs to the end of the data.
                    self.line += memchr::memchr_iter(b'\n', &data[i..]).count() as u64;
                    return match copied {
                        Some(s) => {
                            rec.unquoted.extend_from_slice(&data[i..]);
                            ((s, rec.unquoted.len(), true), data.len())
                        }
                        None => ((start, data.len(), false), data.len()),
                    };
                }
                Some(k) => {
                    let q = i + k;
                    self.line += memchr::memchr_iter(b'\n', &data[i..q]).count() as u64;
                    if data.get(q + 1) == Some(&b'"') {
                        // A doubled quote: copy the text since the last copy and one quote.
                        copied.get_or_insert(rec.unquoted.len());
                        rec.unquoted.extend_from_slice(&data[i..q + 1]);
                        i = q + 2;
                        continue;
                    }
                    let bounds = match copied {
                        Some(s) => {
                            rec.unquoted.extend_from_slice(&data[i..q]);
                            (s, rec.unquoted.len(), true)
                        }
                        None => (start, q, false),
                    };
                    // Skip to the delimiter or line end after the closing quote.
                    let mut j = q + 1;
                    while j < data.len() && data[j] != self.delimiter && data[j] != b'\n' {
                        j += 1;
                    }
                    return (bounds, j);
                }
            }
        }
    }
}

/// Cuts `data` into about `n` pieces that end at record ends. Without any `"` byte every
/// `\n` ends a record; otherwise a `\n` ends one only outside quotes, found by the parity
/// of the quotes before it.
pub(crate) fn cut(data: &[u8], n: usize) -> Vec<Range<usize>> {
    if n <= 1 || data.is_empty() {
        return std::iter::once(0..data.len()).collect();
    }
    let has_quotes = memchr::memchr(b'"', data).is_some();
    let step = data.len() / n;
    let mut cuts = vec![0];
    let (mut counted_to, mut quotes) = (0usize, 0usize);
    for k in 1..n {
        let target = (k * step).max(*cuts.last().unwrap_or(&0));
        let end = if has_quotes {
            quotes += memchr::memchr_iter(b'"', &data[counted_to..target]).count();
            counted_to = target;
            let mut inside = quotes % 2 == 1;
            let mut found = None;
            for (j, &b) in data[target..].iter().enumerate() {
                if b == b'"' {
                    inside = !inside;
                } else if b == b'\n' && !inside {
                    found = Some(target + j + 1);
                    break;
                }
            }
            found
        } else {
            memchr::memchr(b'\n', &data[target..]).map(|j| target + j + 1)
        };
        match end {
            Some(e) if e < data.len() => cuts.push(e),
            _ => break,
        }
    }
    cuts.push(data.len());
    cuts.dedup();
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str, d: u8) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new(text.as_bytes(), d);
        let mut rec = Record::default();
        let mut out = Vec::new();
        while let Some(line) = r.next(&mut rec) {
            out.push((line, (0..rec.len()).map(|i| String::from_utf8_lossy(rec.field(i)).into_owned()).collect()));
        }
        out
    }

    #[test]
    fn splits_quoted_fields_crlf_and_counts_lines() {
        let got = fields("a,b\r\n\"x,1\",\"two\r\nlines\"\r\n\"say \"\"hi\"\"\",3\r\n\r\nlast,4", b',');
        assert_eq!(got[0], (0, vec!["a".into(), "b".into()]));
        assert_eq!(got[1], (1, vec!["x,1".into(), "two\r\nlines".into()]));
        assert_eq!(got[2], (3, vec!["say \"hi\"".into(), "3".into()]));
        assert_eq!(got[3].0, 4); // the blank line
        assert_eq!(got[4], (5, vec!["last".into(), "4".into()]));
    }

    #[test]
    fn doubled_quotes_in_the_middle() {
        let got = fields("\"a\"\"b\"\"c\",\"\"\"\"\n", b',');
        assert_eq!(got[0].1, vec!["a\"b\"c".to_owned(), "\"".to_owned()]);
    }

    #[test]
    fn sniffs_the_delimiter() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a,b\n1,2\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n\"1|x\"|2\n"), b'|');
        assert_eq!(sniff_delimiter(b"\"x,y\";b\n1;2\n"), b';');
        assert_eq!(sniff_delimiter(b"single\n1\n"), b',');
    }

    #[test]
    fn cuts_at_record_ends_outside_quotes() {
        let text = b"1,\"a\nb\"\n2,x\n3,\"c\nd\ne\"\n4,y\n5,z\n";
        for n in 1..8 {
            let pieces = cut(text, n);
            assert_eq!(pieces.first().unwrap().start, 0);
            assert_eq!(pieces.last().unwrap().end, text.len());
            let mut all = Vec::new();
            for p in &pieces {
                all.extend(fields(std::str::from_utf8(&text[p.clone()]).unwrap(), b',').into_iter().map(|f| f.1));
            }
            assert_eq!(
                all,
                fields(std::str::from_utf8(text).unwrap(), b',').into_iter().map(|f| f.1).collect::<Vec<_>>()
            );
        }
    }
}
