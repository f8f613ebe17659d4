//! Definitions read from text (processes, funnels, scoring models, event matches): JSON or
//! TOML through serde, every face through these two functions.
//!
//! Unknown fields and variants are errors (a typo such as `requires_permision = false`
//! must not leave the default in place); the message names the unknown name and the
//! closest known one: "unknown field `requires_permision`, did you mean
//! `requires_permission`? expected one of ...".

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;

/// Reads a definition from JSON; `what` names it in the error (`funnel`, `process`).
///
/// # Errors
/// [`Error::InvalidConfig`] with serde's message (line and column) and, for an unknown
/// field or variant, the closest known name.
///
/// ```
/// use crm_core::funnel::FunnelStep;
/// let e = crm_core::definition::from_json::<FunnelStep>(
///     r#"{"name": "a", "event": {"type": "purchase"}, "windw_days": 3}"#, "funnel").unwrap_err();
/// assert!(e.to_string().contains("unknown field `windw_days`, did you mean `window_days`?"), "{e}");
/// ```
pub fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| config_error(what, &e.to_string()))
}

/// Reads a definition from TOML; see [`from_json`].
///
/// # Errors
/// As [`from_json`].
pub fn from_toml<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| config_error(what, &e.to_string()))
}

/// A parse error as a config error, with a suggestion for an unknown name.
fn config_error(what: &str, message: &str) -> Error {
    Error::config(what, with_suggestion(message))
}

/// Inserts "did you mean `x`?" after serde's "unknown field `y`," (or variant), `x` being
/// the expected name closest to `y` by edit distance.
fn with_suggestion(message: &str) -> String {
    for kind in ["unknown field `", "unknown variant `"] {
        let Some(start) = message.find(kind) else { continue };
        let rest = &message[start + kind.len()..];
        let Some(end) = rest.find('`') else { continue };
        let unknown = &rest[..end];
        let after = &rest[end + 1..];
        // The expected names: the backticked words of the rest of that line.
        let line = after.split(['\n']).next().unwrap_or("");
        let line = line.split(" at line ").next().unwrap_or(line);
        let closest = line.split('`').skip(1).step_by(2).min_by_key(|known| edit_distance(unknown, known));
        if let Some(known) = closest {
            let at = start + kind.len() + end + 1;
            let tail = after.strip_prefix(',').unwrap_or(after);
            return format!("{}, did you mean `{known}`?{tail}", &message[..at]);
        }
    }
    message.to_owned()
}

/// Levenshtein distance (insertions, deletions, substitutions), over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("wieght", "weight"), 2);
        assert_eq!(edit_distance("dayz", "days"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions_follow_the_unknown_name() {
        let m = "unknown field `wieght`, expected one of `name`, `weight`, `condition` at line 1 column 9";
        assert_eq!(
            with_suggestion(m),
            "unknown field `wieght`, did you mean `weight`? expected one of `name`, `weight`, `condition` at line 1 column 9"
        );
        let m = "unknown variant `purchse`, expected `interaction` or `purchase`";
        assert!(with_suggestion(m).contains("did you mean `purchase`?"));
        assert_eq!(with_suggestion("missing field `name`"), "missing field `name`");
        assert_eq!(with_suggestion("unknown field `x`, there are no fields"), "unknown field `x`, there are no fields");
    }
}
