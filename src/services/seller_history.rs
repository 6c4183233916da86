//! Sellers' verification histories, read for many sellers at once (one DataLoader batch).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{enums::SellerStatus, seller_member, seller_status_change};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Who made a change, by role: the seller's own member, or the regency office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorRole {
    Seller,
    Office,
}

/// One change of a seller's verification status, with typed statuses.
#[derive(Debug, Clone)]
pub struct StatusEntry {
    pub id: Uuid,
    pub from: Option<SellerStatus>,
    pub to: SellerStatus,
    pub reason: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_role: ActorRole,
    pub created_at: DateTime<Utc>,
}

fn status(raw: &str) -> AppResult<SellerStatus> {
    SellerStatus::try_from_value(&raw.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("status {raw:?} in the history: {e}")))
}

/// The histories of `sellers`, oldest first, in two statements whatever their number: the
/// changes, and the members of those sellers (a change by a member is the seller's own; any
/// other is the office's decision).
pub async fn histories(
    db: &impl ConnectionTrait,
    sellers: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<StatusEntry>>> {
    if sellers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = seller_status_change::Entity::find()
        .filter(seller_status_change::Column::SellerId.is_in(sellers.iter().copied()))
        .order_by_asc(seller_status_change::Column::CreatedAt)
        .order_by_asc(seller_status_change::Column::Id)
        .all(db)
        .await?;
    let members: HashSet<(Uuid, Uuid)> = seller_member::Entity::find()
        .filter(seller_member::Column::SellerId.is_in(sellers.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.seller_id, m.user_id))
        .collect();
    let mut out: HashMap<Uuid, Vec<StatusEntry>> = HashMap::new();
    for row in rows {
        let by_member = row
            .actor_id
            .is_some_and(|actor| members.contains(&(row.seller_id, actor)));
        let entry = StatusEntry {
            id: row.id,
            from: row.from_status.as_deref().map(status).transpose()?,
            to: status(&row.to_status)?,
            reason: row.reason,
            actor_id: row.actor_id,
            actor_role: if by_member {
                ActorRole::Seller
            } else {
                ActorRole::Office
            },
            created_at: row.created_at,
        };
        out.entry(row.seller_id).or_default().push(entry);
    }
    Ok(out)
}
