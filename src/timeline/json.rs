//! A small JSON parser that remembers where every value starts, so that schema errors found
//! after parsing can still point at the offending text.

use std::collections::HashSet;
use std::iter::Peekable;
use std::str::Chars;

/// Deepest array/object nesting accepted; bounds the recursion so hostile input cannot
/// overflow the stack.
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
    let mut parser = Parser {
        chars: text.chars().peekable(),
        pos: Pos { line: 1, column: 1 },
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_ws();
    match parser.peek() {
        None => Ok(value),
        Some(_) => Err(parser.expected("the end of input after the JSON value")),
    }
}

type Parsed<T> = Result<T, (Pos, String)>;

struct Parser<'a> {
    chars: Peekable<Chars<'a>>,
    /// Position of the next character.
    pos: Pos,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.pos = Pos {
                line: self.pos.line.saturating_add(1),
                column: 1,
            };
        } else {
            self.pos.column = self.pos.column.saturating_add(1);
        }
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.bump();
        }
        found
    }

    /// An error at the next character saying what should have been there.
    fn expected(&mut self, what: &str) -> (Pos, String) {
        let message = match self.peek() {
            None => format!("unexpected end of input, expected {what}"),
            Some(c) => format!("expected {what}, found {c:?}"),
        };
        (self.pos, message)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn value(&mut self) -> Parsed<Spanned> {
        self.skip_ws();
        let pos = self.pos;
        let value = match self.peek() {
            Some('{') => self.nested(Self::object)?,
            Some('[') => self.nested(Self::array)?,
            Some('"') => Value::String(self.string()?),
            Some('-' | '0'..='9') => Value::Number(self.number()?),
            Some(c) if c.is_alphanumeric() => self.literal()?,
            _ => return Err(self.expected("a value")),
        };
        Ok(Spanned { pos, value })
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Parsed<Value>) -> Parsed<Value> {
        if self.depth >= MAX_DEPTH {
            return Err((self.pos, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let value = parse(self);
        self.depth -= 1;
        value
    }

    fn literal(&mut self) -> Parsed<Value> {
        let pos = self.pos;
        let mut word = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric()) {
            word.push(c);
            self.bump();
        }
        match word.as_str() {
            "null" => Ok(Value::Null),
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err((pos, format!("expected a value, found {word:?}"))),
        }
    }

    /// Appends a run of ASCII digits to `out`, returning how many there were.
    fn digits(&mut self, out: &mut String) -> usize {
        let start = out.len();
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            out.push(c);
            self.bump();
        }
        out.len() - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, the JSON grammar, which Rust's
    /// float parser then accepts (it is a subset of its syntax).
    fn number(&mut self) -> Parsed<f64> {
        let pos = self.pos;
        let mut text = String::new();
        if self.eat('-') {
            text.push('-');
        }
        if self.eat('0') {
            text.push('0');
        } else if self.digits(&mut text) == 0 {
            return Err(self.expected("a digit after '-'"));
        }
        if self.eat('.') {
            text.push('.');
            if self.digits(&mut text) == 0 {
                return Err(self.expected("a digit after '.'"));
            }
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            self.bump();
            text.push(e);
            if let Some(sign @ ('+' | '-')) = self.peek() {
                self.bump();
                text.push(sign);
            }
            if self.digits(&mut text) == 0 {
                return Err(self.expected("a digit in the exponent"));
            }
        }
        text.parse()
            .map_err(|_| (pos, format!("invalid number {text}")))
    }

    fn string(&mut self) -> Parsed<String> {
        self.bump(); // the opening quote
        let mut out = String::new();
        loop {
            let pos = self.pos;
            match self.bump() {
                None => return Err(self.expected("'\"' to close the string")),
                Some('"') => return Ok(out),
                Some('\\') => out.push(self.escape(pos)?),
                Some(c) if u32::from(c) < 0x20 => {
                    return Err((
                        pos,
                        format!("unescaped control character {c:?} in a string"),
                    ));
                }
                Some(c) => out.push(c),
            }
        }
    }

    /// Decodes the escape whose backslash was at `pos`, joining UTF-16 surrogate pairs.
    fn escape(&mut self, pos: Pos) -> Parsed<char> {
        let unpaired = || (pos, "unpaired UTF-16 surrogate in a \\u escape".to_string());
        let c = match self.peek() {
            Some(c @ ('"' | '\\' | '/')) => c,
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                self.bump();
                let high = self.hex4()?;
                let code = match high {
                    0xD800..=0xDBFF => {
                        if !(self.eat('\\') && self.eat('u')) {
                            return Err(unpaired());
                        }
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(unpaired());
                        }
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(unpaired()),
                    _ => high,
                };
                return char::from_u32(code).ok_or_else(unpaired);
            }
            _ => {
                return Err(
                    self.expected("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX after '\\'")
                )
            }
        };
        self.bump();
        Ok(c)
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|c| c.to_digit(16));
            let digit = digit.ok_or_else(|| self.expected("four hex digits after \\u"))?;
            self.bump();
            code = code * 16 + digit;
        }
        Ok(code)
    }

    fn array(&mut self) -> Parsed<Value> {
        self.bump(); // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            if self.eat(']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(',') {
                return Err(self.expected("',' or ']' after an array element"));
            }
        }
    }

    fn object(&mut self) -> Parsed<Value> {
        self.bump(); // '{'
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        self.skip_ws();
        if self.eat('}') {
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            let pos = self.pos;
            if self.peek() != Some('"') {
                return Err(self.expected("a string key"));
            }
            let key = self.string()?;
            if !seen.insert(key.clone()) {
                return Err((pos, format!("duplicate key {key:?}")));
            }
            self.skip_ws();
            if !self.eat(':') {
                return Err(self.expected("':' after an object key"));
            }
            members.push((key, pos, self.value()?));
            self.skip_ws();
            if self.eat('}') {
                return Ok(Value::Object(members));
            }
            if !self.eat(',') {
                return Err(self.expected("',' or '}' after an object member"));
            }
        }
    }
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

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(100_000);
        let column = u32::try_from(MAX_DEPTH).unwrap() + 1;
        assert_eq!(
            parse(&deep),
            Err((
                pos(1, column),
                format!("nesting deeper than {MAX_DEPTH} levels")
            ))
        );
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
