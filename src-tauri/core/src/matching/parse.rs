//! The JSON problem format, read field by field so that every complaint names the field
//! (`mentors[3].gender: expected "female", "male" or "other", found "f"`).
use serde_json::{Map, Value};

use super::{Day, Gender, Id, MAX_AGE, MAX_CAPACITY, MAX_WEIGHT, Mentee, Mentor, PairRef, Problem, Rules, Weights};

type Res<T> = Result<T, String>;

const TOP: [&str; 6] = ["rules", "weights", "mentors", "mentees", "exclusions", "keep"];
const RULES: [&str; 2] = ["same_gender", "min_recovery_days"];
const MENTOR: [&str; 11] = [
    "id",
    "gender",
    "languages",
    "substances",
    "age",
    "recovery_days",
    "trained",
    "capacity",
    "days",
    "locality",
    "groups",
];
const MENTEE: [&str; 9] = ["id", "gender", "languages", "substances", "age", "days", "locality", "groups", "prefers"];
const PAIR: [&str; 2] = ["mentor", "mentee"];

pub(super) fn problem(v: &Value) -> Res<Problem> {
    let top = v.as_object().ok_or_else(|| {
        format!("expected a JSON object with \"mentors\" and \"mentees\" at the top level, found {}", found(v))
    })?;
    let o = Obj::new(top, "", &TOP)?;
    let rules = match o.get("rules") {
        None => Rules::default(),
        Some(v) => {
            let r = Obj::of(v, "rules", &RULES)?;
            let d = Rules::default();
            Rules {
                same_gender: r.opt("same_gender", boolean)?.unwrap_or(d.same_gender),
                min_recovery_days: r
                    .opt("min_recovery_days", |v, p| whole(v, p, u32::MAX))?
                    .unwrap_or(d.min_recovery_days),
            }
        }
    };
    let weights = match o.get("weights") {
        None => Weights::default(),
        Some(v) => weights(v)?,
    };
    let mentors = o.req("mentors", |v, p| list(v, p, mentor))?;
    let mentees = o.req("mentees", |v, p| list(v, p, mentee))?;
    let exclusions = o.opt("exclusions", |v, p| list(v, p, pair))?.unwrap_or_default();
    let keep = o.opt("keep", |v, p| list(v, p, pair))?.unwrap_or_default();
    Ok(Problem { rules, weights, mentors, mentees, exclusions, keep })
}

fn weights(v: &Value) -> Res<Weights> {
    let map = v.as_object().ok_or_else(|| format!("weights: expected an object, found {}", found(v)))?;
    let mut w = Weights::default();
    for (name, value) in map {
        let path = format!("weights.{name}");
        let Some(slot) = w.get_mut(name) else {
            return Err(format!("{path}: unknown weight; the weights are {}", Weights::NAMES.join(", ")));
        };
        if !value.is_null() {
            *slot = whole(value, &path, MAX_WEIGHT)?;
        }
    }
    Ok(w)
}

fn mentor(v: &Value, path: &str) -> Res<Mentor> {
    let o = Obj::of(v, path, &MENTOR)?;
    Ok(Mentor {
        id: o.req("id", id)?,
        gender: o.req("gender", gender)?,
        languages: o.req("languages", strings)?,
        substances: o.opt("substances", strings)?.unwrap_or_default(),
        age: o.opt("age", |v, p| whole(v, p, MAX_AGE))?,
        recovery_days: o.req("recovery_days", |v, p| whole(v, p, u32::MAX))?,
        trained: o.req("trained", boolean)?,
        capacity: o.req("capacity", |v, p| whole(v, p, MAX_CAPACITY))?,
        days: o.opt("days", days)?.unwrap_or_default(),
        locality: o.opt("locality", string)?,
        groups: o.opt("groups", strings)?.unwrap_or_default(),
    })
}

fn mentee(v: &Value, path: &str) -> Res<Mentee> {
    let o = Obj::of(v, path, &MENTEE)?;
    Ok(Mentee {
        id: o.req("id", id)?,
        gender: o.req("gender", gender)?,
        languages: o.req("languages", strings)?,
        substances: o.opt("substances", strings)?.unwrap_or_default(),
        age: o.opt("age", |v, p| whole(v, p, MAX_AGE))?,
        days: o.opt("days", days)?.unwrap_or_default(),
        locality: o.opt("locality", string)?,
        groups: o.opt("groups", strings)?.unwrap_or_default(),
        prefers: o.opt("prefers", |v, p| list(v, p, id))?.unwrap_or_default(),
    })
}

fn pair(v: &Value, path: &str) -> Res<PairRef> {
    let o = Obj::of(v, path, &PAIR)?;
    Ok(PairRef { mentor: o.req("mentor", id)?, mentee: o.req("mentee", id)? })
}

/// An object being read, with its path for messages. Unknown keys are refused, so that a
/// misspelt optional field ("localty") is reported instead of silently ignored.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Obj<'a> {
    fn new(map: &'a Map<String, Value>, path: &'a str, known: &[&str]) -> Res<Obj<'a>> {
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!("{}: unknown field; the fields here are {}", join(path, k), known.join(", ")));
        }
        Ok(Obj { map, path })
    }

    fn of(v: &'a Value, path: &'a str, known: &[&str]) -> Res<Obj<'a>> {
        let map = v.as_object().ok_or_else(|| format!("{path}: expected an object, found {}", found(v)))?;
        Obj::new(map, path, known)
    }

    /// The value of a key; `null` counts as missing.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn opt<T>(&self, key: &str, read: impl Fn(&Value, &str) -> Res<T>) -> Res<Option<T>> {
        self.get(key).map(|v| read(v, &join(self.path, key))).transpose()
    }

    fn req<T>(&self, key: &str, read: impl Fn(&Value, &str) -> Res<T>) -> Res<T> {
        let path = join(self.path, key);
        match self.get(key) {
            Some(v) => read(v, &path),
            None => Err(format!("{path}: this field is required ({})", expectation(key))),
        }
    }
}

/// What a missing required field should have held.
fn expectation(key: &str) -> &'static str {
    match key {
        "id" | "mentor" | "mentee" => "expected a string or a whole number",
        "gender" => GENDERS,
        "languages" => "expected a list of strings",
        "recovery_days" => "expected a whole number of days",
        "trained" => "expected true or false",
        "capacity" => "expected a whole number",
        "mentors" | "mentees" => "expected a list of objects",
        _ => "expected a value",
    }
}

const GENDERS: &str = "expected \"female\", \"male\" or \"other\"";

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

fn list<T>(v: &Value, path: &str, item: impl Fn(&Value, &str) -> Res<T>) -> Res<Vec<T>> {
    let items = v.as_array().ok_or_else(|| format!("{path}: expected a list, found {}", found(v)))?;
    items.iter().enumerate().map(|(i, v)| item(v, &format!("{path}[{i}]"))).collect()
}

fn id(v: &Value, path: &str) -> Res<Id> {
    let expected = "expected a non-empty string or a whole number";
    match v {
        Value::String(s) if !s.is_empty() => Ok(Id::Text(s.clone())),
        Value::Number(n) => n.as_i64().map(Id::Int).ok_or_else(|| format!("{path}: {expected}, found {n}")),
        _ => Err(format!("{path}: {expected}, found {}", found(v))),
    }
}

fn gender(v: &Value, path: &str) -> Res<Gender> {
    match v.as_str() {
        Some("female") => Ok(Gender::Female),
        Some("male") => Ok(Gender::Male),
        Some("other") => Ok(Gender::Other),
        _ => Err(format!("{path}: {GENDERS}, found {}", found(v))),
    }
}

fn string(v: &Value, path: &str) -> Res<String> {
    match v {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        _ => Err(format!("{path}: expected a non-empty string, found {}", found(v))),
    }
}

fn strings(v: &Value, path: &str) -> Res<Vec<String>> {
    list(v, path, string)
}

fn days(v: &Value, path: &str) -> Res<Vec<Day>> {
    list(v, path, |v, path| {
        Day::ALL.into_iter().find(|d| v.as_str() == Some(d.as_str())).ok_or_else(|| {
            format!(
                "{path}: expected one of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\", found {}",
                found(v)
            )
        })
    })
}

fn boolean(v: &Value, path: &str) -> Res<bool> {
    v.as_bool().ok_or_else(|| format!("{path}: expected true or false, found {}", found(v)))
}

/// A whole number from 0 to `max`; `12.0` counts as 12.
fn whole(v: &Value, path: &str, max: u32) -> Res<u32> {
    let n = match v {
        Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64))
        }
        _ => None,
    };
    match n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n <= max) {
        Some(n) => Ok(n),
        None if max == u32::MAX => Err(format!("{path}: expected a whole number, 0 or more, found {}", found(v))),
        None => Err(format!("{path}: expected a whole number from 0 to {max}, found {}", found(v))),
    }
}

/// A short description of a JSON value for messages (long strings are cut).
fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "an empty string".into(),
        Value::String(s) if s.chars().count() > 40 => format!("{:?}…", s.chars().take(40).collect::<String>()),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}
