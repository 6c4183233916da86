use sea_orm::entity::prelude::*;

/// Metadata of a stored photo of a product, a seller (its logo) or an outlet; the bytes live in
/// the media store. Exactly one owner column is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product_id: Option<Uuid>,
    pub seller_id: Option<Uuid>,
    pub outlet_id: Option<Uuid>,
    /// The LARGE derivative (1080 px), or the only image of rows made before derivatives.
    #[sea_orm(unique)]
    pub storage_key: String,
    /// The MEDIUM derivative (480 px); `None` on rows made before derivatives.
    pub medium_key: Option<String>,
    /// The THUMB derivative (160 px); `None` on rows made before derivatives.
    pub thumb_key: Option<String>,
    /// A colour (`#rrggbb`) apps paint before the image arrives.
    pub placeholder: Option<String>,
    pub content_type: String,
    /// Dimensions of the `storage_key` image.
    pub width: i32,
    pub height: i32,
    pub position: i32,
    pub alt_text: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
