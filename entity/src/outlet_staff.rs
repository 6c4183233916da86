use sea_orm::entity::prelude::*;

/// A user who works at an outlet (role OUTLET_STAFF).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outlet_staff")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub outlet_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
