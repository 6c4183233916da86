//! Search text normalisation, the way travellers type: case and accents folded, hyphens and
//! reduplication (`oleh2`, `oleh-oleh`) spelled out, spelling variants and English synonyms
//! from a table kept as data (`assets/search/variants.txt`), and the typo tolerance rule.
//!
//! The same functions build the terms a product is indexed under and the terms a query looks
//! for, so both sides always agree. Pure: no I/O.

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

const VARIANTS: &str = include_str!("../../assets/search/variants.txt");
const STOPWORDS: &str = include_str!("../../assets/search/stopwords.txt");

/// Shortest query word matched by prefix ("ke" finds "keripik").
pub const MIN_PREFIX_LEN: usize = 2;

/// Match quality of a query word against an indexed term (higher is better).
pub mod quality {
    /// The same word.
    pub const EXACT: u32 = 100;
    /// A spelling variant or synonym from the table ("kripik" → "keripik", "chips" → "keripik").
    pub const VARIANT: u32 = 90;
    /// The term starts with the query word (the traveller is still typing).
    pub const PREFIX: u32 = 70;
    /// One typo (or a variant of a word one typo away).
    pub const ONE_TYPO: u32 = 55;
    /// Two typos (long words only).
    pub const TWO_TYPOS: u32 = 40;
}

struct Table {
    /// Word → the other words of every group it belongs to.
    groups: HashMap<String, Vec<String>>,
    /// Every word of the table, for typo-tolerant lookup of variants.
    words: Vec<String>,
    stopwords: HashSet<String>,
}

fn lines(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(fold_word).collect())
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    for group in lines(VARIANTS) {
        for word in &group {
            let others = groups.entry(word.clone()).or_default();
            for other in &group {
                if other != word && !others.contains(other) {
                    others.push(other.clone());
                }
            }
        }
    }
    let mut words: Vec<String> = groups.keys().cloned().collect();
    words.sort();
    let stopwords = lines(STOPWORDS).flatten().collect();
    Table {
        groups,
        words,
        stopwords,
    }
});

/// One character folded: lower case, Latin accents removed; `None` for a separator.
fn fold_char(c: char) -> Option<char> {
    let c = match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' => 'a',
        'Ç' | 'ç' => 'c',
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' => 'e',
        'Ì'..='Ï' | 'ì'..='ï' => 'i',
        'Ñ' | 'ñ' => 'n',
        'Ò'..='Ö' | 'ò'..='ö' | 'Ø' | 'ø' => 'o',
        'Ù'..='Ü' | 'ù'..='ü' => 'u',
        'Ý' | 'ý' | 'ÿ' => 'y',
        other => other,
    };
    if c.is_alphanumeric() {
        c.to_lowercase().next()
    } else {
        None
    }
}

fn fold_word(word: &str) -> String {
    word.chars().filter_map(fold_char).collect()
}

/// Words of `text`: folded, apostrophes dropped (`Juma'ati` → `jumaati`), hyphens and other
/// punctuation separating, reduplication spelled out (`oleh2` → `oleh oleh`).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')) {
        let word = fold_word(raw);
        if word.is_empty() {
            continue;
        }
        // `oleh2`, `kue2`: a word of letters ending in 2 is said twice.
        if let Some(stem) = word.strip_suffix('2')
            && stem.chars().count() >= 2
            && stem.chars().all(char::is_alphabetic)
        {
            out.push(stem.to_string());
            out.push(stem.to_string());
            continue;
        }
        out.push(word);
    }
    out
}

fn is_stopword(word: &str) -> bool {
    TABLE.stopwords.contains(word)
}

/// The terms a text is indexed under: its words without stopwords and one-letter words, each
/// once, in order of first appearance.
pub fn index_terms(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    words(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 2 && !is_stopword(w))
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// The words a query looks for: its words without stopwords (unless it has nothing else), each
/// once. Empty when the query has no word at all.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let all: Vec<String> = words(query)
        .into_iter()
        .filter(|w| seen.insert(w.clone()))
        .collect();
    let meaningful: Vec<String> = all.iter().filter(|w| !is_stopword(w)).cloned().collect();
    if meaningful.is_empty() {
        all
    } else {
        meaningful
    }
}

/// The whole text folded to its words joined by one space (names compared as phrases).
pub fn phrase(text: &str) -> String {
    words(text).join(" ")
}

/// How many typos a word of `len` characters tolerates: none below 4 characters (a short word
/// one letter off is another word), one up to 7, two from 8.
pub fn max_typos(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Levenshtein distance of `a` and `b` when it is at most `max`.
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// The quality of a typo-tolerant match of `query` against `term`, without the variant table.
fn direct(query: &str, term: &str) -> Option<u32> {
    if query == term {
        return Some(quality::EXACT);
    }
    let len = query.chars().count();
    if len >= MIN_PREFIX_LEN && term.starts_with(query) {
        return Some(quality::PREFIX);
    }
    match distance_within(query, term, max_typos(len))? {
        0 => Some(quality::EXACT),
        1 => Some(quality::ONE_TYPO),
        _ => Some(quality::TWO_TYPOS),
    }
}

/// Words the table relates to `query`, each with the quality a term equal to it earns: the
/// variants of `query` itself ([`quality::VARIANT`]) and those of a table word one or two typos
/// away ("cofee" → "coffee" → "kopi": [`quality::ONE_TYPO`] or below).
pub fn variants(query: &str) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    let mut add = |word: &str, q: u32| match out.iter_mut().find(|(w, _)| w == word) {
        Some(existing) => existing.1 = existing.1.max(q),
        None => out.push((word.to_string(), q)),
    };
    if let Some(group) = TABLE.groups.get(query) {
        for w in group {
            add(w, quality::VARIANT);
        }
    }
    let typos = max_typos(query.chars().count());
    if typos > 0 {
        for word in &TABLE.words {
            if word == query {
                continue;
            }
            let Some(d) = distance_within(query, word, typos) else {
                continue;
            };
            let q = if d == 1 {
                quality::ONE_TYPO
            } else {
                quality::TWO_TYPOS
            };
            add(word, q);
            for w in TABLE.groups.get(word).into_iter().flatten() {
                if w != query {
                    add(w, q);
                }
            }
        }
    }
    out
}

/// A query word prepared for matching: the word and its table variants.
#[derive(Debug, Clone)]
pub struct QueryWord {
    pub word: String,
    pub variants: Vec<(String, u32)>,
}

impl QueryWord {
    pub fn new(word: &str) -> Self {
        QueryWord {
            word: word.to_string(),
            variants: variants(word),
        }
    }

    /// How well an indexed `term` answers this word, if at all: exact > variant > prefix >
    /// one typo > two typos.
    pub fn quality(&self, term: &str) -> Option<u32> {
        let own = direct(&self.word, term);
        let via = self
            .variants
            .iter()
            .filter(|(v, _)| v == term)
            .map(|(_, q)| *q)
            .max();
        own.max(via)
    }

    /// The shortest and longest length of a term that may match by typo (not by prefix or
    /// variant): a superset filter for the index.
    pub fn typo_lengths(&self) -> (usize, usize) {
        let len = self.word.chars().count();
        let t = max_typos(len);
        (len.saturating_sub(t), len + t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(words("  Kopi ARABIKA, Café!"), ["kopi", "arabika", "cafe"]);
        assert_eq!(
            words("Abon Lele Bu Juma'ati"),
            ["abon", "lele", "bu", "jumaati"]
        );
        assert_eq!(words("Bromo–Tengger"), ["bromo", "tengger"]);
    }

    #[test]
    fn spells_out_reduplication_and_hyphens() {
        assert_eq!(words("oleh2 probolinggo"), ["oleh", "oleh", "probolinggo"]);
        assert_eq!(words("oleh-oleh"), ["oleh", "oleh"]);
        assert_eq!(query_terms("Oleh2"), ["oleh"]);
        assert_eq!(query_terms("oleh-oleh khas"), ["oleh", "khas"]);
        // Numbers and sizes stay as they are.
        assert_eq!(words("250g 1kg 2"), ["250g", "1kg", "2"]);
    }

    #[test]
    fn stopwords_are_dropped_unless_nothing_else_is_left() {
        assert_eq!(query_terms("keripik dan dodol"), ["keripik", "dodol"]);
        assert_eq!(query_terms("dan"), ["dan"]);
        assert_eq!(index_terms("Kopi dan gula, kopi!"), ["kopi", "gula"]);
    }

    #[test]
    fn typo_distance() {
        assert_eq!(distance_within("manga", "mangga", 1), Some(1));
        assert_eq!(distance_within("kripik", "keripik", 1), Some(1));
        assert_eq!(distance_within("dodl", "dodol", 1), Some(1));
        assert_eq!(distance_within("rengginag", "rengginang", 2), Some(1));
        assert_eq!(distance_within("kopi", "kapal", 1), None);
        assert_eq!(max_typos(3), 0);
        assert_eq!(max_typos(5), 1);
        assert_eq!(max_typos(9), 2);
    }

    #[test]
    fn variants_come_from_the_table() {
        let has = |q: &str, w: &str| QueryWord::new(q).quality(w);
        assert_eq!(has("sambel", "sambal"), Some(quality::VARIANT));
        assert_eq!(has("chips", "keripik"), Some(quality::VARIANT));
        assert_eq!(has("kripik", "keripik"), Some(quality::VARIANT));
        assert_eq!(has("tofu", "tahu"), Some(quality::VARIANT));
        assert_eq!(has("coffee", "kopi"), Some(quality::VARIANT));
        assert_eq!(has("honey", "madu"), Some(quality::VARIANT));
        assert_eq!(has("shirt", "kaos"), Some(quality::VARIANT));
        assert_eq!(has("shirt", "kemeja"), Some(quality::VARIANT));
        // A typo in an English word still reaches the Indonesian one.
        assert_eq!(has("cofee", "kopi"), Some(quality::ONE_TYPO));
    }

    #[test]
    fn exact_beats_prefix_beats_typo() {
        let w = QueryWord::new("mangga");
        assert_eq!(w.quality("mangga"), Some(quality::EXACT));
        assert_eq!(
            QueryWord::new("mang").quality("mangga"),
            Some(quality::PREFIX)
        );
        assert_eq!(
            QueryWord::new("manga").quality("mangga"),
            Some(quality::ONE_TYPO)
        );
        assert_eq!(
            QueryWord::new("mengga").quality("mangga"),
            Some(quality::ONE_TYPO)
        );
        assert_eq!(QueryWord::new("kopi").quality("kapal"), None);
        assert_eq!(QueryWord::new("teh").quality("tahu"), None);
    }

    #[test]
    fn the_table_parses() {
        assert!(TABLE.words.len() > 100);
        assert!(TABLE.words.iter().all(|w| !w.is_empty()));
        assert!(is_stopword("dan"));
    }
}
