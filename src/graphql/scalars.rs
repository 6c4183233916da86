//! The one time format of the API. async-graphql's chrono scalar prints `to_rfc3339()`, whose
//! precision follows the value (`…:00+00:00`, `…:00.123456+00:00`), which typed clients parse
//! with one pattern only if they are lenient. Every instant leaves through this scalar instead.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{SecondsFormat, Utc};

/// An instant, always RFC 3339 in UTC with exactly three fractional digits and `Z`:
/// `2026-11-23T10:00:00.000Z`. Finer precision is truncated to the millisecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant in RFC 3339, always in UTC with milliseconds and `Z`, e.g.
/// `2026-11-23T10:00:00.000Z`. As input, any RFC 3339 offset is accepted.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| DateTime(t.with_timezone(&Utc)))
                .map_err(|e| InputValueError::custom(format!("not an RFC 3339 instant: {e}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(t: chrono::DateTime<Utc>) -> Self {
        DateTime(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_instant_has_the_same_shape() {
        let whole = Utc
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .single()
            .unwrap_or_default();
        let fine = whole + chrono::Duration::microseconds(123_456);
        assert_eq!(
            DateTime(whole).to_value(),
            Value::from("2026-11-23T10:00:00.000Z")
        );
        assert_eq!(
            DateTime(fine).to_value(),
            Value::from("2026-11-23T10:00:00.123Z")
        );
    }
}
