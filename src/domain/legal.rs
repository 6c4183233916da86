//! Legal identifiers the regency office validates: NIB, halal certificate, P-IRT, trademark.

use crate::error::Invalid;

/// Nomor Induk Berusaha: exactly 13 digits.
pub fn parse_nib(raw: &str) -> Result<String, Invalid> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.len() != 13 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::new("an NIB is exactly 13 digits"));
    }
    Ok(s)
}

/// P-IRT / SPP-IRT number: 15 digits, usually written "P-IRT 2063513010123-27"; stored in that form.
pub fn parse_pirt(raw: &str) -> Result<String, Invalid> {
    let upper = raw.trim().to_uppercase();
    let rest = upper
        .strip_prefix("SPP-IRT")
        .or_else(|| upper.strip_prefix("P-IRT"))
        .or_else(|| upper.strip_prefix("PIRT"))
        .unwrap_or(&upper);
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_digits_and_dash = rest
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '.' || c == ':');
    if digits.len() != 15 || !only_digits_and_dash {
        return Err(Invalid::new(
            "a P-IRT number has 15 digits, e.g. P-IRT 2063513010123-27",
        ));
    }
    Ok(format!("P-IRT {}-{}", &digits[..13], &digits[13..]))
}

/// Halal certificate number (BPJPH), e.g. "ID35110000214560323": letters and digits, 8 to 40.
pub fn parse_halal_number(raw: &str) -> Result<String, Invalid> {
    let s: String = raw
        .trim()
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let valid = (8..=40).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'.'
        })
        && s.bytes().filter(u8::is_ascii_digit).count() >= 6;
    if !valid {
        return Err(Invalid::new(
            "not a halal certificate number, e.g. ID35110000214560323",
        ));
    }
    Ok(s)
}

/// Trademark (HAKI / merek) registration or application number, e.g. "IDM000912345".
pub fn parse_trademark(raw: &str) -> Result<String, Invalid> {
    let s: String = raw
        .trim()
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
    let digits = &s[letters..];
    let valid = (1..=4).contains(&letters)
        && (6..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return Err(Invalid::new("not a trademark number, e.g. IDM000912345"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nib() {
        assert_eq!(parse_nib("9120 1057 32184").unwrap(), "9120105732184");
        for bad in ["912010573218", "91201057321845", "912010573218x"] {
            assert!(parse_nib(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pirt() {
        for ok in [
            "P-IRT 2063513010123-27",
            "206351301012327",
            "PIRT: 2063513010123-27",
            "spp-irt 2063513010123 27",
        ] {
            assert_eq!(parse_pirt(ok).unwrap(), "P-IRT 2063513010123-27", "{ok}");
        }
        for bad in ["P-IRT 123", "P-IRT 2063513010123-27X", "abc"] {
            assert!(parse_pirt(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn halal_and_trademark() {
        assert_eq!(
            parse_halal_number("id35110000214560323").unwrap(),
            "ID35110000214560323"
        );
        assert!(parse_halal_number("halal").is_err());
        assert_eq!(parse_trademark("idm000912345").unwrap(), "IDM000912345");
        assert!(parse_trademark("IDM12").is_err());
        assert!(parse_trademark("000912345").is_err());
    }
}
