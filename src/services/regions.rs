//! Regions of East Java (regencies, kecamatan, villages): reference data loaded by migrations.

use std::collections::HashMap;

use entity::{district, regency, village};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppResult;

/// A regency by code ("35.13").
pub async fn regency(db: &impl ConnectionTrait, code: &str) -> AppResult<Option<regency::Model>> {
    Ok(regency::Entity::find_by_id(code.to_string())
        .one(db)
        .await?)
}

/// The kecamatan of a regency, by name.
pub async fn districts_of(
    db: &impl ConnectionTrait,
    regency_code: &str,
) -> AppResult<Vec<district::Model>> {
    Ok(district::Entity::find()
        .filter(district::Column::RegencyCode.eq(regency_code))
        .order_by_asc(district::Column::Name)
        .all(db)
        .await?)
}

/// Kecamatan by code, each with its regency (two statements whatever the number of codes).
pub async fn districts_with_regency(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> AppResult<HashMap<String, (district::Model, regency::Model)>> {
    let districts = district::Entity::find()
        .filter(district::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?;
    let regency_codes: Vec<String> = districts.iter().map(|d| d.regency_code.clone()).collect();
    let regencies: HashMap<String, regency::Model> = regency::Entity::find()
        .filter(regency::Column::Code.is_in(regency_codes))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    Ok(districts
        .into_iter()
        .filter_map(|d| {
            regencies
                .get(&d.regency_code)
                .cloned()
                .map(|r| (d.code.clone(), (d, r)))
        })
        .collect())
}

/// Villages (kelurahan / desa) by code.
pub async fn villages(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> AppResult<HashMap<String, village::Model>> {
    Ok(village::Entity::find()
        .filter(village::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.code.clone(), v))
        .collect())
}

/// The villages of each kecamatan, by name (one statement whatever the number of codes).
pub async fn villages_of_districts(
    db: &impl ConnectionTrait,
    district_codes: &[String],
) -> AppResult<Vec<village::Model>> {
    Ok(village::Entity::find()
        .filter(village::Column::DistrictCode.is_in(district_codes.iter().cloned()))
        .order_by_asc(village::Column::Name)
        .all(db)
        .await?)
}

/// Villages whose code starts with `prefix` (a regency "35.13" or a kecamatan "35.13.23").
pub async fn villages_under(
    db: &impl ConnectionTrait,
    prefix: &str,
) -> AppResult<Vec<village::Model>> {
    Ok(village::Entity::find()
        .filter(village::Column::Code.starts_with(format!("{prefix}.")))
        .all(db)
        .await?)
}

/// Folds the spellings a village name is written in to one key: case, spaces, hyphens and
/// punctuation; the old spelling (oe → u, dj → j, tj → c); and the dropped e after k ("Kerajan",
/// "Krajan"; "Kedungrejo", "Kdungrejo").
pub fn fold_name(raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    for (old, new) in [("oe", "u"), ("dj", "j"), ("tj", "c")] {
        s = s.replace(old, new);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, c) in chars.iter().enumerate() {
        let after_k = i > 0 && chars[i - 1] == 'k';
        let before_consonant = chars.get(i + 1).is_some_and(|n| !"aeiou".contains(*n));
        if *c == 'e' && after_k && before_consonant {
            continue;
        }
        out.push(*c);
    }
    out
}

/// Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short keys.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// How well `query` (folded) matches a village name: 0 for a prefix, 1 for a substring, 2 +
/// the number of typos for a near match; `None` when it does not match. Typos allowed: one from
/// four folded characters, two from eight.
pub fn name_match(query: &str, name: &str) -> Option<usize> {
    let name = fold_name(name);
    if query.is_empty() {
        return None;
    }
    if name.starts_with(query) {
        return Some(0);
    }
    if name.contains(query) {
        return Some(1);
    }
    let allowed = match query.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    if allowed == 0 {
        return None;
    }
    // The whole name, and every stretch of it as long as the query (give or take the typos).
    let chars: Vec<char> = name.chars().collect();
    let n = query.chars().count();
    let mut best = distance(query, &name);
    for len in n.saturating_sub(allowed)..=n + allowed {
        for start in 0..chars.len().saturating_sub(len.saturating_sub(1)) {
            let end = (start + len).min(chars.len());
            let window: String = chars[start..end].iter().collect();
            best = best.min(distance(query, &window));
        }
    }
    (best <= allowed).then_some(2 + best)
}

/// Villages under `prefix` matching `search`, best first (then by name), at most `limit`.
pub async fn search_villages(
    db: &impl ConnectionTrait,
    prefix: &str,
    search: &str,
    limit: usize,
) -> AppResult<Vec<village::Model>> {
    let query = fold_name(search);
    let mut found: Vec<(usize, village::Model)> = villages_under(db, prefix)
        .await?
        .into_iter()
        .filter_map(|v| name_match(&query, &v.name).map(|score| (score, v)))
        .collect();
    found.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.name.cmp(&y.name)));
    Ok(found.into_iter().take(limit).map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_fold_together() {
        assert_eq!(fold_name("Tongas Wetan"), fold_name("tongas-wetan"));
        assert_eq!(fold_name("Kerajan"), fold_name("krajan"));
        assert_eq!(fold_name("Soemberrejo"), fold_name("Sumberrejo"));
        assert_eq!(fold_name("Djati"), fold_name("jati"));
    }

    #[test]
    fn names_match_with_typos() {
        let q = |s: &str| fold_name(s);
        assert_eq!(name_match(&q("tongas"), "Tongas Wetan"), Some(0));
        assert_eq!(name_match(&q("wetan"), "Tongas Wetan"), Some(1));
        assert_eq!(name_match(&q("curahdrinu"), "Curahdringu"), Some(3));
        assert_eq!(name_match(&q("sumbrkramat"), "Sumberkramat"), Some(3));
        assert_eq!(name_match(&q("tngs"), "Tongas Wetan"), None);
        assert_eq!(name_match(&q("klampok"), "Tanjungrejo"), None);
    }
}
