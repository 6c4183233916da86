use sea_orm::entity::prelude::*;

/// A person with an account. Every user is a buyer; other roles come from memberships
/// (seller members, outlet staff) and the administrator flag.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased.
    pub email: Option<String>,
    /// E.164 (+62…).
    pub phone: Option<String>,
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
