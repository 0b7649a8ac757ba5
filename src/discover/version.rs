//! Migration versions, compared the way people number them: `2` before
//! `10`, `v1.9` before `v1.10`, `0.2` before `0.10`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seg {
    Num(u128, usize),
    Text(String),
}

/// A version as written, with a natural ordering.
#[derive(Debug, Clone, Eq)]
pub struct Version {
    pub text: String,
    /// Exactly as long as it needs: a history keeps one per migration.
    key: Box<[Seg]>,
}

impl Version {
    pub fn new(text: &str) -> Self {
        let mut key = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some(&(start, c)) = chars.peek() {
            let digit = c.is_ascii_digit();
            let mut end = start;
            while let Some(&(i, d)) = chars.peek() {
                if d.is_ascii_digit() != digit {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            let run = &text[start..end];
            if digit {
                let trimmed = run.trim_start_matches('0');
                match trimmed.parse::<u128>() {
                    Ok(n) => key.push(Seg::Num(n, 0)),
                    Err(_) if trimmed.is_empty() => key.push(Seg::Num(0, 0)),
                    Err(_) => key.push(Seg::Num(u128::MAX, trimmed.len())),
                }
            } else {
                key.push(Seg::Text(run.to_lowercase()));
            }
        }
        Self {
            text: text.to_string(),
            key: key.into_boxed_slice(),
        }
    }
}

impl PartialEq for Version {
    /// `001` and `1` are the same version.
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.key.iter().zip(&other.key) {
            let o = match (a, b) {
                (Seg::Num(x, xl), Seg::Num(y, yl)) => x.cmp(y).then(xl.cmp(yl)),
                (Seg::Text(x), Seg::Text(y)) => x.cmp(y),
                (Seg::Num(..), Seg::Text(_)) => Ordering::Less,
                (Seg::Text(_), Seg::Num(..)) => Ordering::Greater,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        self.key.len().cmp(&other.key.len())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn natural_order() {
        let mut v: Vec<Version> = ["v1.10", "v1.9", "0.10", "0.2", "10", "9"]
            .iter()
            .map(|s| Version::new(s))
            .collect();
        v.sort();
        let got: Vec<&str> = v.iter().map(|v| v.text.as_str()).collect();
        assert_eq!(got, ["0.2", "0.10", "9", "10", "v1.9", "v1.10"]);
        assert_eq!(Version::new("001"), Version::new("1"));
    }
}
