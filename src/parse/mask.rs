//! Template and placeholder syntax that migration tools substitute before
//! the SQL reaches the server: `{{ … }}` (Go templates: tern), `${…}`
//! (flyway, liquibase placeholders), `$%…%$` (Synapse), and `:NAME` /
//! `:'NAME'` / `:"NAME"` (psql variables: sqitch). Each is replaced by a
//! name of the same byte length (`${schema}` → `__schema_`), so the
//! statement parses and every span still points at the user's text.
//! psql meta-command lines (`\set`, `\i`) are blanked. Strings, quoted
//! names and comments are left alone.

use std::borrow::Cow;

/// The text with its template syntax masked; borrowed when there is none.
pub fn mask(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    // Most files hold none of the openers: no copy. Their last bytes are
    // found with memchr (vectorised), in one pass for `\`, `{` and `%`.
    let variable = |i: usize| match &b[i..] {
        // `x::text` is a cast, not a psql variable.
        [b':', c, ..] => {
            (c.is_ascii_alphabetic() || matches!(c, b'_' | b'\'' | b'"'))
                && (i == 0 || b[i - 1] != b':')
        }
        _ => false,
    };
    let opener = |i: usize| {
        let before = i.checked_sub(1).map(|p| b[p]);
        match b[i] {
            b'\\' => matches!(before, None | Some(b'\n')),
            b'{' => matches!(before, Some(b'{' | b'$')),
            _ => before == Some(b'$'),
        }
    };
    let may = memchr::memchr3_iter(b'\\', b'{', b'%', b).any(opener)
        || memchr::memchr_iter(b':', b).any(variable);
    if !may {
        return Cow::Borrowed(text);
    }
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let end_of = |open: usize, close: &[u8]| {
            find(&b[i + open..], close).map(|at| i + open + at + close.len())
        };
        let line_start = i == 0 || b[i - 1] == b'\n';
        if line_start && rest.first() == Some(&b'\\') {
            // A psql meta-command line (`\set`, `\i file`): blank it.
            let end = find(rest, b"\n").map_or(b.len(), |at| i + at);
            blanks.push((i, end));
            i = end;
            continue;
        }
        let next = match rest {
            [b'\'', ..] => {
                i = skip_quoted(b, i, b'\'');
                continue;
            }
            [b'"', ..] => {
                i = skip_quoted(b, i, b'"');
                continue;
            }
            [b'-', b'-', ..] => {
                i = find(rest, b"\n").map_or(b.len(), |at| i + at + 1);
                continue;
            }
            [b'/', b'*', ..] => {
                i = find(&rest[2..], b"*/").map_or(b.len(), |at| i + 2 + at + 2);
                continue;
            }
            [b'{', b'{', ..] => end_of(2, b"}}"),
            [b'$', b'{', ..] => end_of(2, b"}"),
            [b'$', b'%', ..] => end_of(2, b"%$"),
            [b':', c, ..]
                if (c.is_ascii_alphabetic() || *c == b'_') && (i == 0 || b[i - 1] != b':') =>
            {
                let len = rest[1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                Some(i + 1 + len)
            }
            [b':', q @ (b'\'' | b'"'), ..] if after_gap(b, i) => {
                find(&rest[2..], &[*q]).map(|at| i + 2 + at + 1)
            }
            _ => None,
        };
        match next {
            // One line at most: an opener with no closer is left as it is.
            Some(end) if !b[i..end].contains(&b'\n') => {
                ranges.push((i, end));
                i = end;
            }
            _ => i += 1,
        }
    }
    if ranges.is_empty() && blanks.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out: Vec<u8> = b.to_vec();
    for (start, end) in blanks {
        if let Some(line) = out.get_mut(start..end) {
            line.fill(b' ');
        }
    }
    let Ok(text) = String::from_utf8(out) else {
        return Cow::Borrowed(text);
    };
    let text = text.as_str();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in ranges {
        out.push_str(text.get(at..start).unwrap_or(""));
        for c in text.get(start..end).unwrap_or("").chars() {
            let keep = c.is_ascii_alphanumeric() || c == '_';
            for _ in 0..c.len_utf8() {
                out.push(if keep { c } else { '_' });
            }
        }
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    Cow::Owned(out)
}

/// A psql variable starts after a space or punctuation: not in `x::int`,
/// `arr[lo:hi]` or `a:b`.
fn after_gap(b: &[u8], i: usize) -> bool {
    i == 0
        || b.get(i - 1)
            .is_some_and(|p| !(p.is_ascii_alphanumeric() || matches!(p, b'_' | b':' | b']' | b')')))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The offset after a quoted string or name starting at `i` (doubled quotes
/// escape).
fn skip_quoted(b: &[u8], i: usize, q: u8) -> usize {
    let mut j = i + 1;
    while j < b.len() {
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
    use super::mask;

    #[test]
    fn masks_templates_outside_strings_and_comments() {
        for (text, want) in [
            (
                "CREATE TABLE ${schema}.t (id int)",
                "CREATE TABLE __schema_.t (id int)",
            ),
            ("x {{ .Type }}, y", "x ____Type___, y"),
            (
                "id $%AUTO_INCREMENT_PRIMARY_KEY%$,",
                "id __AUTO_INCREMENT_PRIMARY_KEY__,",
            ),
            ("DEFAULT :v, x::int, :'name'", "DEFAULT _v, x::int, __name_"),
            ("'${kept}' -- {{ kept }}\n", "'${kept}' -- {{ kept }}\n"),
            (
                "a := b; arr[1:2]; ${unclosed\n}",
                "a := b; arr[1:2]; ${unclosed\n}",
            ),
        ] {
            let got = mask(text);
            assert_eq!(got, want, "{text}");
            assert_eq!(got.len(), text.len());
        }
    }
}
