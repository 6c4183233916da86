//! The caller of a request and what it may do.

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

impl Caller {
    pub fn user(&self) -> Option<&UserCaller> {
        match self {
            Caller::User(u) => Some(u),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.user().is_some_and(|u| u.is_admin)
    }

    /// A member of this seller, or an administrator.
    pub fn manages_seller(&self, seller_id: Uuid) -> bool {
        self.user()
            .is_some_and(|u| u.is_admin || u.seller_ids.contains(&seller_id))
    }

    /// Staff of this outlet, or an administrator.
    pub fn staffs_outlet(&self, outlet_id: Uuid) -> bool {
        self.user()
            .is_some_and(|u| u.is_admin || u.outlet_ids.contains(&outlet_id))
    }
}
