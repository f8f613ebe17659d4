//! The output folder, written whole or not at all: files go into a hidden sibling folder
//! that replaces the target only when every file is written, so a failed run leaves the
//! previous report (or nothing) behind, never half a report.

use std::path::{Path, PathBuf};

/// A folder being written; dropped without [`StagedDir::commit`] it is removed.
#[derive(Debug)]
pub(crate) struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Creates the staging folder beside `target`.
    pub fn new(target: &Path) -> Result<StagedDir, String> {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
        }
        std::fs::create_dir(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
        Ok(StagedDir { target: target.to_path_buf(), staging, committed: false })
    }

    /// Writes one file into the staging folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let path = self.staging.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", self.target.join(name).display()))
    }

    /// Puts the staging folder in the target's place (the old target is removed).
    pub fn commit(mut self) -> Result<(), String> {
        let shown = self.target.display().to_string();
        if self.target.exists() {
            if !self.target.is_dir() {
                return Err(format!("{shown} exists and is not a folder"));
            }
            let old = self.staging.with_extension("old");
            std::fs::rename(&self.target, &old).map_err(|e| format!("{shown}: {e}"))?;
            std::fs::rename(&self.staging, &self.target).map_err(|e| format!("{shown}: {e}"))?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(|e| format!("{shown}: {e}"))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_stage_leaves_nothing_and_a_commit_replaces_the_folder() {
        let root = std::env::temp_dir().join(format!("crm-staged-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let target = root.join("out");
        {
            let s = StagedDir::new(&target).unwrap();
            s.write("a.txt", b"half").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0, "no staging folder left");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        let s = StagedDir::new(&target).unwrap();
        s.write("a.txt", b"new").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(target.join("a.txt")).unwrap(), "new");
        assert!(!target.join("old.txt").exists());
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 1);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
