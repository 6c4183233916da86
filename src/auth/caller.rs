//! The caller of a request: who it is. What it may do is decided in `auth::policy`.

use uuid::Uuid;

/// Who is calling, resolved once per request from the `Authorization` header.
#[derive(Debug, Clone, Default)]
pub enum Caller {
    #[default]
    Anonymous,
    User(UserCaller),
    /// A kiosk device, bound to one outlet.
    Kiosk {
        kiosk_id: Uuid,
        outlet_id: Uuid,
    },
}

#[derive(Debug, Clone)]
pub struct UserCaller {
    pub user_id: Uuid,
    pub is_admin: bool,
    /// Sellers the user is a member of (role SELLER).
    pub seller_ids: Vec<Uuid>,
    /// Outlets the user works at (role OUTLET_STAFF).
    pub outlet_ids: Vec<Uuid>,
}
