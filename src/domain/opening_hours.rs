//! Whether an outlet is open at an instant, from its weekly hours in WIB.
//!
//! Rest areas keep Western Indonesia Time (Asia/Jakarta): a fixed UTC+7 with no daylight
//! saving, so a fixed offset is exact. Hours never cross midnight (opening is before closing on
//! the same day), and a weekday without a row is closed all day.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Utc};

/// WIB, UTC+7 (checked when compiling: a bad offset would not build).
pub const WIB: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(wib) => wib,
    None => panic!("UTC+7 is a valid offset"),
};

/// WIB, UTC+7.
pub fn wib() -> FixedOffset {
    WIB
}

/// Hours on one weekday: open from `opens` (inclusive) to `closes` (exclusive), WIB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// An outlet's week.
#[derive(Debug, Clone, Default)]
pub struct WeeklyHours(Vec<DayHours>);

impl WeeklyHours {
    /// Reads stored rows (ISO weekday, "HH:MM", "HH:MM"); a row that does not parse or does not
    /// open before it closes is left out, i.e. read as closed, never as open.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (i16, &'a str, &'a str)>) -> Self {
        let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
        WeeklyHours(
            rows.into_iter()
                .filter_map(|(weekday, opens, closes)| {
                    let weekday = u32::try_from(weekday)
                        .ok()
                        .filter(|d| (1..=7).contains(d))?;
                    let (opens, closes) = (parse(opens)?, parse(closes)?);
                    (opens < closes).then_some(DayHours {
                        weekday,
                        opens,
                        closes,
                    })
                })
                .collect(),
        )
    }

    /// The hours on the WIB calendar day of `now`, or `None` when closed that day.
    pub fn today(&self, now: DateTime<Utc>) -> Option<DayHours> {
        self.on(now.with_timezone(&wib()).weekday().number_from_monday())
    }

    /// Whether the hours say open at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let time = now.with_timezone(&wib()).time();
        self.today(now)
            .is_some_and(|h| h.opens <= time && time < h.closes)
    }

    /// The next instant after `now` at which the outlet opens; `None` when it is open at `now`
    /// or has no hours at all.
    pub fn next_opening(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(now) {
            return None;
        }
        let local = now.with_timezone(&wib());
        // Eight days: today, the six after, and today's weekday next week.
        (0..=7).find_map(|ahead| {
            let date = local.date_naive() + Duration::days(ahead);
            let hours = self.on(date.weekday().number_from_monday())?;
            let opens = wib()
                .from_local_datetime(&date.and_time(hours.opens))
                .single()?;
            (opens > local).then(|| opens.with_timezone(&Utc))
        })
    }

    fn on(&self, weekday: u32) -> Option<DayHours> {
        self.0.iter().copied().find(|h| h.weekday == weekday)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 07:00–21:00 Monday to Saturday; Sunday closed.
    fn shop() -> WeeklyHours {
        WeeklyHours::from_rows((1..=6).map(|d| (d, "07:00", "21:00")))
    }

    /// A WIB wall-clock time as an instant. 2026-11-23 is a Monday.
    fn at(day: u32, hh: u32, mm: u32) -> DateTime<Utc> {
        wib()
            .with_ymd_and_hms(2026, 11, day, hh, mm, 0)
            .single()
            .expect("a valid time")
            .with_timezone(&Utc)
    }

    #[test]
    fn before_opening_it_is_closed_and_opens_later_that_day() {
        let now = at(23, 6, 59);
        assert!(!shop().is_open(now));
        assert_eq!(shop().next_opening(now), Some(at(23, 7, 0)));
        assert!(shop().today(now).is_some());
    }

    #[test]
    fn during_the_hours_it_is_open_with_no_next_opening() {
        for now in [at(23, 7, 0), at(23, 10, 0), at(23, 20, 59)] {
            assert!(shop().is_open(now), "{now}");
            assert_eq!(shop().next_opening(now), None);
        }
    }

    #[test]
    fn after_closing_it_opens_the_next_morning() {
        let now = at(23, 21, 0);
        assert!(!shop().is_open(now));
        assert_eq!(shop().next_opening(now), Some(at(24, 7, 0)));
    }

    #[test]
    fn at_two_in_the_morning_it_is_closed() {
        let now = at(24, 2, 0);
        assert!(!shop().is_open(now));
        assert_eq!(shop().next_opening(now), Some(at(24, 7, 0)));
    }

    #[test]
    fn a_day_without_hours_is_closed_all_day() {
        let sunday_noon = at(29, 12, 0);
        assert!(!shop().is_open(sunday_noon));
        assert_eq!(shop().today(sunday_noon), None);
        assert_eq!(shop().next_opening(sunday_noon), Some(at(30, 7, 0)));
    }

    #[test]
    fn the_week_wraps_from_saturday_night_and_sunday_night_to_monday() {
        assert_eq!(shop().next_opening(at(28, 22, 0)), Some(at(30, 7, 0)));
        assert_eq!(shop().next_opening(at(29, 23, 30)), Some(at(30, 7, 0)));
    }

    #[test]
    fn one_day_a_week_after_closing_means_next_week() {
        let mondays = WeeklyHours::from_rows([(1, "07:00", "09:00")]);
        assert_eq!(mondays.next_opening(at(23, 10, 0)), Some(at(30, 7, 0)));
    }

    #[test]
    fn no_hours_means_never_open_and_no_next_opening() {
        let none = WeeklyHours::default();
        assert!(!none.is_open(at(23, 10, 0)));
        assert_eq!(none.next_opening(at(23, 10, 0)), None);
    }

    #[test]
    fn wib_is_utc_plus_seven() {
        // 03:00 UTC is 10:00 WIB.
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 3, 0, 0)
            .single()
            .expect("valid");
        assert!(shop().is_open(now));
        // 19:00 UTC Sunday is 02:00 WIB Monday: closed, opening at 07:00 WIB.
        let late = Utc
            .with_ymd_and_hms(2026, 11, 22, 19, 0, 0)
            .single()
            .expect("valid");
        assert!(!shop().is_open(late));
        assert_eq!(shop().next_opening(late), Some(at(23, 7, 0)));
    }

    #[test]
    fn unreadable_rows_count_as_closed() {
        let odd = WeeklyHours::from_rows([
            (1, "7am", "21:00"),
            (9, "07:00", "21:00"),
            (2, "21:00", "07:00"),
        ]);
        assert!(!odd.is_open(at(23, 10, 0)));
        assert!(!odd.is_open(at(24, 10, 0)));
    }
}
