use sea_orm::entity::prelude::*;

use crate::enums::JobStatus;

/// A background job in the durable queue. `attempts` counts started attempts: a runner
/// increments it when it claims the job.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Which handler runs it, e.g. `halal_expiry_check`.
    pub kind: String,
    /// The handler's input, JSON text.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    /// Earliest time the job may (next) run.
    pub run_at: DateTimeUtc,
    /// Id of the runner holding the lease while RUNNING.
    pub locked_by: Option<String>,
    /// Lease expiry: past it, a RUNNING job is considered abandoned and is claimable again.
    pub locked_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
