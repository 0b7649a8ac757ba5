//! What the `mysql` / `mariadb` command-line client does to a script before
//! the server sees it, and which migration files rely on:
//!
//! - `DELIMITER $$` … `$$` … `DELIMITER ;`: between the two commands a
//!   statement ends at the chosen delimiter, so a trigger or procedure body
//!   with its own semicolons is one statement;
//! - `/*!40101 SET NAMES utf8mb4 */` (and MariaDB's `/*M!100100 … */`):
//!   version comments are executed as code by every server this old.
//!
//! [`read`] returns the text with the client commands, the delimiters and the
//! comment markers blanked out (same length, so every byte offset and line
//! stays where it was) and the byte ranges that are one statement each.

use super::ir::ByteSpan;

/// The text as the server receives it, and the statements the delimiter made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientText {
    pub text: String,
    pub blocks: Vec<ByteSpan>,
}

/// `None` when the text holds no client command and no version comment
/// (nothing to change).
pub fn read(text: &str) -> Option<ClientText> {
    let b = text.as_bytes();
    let has_delimiter = b.windows(9).any(|w| w.eq_ignore_ascii_case(b"delimiter"));
    if !has_delimiter && !text.contains("/*!") && !text.contains("/*M!") {
        return None;
    }
    let mut out = b.to_vec();
    let mut blocks = Vec::new();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for x in out.iter_mut().take(to).skip(from) {
            if *x != b'\n' && *x != b'\r' {
                *x = b' ';
            }
        }
    };
    // The custom delimiter while one is in force, and where its current statement starts.
    let mut delimiter: Option<Vec<u8>> = None;
    let mut segment = 0;
    let mut in_version_comment = false;
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if line_start {
            // Client commands stand at the start of a line.
            let mut j = i;
            while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                j += 1;
            }
            if b.len() >= j + 10
                && b[j..j + 9].eq_ignore_ascii_case(b"delimiter")
                && (b[j + 9] == b' ' || b[j + 9] == b'\t')
            {
                let end = b[j..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |k| j + k);
                let word: Vec<u8> = b[j + 9..end]
                    .iter()
                    .copied()
                    .skip_while(u8::is_ascii_whitespace)
                    .take_while(|x| !x.is_ascii_whitespace())
                    .collect();
                if !word.is_empty() {
                    // A statement left open before the command ends at it.
                    if delimiter.is_some() && has_code(&b[segment..i]) {
                        blocks.push(ByteSpan::new(segment, i));
                    }
                    blank(&mut out, i, end);
                    delimiter = (word != b";").then_some(word);
                    segment = end;
                    i = end;
                    continue;
                }
            }
        }
        line_start = c == b'\n';
        match c {
            b'\'' | b'"' | b'`' => {
                i = skip_quoted(b, i);
                continue;
            }
            b'#' => {
                i = skip_line(b, i);
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-')
                && b.get(i + 2).is_none_or(u8::is_ascii_whitespace) =>
            {
                i = skip_line(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let marker = match (b.get(i + 2), b.get(i + 3)) {
                    (Some(b'!'), _) => Some(3),
                    (Some(b'M'), Some(b'!')) => Some(4),
                    _ => None,
                };
                if let Some(m) = marker.filter(|_| !in_version_comment) {
                    let mut j = i + m;
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    blank(&mut out, i, j);
                    in_version_comment = true;
                    i = j;
                    continue;
                }
                let end = find(b, i + 2, b"*/").map_or(b.len(), |k| k + 2);
                i = end;
                continue;
            }
            b'*' if in_version_comment && b.get(i + 1) == Some(&b'/') => {
                blank(&mut out, i, i + 2);
                in_version_comment = false;
                i += 2;
                continue;
            }
            _ => {}
        }
        if let Some(d) = &delimiter
            && b[i..].starts_with(d)
        {
            if has_code(&b[segment..i]) {
                blocks.push(ByteSpan::new(segment, i));
            }
            blank(&mut out, i, i + d.len());
            i += d.len();
            segment = i;
            continue;
        }
        i += 1;
    }
    if delimiter.is_some() && has_code(&b[segment..]) {
        blocks.push(ByteSpan::new(segment, b.len()));
    }
    // Only ASCII bytes outside strings and comments were blanked.
    let text = String::from_utf8(out).ok()?;
    // Leading whitespace is no part of a statement.
    let blocks = blocks
        .into_iter()
        .map(|s| {
            let lead = text
                .get(s.start..s.end)
                .map_or(0, |t| t.len() - t.trim_start().len());
            ByteSpan::new(s.start + lead, s.end)
        })
        .collect();
    Some(ClientText { text, blocks })
}

fn has_code(b: &[u8]) -> bool {
    b.iter().any(|x| !x.is_ascii_whitespace())
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|k| from + k)
}

fn skip_line(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&x| x == b'\n')
        .map_or(b.len(), |k| i + k)
}

/// Past a quoted string or name starting at `i` (backslash escapes and doubled quotes).
fn skip_quoted(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'\\' && q != b'`' {
            j += 2;
            continue;
        }
        if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_blocks_are_one_statement_each_and_offsets_stay() {
        let text = "CREATE TABLE t (a int);\nDELIMITER $$\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END$$\nCREATE PROCEDURE p() BEGIN SELECT ';$$'; END $$\ndelimiter ;\nALTER TABLE t ADD b int;\n";
        let c = read(text).expect("changed");
        assert_eq!(c.text.len(), text.len());
        let got: Vec<&str> = c.blocks.iter().map(|s| &c.text[s.start..s.end]).collect();
        assert_eq!(
            got,
            [
                "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END",
                "CREATE PROCEDURE p() BEGIN SELECT ';$$'; END "
            ]
        );
        assert!(!c.text.contains("DELIMITER") && !c.text.contains("delimiter"));
        assert!(c.text.ends_with("\nALTER TABLE t ADD b int;\n"));
    }

    #[test]
    fn version_comments_are_code() {
        let text =
            "/*!40101 SET NAMES utf8mb4 */;\n/* plain */ /*M!100100 SET x = 1 */;\n-- /*!1 no */\n";
        let c = read(text).expect("changed");
        assert_eq!(
            c.text,
            "         SET NAMES utf8mb4   ;\n/* plain */            SET x = 1   ;\n-- /*!1 no */\n"
        );
        assert!(c.blocks.is_empty());
        assert_eq!(read("SELECT 1;"), None);
    }
}
