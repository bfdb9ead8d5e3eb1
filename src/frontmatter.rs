//! Splits a source into its `+++` front matter and body, keeping byte offsets, and turns
//! TOML text (front matter, config.toml, data files) into a serde struct while collecting
//! every problem of the file, not only the first ([`parse_toml`]).
//!
//! toml stops at the first syntax error, and serde stops at the first unknown key or wrong
//! type. So after a failed attempt the document is deserialized again one top-level key
//! (one `[[table]]` element) at a time: each problem is reported at its position, an
//! unknown key is left out and the rest of its table checked, and the struct is made of
//! the keys that had no problem, so that the report's own rules (scores, slugs) still run.

use std::ops::Range;
use std::path::Path;

use serde::de::{DeserializeOwned, Visitor};
use toml::de::{DeArray, DeString, DeTable, DeValue};
use toml::Spanned;

use crate::diagnostics::{suggest, Diagnostic, Position};

/// A source cut in two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The TOML between the fences.
    pub front: &'a str,
    /// Byte offset of `front` in the file.
    pub front_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
}

/// Finds the `+++` fences. The opening one must be the first line.
pub fn split_front_matter<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "+++" {
        return Err(
            Diagnostic::error(path, "the file does not start with `+++` front matter")
                .at(text, 0)
                .with_help("put the report's TOML front matter between two lines of `+++` at the top of the file"),
        );
    }
    let mut offset = first_end;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == "+++" {
            return Ok(Split {
                front: &text[first_end..offset],
                front_offset: first_end,
                body: &text[end..],
            });
        }
        offset = end;
    }
    Err(Diagnostic::error(path, "the front matter opened here is never closed")
        .at(text, 0)
        .with_help("add a line with `+++` after the last front-matter field"))
}

/// A TOML text inside a file: where problems point.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TomlText<'a> {
    /// The file, relative to the site root.
    pub file: &'a Path,
    /// The whole file's text (positions are lines of the file).
    pub file_text: &'a str,
    /// Byte offset of `toml` in `file_text`.
    pub offset: usize,
    /// The TOML.
    pub toml: &'a str,
}

/// A TOML text deserialized, with every problem found.
#[derive(Debug)]
pub(crate) struct TomlParse<T> {
    /// The value made of the keys that had no problem; `None` after a syntax error (or
    /// when a required key of `T` is missing).
    pub value: Option<T>,
    /// Every problem, in file order.
    pub errors: Vec<Diagnostic>,
    /// Top-level keys left out of `value` because of their problems: a check that such a
    /// key is present would only repeat the problem.
    pub broken: Vec<String>,
}

/// Rounds of "leave the unknown key out and try again" per table: more unknown keys than
/// this in one table are not all listed.
const MAX_ROUNDS: usize = 32;

/// A span no value of the document has: it marks the root of a one-key table, so that a
/// "missing field" about the root (another top-level key) is told apart from one about a
/// table of the document.
const ROOT: Range<usize> = usize::MAX - 1..usize::MAX;

/// Deserializes `T` from TOML text, collecting every problem (see the module's doc).
pub(crate) fn parse_toml<T: DeserializeOwned>(at: TomlText<'_>) -> TomlParse<T> {
    let root = match DeTable::parse(at.toml) {
        Ok(root) => root,
        Err(e) => return failed(vec![syntax_diagnostic(at, &e)]),
    };
    // The common case, a valid file, costs one pass.
    let first_error = match from_table::<T>(root) {
        Ok(value) => {
            return TomlParse {
                value: Some(value),
                errors: Vec::new(),
                broken: Vec::new(),
            }
        }
        Err(e) => e,
    };
    // Parsing again is cheaper than cloning every file's table up front.
    let table = match DeTable::parse(at.toml) {
        Ok(t) => t.into_inner(),
        Err(e) => return failed(vec![syntax_diagnostic(at, &e)]),
    };
    let doc = Doc {
        at,
        table: &table,
        top_fields: field_names::<T>(),
    };
    let mut errors = Vec::new();
    let mut broken = Vec::new();
    let mut good = DeTable::new();
    for (key, value) in table.iter() {
        match value.get_ref() {
            DeValue::Array(items) if !items.is_empty() && items.iter().all(|i| i.get_ref().is_table()) => {
                let mut kept = DeArray::new();
                let mut all = true;
                for item in items.iter() {
                    match doc.check_unit::<T>(key, item.clone(), Some(value.span()), &mut errors) {
                        Some(clean) => kept.push(clean),
                        None => all = false,
                    }
                }
                if !all {
                    broken.push(key.get_ref().to_string());
                }
                good.insert(key.clone(), Spanned::new(value.span(), DeValue::Array(kept)));
            }
            _ => match doc.check_unit::<T>(key, value.clone(), None, &mut errors) {
                Some(clean) => {
                    good.insert(key.clone(), clean);
                }
                None => broken.push(key.get_ref().to_string()),
            },
        }
    }
    let value = match from_table::<T>(Spanned::new(0..at.toml.len(), good)) {
        Ok(v) => Some(v),
        Err(e) => {
            // A required key that is missing, or left out for its own problem above.
            let left_out = missing_field(&e).is_some_and(|f| broken.iter().any(|b| b == f));
            if !left_out {
                errors.push(doc.diagnostic(&e));
            }
            None
        }
    };
    if errors.is_empty() {
        // Every key passed on its own, yet the whole did not: report what serde said.
        errors.push(doc.diagnostic(&first_error));
    }
    errors.sort_by_key(|d| d.position);
    errors.dedup();
    TomlParse { value, errors, broken }
}

fn failed<T>(errors: Vec<Diagnostic>) -> TomlParse<T> {
    TomlParse {
        value: None,
        errors,
        broken: Vec::new(),
    }
}

fn from_table<T: DeserializeOwned>(table: Spanned<DeTable<'_>>) -> Result<T, toml::de::Error> {
    T::deserialize(toml::de::Deserializer::from(table))
}

/// A TOML syntax error: toml cannot read past it, so it is the file's only problem.
fn syntax_diagnostic(at: TomlText<'_>, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim();
    let mut d = Diagnostic::error(at.file, message.lines().next().unwrap_or(message));
    if let Some(span) = e.span() {
        d = d.at(at.file_text, at.offset + span.start);
    }
    d
}

/// The field names of the struct `T` deserializes as, straight from its serde derive
/// (serde hands them to `deserialize_struct`): the keys valid at its level. Empty for a
/// type that is not a struct (a map).
pub(crate) fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(serde::de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    // The probe always fails: it only reads the names serde passes in.
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// `missing field `x`` -> `x`.
fn missing_field(e: &toml::de::Error) -> Option<&str> {
    backticked(e.message().strip_prefix("missing field ")?).next()
}

/// `unknown field `x`, expected one of `a`, `b`` -> (`x`, [`a`, `b`]): serde's own list of
/// the keys valid there.
fn unknown_field(e: &toml::de::Error) -> Option<(&str, Vec<&str>)> {
    let rest = e.message().strip_prefix("unknown field ")?;
    let (name, expected) = match rest.split_once(", expected ") {
        Some((name, expected)) => (name, backticked(expected).collect()),
        None => (rest, Vec::new()),
    };
    Some((backticked(name).next()?, expected))
}

/// The `quoted` words of a message, in order.
fn backticked(s: &str) -> impl Iterator<Item = &str> {
    s.split('`').skip(1).step_by(2)
}

/// One document being checked.
struct Doc<'a, 'i> {
    at: TomlText<'a>,
    table: &'a DeTable<'i>,
    top_fields: &'static [&'static str],
}

/// Where a key or value sits: the keys of the tables around it, outermost first, and
/// whether each of those is an array of tables.
struct Found<'a, 'i> {
    path: Vec<(&'a str, bool)>,
    key: &'a Spanned<DeString<'i>>,
    /// The index when the match is an element of an array (the key is the array's).
    item: Option<usize>,
}

impl<'a, 'i> Doc<'a, 'i> {
    /// Checks one top-level key (or one element of an array of tables) on its own. An
    /// unknown key is reported, left out, and the rest checked again; any other problem is
    /// reported and the unit left out. Returns the unit without its unknown keys when
    /// nothing else was wrong.
    fn check_unit<T: DeserializeOwned>(
        &self,
        key: &Spanned<DeString<'i>>,
        mut unit: Spanned<DeValue<'i>>,
        array: Option<Range<usize>>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<DeValue<'i>>> {
        for _ in 0..MAX_ROUNDS {
            let value = match &array {
                Some(span) => {
                    let mut a = DeArray::new();
                    a.push(unit.clone());
                    Spanned::new(span.clone(), DeValue::Array(a))
                }
                None => unit.clone(),
            };
            let mut single = DeTable::new();
            single.insert(key.clone(), value);
            let e = match from_table::<T>(Spanned::new(ROOT, single)) {
                Ok(_) => return Some(unit),
                Err(e) => e,
            };
            if missing_field(&e).is_some() && e.span().is_none_or(|s| s == ROOT) {
                // A required top-level key that is another unit's business.
                return Some(unit);
            }
            errors.push(self.diagnostic(&e));
            match (unknown_field(&e), e.span()) {
                (Some(_), Some(span)) if remove_key(unit.get_mut(), &span) => continue,
                _ => return None,
            }
        }
        None
    }

    /// A deserialization error as a diagnostic that names the key and, for an unknown
    /// key, says what to do.
    fn diagnostic(&self, e: &toml::de::Error) -> Diagnostic {
        let span = e.span().filter(|s| *s != ROOT);
        let mut d = Diagnostic::error(self.at.file, e.message().lines().next().unwrap_or_default());
        if let Some(s) = &span {
            d = d.at(self.at.file_text, self.at.offset + s.start.min(self.at.toml.len()));
        }
        let found = span.as_ref().and_then(|s| self.find(s));
        if let Some((name, expected)) = unknown_field(e) {
            return self.unknown_key(d, name, &expected, found.as_ref());
        }
        if let Some(name) = missing_field(e) {
            // serde points at the table's header, when it has one.
            let header = span.as_ref().and_then(|s| {
                let line = self.line_from(s.start).trim_start();
                line.starts_with('[')
                    .then(|| line.rfind(']').map(|i| format!("`{}`", &line[..=i])))?
            });
            let table = found
                .as_ref()
                .filter(|f| f.item.is_some() || !f.path.is_empty())
                .map(|f| self.table_name(f, true))
                .or(header);
            d.message = match table {
                Some(table) => format!("missing field `{name}` in {table}"),
                None => format!("missing field `{name}`"),
            };
            return d;
        }
        let invalid = e
            .message()
            .strip_prefix("invalid type: ")
            .or_else(|| e.message().strip_prefix("invalid value: "));
        if let (Some(rest), Some(f)) = (invalid, &found) {
            if let Some((got, want)) = rest.split_once(", expected ") {
                let key = f.key.get_ref();
                d.message = match f.item {
                    Some(_) => format!("each item of `{key}` must be {want}, found {got}"),
                    None => format!("`{key}` must be {want}, found {got}"),
                };
            }
        }
        d
    }

    fn unknown_key(
        &self,
        mut d: Diagnostic,
        name: &str,
        expected: &[&str],
        found: Option<&Found<'_, '_>>,
    ) -> Diagnostic {
        let inside = found.filter(|f| !f.path.is_empty());
        if let Some(f) = inside {
            let table = self.table_name(f, false);
            if self.top_fields.contains(&name) && self.is_header(f.path[0].0) {
                // FORMAT.md's warning: a key written after `[table]` belongs to that table.
                d.message = format!("`{name}` landed inside {table}, which has no such field");
                let first = self.first_header();
                d.help = Some(match first {
                    Some((header, line)) => format!(
                        "a key written after a table header belongs to that table: move `{name}` above the first table ({header} on line {line})"
                    ),
                    None => format!("a key written after a table header belongs to that table: move `{name}` above it"),
                });
                return d;
            }
            d.message = format!("unknown field `{name}` in {table}");
        } else {
            d.message = format!("unknown field `{name}`");
        }
        let top_level_typo = inside
            .filter(|f| self.is_header(f.path[0].0))
            .and_then(|_| suggest(name, self.top_fields));
        match (suggest(name, expected), top_level_typo) {
            (Some(s), _) => d.message.push_str(&format!(", did you mean `{s}`?")),
            (None, Some(top)) => {
                let first = self
                    .first_header()
                    .map(|(h, line)| format!(" ({h} on line {line})"))
                    .unwrap_or_default();
                d.help = Some(format!(
                    "if you meant `{top}`, it goes above the first table{first}: a key written after a table header belongs to that table"
                ));
            }
            (None, None) if expected.is_empty() => {}
            (None, None) => {
                let list: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
                d.help = Some(format!("the fields here are {}", list.join(", ")));
            }
        }
        d
    }

    /// The table holding `f` as written in a header: `[next]`, `[[scores]]`, `[a.b]`.
    /// With `with_self`, an element of an array of tables is named by its own header.
    fn table_name(&self, f: &Found<'_, '_>, with_self: bool) -> String {
        let mut path: Vec<(&str, bool)> = f.path.clone();
        if with_self && f.item.is_some() {
            path.push((f.key.get_ref(), true));
        }
        let names: Vec<&str> = path.iter().map(|(k, _)| *k).collect();
        match path.last() {
            Some((_, true)) => format!("`[[{}]]`", names.join(".")),
            _ => format!("`[{}]`", names.join(".")),
        }
    }

    /// True when the top-level `key` was opened by a `[key]` or `[[key]]` line rather
    /// than written as `key = { ... }`.
    fn is_header(&self, key: &str) -> bool {
        self.table
            .get_key_value(key)
            .is_some_and(|(k, _)| self.line_before(k.span().start).trim_start().starts_with('['))
    }

    fn line_before(&self, offset: usize) -> &str {
        let before = self.at.toml.get(..offset).unwrap_or_default();
        before.rfind('\n').map_or(before, |i| &before[i + 1..])
    }

    fn line_from(&self, offset: usize) -> &str {
        let after = self.at.toml.get(offset..).unwrap_or_default();
        after.split('\n').next().unwrap_or_default()
    }

    /// The first table header of the document and its line in the file.
    fn first_header(&self) -> Option<(String, usize)> {
        self.table
            .iter()
            .filter(|(k, _)| self.is_header(k.get_ref()))
            .min_by_key(|(k, _)| k.span().start)
            .map(|(k, v)| {
                let name = match v.get_ref() {
                    DeValue::Array(_) => format!("`[[{}]]`", k.get_ref()),
                    _ => format!("`[{}]`", k.get_ref()),
                };
                let line = Position::at(self.at.file_text, self.at.offset + k.span().start).line;
                (name, line)
            })
    }

    /// The key whose name or value has exactly `span`, with the tables around it.
    fn find(&self, span: &Range<usize>) -> Option<Found<'a, 'i>> {
        fn walk<'a, 'i>(
            table: &'a DeTable<'i>,
            span: &Range<usize>,
            path: &mut Vec<(&'a str, bool)>,
        ) -> Option<Found<'a, 'i>> {
            for (k, v) in table.iter() {
                if k.span() == *span || v.span() == *span {
                    return Some(Found {
                        path: path.clone(),
                        key: k,
                        item: None,
                    });
                }
                match v.get_ref() {
                    DeValue::Table(t) => {
                        path.push((k.get_ref(), false));
                        let found = walk(t, span, path);
                        path.pop();
                        if found.is_some() {
                            return found;
                        }
                    }
                    DeValue::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if item.span() == *span {
                                return Some(Found {
                                    path: path.clone(),
                                    key: k,
                                    item: Some(i),
                                });
                            }
                            if let DeValue::Table(t) = item.get_ref() {
                                path.push((k.get_ref(), true));
                                let found = walk(t, span, path);
                                path.pop();
                                if found.is_some() {
                                    return found;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        walk(self.table, span, &mut Vec::new())
    }
}

/// Removes the key whose name has `span` from the tables inside `value`.
fn remove_key(value: &mut DeValue<'_>, span: &Range<usize>) -> bool {
    match value {
        DeValue::Table(t) => {
            let hit = t.iter().find(|(k, _)| k.span() == *span).map(|(k, _)| k.clone());
            if let Some(k) = hit {
                t.remove(&k);
                return true;
            }
            t.iter_mut().any(|(_, v)| remove_key(v.get_mut(), span))
        }
        DeValue::Array(items) => items.iter_mut().any(|v| remove_key(v.get_mut(), span)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let cases = [
            ("+++\na = 1\n+++\nbody\n", "a = 1\n", "body\n"),
            ("+++\r\na = 1\r\n+++\r\n", "a = 1\r\n", ""),
            ("+++\n+++", "", ""),
            ("+++  \na\n+++ \n\n# x", "a\n", "\n# x"),
        ];
        for (text, front, body) in cases {
            let s = split_front_matter(Path::new("a.md"), text).unwrap();
            assert_eq!((s.front, s.body), (front, body), "{text:?}");
            assert_eq!(&text[s.front_offset..s.front_offset + front.len()], front);
        }
    }

    #[test]
    fn missing_fences_are_errors() {
        let open = split_front_matter(Path::new("a.md"), "title = 1\n").unwrap_err();
        assert!(open.message.contains("does not start with `+++`"));
        let close = split_front_matter(Path::new("a.md"), "+++\ntitle = 1\n").unwrap_err();
        assert_eq!(close.message, "the front matter opened here is never closed");
        assert_eq!(close.position.unwrap().line, 1);
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        items: Vec<Item>,
        next: Option<Next>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        name: String,
        size: Option<u8>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Next {
        milestone: Option<String>,
    }

    fn problems(toml: &str) -> (bool, Vec<String>) {
        let parsed = parse_toml::<Doc>(TomlText {
            file: Path::new("a.toml"),
            file_text: toml,
            offset: 0,
            toml,
        });
        let lines = parsed
            .errors
            .iter()
            .map(|d| {
                let p = d
                    .position
                    .map(|p| format!("{}:{}", p.line, p.column))
                    .unwrap_or_default();
                format!("{p} {}", d.message)
            })
            .collect();
        (parsed.value.is_some(), lines)
    }

    #[test]
    fn field_names_come_from_the_serde_struct() {
        assert_eq!(field_names::<Doc>(), ["title", "tags", "items", "next"]);
        assert_eq!(field_names::<Item>(), ["name", "size"]);
        assert!(field_names::<std::collections::HashMap<String, u8>>().is_empty());
    }

    #[test]
    fn every_problem_is_reported_in_file_order() {
        let cases: &[(&str, &[&str])] = &[
            ("title = \"a\"\n", &[]),
            (
                "titel = 1\ntags = [1]\n",
                &[
                    "1:1 unknown field `titel`, did you mean `title`?",
                    "2:9 each item of `tags` must be a string, found integer `1`",
                ],
            ),
            (
                "[[items]]\nnam = \"a\"\nname = \"b\"\nsise = 1\n[[items]]\nname = \"c\"\nsize = 300\n",
                &[
                    "2:1 unknown field `nam` in `[[items]]`, did you mean `name`?",
                    "4:1 unknown field `sise` in `[[items]]`, did you mean `size`?",
                    "7:8 `size` must be u8, found integer `300`",
                ],
            ),
            ("[[items]]\nsize = 1\n", &["1:1 missing field `name` in `[[items]]`"]),
            (
                "[next]\nmilestone = \"m\"\ntitle = \"t\"\n",
                &["3:1 `title` landed inside `[next]`, which has no such field"],
            ),
            (
                "next = { title = \"t\" }\n",
                &["1:10 unknown field `title` in `[next]`"],
            ),
            (
                "title = \n",
                &["1:9 string values must be quoted, expected literal string"],
            ),
        ];
        for (toml, want) in cases {
            let (_, got) = problems(toml);
            assert_eq!(&got, want, "{toml}");
        }
    }

    #[test]
    fn keys_without_problems_still_make_a_value() {
        // The value lets later checks (scores, slugs) run beside the TOML problems.
        let (value, got) = problems("title = \"a\"\ntitel = 1\n");
        assert!(value, "{got:?}");
        let (value, _) = problems("title = \n");
        assert!(!value, "a syntax error leaves nothing to check");
    }
}
