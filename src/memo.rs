//! `cached(macro, args...)`: a macro call rendered once per build for each distinct set of
//! arguments, like Hugo's `partialCached`. A report's card shows up on the home page, its
//! category, each of its tags and tickers; the default theme renders the card's shared part
//! through `cached` so that each card is rendered once instead of a dozen times.
//!
//! The cache key is the macro's name and every argument, by value: two calls share a
//! result only when they would render the same text, provided the macro depends on its
//! arguments alone and no two macros of the same name go through `cached` in one build. Report cards carry a fingerprint of what they are
//! made of ([`Fingerprinted`]), so that keying a call on a card costs one integer.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use minijinja::value::{Enumerator, Object, ObjectRepr, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

/// A map value with a fingerprint of its contents: equal fingerprints, equal values.
#[derive(Debug)]
pub struct Fingerprinted {
    fingerprint: u64,
    inner: Value,
}

impl Fingerprinted {
    /// Wraps `inner` (a map); `fingerprint` must change whenever its contents do.
    pub fn value(fingerprint: u64, inner: Value) -> Value {
        Value::from_object(Fingerprinted { fingerprint, inner })
    }
}

impl Object for Fingerprinted {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.inner.as_object()?.get_value(key)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        self.inner.as_object()?.get_value_by_str(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.inner.try_iter() {
            Ok(keys) => Enumerator::Values(keys.collect()),
            Err(_) => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        self.inner.len()
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.inner.is_true()
    }
}

/// Feeds what makes `v` render as it does into `h`.
fn feed(v: &Value, h: &mut DefaultHasher) {
    if let Some(f) = v.downcast_object_ref::<Fingerprinted>() {
        0xF1u8.hash(h);
        f.fingerprint.hash(h);
        return;
    }
    (v.kind() as u8).hash(h);
    v.is_safe().hash(h);
    match v.kind() {
        ValueKind::Map | ValueKind::Seq | ValueKind::Iterable => {
            let is_map = v.kind() == ValueKind::Map;
            match v.try_iter() {
                Ok(items) => {
                    for item in items {
                        feed(&item, h);
                        if is_map {
                            feed(&v.get_item(&item).unwrap_or_default(), h);
                        }
                    }
                }
                Err(_) => v.hash(h),
            }
        }
        // Macros and other callables: their name and arguments (what `hash` sees).
        _ => v.hash(h),
    }
}

/// Feeds formatted text into a hasher without building a string.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// The `cached` global: calls a macro, or returns what the same call returned before.
#[derive(Debug, Default)]
struct Cached {
    results: Mutex<rustc_hash::FxHashMap<u64, Value>>,
}

impl Object for Cached {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let Some((callee, rest)) = args.split_first() else {
            return Err(Error::new(
                ErrorKind::MissingArgument,
                "cached(macro, ...) needs the macro to call",
            ));
        };
        let mut h = DefaultHasher::new();
        // The macro by name (its debug form, `<macro name>`), written straight into the
        // hasher: two macros of the same name are one as far as the cache goes.
        let _ = write!(HashWriter(&mut h), "{callee:?}");
        for a in rest {
            feed(a, &mut h);
        }
        let key = h.finish();
        if let Some(hit) = self.results.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(hit.clone());
        }
        let out = callee.call(state, rest)?;
        self.results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, out.clone());
        Ok(out)
    }
}

/// Adds `cached` to `env`, with an empty cache.
pub fn install(env: &mut Environment<'static>) {
    env.add_global("cached", Value::from_object(Cached::default()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn env_with_counter() -> (Environment<'static>, Arc<AtomicUsize>) {
        let mut env = Environment::new();
        install(&mut env);
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        env.add_function("count", move || {
            c.fetch_add(1, Ordering::SeqCst);
            String::new()
        });
        env.add_template(
            "m.html",
            "{% macro show(x, sep='-') %}{{ count() }}[{{ x.title }}{{ sep }}{{ x.n }}]{% endmacro %}",
        )
        .unwrap();
        (env, calls)
    }

    #[test]
    fn same_arguments_render_once_and_different_ones_apart() {
        let (mut env, calls) = env_with_counter();
        env.add_template(
            "page.html",
            "{% import 'm.html' as m %}{% for x in items %}{{ cached(m.show, x) }}{% endfor %}|{{ cached(m.show, items[0], sep='+') }}",
        )
        .unwrap();
        let a = Value::from(minijinja::value::Serde(serde_json::json!({"title": "A", "n": 1})));
        let b = Value::from(minijinja::value::Serde(serde_json::json!({"title": "B", "n": 2})));
        let items = vec![a.clone(), b.clone(), a.clone(), b.clone(), a];
        let out = env
            .get_template("page.html")
            .unwrap()
            .render(minijinja::context! { items })
            .unwrap();
        assert_eq!(out, "[A-1][B-2][A-1][B-2][A-1]|[A+1]");
        // A, B, and A with another keyword argument.
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn fingerprinted_values_read_like_maps_and_key_by_fingerprint() {
        let (mut env, calls) = env_with_counter();
        env.add_template(
            "page.html",
            "{% import 'm.html' as m %}{% for x in items %}{{ cached(m.show, x) }}{{ x | length }}{% endfor %}",
        )
        .unwrap();
        let map = |t: &str| Value::from(minijinja::value::Serde(serde_json::json!({"title": t, "n": 7})));
        let items = vec![
            Fingerprinted::value(1, map("One")),
            Fingerprinted::value(2, map("Two")),
            Fingerprinted::value(1, map("One")),
        ];
        let out = env
            .get_template("page.html")
            .unwrap()
            .render(minijinja::context! { items })
            .unwrap();
        assert_eq!(out, "[One-7]2[Two-7]2[One-7]2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn two_macros_called_with_the_same_arguments_render_apart() {
        let (mut env, calls) = env_with_counter();
        env.add_template(
            "two.html",
            "{% macro brief(x) %}{{ count() }}<{{ x.title }}>{% endmacro %}",
        )
        .unwrap();
        env.add_template(
            "page.html",
            "{% import 'm.html' as m %}{% import 'two.html' as t %}{% for x in items %}{{ cached(m.show, x) }}{{ cached(t.brief, x) }}{% endfor %}",
        )
        .unwrap();
        let a = Value::from(minijinja::value::Serde(serde_json::json!({"title": "A", "n": 1})));
        let out = env
            .get_template("page.html")
            .unwrap()
            .render(minijinja::context! { items => vec![a.clone(), a] })
            .unwrap();
        assert_eq!(out, "[A-1]<A>[A-1]<A>");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "each macro once");
    }

    #[test]
    fn safe_and_plain_strings_are_different_arguments() {
        let (mut env, _) = env_with_counter();
        env.add_template(
            "page.html",
            "{% macro say(s) %}{{ s }}{% endmacro %}{{ cached(say, '<b>') }} {{ cached(say, '<b>' | safe) }}",
        )
        .unwrap();
        let out = env.get_template("page.html").unwrap().render(()).unwrap();
        assert_eq!(out, "&lt;b&gt; <b>");
    }
}
