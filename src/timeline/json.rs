//! JSON parsing that remembers where every value starts, so that schema errors found after
//! parsing can still point at the offending text.
//!
//! jsonc-parser, with every JSONC/JSON5 extension turned off, builds the syntax tree. Even
//! then it accepts raw control characters in strings and non-JSON whitespace (vertical tab,
//! form feed, Unicode spaces), and checks neither duplicate keys nor our (shallower) nesting
//! limit; a walk over its tokens (`scan`) adds those checks. Its errors carry a kind and a
//! range, often the start of the construct (an unterminated array at its '['), so `explain`
//! moves each to the character where a strict left-to-right reader stops and says, from the
//! tokens before it, what was expected there and what was found.

use std::collections::HashSet;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::tokens::Token;
use jsonc_parser::{
    parse_to_ast, CollectOptions, ParseOptions, ParseStringErrorKind, Scanner, ScannerOptions,
};

/// Deepest array/object nesting accepted. jsonc-parser bounds its own recursion at a deeper
/// level (512 open ranges, so at least 256 levels), which keeps hostile input from
/// overflowing the stack before this limit is checked.
pub const MAX_DEPTH: usize = 128;

/// A position in the source text, 1-based; columns count characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// Line number, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

/// A JSON value whose children carry their positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any JSON number; may be infinite when it overflows f64 (e.g. `1e400`).
    Number(f64),
    /// A string with its escapes decoded.
    String(String),
    /// An array's elements.
    Array(Vec<Spanned>),
    /// An object's members in source order: key, key position, value. Keys are unique.
    Object(Vec<(String, Pos, Spanned)>),
}

impl Value {
    /// The kind of value with its article, for messages like "expected a number, found a string".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// A value and the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    /// Where the value starts.
    pub pos: Pos,
    /// The value.
    pub value: Value,
}

/// Parses one complete JSON document; on error, returns where and what was expected.
pub fn parse(text: &str) -> Result<Spanned, (Pos, String)> {
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: STRICT.allow_single_quoted_strings,
        allow_hexadecimal_numbers: STRICT.allow_hexadecimal_numbers,
        allow_unary_plus_numbers: STRICT.allow_unary_plus_numbers,
        allow_bare_decimal_point_numbers: STRICT.allow_bare_decimal_point_numbers,
        allow_non_finite_numbers: STRICT.allow_non_finite_numbers,
        allow_extended_string_escapes: STRICT.allow_extended_string_escapes,
    };
    let error = match parse_to_ast(text, &CollectOptions::default(), &strict) {
        Ok(parsed) => {
            // Empty input (or only whitespace) parses to no value.
            let Some(root) = parsed.value else {
                return Err(located(text, expected(text, text.len(), None)));
            };
            // The library accepted the text; check what it lets through.
            if let Err(error) = context(text, text.len()) {
                return Err(located(text, error));
            }
            return convert(root, &mut Lines::new(text));
        }
        Err(error) => error,
    };
    Err(located(text, explain(text, &error)))
}

/// An error at a byte offset.
type Error = (usize, String);

fn located(text: &str, (offset, message): Error) -> (Pos, String) {
    (Lines::new(text).pos(offset), message)
}

/// Byte offsets to positions, for offsets visited in increasing order (as a depth-first walk
/// of the tree does), so that the whole walk reads the text once.
struct Lines<'a> {
    text: &'a str,
    offset: usize,
    pos: Pos,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text,
            offset: 0,
            pos: Pos { line: 1, column: 1 },
        }
    }

    fn pos(&mut self, offset: usize) -> Pos {
        if offset < self.offset {
            *self = Lines::new(self.text);
        }
        for c in self.text[self.offset..offset].chars() {
            if c == '\n' {
                self.pos = Pos {
                    line: self.pos.line.saturating_add(1),
                    column: 1,
                };
            } else {
                self.pos.column = self.pos.column.saturating_add(1);
            }
        }
        self.offset = offset;
        self.pos
    }
}

/// Converts the library's tree.
fn convert(value: ast::Value, lines: &mut Lines) -> Result<Spanned, (Pos, String)> {
    let pos = lines.pos(value.range().start);
    let value = match value {
        ast::Value::NullKeyword(_) => Value::Null,
        ast::Value::BooleanLit(b) => Value::Bool(b.value),
        // The library's strict number grammar is JSON's, a subset of what Rust's float parser
        // reads; overflow gives an infinity rather than an error.
        ast::Value::NumberLit(n) => Value::Number(
            n.value
                .parse()
                .map_err(|_| (pos, format!("invalid number {}", n.value)))?,
        ),
        ast::Value::StringLit(s) => Value::String(s.value.into_owned()),
        ast::Value::Array(array) => Value::Array(
            array
                .elements
                .into_iter()
                .map(|item| convert(item, lines))
                .collect::<Result<_, _>>()?,
        ),
        ast::Value::Object(object) => Value::Object(
            object
                .properties
                .into_iter()
                .map(|property| {
                    let key_pos = lines.pos(property.name.range().start);
                    let key = property.name.into_string();
                    Ok((key, key_pos, convert(property.value, lines)?))
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Spanned { pos, value })
}

/// What the text before an offset leaves a strict parser expecting next.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Value,
    Key,
    Colon,
    /// A separator, a closing bracket, or (at the top level) the end of input.
    AfterValue,
}

const VALUE: &str = "a value";
const CLOSE_STRING: &str = "'\"' to close the string";
const ESCAPE: &str = "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX after '\\'";

/// The tokenizer half of the parse options, so that [`scan`] splits the text exactly as the
/// parser did.
const STRICT: ScannerOptions = ScannerOptions {
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// What the text before an offset leaves a strict parser expecting.
struct State {
    expect: Expect,
    /// The innermost open bracket.
    open: Option<char>,
    /// Where the token the offset falls in starts, if the offset is not at a token boundary
    /// (a bad escape, a bad number); `expect` is then what was expected there.
    token: Option<usize>,
}

/// Walks the tokens of `text[..end]`, which jsonc-parser has accepted, for what it lets
/// through but strict JSON does not: nesting deeper than [`MAX_DEPTH`], whitespace other than
/// space, tab, line feed and carriage return between tokens, raw control characters in
/// strings, and duplicate keys (reported at the second). Returns the first of those, or else
/// the state at `end`.
fn scan(text: &str, end: usize) -> Result<State, Error> {
    let mut scanner = Scanner::new(text, &STRICT);
    let mut open = Vec::new();
    // The keys seen so far in each open object.
    let mut keys: Vec<HashSet<String>> = Vec::new();
    let mut expect = Expect::Value;
    let mut last_end = 0;
    let token = loop {
        let scanned = scanner.scan();
        let start = scanner.token_start();
        let gap = &text[last_end..start.min(end)];
        if let Some((i, c)) = gap
            .char_indices()
            .find(|(_, c)| !matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            let what = describe(expect, open.last().copied());
            return Err((last_end + i, format!("expected {what}, found {c:?}")));
        }
        if start >= end {
            break None;
        }
        let token = match scanned {
            Ok(Some(token)) if scanner.token_end() <= end => token,
            Ok(None) => break None,
            // A token that fails to lex or runs past `end` holds the offset.
            _ => break Some(start),
        };
        last_end = scanner.token_end();
        expect = match token {
            Token::OpenBracket | Token::OpenBrace => {
                let object = token == Token::OpenBrace;
                open.push(if object { '{' } else { '[' });
                if object {
                    keys.push(HashSet::new());
                }
                if open.len() > MAX_DEPTH {
                    return Err((start, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                if object {
                    Expect::Key
                } else {
                    Expect::Value
                }
            }
            Token::CloseBracket | Token::CloseBrace => {
                if open.pop() == Some('{') {
                    keys.pop();
                }
                Expect::AfterValue
            }
            Token::Comma if open.last() == Some(&'{') => Expect::Key,
            Token::Comma | Token::Colon => Expect::Value,
            Token::String(value) => {
                control_character(text, start, last_end)?;
                if expect == Expect::Key {
                    if keys
                        .last_mut()
                        .is_some_and(|keys| !keys.insert(value.to_string()))
                    {
                        return Err((start, format!("duplicate key {value:?}")));
                    }
                    Expect::Colon
                } else {
                    Expect::AfterValue
                }
            }
            _ => Expect::AfterValue,
        };
    };
    Ok(State {
        expect,
        open: open.last().copied(),
        token,
    })
}

/// jsonc-parser keeps raw control characters in strings; JSON requires them escaped. (An
/// escaped one is an invalid escape, which the library rejects.)
fn control_character(text: &str, start: usize, end: usize) -> Result<(), Error> {
    match text[start..end].char_indices().find(|(_, c)| *c < ' ') {
        Some((i, c)) => Err((
            start + i,
            format!("unescaped control character {c:?} in a string"),
        )),
        None => Ok(()),
    }
}

/// What `expect` is, in words; `open` is the innermost open bracket.
fn describe(expect: Expect, open: Option<char>) -> &'static str {
    match (expect, open) {
        (Expect::Value, _) => VALUE,
        (Expect::Key, _) => "a string key",
        (Expect::Colon, _) => "':' after an object key",
        (Expect::AfterValue, Some('[')) => "',' or ']' after an array element",
        (Expect::AfterValue, Some(_)) => "',' or '}' after an object member",
        (Expect::AfterValue, None) => "the end of input after the JSON value",
    }
}

/// What a strict parser expects at `stop`, or the error it would have met earlier. The
/// library lexes a whole token before its grammar checks where the token may start, so its
/// error inside a token (a bad escape, a bad number) can come after one at the token's start.
fn context(text: &str, stop: usize) -> Result<&'static str, Error> {
    let state = scan(text, stop)?;
    let open = state.open;
    let Some(start) = state.token else {
        return Ok(describe(state.expect, open));
    };
    let first = text[start..].chars().next().unwrap_or_default();
    let string = first == '"';
    if !(state.expect == Expect::Value || string && state.expect == Expect::Key) {
        let what = describe(state.expect, open);
        return Err((start, format!("expected {what}, found {first:?}")));
    }
    if string {
        control_character(text, start, stop)?;
        return Ok(CLOSE_STRING);
    }
    // Inside a number, after a valid prefix of one.
    Ok(describe(Expect::AfterValue, open))
}

/// "expected X, found Y" at `stop`, where X is `what` or else what the text before `stop`
/// leaves expected; an error a strict parser would have met earlier wins.
fn expected(text: &str, stop: usize, what: Option<&'static str>) -> Error {
    let what = match (context(text, stop), what) {
        (Err(earlier), _) => return earlier,
        (Ok(_), Some(what)) | (Ok(what), None) => what,
    };
    let message = match text[stop..].chars().next() {
        None => format!("unexpected end of input, expected {what}"),
        // Where a value should start, a word is quoted whole ("found \"tru\"").
        Some(c) if what == VALUE && c.is_alphanumeric() && !c.is_ascii_digit() => {
            let word: String = text[stop..]
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            format!("expected {what}, found {word:?}")
        }
        Some(c) => format!("expected {what}, found {c:?}"),
    };
    (stop, message)
}

/// Maps a jsonc-parser error to the character where a strict left-to-right parser would have
/// stopped, and a message in this module's style. The library reports some errors at the
/// start of the construct (an unterminated array at its '[', a trailing comma at the comma,
/// a bad escape at its backslash); the position moved to is the offending character.
fn explain(text: &str, error: &ParseError) -> Error {
    use ParseErrorKind as K;
    use ParseStringErrorKind as S;
    let range = error.range();
    let (start, end) = (range.start, range.end);
    let after_ws = |from: usize| {
        text[from..]
            .find(|c: char| !c.is_whitespace())
            .map_or(text.len(), |n| from + n)
    };
    let after_minus = Some("a digit after '-'");
    match error.kind() {
        // Reported after the previous value / at the comma; the culprit is the next token.
        K::ExpectedComma | K::TrailingCommasNotAllowed => expected(text, after_ws(end), None),
        K::UnterminatedArray | K::UnterminatedObject | K::ExpectedObjectValue => {
            expected(text, text.len(), None)
        }
        K::String(S::UnterminatedStringLiteral) => {
            // Input ending in a backslash ends inside an escape.
            let backslashes = text[start..]
                .bytes()
                .rev()
                .take_while(|&b| b == b'\\')
                .count();
            let what = if backslashes % 2 == 1 {
                ESCAPE
            } else {
                CLOSE_STRING
            };
            expected(text, text.len(), Some(what))
        }
        K::ExpectedDigitFollowingNegativeSign => expected(text, start, after_minus),
        // "-Infinity" or "-NaN": a strict parser stops after the '-'.
        K::NonFiniteNumbersNotAllowed => expected(text, start + 1, after_minus),
        K::BareDecimalPointNumbersNotAllowed => match &text[start..end] {
            "-" => expected(text, end, after_minus),
            // ".5": no value starts with '.'.
            s if s.starts_with('.') => expected(text, start, None),
            // "5.": the range ends just after the point.
            _ => expected(text, end, Some("a digit after '.'")),
        },
        K::ExpectedDigit | K::ExpectedPlusMinusOrDigitInNumberLiteral => {
            expected(text, start, Some("a digit in the exponent"))
        }
        // "0x10": the number is "0", and the range ends at the 'x'.
        K::HexadecimalNumbersNotAllowed => expected(text, end, None),
        K::String(
            S::InvalidEscape
            | S::InvalidEscapeInDoubleQuoteString
            | S::InvalidEscapeInSingleQuoteString,
        ) => expected(text, start + 1, Some(ESCAPE)),
        K::String(S::ExpectedFourHexDigits | S::ExpectedTwoHexDigits) => expected(
            text,
            bad_hex(text, start),
            Some("four hex digits after \\u"),
        ),
        // The only invalid \u escapes after four hex digits are unpaired surrogates.
        K::String(S::InvalidUnicodeEscapeSequence(_)) => match context(text, start) {
            Err(earlier) => earlier,
            Ok(_) => (
                start,
                "unpaired UTF-16 surrogate in a \\u escape".to_string(),
            ),
        },
        // The scan before the library's (deeper) limit finds ours first.
        K::NestingDepthExceeded => match context(text, start) {
            Err(earlier) => earlier,
            Ok(_) => (start, format!("nesting deeper than {MAX_DEPTH} levels")),
        },
        // The rest are reported at the offending token, which the context describes.
        _ => expected(text, start, None),
    }
}

/// Where the `\uXXXX` escape whose backslash is at `start` stops being hex; the library
/// reports a bad low half of a surrogate pair (`\ud800\u12g4`) at the high half's backslash.
fn bad_hex(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let non_hex =
        |from: usize| (from..from + 4).find(|&i| !bytes.get(i).is_some_and(u8::is_ascii_hexdigit));
    non_hex(start + 2)
        .or_else(|| non_hex(start + 8))
        .unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pos(line: u32, column: u32) -> Pos {
        Pos { line, column }
    }

    /// (line, column, kind) of `v` and its descendants in document order.
    fn positions(v: &Spanned, out: &mut Vec<(u32, u32, &'static str)>) {
        out.push((v.pos.line, v.pos.column, v.value.kind()));
        match &v.value {
            Value::Array(items) => items.iter().for_each(|item| positions(item, out)),
            Value::Object(members) => members.iter().for_each(|(_, _, v)| positions(v, out)),
            _ => {}
        }
    }

    #[test]
    fn values_keep_their_positions() {
        let text =
            "{\n  \"é\": [1, -2.5e1,\n\t true, null],\n  \"s\": \"a\\u00e9\\ud83d\\ude00\\n\"}";
        let doc = parse(text).unwrap();
        let mut found = Vec::new();
        positions(&doc, &mut found);
        #[rustfmt::skip]
        let want = [(1, 1, "an object"), (2, 8, "an array"), (2, 9, "a number"), (2, 12, "a number"),
                    (3, 3, "a boolean"), (3, 9, "null"), (4, 8, "a string")];
        assert_eq!(found, want);
        let Value::Object(members) = doc.value else {
            panic!("not an object")
        };
        let keys: Vec<_> = members
            .iter()
            .map(|(k, pos, _)| (k.as_str(), *pos))
            .collect();
        assert_eq!(keys, [("é", pos(2, 3)), ("s", pos(4, 3))]);
        assert_eq!(members[1].2.value, Value::String("aé😀\n".into()));
        assert_eq!(members[0].2.value.kind(), "an array");
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for (text, want) in [
            ("0", 0.0),
            ("-0.5", -0.5),
            ("12E+2", 1200.0),
            ("1e-2", 0.01),
            ("1e400", f64::INFINITY),
        ] {
            assert_eq!(
                parse(text).map(|v| v.value),
                Ok(Value::Number(want)),
                "{text}"
            );
        }
        for text in [
            "01", "-", "1.", ".5", "+1", "1e", "1e+", "0x10", "NaN", "Infinity",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn errors_say_where_and_what() {
        let cases = [
            ("", 1, 1, "unexpected end of input, expected a value"),
            (
                "{\"a\": 1 x}",
                1,
                9,
                "expected ',' or '}' after an object member, found 'x'",
            ),
            ("[1,\n 2,\n]", 3, 1, "expected a value, found ']'"),
            (
                "[1 2]",
                1,
                4,
                "expected ',' or ']' after an array element, found '2'",
            ),
            (
                "{\"a\" 1}",
                1,
                6,
                "expected ':' after an object key, found '1'",
            ),
            ("{1: 2}", 1, 2, "expected a string key, found '1'"),
            ("{\"a\": 1,\n \"a\": 2}", 2, 2, "duplicate key \"a\""),
            ("[tru]", 1, 2, "expected a value, found \"tru\""),
            (
                "\"ab",
                1,
                4,
                "unexpected end of input, expected '\"' to close the string",
            ),
            (
                "\"a\nb\"",
                1,
                3,
                "unescaped control character '\\n' in a string",
            ),
            (
                "\"\\x\"",
                1,
                3,
                "expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX after '\\', found 'x'",
            ),
            (
                "\"\\u12g4\"",
                1,
                6,
                "expected four hex digits after \\u, found 'g'",
            ),
            (
                "\"é\\ud800x\"",
                1,
                3,
                "unpaired UTF-16 surrogate in a \\u escape",
            ),
            (
                "\"\\udc00\"",
                1,
                2,
                "unpaired UTF-16 surrogate in a \\u escape",
            ),
            ("-x", 1, 2, "expected a digit after '-', found 'x'"),
            ("1.e5", 1, 3, "expected a digit after '.', found 'e'"),
            (
                "1 2",
                1,
                3,
                "expected the end of input after the JSON value, found '2'",
            ),
        ];
        for (text, line, column, message) in cases {
            assert_eq!(
                parse(text),
                Err((pos(line, column), message.to_string())),
                "{text:?}"
            );
        }
    }

    /// What jsonc-parser accepts even with every extension off (or reports elsewhere) and
    /// strict JSON rejects, each at the character where a strict reader stops.
    #[test]
    fn only_strict_json_is_accepted() {
        let escape = |c| format!("expected {ESCAPE}, found {c:?}");
        #[rustfmt::skip]
        let cases = [
            // Accepted by jsonc-parser.
            ("\"a\tb\"", 1, 3, "unescaped control character '\\t' in a string".to_string()),
            ("[1,\u{b}2]", 1, 4, "expected a value, found '\\u{b}'".into()),
            ("\u{a0}1", 1, 1, "expected a value, found '\\u{a0}'".into()),
            ("{\"a\": 1, \"b\": {\"a\": 2}, \"a\" 3}", 1, 25, "duplicate key \"a\"".into()),
            // Rejected, but reported at the construct's start or under another name.
            ("01", 1, 2, "expected the end of input after the JSON value, found '1'".into()),
            ("[-01]", 1, 4, "expected ',' or ']' after an array element, found '1'".into()),
            ("1.", 1, 3, "unexpected end of input, expected a digit after '.'".into()),
            (".5", 1, 1, "expected a value, found '.'".into()),
            ("-.5", 1, 2, "expected a digit after '-', found '.'".into()),
            ("+1", 1, 1, "expected a value, found '+'".into()),
            ("0x10", 1, 2, "expected the end of input after the JSON value, found 'x'".into()),
            ("NaN", 1, 1, "expected a value, found \"NaN\"".into()),
            ("-Infinity", 1, 2, "expected a digit after '-', found 'I'".into()),
            ("1e+", 1, 4, "unexpected end of input, expected a digit in the exponent".into()),
            ("[1] // c", 1, 5, "expected the end of input after the JSON value, found '/'".into()),
            ("/* c */ 1", 1, 1, "expected a value, found '/'".into()),
            ("{\"a\": 1,\n}", 2, 1, "expected a string key, found '}'".into()),
            ("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}' after an object member, found '\"'".into()),
            ("{a: 1}", 1, 2, "expected a string key, found 'a'".into()),
            ("['a']", 1, 2, "expected a value, found '\\''".into()),
            ("\"\\x41\"", 1, 3, escape('x')),
            ("\"\\v\"", 1, 3, escape('v')),
            ("[\"\\", 1, 4, format!("unexpected end of input, expected {ESCAPE}")),
            ("\"\\ud800\\u0041\"", 1, 2, "unpaired UTF-16 surrogate in a \\u escape".into()),
            ("\"\\ud800\\u12g4\"", 1, 12, "expected four hex digits after \\u, found 'g'".into()),
            // The library lexes a token before checking where it may start.
            ("[1 \"a\\x\"]", 1, 4, "expected ',' or ']' after an array element, found '\"'".into()),
            ("[1 -x]", 1, 4, "expected ',' or ']' after an array element, found '-'".into()),
            ("{\"a\" 0x1}", 1, 6, "expected ':' after an object key, found '0'".into()),
        ];
        for (text, line, column, message) in cases {
            assert_eq!(parse(text), Err((pos(line, column), message)), "{text:?}");
        }
        let text = "{\"a\": {\"a\": [{\"a\": \"\\u0000\u{2028}\"}]}, \"b\": 1}";
        assert!(parse(text).is_ok());
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let too_deep = format!("[{ok}]");
        let depth = u32::try_from(MAX_DEPTH).unwrap();
        let message = format!("nesting deeper than {MAX_DEPTH} levels");
        // Balanced (jsonc-parser accepts it) and hostile (1 MiB; it gives up at its own
        // deeper limit without overflowing the stack): both stop at the first level too deep.
        let cases = [
            (too_deep, depth + 1),
            ("[".repeat(1 << 20), depth + 1),
            ("{\"a\":".repeat(1 << 18), depth * 5 + 1),
        ];
        for (text, column) in cases {
            assert_eq!(parse(&text), Err((pos(1, column), message.clone())));
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_text(text in ".*") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_json_like_text(text in r#"[\[\]{}",:0-9a-z .eE+\\\-\n]{0,64}"#) {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = parse(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn unicode_escapes_round_trip(s in ".*") {
            let escaped: String = s.encode_utf16().map(|unit| format!("\\u{unit:04x}")).collect();
            prop_assert_eq!(parse(&format!("\"{escaped}\"")).map(|v| v.value), Ok(Value::String(s)));
        }
    }
}
