//! The file line of each loaded row, kept as runs of consecutive lines: a file without
//! skipped rows, blank lines or quoted newlines is one run, whatever its size.

/// Lines of loaded rows, 1-based file lines (the header is line 1).
///
/// ```
/// use crm_core::ingest::RowLines;
/// let mut lines = RowLines::default();
/// for line in [2, 3, 5, 6] {
///     lines.push(line);
/// }
/// assert_eq!((lines.len(), lines.line(1), lines.line(2), lines.line(4)), (4, Some(3), Some(5), None));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowLines {
    /// (first row of a run, its line); rows of a run are on consecutive lines.
    runs: Vec<(usize, u64)>,
    rows: usize,
}

impl RowLines {
    /// Notes the line of the next loaded row.
    #[inline]
    pub fn push(&mut self, line: u64) {
        let next = self.runs.last().map(|&(row, first)| first + (self.rows - row) as u64);
        if next != Some(line) {
            self.runs.push((self.rows, line));
        }
        self.rows += 1;
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row was noted.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The line of a row, `None` past the last row.
    pub fn line(&self, row: usize) -> Option<u64> {
        if row >= self.rows {
            return None;
        }
        let (first_row, first_line) = self.runs[self.runs.partition_point(|&(r, _)| r <= row) - 1];
        Some(first_line + (row - first_row) as u64)
    }

    /// Adds a later part's rows, their lines shifted by `offset`.
    pub(crate) fn append(&mut self, later: &RowLines, offset: u64) {
        for &(row, line) in &later.runs {
            let (row, line) = (self.rows + row, line + offset);
            let next = self.runs.last().map(|&(r, first)| first + (row - r) as u64);
            if next != Some(line) {
                self.runs.push((row, line));
            }
        }
        self.rows += later.rows;
    }

    /// The same rows, lines shifted by `offset`.
    pub(crate) fn shifted(mut self, offset: u64) -> RowLines {
        self.runs.iter_mut().for_each(|(_, line)| *line += offset);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_parts() {
        let mut a = RowLines::default();
        [2, 3, 4, 7].into_iter().for_each(|l| a.push(l));
        assert_eq!(a.runs, vec![(0, 2), (3, 7)]);
        let mut b = RowLines::default();
        [0, 1, 3].into_iter().for_each(|l| b.push(l));
        // The later part starts on file line 8: its rows are on 8, 9, 11.
        a.append(&b, 8);
        let all: Vec<_> = (0..a.len()).map(|r| a.line(r).unwrap()).collect();
        assert_eq!(all, vec![2, 3, 4, 7, 8, 9, 11]);
        assert_eq!(a.runs, vec![(0, 2), (3, 7), (6, 11)]);
        assert_eq!(a.line(7), None);
        assert_eq!(RowLines::default().line(0), None);
    }
}
