//! Numbers with a decimal point or a decimal comma, with optional thousands separators
//! (`1,234.50`, `1.234,50`, `1 234,50`), parsed without allocating.

/// The longest number text accepted (digits, sign, separators, exponent).
const MAX_LEN: usize = 64;

/// Parses `text` (trimmed) as a finite number with the given decimal separator (`.` or
/// `,`). The other of the two, a space or an apostrophe may separate groups of exactly three
/// digits before the decimal separator.
pub(crate) fn parse_number(text: &[u8], decimal: u8) -> Option<f64> {
    if text.is_empty() || text.len() > MAX_LEN {
        return None;
    }
    let mut buf = [0u8; MAX_LEN];
    let mut n = 0;
    // Digits since the last group separator, None before the first separator.
    let mut group: Option<usize> = None;
    let mut run = 0usize;
    let mut in_integer_part = true;
    for &b in text {
        match b {
            b'0'..=b'9' => {
                run += 1;
                buf[n] = b;
            }
            _ if b == decimal && in_integer_part => {
                if group.is_some_and(|_| run != 3) {
                    return None;
                }
                in_integer_part = false;
                group = None;
                buf[n] = b'.';
            }
            b'.' | b',' | b' ' | b'\'' if in_integer_part && run > 0 => {
                // A thousands separator: the run before it must be 1-3 digits at first,
                // exactly 3 after that.
                if (group.is_none() && run > 3) || (group.is_some() && run != 3) {
                    return None;
                }
                group = Some(n);
                run = 0;
                continue;
            }
            b'+' | b'-' | b'e' | b'E' => {
                if matches!(b, b'e' | b'E') {
                    if group.is_some_and(|_| run != 3) {
                        return None;
                    }
                    in_integer_part = false;
                    group = None;
                }
                run = 0;
                buf[n] = b;
            }
            _ => return None,
        }
        n += 1;
    }
    if group.is_some() && run != 3 {
        return None;
    }
    let s = std::str::from_utf8(&buf[..n]).ok()?;
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Evidence for the decimal separator in one numeric value: `Some(b',')` when the value is
/// only a number with a decimal comma (`100,5`, `1.234,50`), `Some(b'.')` when only with a
/// decimal point (`100.5`, `1,234.50`), `None` when either reading works or neither.
pub(crate) fn decimal_evidence(text: &[u8]) -> Option<u8> {
    match (parse_number(text, b'.').is_some(), parse_number(text, b',').is_some()) {
        (true, false) => Some(b'.'),
        (false, true) => Some(b','),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_point_and_comma() {
        let p = |s: &str, d| parse_number(s.as_bytes(), d);
        assert_eq!(p("100.5", b'.'), Some(100.5));
        assert_eq!(p("-3", b'.'), Some(-3.0));
        assert_eq!(p("1,234.50", b'.'), Some(1234.5));
        assert_eq!(p("1,234,567", b'.'), Some(1_234_567.0));
        assert_eq!(p("1e3", b'.'), Some(1000.0));
        assert_eq!(p("100,5", b'.'), None);
        assert_eq!(p("100,5", b','), Some(100.5));
        assert_eq!(p("1.234,50", b','), Some(1234.5));
        assert_eq!(p("1 234,50", b','), Some(1234.5));
        assert_eq!(p("-0,25", b','), Some(-0.25));
        assert_eq!(p("12.34", b','), None);
        assert_eq!(p("1.2345", b','), None);
        assert_eq!(p("abc", b'.'), None);
        assert_eq!(p("NaN", b'.'), None);
        assert_eq!(p("inf", b'.'), None);
        assert_eq!(p("", b'.'), None);
        assert_eq!(p("1..2", b'.'), None);
    }

    #[test]
    fn evidence() {
        assert_eq!(decimal_evidence(b"100,5"), Some(b','));
        assert_eq!(decimal_evidence(b"1.234,5"), Some(b','));
        assert_eq!(decimal_evidence(b"100.5"), Some(b'.'));
        assert_eq!(decimal_evidence(b"1,234"), None);
        assert_eq!(decimal_evidence(b"17"), None);
    }
}
