//! URL slugs: lower-case ASCII letters, digits and single hyphens.

use crate::error::{AppResult, Invalid};

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

/// The first of `base`, `base-2`, `base-3`, … that `taken` says is free.
pub async fn first_free<F, Fut>(base: &str, taken: F) -> AppResult<String>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = AppResult<bool>>,
{
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        if !taken(candidate.clone()).await? {
            return Ok(candidate);
        }
    }
    Ok(format!("{base}-{}", uuid::Uuid::now_v7().simple()))
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
    fn accepts_and_rejects() {
        assert!(Slug::parse("keripik-mangga-250g").is_ok());
        for bad in ["", "Keripik", "a--b", "-a", "a b", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }
}
