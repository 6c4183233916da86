use sea_orm::entity::prelude::*;

/// One login session: the family of refresh tokens rotated from one login. Revoking the family
/// (logout, reuse) ends every token in it at once, and the family's own lifetime bounds how
/// long rotation can keep a session alive.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_families")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTimeUtc,
    /// Absolute end of the session, however often it is refreshed.
    pub expires_at: DateTimeUtc,
    pub last_refreshed_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
