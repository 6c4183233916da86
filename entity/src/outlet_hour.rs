use sea_orm::entity::prelude::*;

/// Opening hours of an outlet on one weekday (1 = Monday … 7 = Sunday), local time (WIB).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outlet_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub outlet_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub weekday: i16,
    /// "HH:MM"
    pub opens: String,
    /// "HH:MM"
    pub closes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
