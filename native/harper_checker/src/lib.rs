//! A C ABI over harper-core's curated lint group: the same calls harper.js's `LocalLinter` makes
//! (curated dictionary, curated rules with `SpellCheck` off, plain-English parser,
//! `organized_lints` + `remove_overlaps_map`), for a native alternative to the wasm build.
use std::collections::BTreeMap;
use std::sync::Arc;

use harper_core::linting::{Lint, LintGroup};
use harper_core::parsers::PlainEnglish;
use harper_core::spell::{FstDictionary, MergedDictionary, MutableDictionary};
use harper_core::{remove_overlaps_map, Dialect, Document};

pub struct Checker {
    group: LintGroup,
    dictionary: Arc<MergedDictionary>,
}

fn dialect_of(code: u32) -> Dialect {
    match code {
        1 => Dialect::British,
        2 => Dialect::Australian,
        3 => Dialect::Canadian,
        _ => Dialect::American,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn harper_checker_new(dialect: u32, spell_check: u32) -> *mut Checker {
    let mut merged = MergedDictionary::new();
    merged.add_dictionary(FstDictionary::curated());
    merged.add_dictionary(Arc::new(MutableDictionary::default()));
    let dictionary = Arc::new(merged);
    let mut group = LintGroup::new_curated_empty_config(dictionary.clone(), dialect_of(dialect));
    group.config.set_rule_enabled("SpellCheck", spell_check != 0);
    Box::into_raw(Box::new(Checker { group, dictionary }))
}

fn lints_json(checker: &mut Checker, text: &str) -> String {
    let document = Document::new(text, &PlainEnglish, checker.dictionary.as_ref());
    let saved = checker.group.config.clone();
    checker.group.config.fill_with_curated();
    let mut lints: BTreeMap<String, Vec<Lint>> = checker.group.organized_lints(&document);
    checker.group.config = saved;
    remove_overlaps_map(&mut lints);
    let mut out = Vec::new();
    for (rule, ls) in lints {
        for l in ls {
            out.push(serde_json::json!({
                "rule": rule,
                "kind": l.lint_kind.to_string_key(),
                "start": l.span.start,
                "end": l.span.end,
                "message": l.message,
            }));
        }
    }
    serde_json::Value::Array(out).to_string()
}

/// Lints of UTF-8 `text` as JSON; the length goes to `out_len`; free with `harper_checker_free`.
#[unsafe(no_mangle)]
pub extern "C" fn harper_checker_lint(
    checker: *mut Checker,
    text: *const u8,
    len: usize,
    out_len: *mut usize,
) -> *mut u8 {
    let checker = unsafe { &mut *checker };
    let bytes = unsafe { std::slice::from_raw_parts(text, len) };
    let text = String::from_utf8_lossy(bytes);
    let json = lints_json(checker, &text).into_bytes().into_boxed_slice();
    unsafe { *out_len = json.len() };
    Box::into_raw(json) as *mut u8
}

#[unsafe(no_mangle)]
pub extern "C" fn harper_checker_free(ptr: *mut u8, len: usize) {
    unsafe { drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len))) };
}

/// Turn on (1) or off (0) the audit of the noun-phrase chunker: while on, every sentence chunked
/// also runs burn's forward pass and the two are compared (see `harper_checker_chunker_counts`).
#[unsafe(no_mangle)]
pub extern "C" fn harper_checker_chunker_audit(enable: u32) {
    harper_pos_utils::chunker_audit::set_enabled(enable != 0);
}

/// The chunker audit's counts since the library was loaded, written to `out[0..3]`: tokens
/// compared, tokens whose value differs from burn's in any bit, tokens whose noun-phrase flag
/// differs.
#[unsafe(no_mangle)]
pub extern "C" fn harper_checker_chunker_counts(out: *mut u64) {
    let counts = harper_pos_utils::chunker_audit::counts();
    let out = unsafe { std::slice::from_raw_parts_mut(out, 3) };
    for (o, c) in out.iter_mut().zip(counts) {
        *o = c as u64;
    }
}
