//! Outlet codes ("TGS-K07"): the one place that normalises them. Stall signs, kiosk set-up
//! screens and people type them in any case and with stray spaces, so every boundary (creating
//! an outlet, looking one up by code) parses through here and the database only ever sees the
//! canonical form.

use crate::error::Invalid;

/// Shortest and longest outlet code.
const LEN: std::ops::RangeInclusive<usize> = 2..=32;

/// A canonical outlet code: `^[A-Z0-9-]{2,32}$`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletCode(String);

impl OutletCode {
    /// Trims surrounding whitespace and upper-cases, then checks the pattern, so `tgs-k07` and
    /// ` TGS-K07 ` are both `TGS-K07`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim().to_ascii_uppercase();
        let valid = LEN.contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(OutletCode(code))
        } else {
            Err(Invalid::new(
                "must be 2 to 32 characters of A-Z, 0-9 and -, e.g. TGS-K13",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_trimmed_and_upper_cased() {
        for raw in ["TGS-K07", "tgs-k07", " TGS-K07 ", "\tTgs-K07\n"] {
            assert_eq!(
                OutletCode::parse(raw).map(OutletCode::into_string),
                Ok("TGS-K07".to_string()),
                "{raw:?}"
            );
        }
        for good in ["K1", "A-0-Z"] {
            assert!(OutletCode::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "K",
            "TGS K07",
            "TGS_K07",
            "",
            "  ",
            &"A".repeat(33),
            "TGS-KÖ7",
        ] {
            assert!(OutletCode::parse(bad).is_err(), "{bad}");
        }
    }
}
