//! bellows' lexer against sqlparser's tokenizer: wherever the lexer answers,
//! its tokens (value and byte span: sqlparser's come from its line / column
//! spans, through the line index) and comments must be exactly sqlparser's.
//! Run on the fixtures, the real-world corpus in
//! ../shared/corpus (when present), hand-written cases, and generated
//! fragment soup; prints how many files the lexer read itself.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bellows::Dialect;
use bellows::parse::{Comment, lex, tokenize_with_sqlparser, tokens::Tok};

const DIALECTS: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

type Lexed = (Vec<Tok>, Vec<Comment>);

fn describe(toks: &[Tok], comments: &[Comment]) -> Vec<String> {
    let mut out: Vec<String> = toks
        .iter()
        .map(|t| {
            format!(
                "tok {:?} bytes {}..{} bad {}",
                t.token, t.span.start, t.span.end, t.bad
            )
        })
        .collect();
    out.extend(comments.iter().map(|c| {
        format!(
            "comment {:?} bytes {}..{}",
            c.text, c.span.start, c.span.end
        )
    }));
    out
}

/// Compares both paths on `text`; true when the lexer answered.
fn same(text: &str, dialect: Dialect, what: &str) -> bool {
    let slow: Lexed = tokenize_with_sqlparser(text, dialect);
    let Some(fast) = lex(text, dialect) else {
        return false;
    };
    let (s, f) = (describe(&slow.0, &slow.1), describe(&fast.0, &fast.1));
    if s != f {
        let at = s
            .iter()
            .zip(&f)
            .position(|(a, b)| a != b)
            .unwrap_or(s.len().min(f.len()));
        panic!(
            "{what} ({dialect:?}): lexer differs from sqlparser at item {at} of {}/{}\n  sqlparser: {:?}\n  lexer:     {:?}\n  text: {:?}",
            s.len(),
            f.len(),
            s.get(at),
            f.get(at),
            text.chars().take(400).collect::<String>()
        );
    }
    true
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn is_sql(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    [".sql", ".sql.postgres", ".sql.sqlite"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

#[test]
fn lexer_matches_sqlparser_on_fixtures() {
    let mut all = Vec::new();
    files(&common::root().join("fixtures"), &mut all);
    let sql: Vec<PathBuf> = all.into_iter().filter(|p| is_sql(p)).collect();
    assert!(!sql.is_empty());
    for d in DIALECTS {
        let mut covered = 0;
        for p in &sql {
            let text = std::fs::read_to_string(p).expect("fixture is UTF-8");
            if same(&text, d, &p.display().to_string()) {
                covered += 1;
            }
        }
        println!(
            "fixtures {d:?}: lexer read {covered} of {} files",
            sql.len()
        );
    }
}

#[test]
fn lexer_matches_sqlparser_on_the_corpus() {
    let corpus = common::root().join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        eprintln!("skipped: ../shared/corpus is not there");
        return;
    };
    // The dialect each migration directory is linted with.
    let dirs: Vec<(PathBuf, String)> = manifest
        .lines()
        .skip(1)
        .filter_map(|row| {
            let cols: Vec<&str> = row.split('\t').collect();
            let (repo, dir, dialect) = (cols.first()?, cols.get(2)?, cols.get(4)?);
            Some((
                corpus.join(repo.replace('/', "__")).join(dir),
                (*dialect).to_string(),
            ))
        })
        .collect();
    let mut all = Vec::new();
    files(&corpus, &mut all);
    // (read by the lexer, files) per dialect, for every file and dialect …
    let mut any: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    // … and for SQL files under their own dialect only.
    let mut own: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut left = Vec::new();
    for p in &all {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let own_dialect = dirs
            .iter()
            .find(|(dir, _)| p.starts_with(dir))
            .map(|(_, d)| d.as_str());
        for d in DIALECTS {
            let covered = same(&text, d, &p.display().to_string());
            let e = any.entry(d.id().to_string()).or_default();
            e.0 += usize::from(covered);
            e.1 += 1;
            if is_sql(p) && own_dialect == Some(d.id()) {
                let e = own.entry(d.id().to_string()).or_default();
                e.0 += usize::from(covered);
                e.1 += 1;
                if !covered {
                    left.push(format!("{} ({})", p.display(), d.id()));
                }
            }
        }
    }
    for (d, (covered, n)) in &any {
        let pct = 100.0 * *covered as f64 / (*n).max(1) as f64;
        println!("corpus, every file as {d}: lexer read {covered} of {n} ({pct:.1} %)");
    }
    for (d, (covered, n)) in &own {
        let pct = 100.0 * *covered as f64 / (*n).max(1) as f64;
        println!("corpus, {d} migrations: lexer read {covered} of {n} ({pct:.1} %)");
    }
    for p in &left {
        println!("left to sqlparser: {p}");
    }
    let (covered, n) = own.get("postgres").copied().unwrap_or_default();
    assert!(
        covered * 100 >= n * 95,
        "the lexer reads only {covered} of {n} PostgreSQL migrations"
    );
}

/// Each case must be read by the lexer (`true`) or left to sqlparser.
const CASES: &[(&str, bool)] = &[
    (
        "\u{feff}CREATE TABLE t (id int);\r\nDROP TABLE t;\r\n",
        true,
    ),
    ("\u{feff}", true),
    ("", true),
    ("\u{feff}-- only a comment\r\n", true),
    (
        "SELECT 'héllo wörld', \"naïve\", ünïcode FROM t; -- café\n",
        true,
    ),
    ("/* ünïcode\n comment */ SELECT 1;", true),
    ("SELECT 'a\nb\nc', x FROM \"multi\nline\";", true),
    ("/* outer /* inner */ still outer */ SELECT 1;", true),
    ("/* a /* b */ c */ */ SELECT 1;", true),
    ("/**/SELECT/***/1/* * / */;", true),
    ("DO $$ BEGIN RAISE NOTICE 'x'; END $$;", true),
    (
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT $$inner$$; $body$ LANGUAGE sql;",
        true,
    ),
    ("SELECT $a$ $ $$ $b$ $a$, $1, $2::int, $ , $é$x$é$;", true),
    ("SELECT $$a$$$;", true),
    ("SELECT $$$x$$;", true),
    (
        "SELECT '{}'::jsonb, a::text[], b->>'k', c->'k', d #> '{a}', e #>> '{a}', f #- '{a}';",
        true,
    ),
    (
        "SELECT a @> b, a <@ b, a || b, a != b, a <> b, x := 1, a ?| b, a ?& b, a ? 'k';",
        true,
    ),
    (
        "SELECT a<=b, a>=b, a<b, a>b, a=b, a==b, a=>b, a<=>b, a<<b, a>>b, a&&b, a&b, a|b, a^b, ~a, !a;",
        true,
    ),
    (
        "SELECT a~*b, a~~b, a~~*b, a!~b, a!~*b, a!~~b, a!~~*b, |/a, ||/a, a^@b, @a, a@@b, a@?b;",
        true,
    ),
    (
        "SELECT a<->b, a<^b, a>^b, a&<b, a&<|b, a|&>b, a<<|b, a|>>b, a##b, a~=b, a?-b, a?-|b, a?||b, a?#b, @-@a;",
        true,
    ),
    (
        "SELECT a+-b, a>-1, a>=-1, a<=-1, a<-1, a<+1, a%b, a % b, a%-b, a*-b, a/-b, a-+b, a->>-b;",
        true,
    ),
    (
        "SELECT 1.5e-3, .5, 1., 1.e5, 1e5, 1E+5, 0.0, 00, 1_000, 1.5_5, 10L, 3e, 1ea, 2.x;",
        true,
    ),
    ("SELECT t.a, t._b, t.\"c\", 1..2, a.1, a.1e5;", true),
    ("SELECT 'it''s', '''', '', 'a''''b';", true),
    (
        "SELECT `back``tick`, \"dq\", 'sq', [br]]acket] FROM t # hash comment\n;",
        true,
    ),
    (
        "SELECT 1 --comment without space\n, 2 -- with\n, 3 -- \n",
        true,
    ),
    ("SELECT 1 --", true),
    // Backslashes escape only in MySQL: unterminated elsewhere.
    ("SELECT 'a\\'b', \"c\\\"d\", 'e\\\\' FROM t;", false),
    (
        "SELECT 1a, 1.5x, 1e5a, a.1e5, 1$, 1@x, $x, a$b@c, x1, 0b1 FROM t;",
        true,
    ),
    ("SELECT ?, ?1, ?12a, $1, $a, :name, @x FROM t;", true),
    (
        "SELECT \u{a0}x, \u{2003}, \u{7f}, \u{85}, 😀, a😀b, \u{b}\u{c}, \0, \u{1}, `;",
        true,
    ),
    ("SELECT 'unterminated", false),
    ("SELECT \"unterminated", false),
    ("SELECT $$unterminated", false),
    ("SELECT $t$unterminated$t", false),
    ("/* unterminated", false),
    ("/* a /* b */", false),
    ("SELECT E'\\n', e'x' FROM t;", true),
    ("SELECT N'national';", true),
    ("SELECT X'ff', x'00';", true),
    ("SELECT 0xff;", false),
    ("SELECT U&'d\\0061t';", true),
    ("SELECT B'101';", true),
    ("SELECT a &> b;", false),
    ("SELECT 1_;", false),
    ("SELECT 1e_5;", false),
    ("SELECT 1._5;", false),
    ("SELECT a |& b;", false),
];

#[test]
fn lexer_matches_sqlparser_on_chosen_cases() {
    for d in DIALECTS {
        for (text, read) in CASES {
            let covered = same(text, d, text);
            // The expectation holds for PostgreSQL; MySQL and SQLite read some
            // cases differently (backticks, `#`, `@`, backslashes).
            if d == Dialect::Postgres {
                assert_eq!(covered, *read, "{text:?}");
            }
        }
    }
    // Dialect-specific coverage.
    for (text, d) in [
        ("SELECT `a` FROM t # comment\n", Dialect::Mysql),
        ("SELECT 'a\\'b' FROM t -- x\n", Dialect::Mysql),
        (
            "SELECT 'a\\'b', \"c\\\"d\", 'e\\\\' FROM t;",
            Dialect::Mysql,
        ),
        ("SELECT [a b], `c` FROM t", Dialect::Sqlite),
        ("SELECT $x, ?1 FROM t", Dialect::Sqlite),
    ] {
        assert!(same(text, d, text), "{d:?}: {text:?} left to sqlparser");
    }
    for (text, d) in [
        ("SELECT @x", Dialect::Mysql),
        ("/*!50000 SELECT 1 */", Dialect::Mysql),
        ("SELECT 'a\\", Dialect::Mysql),
    ] {
        assert!(!same(text, d, text), "{d:?}: {text:?} read by the lexer");
    }
}

const FRAGMENTS: &[&str] = &[
    " ", "  ", "\n", "\r\n", "\r", "\t", "\u{b}", "a", "b", "e", "E", "n", "N", "x", "X", "u", "U",
    "L", "_", "é", "ß", "😀", "\u{a0}", "\u{feff}", "\u{7f}", "\0", "select", "FROM", "int", "1",
    "0", "9", ".", "..", "e5", "e-", "+", "-", "--", "*", "/", "/*", "*/", "%", "|", "||", "&",
    "<", ">", "=", "!", "~", "^", ":", "::", ";", ",", "(", ")", "[", "]", "{", "}", "?", "@", "#",
    "$", "$$", "$a$", "$1", "'", "''", "\"", "\"\"", "`", "\\", "->", "->>", "#>", "@>", "<@",
    "<>", "!=", ":=", "0x", "&>", "1_0", "_1", "$é$", "٣", "½", "\u{2028}", "@-", "|&", "<|",
    "/*!", "U&", "\\'",
];

/// Fragments that open a string, name or comment, which an unbalanced
/// soup rarely closes.
fn opens(f: &str) -> bool {
    ["'", "\"", "`", "$", "/*", "["]
        .iter()
        .any(|o| f.contains(o))
}

/// Fragments up to 48 bytes or so; `quiet` soup has no openers, so that the lexer
/// reads most of it.
fn soup(rng: &mut common::Rng, quiet: bool) -> String {
    let n = 1 + rng.below(48);
    let mut out = String::new();
    while out.len() < n {
        let f = FRAGMENTS[rng.below(FRAGMENTS.len())];
        if !(quiet && opens(f)) {
            out.push_str(f);
        }
    }
    out
}

#[test]
fn lexer_matches_sqlparser_on_fragment_soup() {
    let mut rng = common::Rng(0x0123_4567_89ab_cdef);
    for d in DIALECTS {
        let mut covered = 0;
        let n = std::env::var("BELLOWS_SOUP")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(40_000);
        for k in 0..n {
            let text = soup(&mut rng, k % 2 == 0);
            if same(&text, d, "soup") {
                covered += 1;
            }
        }
        println!("soup {d:?}: lexer read {covered} of {n}");
    }
}

#[test]
fn lexer_matches_sqlparser_on_damaged_fixtures() {
    let mut all = Vec::new();
    files(&common::root().join("fixtures"), &mut all);
    let texts: Vec<String> = all
        .iter()
        .filter(|p| is_sql(p))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let mut rng = common::Rng(0x9e37_79b9_7f4a_7c15);
    for d in DIALECTS {
        let mut covered = 0;
        let n = 3_000;
        for _ in 0..n {
            let base = &texts[rng.below(texts.len())];
            let mut text = base.clone();
            for _ in 0..=rng.below(3) {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if rng.below(4) == 0 {
                    text.truncate(at);
                } else {
                    text.insert_str(at, FRAGMENTS[rng.below(FRAGMENTS.len())]);
                }
            }
            if same(&text, d, "damaged fixture") {
                covered += 1;
            }
        }
        println!("damaged fixtures {d:?}: lexer read {covered} of {n}");
    }
}
