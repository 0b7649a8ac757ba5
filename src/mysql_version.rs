//! The target MySQL or MariaDB server: `--mysql-version` / `mysql-version =`.

use std::fmt;

/// MySQL or MariaDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flavour {
    Mysql,
    Mariadb,
}

/// The target server: flavour and version. `8.0` means the latest 8.0.x.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Server {
    pub flavour: Flavour,
    pub major: u16,
    pub minor: u16,
    /// `None`: the latest release of `major.minor`.
    pub patch: Option<u16>,
}

/// The forms `--mysql-version` accepts, for error messages.
pub const ACCEPTED: &str = "5.7, 8.0, 8.0.28, 8.4, 9.1 (MySQL) or mariadb-10.6, mariadb-10.11, mariadb-11.4 \
     (MariaDB 10.2 or later)";

impl Default for Server {
    fn default() -> Self {
        Server::DEFAULT
    }
}

impl Server {
    /// MySQL 8.4, the current long-term release.
    pub const DEFAULT: Server = Server::mysql(8, 4, None);

    pub const fn mysql(major: u16, minor: u16, patch: Option<u16>) -> Server {
        Server {
            flavour: Flavour::Mysql,
            major,
            minor,
            patch,
        }
    }

    pub const fn mariadb(major: u16, minor: u16) -> Server {
        Server {
            flavour: Flavour::Mariadb,
            major,
            minor,
            patch: None,
        }
    }

    /// Reads `8.0`, `8.0.28`, `mysql-8.4`, `mariadb-10.11`, `mariadb-11.4.2`.
    ///
    /// # Errors
    /// A one-line message listing the accepted forms.
    pub fn parse(text: &str) -> Result<Server, String> {
        let bad = || format!("bad MySQL version `{text}`: expected one of {ACCEPTED}");
        let lower = text.trim().to_ascii_lowercase();
        let (flavour, rest) = if let Some(r) = lower.strip_prefix("mariadb-") {
            (Flavour::Mariadb, r)
        } else if let Some(r) = lower.strip_prefix("mysql-") {
            (Flavour::Mysql, r)
        } else {
            (Flavour::Mysql, lower.as_str())
        };
        let parts: Vec<&str> = rest.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let num = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
        };
        let major = parts.first().copied().and_then(num).ok_or_else(bad)?;
        let minor = parts.get(1).copied().and_then(num).ok_or_else(bad)?;
        let patch = match parts.get(2) {
            Some(p) => Some(num(p).ok_or_else(bad)?),
            None => None,
        };
        let known = match flavour {
            Flavour::Mysql => (major, minor) == (5, 7) || major == 8 || major == 9,
            Flavour::Mariadb => (major == 10 && minor >= 2) || major == 11,
        };
        if !known {
            return Err(bad());
        }
        Ok(Server {
            flavour,
            major,
            minor,
            patch,
        })
    }

    pub fn is_mariadb(self) -> bool {
        self.flavour == Flavour::Mariadb
    }

    pub fn is_mysql(self) -> bool {
        self.flavour == Flavour::Mysql
    }

    /// The version is at least `major.minor.patch` (a release named without
    /// its patch level is its latest one).
    pub fn at_least(self, major: u16, minor: u16, patch: u16) -> bool {
        (self.major, self.minor, self.patch.unwrap_or(u16::MAX)) >= (major, minor, patch)
    }

    /// The default `lock_wait_timeout`, in words.
    pub fn default_lock_wait(self) -> &'static str {
        match self.flavour {
            Flavour::Mysql => "one year on MySQL",
            Flavour::Mariadb => "one day on MariaDB",
        }
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.flavour {
            Flavour::Mysql => "MySQL",
            Flavour::Mariadb => "MariaDB",
        };
        write!(f, "{name} {}.{}", self.major, self.minor)?;
        if let Some(p) = self.patch {
            write!(f, ".{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_versions_parse_in_every_documented_form() {
        for (text, want) in [
            ("5.7", Server::mysql(5, 7, None)),
            ("8.0", Server::mysql(8, 0, None)),
            ("8.0.28", Server::mysql(8, 0, Some(28))),
            ("8.4", Server::mysql(8, 4, None)),
            ("9.1", Server::mysql(9, 1, None)),
            ("mysql-8.4", Server::mysql(8, 4, None)),
            ("mariadb-10.6", Server::mariadb(10, 6)),
            ("MariaDB-10.11", Server::mariadb(10, 11)),
            ("mariadb-11.4", Server::mariadb(11, 4)),
        ] {
            assert_eq!(Server::parse(text), Ok(want), "{text}");
        }
        for bad in [
            "8",
            "",
            "5.6",
            "7.0",
            "8.x",
            "mariadb-5.5",
            "mariadb-10.1",
            "10.11",
            "8.0.",
            "8..0",
            "mariadb",
            "postgres-16",
            "8.0.28.1",
            "99999.1",
        ] {
            let e = Server::parse(bad).expect_err(bad);
            assert!(e.contains("mariadb-10.11") && e.contains("8.0.28"), "{e}");
        }
        assert_eq!(Server::default().to_string(), "MySQL 8.4");
        assert!(Server::mysql(8, 0, None).at_least(8, 0, 29));
        assert!(!Server::mysql(8, 0, Some(28)).at_least(8, 0, 29));
    }
}
