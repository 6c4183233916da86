//! Rate limits per caller and minute, counted in the shared store (`infra::cache`), so that
//! they hold across instances.
//!
//! Fixed one-minute windows: the counter's key names the window, a refused request counts
//! nothing, and the answer says how many seconds remain until the window turns. What each
//! limit does while Redis does not answer is part of its definition ([`LimitedAction::outage`]).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{
    infra::cache::{Cache, Outage},
    settings::RateLimits,
};

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedAction {
    Login,
    Registration,
    Refresh,
    Upload,
    /// The summed cost of the operations of every request.
    QueryCost,
}

const WINDOW: Duration = Duration::from_secs(60);

impl LimitedAction {
    pub fn name(self) -> &'static str {
        match self {
            LimitedAction::Login => "login",
            LimitedAction::Registration => "registration",
            LimitedAction::Refresh => "refresh",
            LimitedAction::Upload => "upload",
            LimitedAction::QueryCost => "query-cost",
        }
    }

    /// While Redis does not answer, the account actions and uploads count on this instance's
    /// own counters (the limit then holds per instance, so guessing passwords never becomes
    /// unlimited), and the query budget lets requests through uncounted (the catalogue keeps
    /// answering at full speed; each request's own cost limit still applies).
    pub fn outage(self) -> Outage {
        match self {
            LimitedAction::QueryCost => Outage::Open,
            _ => Outage::Local,
        }
    }

    fn per_minute(self, limits: &RateLimits) -> Option<u64> {
        match self {
            LimitedAction::Login => limits.login,
            LimitedAction::Registration => limits.registration,
            LimitedAction::Refresh => limits.refresh,
            LimitedAction::Upload => limits.uploads,
            LimitedAction::QueryCost => limits.query_cost,
        }
    }
}

/// A refused request: the limit and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub action: LimitedAction,
    /// Whole seconds until the window turns (at least 1), for `Retry-After`.
    pub retry_after_secs: u64,
}

/// Takes `amount` units of `subject`'s budget for `action` in this minute.
pub async fn take(
    counters: &Cache,
    limits: &RateLimits,
    action: LimitedAction,
    subject: &str,
    amount: u64,
) -> Result<(), Limited> {
    let Some(limit) = action.per_minute(limits) else {
        return Ok(());
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let window = now / WINDOW.as_secs();
    let key = format!("rate:{}:{subject}:{window}", action.name());
    // An amount over the whole budget can never pass; it is refused like any other.
    counters
        .take_within(&key, amount, limit, WINDOW, action.outage())
        .await
        .map_err(|_| Limited {
            action,
            retry_after_secs: (WINDOW.as_secs() - now % WINDOW.as_secs()).max(1),
        })
}
