use sea_orm::entity::prelude::*;

/// Metadata of a stored photo of a product or a seller; the bytes live in the media store.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Option<Uuid>,
    pub seller_id: Option<Uuid>,
    #[sea_orm(unique)]
    pub storage_key: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub position: i32,
    pub alt_text: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
