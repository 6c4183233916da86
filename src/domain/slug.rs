//! URL slugs: lower-case ASCII letters, digits and single hyphens.

use crate::error::Invalid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let valid = !s.is_empty()
            && s.len() <= 160
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !valid {
            return Err(Invalid::new(
                "a slug is 1-160 lower-case letters, digits and single hyphens",
            ));
        }
        Ok(Slug(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A slug made from a display name: "Keripik Mangga Bu Sri" → "keripik-mangga-bu-sri".
/// Non-ASCII letters and punctuation become separators; `fallback` serves when nothing is left.
pub fn slugify(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(100).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// The first of `base`, `base-2`, `base-3`, … not among `taken` (the slugs already in use that
/// start with `base`, read in one query). Never more than `taken.len() + 1` candidates.
pub fn first_free(base: &str, taken: &[String]) -> String {
    let taken: std::collections::HashSet<&str> = taken.iter().map(String::as_str).collect();
    (1..=taken.len() + 1)
        .map(|n| {
            if n == 1 {
                base.to_string()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|candidate| !taken.contains(candidate.as_str()))
        .unwrap_or_else(|| format!("{base}-{}", uuid::Uuid::now_v7().simple()))
}

/// The SQL `LIKE` pattern of the numbered variants of `base` (`base-%`). A slug holds only
/// letters, digits and hyphens, so nothing in `base` needs escaping.
pub fn numbered_pattern(base: &str) -> String {
    format!("{base}-%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugifies_names() {
        assert_eq!(
            slugify("Keripik Mangga Bu Sri", "x"),
            "keripik-mangga-bu-sri"
        );
        assert_eq!(
            slugify("  Kopi (Robusta) — Tiris!  ", "x"),
            "kopi-robusta-tiris"
        );
        assert_eq!(slugify("éé", "produk"), "produk");
    }

    #[test]
    fn first_free_skips_taken_slugs() {
        let taken = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(first_free("tas", &[]), "tas");
        assert_eq!(first_free("tas", &taken(&["tas"])), "tas-2");
        assert_eq!(
            first_free("tas", &taken(&["tas", "tas-2", "tas-pandan", "tas-4"])),
            "tas-3"
        );
    }

    #[test]
    fn accepts_and_rejects() {
        assert!(Slug::parse("keripik-mangga-250g").is_ok());
        for bad in ["", "Keripik", "a--b", "-a", "a b", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }
}
