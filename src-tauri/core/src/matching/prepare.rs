//! A problem made ready for matching: people in id order, strings interned into bit
//! sets, the hard rules, the scores and their reasons, and the plain reasons why a
//! mentee is left without a mentor.
use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use super::flow::{self, Instance, NO};
use super::{
    BrokenRule, Day, Gender, Id, MAX_AGE, MAX_CAPACITY, MAX_WEIGHT, Mentee, Mentor, Pair, PairReason, Problem, Rules,
    ScoredPair, Solution, Unmatched, UnmatchedReason, Weights,
};

const NONE: u32 = u32::MAX;

/// What scoring needs of one person, in fast form.
struct Person {
    gender: Gender,
    primary: u32,
    days: u8,
    locality: u32,
    age: Option<u32>,
}

/// The parts of a pair's score, from which both the number and the reasons are made.
struct Terms {
    substance: SubstanceMatch,
    shared_days: u8,
    same_locality: bool,
    age_gap: Option<u32>,
    same_group: bool,
    preferred: bool,
}

enum SubstanceMatch {
    Primary,
    Other,
    Nothing,
}

/// Gives each distinct string a small number, for bit sets and quick comparison.
#[derive(Default)]
struct Interner<'a> {
    ids: FxHashMap<&'a str, u32>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(s).or_insert(next)
    }

    fn words(&self) -> usize {
        self.ids.len().div_ceil(64).max(1)
    }
}

/// Bit sets of interned strings, one row of `words` words per person.
struct Bits {
    words: usize,
    bits: Vec<u64>,
}

impl Bits {
    fn new<'a>(words: usize, lists: impl Iterator<Item = &'a [String]>, interner: &Interner<'a>) -> Bits {
        // Each row set in place at the end of one vector (no vector of its own per person).
        let mut bits = Vec::with_capacity(lists.size_hint().0 * words);
        for list in lists {
            let at = bits.len();
            bits.resize(at + words, 0u64);
            for s in list {
                if let Some(&i) = interner.ids.get(s.as_str()) {
                    bits[at + i as usize / 64] |= 1 << (i % 64);
                }
            }
        }
        Bits { words, bits }
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.bits[i * self.words..(i + 1) * self.words]
    }

    #[inline(always)]
    fn meet(&self, i: usize, other: &Bits, j: usize) -> bool {
        if self.words == 1 {
            // Up to 64 distinct strings (the usual case): one word each.
            return self.bits[i] & other.bits[j] != 0;
        }
        self.row(i).iter().zip(other.row(j)).any(|(a, b)| a & b != 0)
    }
}

/// The scoring traits of people (mentors or mentees) as plain numbers side by side, for
/// when every set of strings fits one 64-bit word (at most 64 distinct languages,
/// substances and groups; any real centre). The matcher scores every allowed pair,
/// hundreds of thousands in a big centre; with the traits laid out like this a row of
/// scores is one tight loop.
#[derive(Default)]
struct Flat {
    gender: Vec<u8>,
    langs: Vec<u64>,
    subs: Vec<u64>,
    groups: Vec<u64>,
    primary: Vec<u32>,
    locality: Vec<u32>,
    days: Vec<u8>,
    /// [`UNKNOWN_AGE`] when unknown (ages are at most [`MAX_AGE`]).
    age: Vec<u8>,
}

const UNKNOWN_AGE: u8 = u8::MAX;

impl Flat {
    fn new(people: &[Person], langs: &Bits, subs: &Bits, groups: &Bits) -> Option<Flat> {
        if langs.words != 1 || subs.words != 1 || groups.words != 1 {
            return None;
        }
        Some(Flat {
            gender: people.iter().map(|p| p.gender as u8).collect(),
            langs: langs.bits.clone(),
            subs: subs.bits.clone(),
            groups: groups.bits.clone(),
            primary: people.iter().map(|p| p.primary).collect(),
            locality: people.iter().map(|p| p.locality).collect(),
            days: people.iter().map(|p| p.days).collect(),
            age: people.iter().map(|p| p.age.map_or(UNKNOWN_AGE, |a| a as u8)).collect(),
        })
    }

    /// The traits of `who`, in that order.
    fn pick(&self, who: &[usize]) -> Flat {
        Flat {
            gender: who.iter().map(|&i| self.gender[i]).collect(),
            langs: who.iter().map(|&i| self.langs[i]).collect(),
            subs: who.iter().map(|&i| self.subs[i]).collect(),
            groups: who.iter().map(|&i| self.groups[i]).collect(),
            primary: who.iter().map(|&i| self.primary[i]).collect(),
            locality: who.iter().map(|&i| self.locality[i]).collect(),
            days: who.iter().map(|&i| self.days[i]).collect(),
            age: who.iter().map(|&i| self.age[i]).collect(),
        }
    }
}

/// What scoring needs of the weights and rules, as tables and plain numbers.
struct Scorer {
    same_gender: bool,
    same_substance: i32,
    shared_substance: i32,
    same_locality: i32,
    same_group: i32,
    /// By age gap (both ages known).
    age_penalty: [i32; 256],
    /// By the mask of days both are free.
    day_points: [i32; 256],
}

impl Scorer {
    /// The scores of person `i` of `one` with every person of `other` (which side is the
    /// mentor does not matter: every part of a score is symmetric), [`NO`] where gender
    /// or language rule it out. Exclusions and wishes are the caller's.
    fn row(&self, one: &Flat, i: usize, other: &Flat, out: &mut [i32]) {
        let (gender, langs, subs, groups) = (one.gender[i], one.langs[i], one.subs[i], one.groups[i]);
        let (primary, locality, days, age) = (one.primary[i], one.locality[i], one.days[i], one.age[i]);
        let n = out.len();
        let (g, l, s, gr) = (&other.gender[..n], &other.langs[..n], &other.subs[..n], &other.groups[..n]);
        let (p, lo, d, a) = (&other.primary[..n], &other.locality[..n], &other.days[..n], &other.age[..n]);
        for j in 0..n {
            let allowed = (!self.same_gender || gender == g[j]) && langs & l[j] != 0;
            let substance = if primary != NONE && primary == p[j] {
                self.same_substance
            } else if subs & s[j] != 0 {
                self.shared_substance
            } else {
                0
            };
            let place = if locality != NONE && locality == lo[j] { self.same_locality } else { 0 };
            let group = if groups & gr[j] != 0 { self.same_group } else { 0 };
            let gap = if age == UNKNOWN_AGE || a[j] == UNKNOWN_AGE {
                0
            } else {
                self.age_penalty[usize::from(age.abs_diff(a[j]))]
            };
            let score = substance + place + group + self.day_points[usize::from(days & d[j])] - gap;
            out[j] = if allowed { score } else { NO };
        }
    }
}

pub(super) struct Prepared<'a> {
    rules: Rules,
    w: Weights,
    /// Mentors and mentees in id order; everything below is indexed in that order.
    mentors: Vec<&'a Mentor>,
    mentees: Vec<&'a Mentee>,
    mentor_keys: Vec<SortKey<'a>>,
    mentee_keys: Vec<SortKey<'a>>,
    /// Trained and long enough in recovery.
    qualified: Vec<bool>,
    /// Places left after the kept pairs.
    room: Vec<u32>,
    /// (mentor, mentee) pairs from `keep`, and which mentees they cover.
    kept: Vec<(usize, usize)>,
    kept_count: Vec<u32>,
    is_kept: Vec<bool>,
    excluded: HashSet<(usize, usize)>,
    mentor_people: Vec<Person>,
    mentee_people: Vec<Person>,
    mentor_langs: Bits,
    mentee_langs: Bits,
    mentor_subs: Bits,
    mentee_subs: Bits,
    mentor_groups: Bits,
    mentee_groups: Bits,
    /// For each mentee, the mentors they asked for (usually none).
    preferred: Vec<Vec<usize>>,
    /// For each mentee, the mentors excluded for them, in order (usually none).
    excluded_for: Vec<Vec<usize>>,
    /// Both sides' traits side by side, when they fit (see [`Flat`]), and the weights as
    /// tables to score them with.
    flat: Option<(Flat, Flat)>,
    scorer: Scorer,
}

type SortKey<'a> = (u8, i64, &'a str);

/// People in id order (ties, possible only in an unchecked problem, in input order), and
/// their sort keys in that order for lookups by binary search.
fn id_order<'a, T>(people: &'a [T], id: impl Fn(&'a T) -> &'a Id) -> (Vec<&'a T>, Vec<SortKey<'a>>) {
    let mut keyed: Vec<(SortKey<'a>, usize)> = people.iter().enumerate().map(|(i, p)| (id(p).sort_key(), i)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(k, i)| (&people[i], k)).unzip()
}

fn lookup(keys: &[SortKey<'_>], id: &Id) -> Option<usize> {
    let key = id.sort_key();
    let at = keys.partition_point(|k| *k < key);
    (keys.get(at) == Some(&key)).then_some(at)
}

fn day_mask(days: &[Day]) -> u8 {
    days.iter().fold(0, |m, d| m | 1 << (*d as u8))
}

impl<'a> Prepared<'a> {
    pub(super) fn new(p: &'a Problem) -> Prepared<'a> {
        let (mentors, mentor_keys) = id_order(&p.mentors, |m| &m.id);
        let (mentees, mentee_keys) = id_order(&p.mentees, |e| &e.id);

        // Out-of-range numbers (possible only in a problem built in Rust and not checked)
        // are taken as their limit, so no arithmetic below can overflow.
        let clamp = |x: u32| x.min(MAX_WEIGHT);
        let w = Weights {
            same_substance: clamp(p.weights.same_substance),
            shared_substance: clamp(p.weights.shared_substance),
            shared_day: clamp(p.weights.shared_day),
            shared_days_max: p.weights.shared_days_max.min(7),
            same_locality: clamp(p.weights.same_locality),
            age_gap_free: clamp(p.weights.age_gap_free),
            age_gap_per_year: clamp(p.weights.age_gap_per_year),
            age_gap_max: clamp(p.weights.age_gap_max),
            same_group: clamp(p.weights.same_group),
            preferred_mentor: clamp(p.weights.preferred_mentor),
        };
        let rules = p.rules.clone();

        let mut langs = Interner::default();
        let mut subs = Interner::default();
        let mut places = Interner::default();
        let mut groups = Interner::default();
        for (l, s, loc, g) in mentors
            .iter()
            .map(|m| (&m.languages, &m.substances, &m.locality, &m.groups))
            .chain(mentees.iter().map(|e| (&e.languages, &e.substances, &e.locality, &e.groups)))
        {
            l.iter().for_each(|x| _ = langs.id(x));
            s.iter().for_each(|x| _ = subs.id(x));
            g.iter().for_each(|x| _ = groups.id(x));
            if let Some(x) = loc {
                places.id(x);
            }
        }
        let mut person =
            |gender, substances: &'a [String], days: &[Day], locality: &'a Option<String>, age: Option<u32>| Person {
                gender,
                primary: substances.first().map_or(NONE, |s| subs.id(s)),
                days: day_mask(days),
                locality: locality.as_deref().map_or(NONE, |l| places.id(l)),
                age: age.map(|a| a.min(MAX_AGE)),
            };
        let mentor_people: Vec<Person> =
            mentors.iter().map(|m| person(m.gender, &m.substances, &m.days, &m.locality, m.age)).collect();
        let mentee_people: Vec<Person> =
            mentees.iter().map(|e| person(e.gender, &e.substances, &e.days, &e.locality, e.age)).collect();
        let mentor_langs = Bits::new(langs.words(), mentors.iter().map(|m| m.languages.as_slice()), &langs);
        let mentee_langs = Bits::new(langs.words(), mentees.iter().map(|e| e.languages.as_slice()), &langs);
        let mentor_subs = Bits::new(subs.words(), mentors.iter().map(|m| m.substances.as_slice()), &subs);
        let mentee_subs = Bits::new(subs.words(), mentees.iter().map(|e| e.substances.as_slice()), &subs);
        let mentor_groups = Bits::new(groups.words(), mentors.iter().map(|m| m.groups.as_slice()), &groups);
        let mentee_groups = Bits::new(groups.words(), mentees.iter().map(|e| e.groups.as_slice()), &groups);
        let preferred: Vec<Vec<usize>> = mentees
            .iter()
            .map(|e| {
                let mut ms: Vec<usize> = e.prefers.iter().filter_map(|id| lookup(&mentor_keys, id)).collect();
                ms.sort_unstable();
                ms.dedup();
                ms
            })
            .collect();

        let qualified = mentors.iter().map(|m| m.trained && m.recovery_days >= rules.min_recovery_days).collect();
        let resolve =
            |pair: &super::PairRef| Some((lookup(&mentor_keys, &pair.mentor)?, lookup(&mentee_keys, &pair.mentee)?));
        let mut kept = Vec::new();
        let mut is_kept = vec![false; mentees.len()];
        let mut kept_count = vec![0u32; mentors.len()];
        for (m, e) in p.keep.iter().filter_map(resolve) {
            if !is_kept[e] {
                is_kept[e] = true;
                kept_count[m] += 1;
                kept.push((m, e));
            }
        }
        let room =
            mentors.iter().zip(&kept_count).map(|(m, k)| m.capacity.min(MAX_CAPACITY).saturating_sub(*k)).collect();
        let excluded: HashSet<(usize, usize)> = p.exclusions.iter().filter_map(resolve).collect();
        let mut excluded_for = vec![Vec::new(); mentees.len()];
        for &(m, e) in &excluded {
            excluded_for[e].push(m);
        }
        for list in &mut excluded_for {
            list.sort_unstable();
        }
        let age_penalty: Vec<i32> = (0..=u32::from(UNKNOWN_AGE)).map(|gap| age_penalty(&w, gap) as i32).collect();
        let day_points: Vec<i32> = (0..=u8::MAX).map(|days| day_points(&w, days) as i32).collect();
        let table = |v: &[i32]| std::array::from_fn(|i| v.get(i).copied().unwrap_or(0));
        let scorer = Scorer {
            same_gender: rules.same_gender,
            same_substance: w.same_substance as i32,
            shared_substance: w.shared_substance as i32,
            same_locality: w.same_locality as i32,
            same_group: w.same_group as i32,
            age_penalty: table(&age_penalty),
            day_points: table(&day_points),
        };
        let flat = Flat::new(&mentor_people, &mentor_langs, &mentor_subs, &mentor_groups).zip(Flat::new(
            &mentee_people,
            &mentee_langs,
            &mentee_subs,
            &mentee_groups,
        ));

        Prepared {
            rules,
            w,
            mentors,
            mentees,
            mentor_keys,
            mentee_keys,
            qualified,
            room,
            kept,
            kept_count,
            is_kept,
            excluded,
            mentor_people,
            mentee_people,
            mentor_langs,
            mentee_langs,
            mentor_subs,
            mentee_subs,
            mentor_groups,
            mentee_groups,
            preferred,
            excluded_for,
            flat,
            scorer,
        }
    }

    pub(super) fn mentor_index(&self, id: &Id) -> Option<usize> {
        lookup(&self.mentor_keys, id)
    }

    pub(super) fn mentee_index(&self, id: &Id) -> Option<usize> {
        lookup(&self.mentee_keys, id)
    }

    fn gender_ok(&self, m: usize, e: usize) -> bool {
        !self.rules.same_gender || self.mentor_people[m].gender == self.mentee_people[e].gender
    }

    #[inline(always)]
    fn language_ok(&self, m: usize, e: usize) -> bool {
        self.mentor_langs.meet(m, &self.mentee_langs, e)
    }

    /// The hard rules a pair breaks (for kept pairs).
    fn broken(&self, m: usize, e: usize) -> Vec<BrokenRule> {
        let mentor = self.mentors[m];
        let mut out = Vec::new();
        if !self.gender_ok(m, e) {
            out.push(BrokenRule::DifferentGender);
        }
        if !self.language_ok(m, e) {
            out.push(BrokenRule::NoSharedLanguage);
        }
        if self.excluded.contains(&(m, e)) {
            out.push(BrokenRule::PairExcluded);
        }
        if !mentor.trained {
            out.push(BrokenRule::MentorNotTrained);
        }
        if mentor.recovery_days < self.rules.min_recovery_days {
            out.push(BrokenRule::MentorRecoveryShort { min_days: self.rules.min_recovery_days });
        }
        if self.kept_count[m] > mentor.capacity {
            out.push(BrokenRule::MoreKeptThanPlaces { capacity: mentor.capacity });
        }
        out
    }

    /// The hard rules a new pair (m, e) would break, capacity included.
    pub(super) fn broken_now(&self, m: usize, e: usize) -> Vec<BrokenRule> {
        let mut out = self.broken(m, e);
        out.retain(|r| !matches!(r, BrokenRule::MoreKeptThanPlaces { .. }));
        let capacity = self.mentors[m].capacity;
        let taken = self.kept.iter().filter(|(km, ke)| *km == m && *ke != e).count() as u32;
        if taken >= capacity {
            out.push(BrokenRule::NoFreePlace { taken, capacity });
        }
        out
    }

    fn terms(&self, m: usize, e: usize) -> Terms {
        let (a, b) = (&self.mentor_people[m], &self.mentee_people[e]);
        let substance = if b.primary != NONE && a.primary == b.primary {
            SubstanceMatch::Primary
        } else if self.mentor_subs.meet(m, &self.mentee_subs, e) {
            SubstanceMatch::Other
        } else {
            SubstanceMatch::Nothing
        };
        Terms {
            substance,
            shared_days: a.days & b.days,
            same_locality: a.locality != NONE && a.locality == b.locality,
            age_gap: a.age.zip(b.age).map(|(x, y)| x.abs_diff(y)),
            same_group: self.mentor_groups.meet(m, &self.mentee_groups, e),
            preferred: self.preferred[e].contains(&m),
        }
    }

    fn age_penalty(&self, gap: u32) -> i64 {
        age_penalty(&self.w, gap)
    }

    fn day_points(&self, days: u8) -> i64 {
        day_points(&self.w, days)
    }

    fn points(&self, t: &Terms) -> i64 {
        let w = &self.w;
        let substance = match t.substance {
            SubstanceMatch::Primary => w.same_substance,
            SubstanceMatch::Other => w.shared_substance,
            SubstanceMatch::Nothing => 0,
        };
        let locality = if t.same_locality { w.same_locality } else { 0 };
        let group = if t.same_group { w.same_group } else { 0 };
        let preferred = if t.preferred { w.preferred_mentor } else { 0 };
        i64::from(substance)
            + self.day_points(t.shared_days)
            + i64::from(locality)
            + i64::from(group)
            + i64::from(preferred)
            - t.age_gap.map_or(0, |g| self.age_penalty(g))
    }

    /// The score of a pair and its reasons.
    pub(super) fn explain(&self, m: usize, e: usize, kept: bool) -> (i64, Vec<PairReason>) {
        let (mentor, mentee) = (self.mentors[m], self.mentees[e]);
        let w = &self.w;
        let mut reasons = Vec::new();
        if kept {
            reasons.push(PairReason::Kept);
            let rules = self.broken(m, e);
            if !rules.is_empty() {
                reasons.push(PairReason::WouldNotBeSuggested { rules });
            }
        }
        let mut languages: Vec<String> = Vec::new();
        for l in &mentee.languages {
            if mentor.languages.contains(l) && !languages.contains(l) {
                languages.push(l.clone());
            }
        }
        if !languages.is_empty() {
            reasons.push(PairReason::BothSpeak { languages });
        }
        let t = self.terms(m, e);
        match t.substance {
            SubstanceMatch::Primary if w.same_substance > 0 => {
                let substance = mentee.substances.first().cloned().unwrap_or_default();
                reasons.push(PairReason::SameSubstance { substance, points: w.same_substance });
            }
            SubstanceMatch::Other if w.shared_substance > 0 => {
                let substance =
                    mentee.substances.iter().find(|s| mentor.substances.contains(s)).cloned().unwrap_or_default();
                reasons.push(PairReason::SharedSubstance { substance, points: w.shared_substance });
            }
            _ => {}
        }
        let day_points = self.day_points(t.shared_days);
        if day_points > 0 {
            let days: Vec<Day> = Day::ALL.into_iter().filter(|d| t.shared_days & (1 << (*d as u8)) != 0).collect();
            reasons.push(PairReason::FreeDays { days, points: day_points as u32 });
        } else if t.shared_days == 0 && !mentor.days.is_empty() && !mentee.days.is_empty() {
            reasons.push(PairReason::NoCommonDay);
        }
        if t.same_locality && w.same_locality > 0 {
            let locality = mentee.locality.clone().unwrap_or_default();
            reasons.push(PairReason::SameLocality { locality, points: w.same_locality });
        }
        if t.same_group && w.same_group > 0 {
            let group = mentee.groups.iter().find(|g| mentor.groups.contains(g)).cloned().unwrap_or_default();
            reasons.push(PairReason::SameGroup { group, points: w.same_group });
        }
        if t.preferred && w.preferred_mentor > 0 {
            reasons.push(PairReason::AskedForMentor { points: w.preferred_mentor });
        }
        if let Some(gap) = t.age_gap {
            let penalty = self.age_penalty(gap);
            if penalty > 0 {
                reasons.push(PairReason::AgeGap { years: gap, points: penalty as u32 });
            } else if gap <= w.age_gap_free {
                reasons.push(PairReason::CloseInAge { years: gap });
            }
        }
        (self.points(&t), reasons)
    }

    /// The mentors who may take someone now (qualified, with room), in order; when the
    /// gender rule is on, those of each gender apart.
    fn open_mentors(&self) -> Vec<(Option<Gender>, Vec<usize>)> {
        let open = (0..self.mentors.len()).filter(|&m| self.qualified[m] && self.room[m] > 0);
        if !self.rules.same_gender {
            return vec![(None, open.collect())];
        }
        Gender::ALL
            .iter()
            .map(|&g| (Some(g), open.clone().filter(|&m| self.mentor_people[m].gender == g).collect()))
            .collect()
    }

    /// The open mentors a mentee may be suggested (every hard rule but capacity passes);
    /// none for a kept mentee.
    fn allowed_for<'o>(
        &'o self,
        open: &'o [(Option<Gender>, Vec<usize>)],
        e: usize,
    ) -> impl Iterator<Item = usize> + 'o {
        let gender = self.mentee_people[e].gender;
        let mentors = open
            .iter()
            .find(|(g, _)| g.is_none_or(|g| g == gender))
            .filter(|_| !self.is_kept[e])
            .map_or(&[][..], |(_, ms)| ms.as_slice());
        let excluded = &self.excluded_for[e];
        mentors
            .iter()
            .copied()
            .filter(move |&m| self.language_ok(m, e) && (excluded.is_empty() || excluded.binary_search(&m).is_err()))
    }

    /// The scores of mentors `ms` (across) with mentees `es` (down), or the other way
    /// round with `mentors_down`: [`Prepared::points`] of each pair that passes the rules
    /// of gender, language and exclusion, [`NO`] for the others. (Qualification, room and
    /// kept mentees are the caller's to leave out.)
    fn scores(&self, ms: &[usize], es: &[usize], mentors_down: bool) -> Vec<i32> {
        let mut out = vec![NO; ms.len() * es.len()];
        let at = |i: usize, j: usize| if mentors_down { i * es.len() + j } else { j * ms.len() + i };
        if let Some((a, b)) = &self.flat {
            if mentors_down {
                let (rows, cols) = (a.pick(ms), b.pick(es));
                for (i, row) in out.chunks_mut(es.len().max(1)).enumerate().take(ms.len()) {
                    self.scorer.row(&rows, i, &cols, row);
                }
            } else {
                let (rows, cols) = (b.pick(es), a.pick(ms));
                for (j, row) in out.chunks_mut(ms.len().max(1)).enumerate().take(es.len()) {
                    self.scorer.row(&rows, j, &cols, row);
                }
            }
            // The few mentees' own exclusions and wishes, by where the mentor sits.
            let mut pos = vec![usize::MAX; self.mentors.len()];
            for (i, &m) in ms.iter().enumerate() {
                pos[m] = i;
            }
            for (j, &e) in es.iter().enumerate() {
                for &m in &self.excluded_for[e] {
                    if pos[m] != usize::MAX {
                        out[at(pos[m], j)] = NO;
                    }
                }
                for &m in &self.preferred[e] {
                    if pos[m] != usize::MAX && out[at(pos[m], j)] != NO {
                        out[at(pos[m], j)] += self.w.preferred_mentor as i32;
                    }
                }
            }
        } else {
            for (i, &m) in ms.iter().enumerate() {
                for (j, &e) in es.iter().enumerate() {
                    if self.gender_ok(m, e) && self.language_ok(m, e) && !self.excluded.contains(&(m, e)) {
                        // |score| ≤ 11,000 with weights ≤ 1,000, so it fits.
                        out[at(i, j)] = self.points(&self.terms(m, e)) as i32;
                    }
                }
            }
        }
        out
    }

    /// Scores of every pair that may be suggested (mentee by mentee, mentors across);
    /// [`NO`] where a hard rule forbids it, the mentee is kept or the mentor is full.
    pub(super) fn score_matrix(&self) -> Vec<i32> {
        let nm = self.mentors.len();
        let open: Vec<usize> = (0..nm).filter(|&m| self.qualified[m] && self.room[m] > 0).collect();
        let free: Vec<usize> = (0..self.mentees.len()).filter(|&e| !self.is_kept[e]).collect();
        let scores = self.scores(&open, &free, false);
        let mut out = vec![NO; self.mentees.len() * nm];
        for (j, &e) in free.iter().enumerate() {
            for (i, &m) in open.iter().enumerate() {
                out[e * nm + m] = scores[j * open.len() + i];
            }
        }
        out
    }

    /// The graph of allowed pairs (mentees `0..ne`, then mentors), joined into its
    /// connected components.
    fn connect(&self) -> UnionFind {
        let (ne, nm) = (self.mentees.len(), self.mentors.len());
        let mut uf = UnionFind::new(ne + nm);
        let Some((a, b)) = &self.flat else {
            let open = self.open_mentors();
            for e in 0..ne {
                for m in self.allowed_for(&open, e) {
                    uf.union(e, ne + m);
                }
            }
            return uf;
        };
        // Mentors alike for the rules (gender where it counts, languages) form a class: a
        // mentee allowed with every one of a class is joined to the first of them, once
        // the class is joined up, instead of to each. Exclusions (few) are taken one by
        // one. The components come out the same.
        let mut classes: Vec<((u8, u64), Vec<usize>, bool)> = Vec::new();
        for m in (0..nm).filter(|&m| self.qualified[m] && self.room[m] > 0) {
            let key = (if self.rules.same_gender { a.gender[m] } else { 0 }, a.langs[m]);
            match classes.iter_mut().find(|c| c.0 == key) {
                Some(c) => c.1.push(m),
                None => classes.push((key, vec![m], false)),
            }
        }
        for e in (0..ne).filter(|&e| !self.is_kept[e]) {
            let gender = if self.rules.same_gender { b.gender[e] } else { 0 };
            let excluded = &self.excluded_for[e];
            for ((g, langs), members, joined) in &mut classes {
                if *g != gender || *langs & b.langs[e] == 0 {
                    continue;
                }
                if excluded.iter().any(|m| members.binary_search(m).is_ok()) {
                    for &m in members.iter().filter(|m| excluded.binary_search(m).is_err()) {
                        uf.union(e, ne + m);
                    }
                    continue;
                }
                if !*joined {
                    for &m in &members[1..] {
                        uf.union(ne + members[0], ne + m);
                    }
                    *joined = true;
                }
                uf.union(e, ne + members[0]);
            }
        }
        uf
    }

    /// The pairs to suggest: (mentor, mentee), each component of the graph of allowed
    /// pairs solved on its own, from whichever side has fewer places to fill.
    pub(super) fn optimise(&self) -> Vec<(usize, usize)> {
        let (ne, nm) = (self.mentees.len(), self.mentors.len());
        let mut uf = self.connect();
        // Components in order of first appearance; people keep their id order within.
        let mut comp_of = vec![usize::MAX; ne + nm];
        let mut comps: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        for node in 0..ne + nm {
            let root = uf.find(node);
            if comp_of[root] == usize::MAX {
                comp_of[root] = comps.len();
                comps.push((Vec::new(), Vec::new()));
            }
            let c = &mut comps[comp_of[root]];
            if node < ne { c.0.push(node) } else { c.1.push(node - ne) }
        }
        let mut chosen = Vec::new();
        for (es, ms) in comps.iter().filter(|(es, ms)| !es.is_empty() && !ms.is_empty()) {
            let room: Vec<u32> = ms.iter().map(|&m| self.room[m].min(es.len() as u32)).collect();
            let places: usize = room.iter().map(|&r| r as usize).sum();
            if places <= es.len() {
                // Rows are the mentors' places, columns the mentees.
                let weights = self.scores(ms, es, true);
                let row_weights: Vec<u32> =
                    room.iter().enumerate().flat_map(|(i, &r)| std::iter::repeat_n(i as u32, r as usize)).collect();
                let cap = vec![1; es.len()];
                let got = flow::assign(Instance { weights, cols: es.len(), row_weights: &row_weights, cap: &cap });
                for (row, col) in got.iter().enumerate() {
                    if let Some(col) = col {
                        chosen.push((ms[row_weights[row] as usize], es[*col as usize]));
                    }
                }
            } else {
                // Rows are the mentees, columns the mentors with their room.
                let weights = self.scores(ms, es, false);
                let row_weights: Vec<u32> = (0..es.len() as u32).collect();
                let got = flow::assign(Instance { weights, cols: ms.len(), row_weights: &row_weights, cap: &room });
                for (row, col) in got.iter().enumerate() {
                    if let Some(col) = col {
                        chosen.push((ms[*col as usize], es[row]));
                    }
                }
            }
        }
        chosen
    }

    pub(super) fn solution(&self, chosen: &[(usize, usize)]) -> Solution {
        let mut all: Vec<(usize, usize, bool)> = self.kept.iter().map(|&(m, e)| (m, e, true)).collect();
        all.extend(chosen.iter().map(|&(m, e)| (m, e, false)));
        all.sort_unstable();
        let mut matched = self.is_kept.clone();
        let mut taken = vec![0u32; self.mentors.len()];
        for &(m, e) in chosen {
            matched[e] = true;
            taken[m] += 1;
        }
        let pairs = all
            .into_iter()
            .map(|(m, e, kept)| {
                let (score, reasons) = self.explain(m, e, kept);
                Pair { mentor: self.mentors[m].id.clone(), mentee: self.mentees[e].id.clone(), score, reasons, kept }
            })
            .collect();
        // The reason depends only on the mentee's gender and languages, unless they have
        // exclusions of their own: worked out once for each such kind of mentee.
        let qualified: Vec<usize> = (0..self.mentors.len()).filter(|&m| self.qualified[m]).collect();
        let mut known: HashMap<(Gender, &[String]), UnmatchedReason> = HashMap::new();
        let unmatched = (0..self.mentees.len())
            .filter(|&e| !matched[e])
            .map(|e| {
                let mentee = self.mentees[e];
                let why = if self.excluded_for[e].is_empty() {
                    known
                        .entry((mentee.gender, mentee.languages.as_slice()))
                        .or_insert_with(|| self.why_unmatched(e, &qualified))
                        .clone()
                } else {
                    self.why_unmatched(e, &qualified)
                };
                Unmatched { mentee: mentee.id.clone(), why }
            })
            .collect();
        Solution { pairs, unmatched, all_scores: None }
    }

    pub(super) fn scored_pairs(&self, scores: &[i32]) -> Vec<ScoredPair> {
        let nm = self.mentors.len();
        let mut out = Vec::new();
        for (e, mentee) in self.mentees.iter().enumerate() {
            for (m, mentor) in self.mentors.iter().enumerate() {
                let s = scores[e * nm + m];
                if s != NO {
                    out.push(ScoredPair { mentor: mentor.id.clone(), mentee: mentee.id.clone(), score: i64::from(s) });
                }
            }
        }
        out
    }

    /// Why mentee `e` has no mentor: the first hard rule that leaves nobody, else
    /// capacity, else the competition.
    /// `qualified`: the mentors who are trained and long enough in recovery, in order.
    fn why_unmatched(&self, e: usize, qualified: &[usize]) -> UnmatchedReason {
        let mentee = self.mentees[e];
        if self.mentors.is_empty() {
            return UnmatchedReason::NoMentors;
        }
        if mentee.languages.is_empty() {
            return UnmatchedReason::NoLanguageGiven;
        }
        if qualified.is_empty() {
            return UnmatchedReason::NoneQualified { min_days: self.rules.min_recovery_days };
        }
        let same: Vec<usize> = qualified.iter().copied().filter(|&m| self.gender_ok(m, e)).collect();
        if same.is_empty() {
            return UnmatchedReason::NoneOfGender { gender: mentee.gender };
        }
        let speaking: Vec<usize> = same.into_iter().filter(|&m| self.language_ok(m, e)).collect();
        if speaking.is_empty() {
            let mut languages: Vec<String> = Vec::new();
            for l in &mentee.languages {
                if !languages.contains(l) {
                    languages.push(l.clone());
                }
            }
            return if self.rules.same_gender {
                UnmatchedReason::NoneOfGenderSpeaks { languages }
            } else {
                UnmatchedReason::NoneSpeaks { languages }
            };
        }
        let open: Vec<usize> = speaking.iter().copied().filter(|&m| !self.excluded.contains(&(m, e))).collect();
        if open.is_empty() {
            let (mentors, more) = self.id_list(&speaking);
            return UnmatchedReason::AllExcluded { mentors, more };
        }
        if open.iter().all(|&m| self.room[m] == 0) {
            let (mentors, more) = self.id_list(&open);
            return UnmatchedReason::AllFull { mentors, more };
        }
        let with_room: Vec<usize> = open.into_iter().filter(|&m| self.room[m] > 0).collect();
        let (mentors, more) = self.id_list(&with_room);
        UnmatchedReason::OthersFitBetter { mentors, more }
    }

    /// The first five mentors' ids, and how many more there are.
    fn id_list(&self, ms: &[usize]) -> (Vec<String>, u32) {
        const SHOWN: usize = 5;
        let ids = ms.iter().take(SHOWN).map(|&m| self.mentors[m].id.key()).collect();
        (ids, ms.len().saturating_sub(SHOWN) as u32)
    }
}

fn age_penalty(w: &Weights, gap: u32) -> i64 {
    (i64::from(gap.saturating_sub(w.age_gap_free)) * i64::from(w.age_gap_per_year)).min(i64::from(w.age_gap_max))
}

fn day_points(w: &Weights, days: u8) -> i64 {
    i64::from(days.count_ones().min(w.shared_days_max)) * i64::from(w.shared_day)
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n).collect() }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The smaller index becomes the root: deterministic, whatever the order.
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::matching::tests::centre;

    /// The same problem prepared without the flat layout: every pair scored and joined
    /// one by one through the general code (bit sets of any width).
    fn general(p: &Problem) -> Prepared<'_> {
        let mut prep = Prepared::new(p);
        prep.flat = None;
        prep
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The flat scoring, the joining of mentors by class and the reasons worked out
        /// once per kind of mentee give exactly what the pair-by-pair code gives.
        #[test]
        fn the_fast_paths_change_nothing(p in prop_oneof![centre(12, 30, 8), centre(6, 30, 40)]) {
            let (fast, slow) = (Prepared::new(&p), general(&p));
            prop_assert!(fast.flat.is_some());
            prop_assert_eq!(fast.score_matrix(), slow.score_matrix());
            // The same components (a set's root is its smallest member).
            let (mut a, mut b) = (fast.connect(), slow.connect());
            for x in 0..fast.mentees.len() + fast.mentors.len() {
                prop_assert_eq!(a.find(x), b.find(x));
            }
            let chosen = fast.optimise();
            prop_assert_eq!(&chosen, &slow.optimise());
            let s = fast.solution(&chosen);
            let qualified: Vec<usize> = (0..fast.mentors.len()).filter(|&m| fast.qualified[m]).collect();
            for u in &s.unmatched {
                let e = fast.mentee_index(&u.mentee).unwrap();
                prop_assert_eq!(&u.why, &fast.why_unmatched(e, &qualified));
            }
        }

        /// Scores laid out either way round agree with each other and with the reasons.
        #[test]
        fn scores_either_way_round_agree(p in centre(8, 12, 6), pick in any::<u64>()) {
            let prep = Prepared::new(&p);
            let ms: Vec<usize> = (0..prep.mentors.len()).filter(|m| pick >> (m % 64) & 1 == 1).collect();
            let es: Vec<usize> = (0..prep.mentees.len()).filter(|e| pick >> ((e + 17) % 64) & 1 == 1).collect();
            let down = prep.scores(&ms, &es, true);
            let across = prep.scores(&ms, &es, false);
            for (i, &m) in ms.iter().enumerate() {
                for (j, &e) in es.iter().enumerate() {
                    prop_assert_eq!(down[i * es.len() + j], across[j * ms.len() + i]);
                    let allowed = prep.gender_ok(m, e) && prep.language_ok(m, e) && !prep.excluded.contains(&(m, e));
                    let want = if allowed { prep.explain(m, e, false).0 as i32 } else { NO };
                    prop_assert_eq!(down[i * es.len() + j], want);
                }
            }
        }
    }

    /// More than 64 languages: no flat layout, the general code matches.
    #[test]
    fn many_languages_use_the_general_code() {
        let langs: Vec<String> = (0..70).map(|i| format!("language {i}")).collect();
        let mentors = (0..20)
            .map(|i| crate::matching::Mentor {
                id: Id::Int(i as i64),
                gender: Gender::Male,
                languages: (0..4).map(|k| langs[(i * 4 + k) % 70].clone()).collect(),
                substances: vec![],
                age: Some(30 + i as u32),
                recovery_days: 400,
                trained: true,
                capacity: i as u32 % 3,
                days: vec![],
                locality: None,
                groups: vec![],
            })
            .collect();
        let mentees = (0..60)
            .map(|i| crate::matching::Mentee {
                id: Id::Int(i as i64),
                gender: Gender::Male,
                languages: vec![langs[(i * 5) % 70].clone(), langs[(i * 11 + 3) % 70].clone()],
                substances: vec![],
                age: Some(20 + i as u32 % 30),
                days: vec![],
                locality: None,
                groups: vec![],
                prefers: vec![],
            })
            .collect();
        let p = Problem {
            rules: Rules::default(),
            weights: Weights::default(),
            mentors,
            mentees,
            exclusions: vec![],
            keep: vec![],
        };
        let prep = Prepared::new(&p);
        assert!(prep.flat.is_none());
        let s = crate::matching::solve(&p);
        assert!(s.suggested() > 0);
        // The optimum, from an independent min-cost flow over every allowed pair.
        let mut weights = Vec::new();
        for e in &p.mentees {
            for m in &p.mentors {
                let shared = m.languages.iter().any(|l| e.languages.contains(l));
                let score = crate::matching::explain(&p, &m.id, &e.id).unwrap_or_default().0 as i32;
                weights.push(if shared { score } else { NO });
            }
        }
        let cap: Vec<u32> = p.mentors.iter().map(|m| m.capacity).collect();
        let want = flow::tests::reference(&weights, p.mentees.len(), p.mentors.len(), &cap);
        assert_eq!((s.suggested(), s.suggested_score()), want);
    }
}
