//! The target SQLite version (`--sqlite-version`, `sqlite-version =`).

use std::fmt;

/// A SQLite 3 release, by its minor number (`3.45` → 45). Patch releases
/// do not change what ALTER TABLE accepts, so they are read and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SqliteVersion {
    pub minor: u32,
}

impl SqliteVersion {
    /// The oldest target bellows knows: RENAME COLUMN arrived in 3.25.
    pub const OLDEST: u32 = 25;
    /// The newest target bellows knows.
    pub const NEWEST: u32 = 47;
    /// The default target.
    pub const DEFAULT: SqliteVersion = SqliteVersion { minor: 45 };

    pub const fn new(minor: u32) -> Self {
        Self { minor }
    }

    /// Whether the target is at least `3.minor`.
    pub fn at_least(self, minor: u32) -> bool {
        self.minor >= minor
    }

    /// Reads `3.45` or `3.45.1`; the error says which values are accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "bad SQLite version `{text}`: give 3.{} … 3.{} (e.g. 3.45)",
                Self::OLDEST,
                Self::NEWEST
            )
        };
        let mut parts = text.trim().split('.');
        let major = parts.next().and_then(|p| p.parse::<u32>().ok());
        let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
        let patch_ok = parts.next().is_none_or(|p| p.parse::<u32>().is_ok());
        match (major, minor) {
            (Some(3), Some(m))
                if patch_ok
                    && parts.next().is_none()
                    && (Self::OLDEST..=Self::NEWEST).contains(&m) =>
            {
                Ok(Self::new(m))
            }
            _ => Err(bad()),
        }
    }
}

impl Default for SqliteVersion {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for SqliteVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "3.{}", self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteVersion;

    #[test]
    fn reads_the_accepted_range_and_refuses_the_rest() {
        assert_eq!(SqliteVersion::parse("3.45"), Ok(SqliteVersion::new(45)));
        assert_eq!(SqliteVersion::parse("3.25"), Ok(SqliteVersion::new(25)));
        assert_eq!(SqliteVersion::parse("3.47.2"), Ok(SqliteVersion::new(47)));
        for bad in ["3.24", "3.48", "3", "4.0", "3.x", "", "3.45.1.2", "3.45.x"] {
            let e = SqliteVersion::parse(bad).unwrap_err();
            assert!(e.contains("3.25 … 3.47"), "{bad}: {e}");
        }
    }
}
