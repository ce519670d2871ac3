//! Every error code the Rust sources can send to the window has a text in English and in
//! Hindi in the UI catalogue (`err.<code>` in ui/src/lib/messages/{en,hi}.ts).
//!
//! The codes are read from the sources themselves: the match in `Error::code()`, every
//! `Error::invalid("code", …)` call and every `Error::Invalid { code: "code", … }` value.
//! A call whose code is not a string literal (or a `const` of the same file) fails the
//! test too, so a new code cannot slip past the scan.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The codes the UI makes itself (api.ts: a call that failed before reaching the core).
const UI_CODES: &[&str] = &["ipc"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal at the start of `s` (after blanks), if there is one.
fn literal(s: &str) -> Option<&str> {
    let s = s.trim_start().strip_prefix('"')?;
    s.find('"').map(|end| &s[..end])
}

/// The identifier at the start of `s` (after blanks).
fn ident(s: &str) -> &str {
    let s = s.trim_start();
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// `const NAME: &str = "value";` in the same file.
fn const_value<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let at = text.find(&format!("const {name}: &str ="))?;
    literal(text[at..].split_once('=')?.1)
}

/// The value of a struct field: up to the `,` or `}` that ends it (braces inside count).
fn field_value(s: &str) -> &str {
    let (mut depth, mut quoted) = (0, false);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted && depth == 0 => return &s[..i],
            '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => return &s[..i],
            _ => {}
        }
    }
    s
}

/// A literal code, or a `const` of this file holding one.
fn code_at<'a>(text: &'a str, rest: &'a str) -> Option<&'a str> {
    literal(rest).or_else(|| const_value(text, ident(rest)))
}

/// Every code the sources can send, with where it is sent from; and the places whose code
/// cannot be read.
fn sent_codes() -> (BTreeMap<String, String>, Vec<String>) {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src-tauri/core/src"), &mut files);
    rust_files(&Path::new(ROOT).join("src-tauri/src"), &mut files);
    files.sort();
    let mut codes = BTreeMap::new();
    let mut unreadable = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.strip_prefix(ROOT).unwrap().display().to_string();
        let is_error_rs = name.ends_with("core/src/error.rs");
        let line_of = |at: usize| text[..at].lines().count();
        for (at, _) in text.match_indices("Error::invalid(").chain(text.match_indices("Self::invalid(")) {
            let rest = text[at..].split_once('(').unwrap().1;
            match code_at(&text, rest) {
                Some(code) => {
                    codes.entry(code.to_owned()).or_insert_with(|| format!("{name}:{}", line_of(at)));
                }
                None => unreadable.push(format!("{name}:{}", line_of(at))),
            }
        }
        for pattern in ["Error::Invalid {", "Self::Invalid {", "Error::InvalidWith {", "Self::InvalidWith {"] {
            for (at, _) in text.match_indices(pattern) {
                let rest = text[at + pattern.len()..].trim_start();
                let fields = &rest[..rest.find('}').unwrap_or(rest.len())];
                if fields.trim_end().ends_with("..") && !fields.contains("code:") {
                    continue; // a pattern that matches any code
                }
                // `code: "x"`, `code: CONST` or `code: if … { "x" } else { "y" }`.
                let value = rest.strip_prefix("code:").map(field_value);
                let mut found: Vec<&str> = value.map(|v| v.split('"').skip(1).step_by(2).collect()).unwrap_or_default();
                if found.is_empty() {
                    found.extend(value.and_then(|v| const_value(&text, ident(v))));
                }
                match found.is_empty() {
                    false => {
                        for code in found {
                            codes.entry(code.to_owned()).or_insert_with(|| format!("{name}:{}", line_of(at)));
                        }
                    }
                    // The constructor in error.rs passes its argument on; the pattern in
                    // `code()` reads it back.
                    true if is_error_rs && (rest.starts_with("code,") || rest.starts_with("code ")) => {}
                    true => unreadable.push(format!("{name}:{} (put `code: \"…\"` first)", line_of(at))),
                }
            }
        }
        if is_error_rs {
            let body = text.split_once("pub fn code(&self)").unwrap().1;
            let body = &body[..body.find("\n    }\n").unwrap()];
            for (at, _) in body.match_indices("=> \"") {
                let code = literal(&body[at + 2..]).unwrap();
                codes.entry(code.to_owned()).or_insert_with(|| format!("{name}: Error::code()"));
            }
        }
    }
    for code in UI_CODES {
        codes.insert((*code).to_owned(), "ui/src/lib/api.ts".to_owned());
    }
    (codes, unreadable)
}

/// The `err.*` keys of a catalogue file, with their texts.
fn catalogue(file: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("ui/src/lib/messages").join(file)).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        for quote in ['\'', '"'] {
            let Some(rest) = line.strip_prefix(quote).and_then(|l| l.strip_prefix("err.")) else { continue };
            let Some((code, value)) = rest.split_once(quote) else { continue };
            let value = value.trim_start_matches(':').trim().trim_end_matches(',');
            out.insert(code.to_owned(), value.trim_matches(|c| c == '"' || c == '\'').to_owned());
        }
    }
    out
}

#[test]
fn every_error_code_has_english_and_hindi() {
    let (codes, unreadable) = sent_codes();
    assert!(unreadable.is_empty(), "error codes the scan cannot read (use a string literal): {unreadable:#?}");
    // The scan finds what it must: codes from the match, from calls and from values.
    for known in ["not_found", "sign_in_wait", "name_empty", "last_admin", "restore_not_prepared"] {
        assert!(codes.contains_key(known), "the scan missed {known}");
    }
    let en = catalogue("en.ts");
    let hi = catalogue("hi.ts");
    let mut missing = Vec::new();
    for (code, from) in &codes {
        for (lang, cat) in [("en", &en), ("hi", &hi)] {
            match cat.get(code) {
                None => missing.push(format!("{lang}: err.{code} (sent from {from})")),
                Some(text) if text.trim().is_empty() => missing.push(format!("{lang}: err.{code} is empty")),
                Some(_) => {}
            }
        }
    }
    assert!(missing.is_empty(), "{} error texts missing:\n{}", missing.len(), missing.join("\n"));
    // Hindi texts are written in Devanagari, not English left in place.
    let latin: Vec<&String> = codes
        .keys()
        .filter(|c| hi.get(*c).is_some_and(|t| !t.chars().any(|ch| ('\u{0900}'..='\u{097F}').contains(&ch))))
        .collect();
    assert!(latin.is_empty(), "Hindi error texts without Devanagari: {latin:?}");
}

/// Every key of a catalogue file.
fn keys(file: &str) -> std::collections::BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("ui/src/lib/messages").join(file)).unwrap();
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let quote = line.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            line[1..].split_once(quote).map(|(k, _)| k.to_owned())
        })
        .collect()
}

/// The arguments of the call whose `(` ends `head`, split at the top level.
fn call_args(rest: &str) -> Vec<&str> {
    let (mut depth, mut quoted, mut start) = (0, false, 0);
    let mut out = Vec::new();
    for (i, c) in rest.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted && depth == 0 => {
                out.push(rest[start..i].trim());
                return out;
            }
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(rest[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// Every action the program writes to the audit trail (`audit::record(tx, ctx, "action",
/// …)`, outside tests) is worded on the Audit screen: `audit.act.<action>` in English and
/// Hindi, so an administrator reading the trail in Hindi meets no code.
#[test]
fn every_audit_action_has_english_and_hindi() {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src-tauri/core/src"), &mut files);
    rust_files(&Path::new(ROOT).join("src-tauri/src"), &mut files);
    let mut actions = BTreeMap::new();
    for file in files.iter().filter(|f| !f.to_string_lossy().contains("test")) {
        let text = std::fs::read_to_string(file).unwrap();
        // Test modules at the end of a file write made-up actions.
        let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or_default();
        let name = file.strip_prefix(ROOT).unwrap().display().to_string();
        for pattern in ["audit::record(", " record(tx,", " record(&tx,"] {
            for (at, _) in text.match_indices(pattern) {
                let open = at + pattern.find('(').unwrap() + 1;
                if let Some(action) = call_args(&text[open..]).get(2).and_then(|a| literal(a)) {
                    actions.entry(action.to_owned()).or_insert_with(|| name.clone());
                }
            }
        }
    }
    for known in ["sign_in", "patient_created", "backup_made", "roster_printed"] {
        assert!(actions.contains_key(known), "the scan missed {known}");
    }
    let mut missing = Vec::new();
    for file in ["en.ts", "hi.ts"] {
        let have = keys(file);
        for (action, from) in &actions {
            if !have.contains(&format!("audit.act.{action}")) {
                missing.push(format!("{file}: audit.act.{action} (written in {from})"));
            }
        }
    }
    assert!(missing.is_empty(), "{} audit actions without words:\n{}", missing.len(), missing.join("\n"));
}
