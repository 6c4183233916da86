//! Domain events: what changed, published after the transaction that changed it commits.
//!
//! Events name the objects a write touched, not their new state: a consumer (cache
//! invalidation, live subscriptions, search index) reloads what it needs. A denied or failed
//! write publishes nothing, because its transaction never commits.

use uuid::Uuid;

/// One committed change. Variants are added as areas grow (orders, photos, imports).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DomainEvent {
    /// A product was created or its fields, status or featured flag changed.
    ProductChanged { product_id: Uuid, seller_id: Uuid },
    /// The stock of a product at an outlet changed.
    StockChanged { outlet_id: Uuid, product_id: Uuid },
    /// A seller applied or its data changed (without a change of status).
    SellerChanged { seller_id: Uuid },
    /// A seller's verification status changed (this hides or shows all its products).
    SellerStatusChanged {
        seller_id: Uuid,
        from: entity::enums::SellerStatus,
        to: entity::enums::SellerStatus,
    },
    /// An outlet, its hours, its sellers or its staff changed.
    OutletChanged { outlet_id: Uuid },
    /// A category of the tree changed.
    CategoryChanged { category_id: Uuid },
    /// A photo of a product, seller or outlet was added, changed or removed.
    PhotoChanged { photo_id: Uuid, owner_id: Uuid },
    /// A kiosk was registered or revoked.
    KioskChanged { kiosk_id: Uuid, outlet_id: Uuid },
    /// A user account was created.
    UserRegistered { user_id: Uuid },
}

impl DomainEvent {
    /// A short stable name, for logs and for a pub/sub channel.
    pub fn name(&self) -> &'static str {
        match self {
            DomainEvent::ProductChanged { .. } => "product_changed",
            DomainEvent::StockChanged { .. } => "stock_changed",
            DomainEvent::SellerChanged { .. } => "seller_changed",
            DomainEvent::SellerStatusChanged { .. } => "seller_status_changed",
            DomainEvent::OutletChanged { .. } => "outlet_changed",
            DomainEvent::CategoryChanged { .. } => "category_changed",
            DomainEvent::PhotoChanged { .. } => "photo_changed",
            DomainEvent::KioskChanged { .. } => "kiosk_changed",
            DomainEvent::UserRegistered { .. } => "user_registered",
        }
    }
}
