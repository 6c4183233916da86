//! `Seller.statusHistory`: a seller's verification history as a connection, loaded for every
//! seller of a request in one batch.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    Context, Enum, ID, Object, SimpleObject,
    connection::{Connection, Edge},
    dataloader::Loader,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    auth::policy,
    error::{AppError, AppResult},
    graphql::{context::ContextExt, enums::VerificationStatus, scalars::DateTime},
    services::seller_history::{self, ActorRole, StatusEntry},
};

/// Histories by seller id; one batch for all the sellers a request resolves.
pub struct StatusHistoryLoader(pub DatabaseConnection);

impl Loader<Uuid> for StatusHistoryLoader {
    type Value = Arc<Vec<StatusEntry>>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        Ok(seller_history::histories(&self.0, keys)
            .await?
            .into_iter()
            .map(|(id, entries)| (id, Arc::new(entries)))
            .collect())
    }
}

/// Who made a change of verification status.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum StatusActor {
    /// The seller's own member (the application, a resubmission, new legal data).
    Seller,
    /// The regency office (verification, rejection, suspension, reinstatement).
    RegencyOffice,
}

/// One change of a seller's verification status.
pub struct StatusChange {
    entry: StatusEntry,
    /// Whether the caller may see which administrator decided.
    shows_actor_id: bool,
}

/// One change of a seller's verification status.
#[Object]
impl StatusChange {
    /// Status before (null for the application itself).
    async fn from_status(&self) -> Option<VerificationStatus> {
        self.entry.from.map(Into::into)
    }
    /// Status after.
    async fn to_status(&self) -> VerificationStatus {
        self.entry.to.into()
    }
    /// Why, as given by the actor.
    async fn reason(&self) -> Option<&str> {
        self.entry.reason.as_deref()
    }
    /// Who made the change, by role: the seller, or the regency office.
    async fn actor(&self) -> StatusActor {
        match self.entry.actor_role {
            ActorRole::Seller => StatusActor::Seller,
            ActorRole::Office => StatusActor::RegencyOffice,
        }
    }
    /// User ID of who made the change. Administrators only (null for everybody else).
    async fn actor_id(&self) -> Option<ID> {
        self.shows_actor_id
            .then_some(self.entry.actor_id)
            .flatten()
            .map(|id| ID(id.to_string()))
    }
    /// When (UTC).
    async fn created_at(&self) -> DateTime {
        self.entry.created_at.into()
    }
}

/// The size of a whole history.
#[derive(SimpleObject)]
pub struct HistoryTotal {
    /// Number of changes across all pages.
    pub total_count: i64,
}

pub type HistoryConnection = Connection<String, StatusChange, HistoryTotal>;

const CURSOR_PREFIX: &str = "status-change:";

fn cursor_of(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{id}"))
}

fn id_of(cursor: &str) -> AppResult<Uuid> {
    let invalid = || AppError::InvalidCursor(format!("{cursor:?} was not issued by this API"));
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let id = text.strip_prefix(CURSOR_PREFIX).ok_or_else(invalid)?;
    Uuid::parse_str(id).map_err(|_| invalid())
}

/// One page of a seller's history, oldest first; `first` 0 to 100 (default 20), `after` the
/// cursor of the last change of the previous page.
pub async fn page(
    ctx: &Context<'_>,
    seller_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<HistoryConnection> {
    let first = match first {
        None => 20,
        Some(n) if (0..=100).contains(&n) => n as usize,
        Some(_) => return Err(AppError::invalid("first", "must be between 0 and 100")),
    };
    let entries = ctx
        .loaders()?
        .status_history
        .load_one(seller_id)
        .await?
        .unwrap_or_default();
    let start = match after.as_deref() {
        None => 0,
        Some(cursor) => {
            let id = id_of(cursor)?;
            entries
                .iter()
                .position(|e| e.id == id)
                .map(|i| i + 1)
                .ok_or_else(|| AppError::InvalidCursor("not a change of this seller".into()))?
        }
    };
    let shows_actor_id = policy::may_see_status_actors(ctx.caller()?);
    let end = start.saturating_add(first).min(entries.len());
    let mut conn = Connection::with_additional_fields(
        start > 0,
        end < entries.len(),
        HistoryTotal {
            total_count: entries.len() as i64,
        },
    );
    conn.edges.extend(
        entries
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|entry| {
                Edge::new(
                    cursor_of(entry.id),
                    StatusChange {
                        entry: entry.clone(),
                        shows_actor_id,
                    },
                )
            }),
    );
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let id = Uuid::now_v7();
        assert_eq!(id_of(&cursor_of(id)).unwrap(), id);
        assert!(id_of("bm90IG91cnM").is_err());
        assert!(id_of("%%%").is_err());
    }
}
