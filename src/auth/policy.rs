//! Who may do what: every authorization decision of the API, each a named function.
//!
//! Resolvers and private fields call these and nothing else decides; a new mutation adds its
//! rule here. Functions that guard an action return the caller's identity or the error the
//! client sees: UNAUTHENTICATED when nobody (or a kiosk) is signed in, FORBIDDEN when the
//! caller is known but not allowed, and NOT_FOUND where telling FORBIDDEN would reveal that
//! an unpublished object exists. Predicates (`bool`) decide what a field shows.

use entity::enums::{ProductStatus, SellerStatus};
use uuid::Uuid;

use crate::{
    auth::caller::{Caller, UserCaller},
    error::{AppError, AppResult},
};

/// A role a signed-in user holds, derived from its memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Buyer,
    Seller,
    OutletStaff,
    Admin,
}

/// The roles of a signed-in user: everyone buys; membership of a seller, staff of an outlet
/// and the administrator flag add the others.
pub fn roles(user: &UserCaller) -> Vec<Role> {
    let mut roles = vec![Role::Buyer];
    if !user.seller_ids.is_empty() {
        roles.push(Role::Seller);
    }
    if !user.outlet_ids.is_empty() {
        roles.push(Role::OutletStaff);
    }
    if user.is_admin {
        roles.push(Role::Admin);
    }
    roles
}

/// A signed-in person (not a kiosk), or UNAUTHENTICATED.
pub fn signed_in(caller: &Caller) -> AppResult<&UserCaller> {
    match caller {
        Caller::User(user) => Ok(user),
        Caller::Anonymous | Caller::Kiosk { .. } => Err(AppError::Unauthenticated),
    }
}

/// An administrator of the regency office, or UNAUTHENTICATED / FORBIDDEN.
pub fn admin(caller: &Caller) -> AppResult<&UserCaller> {
    let user = signed_in(caller)?;
    if user.is_admin {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Account operations (register, login, refresh, logout) are for people; a kiosk browses and
/// places pickup orders only.
pub fn may_use_accounts(caller: &Caller) -> AppResult<()> {
    match caller {
        Caller::Kiosk { .. } => Err(AppError::Forbidden),
        Caller::Anonymous | Caller::User(_) => Ok(()),
    }
}

/// Whose budget a request spends (rate limits): the user, the kiosk, or for anonymous callers
/// the client address (IPv6: its /64).
pub fn rate_limit_subject(caller: &Caller, client: &str) -> String {
    match caller {
        Caller::User(user) => format!("user:{}", user.user_id),
        Caller::Kiosk { kiosk_id, .. } => format!("kiosk:{kiosk_id}"),
        Caller::Anonymous => format!(
            "address:{}",
            crate::domain::client_address::throttle_bucket(client)
        ),
    }
}

/// Whose shared cache a query's answer may go into: anonymous callers share one, the kiosks of
/// an outlet another (they see what anonymous callers see, kept apart all the same). A
/// signed-in user's answers can depend on who they are and are never shared.
pub fn shared_cache_scope(caller: &Caller) -> Option<String> {
    match caller {
        Caller::Anonymous => Some("public".into()),
        Caller::Kiosk { outlet_id, .. } => Some(format!("kiosk:{outlet_id}")),
        Caller::User(_) => None,
    }
}

/// A member of the seller, or an administrator.
pub fn manages_seller(caller: &Caller, seller_id: Uuid) -> bool {
    match caller {
        Caller::User(user) => user.is_admin || user.seller_ids.contains(&seller_id),
        Caller::Anonymous | Caller::Kiosk { .. } => false,
    }
}

/// Private data of a seller (owner, contacts, legal data, history, all products) is for its
/// members and administrators; `joined` lists sellers the caller became a member of during
/// this request (the payload of `applyAsSeller`).
pub fn may_see_private_seller_data(caller: &Caller, seller_id: Uuid, joined: &[Uuid]) -> bool {
    manages_seller(caller, seller_id) || joined.contains(&seller_id)
}

/// A seller is public once VERIFIED; before that (and when suspended) only those who manage it
/// see it.
pub fn may_view_seller(caller: &Caller, seller_id: Uuid, status: SellerStatus) -> bool {
    status == SellerStatus::Verified || manages_seller(caller, seller_id)
}

/// A product is public when ACTIVE and its seller VERIFIED; drafts, unpublished and archived
/// products, and every product of a seller that is not VERIFIED, are seen only by those who
/// manage the seller (by id, by slug, through `node`).
pub fn may_view_product(
    caller: &Caller,
    seller_id: Uuid,
    product_status: ProductStatus,
    seller_status: SellerStatus,
) -> bool {
    (product_status == ProductStatus::Active && seller_status == SellerStatus::Verified)
        || manages_seller(caller, seller_id)
}

/// Anyone signed in may submit a business for verification.
pub fn may_apply_as_seller(caller: &Caller) -> AppResult<&UserCaller> {
    signed_in(caller)
}

/// Only members edit a seller's application; to others the seller is NOT_FOUND, so that its
/// existence does not leak.
pub fn may_edit_seller_application(caller: &Caller, seller_id: Uuid) -> AppResult<&UserCaller> {
    let user = signed_in(caller)?;
    if user.seller_ids.contains(&seller_id) {
        Ok(user)
    } else {
        Err(AppError::not_found("seller"))
    }
}

/// Verifying, rejecting, suspending and reinstating sellers, and reading the review queue.
pub fn may_review_sellers(caller: &Caller) -> AppResult<&UserCaller> {
    admin(caller)
}

/// Which administrator made a seller's status decision is for administrators only; a seller
/// sees "the regency office" as the actor of office decisions.
pub fn may_see_status_actors(caller: &Caller) -> bool {
    admin(caller).is_ok()
}

/// Adding a product to a seller: its members and administrators.
pub fn may_add_product(caller: &Caller, seller_id: Uuid) -> AppResult<&UserCaller> {
    let user = signed_in(caller)?;
    if user.is_admin || user.seller_ids.contains(&seller_id) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Changing a product (fields, status): its seller's members and administrators. To anyone
/// else an unpublished product is NOT_FOUND (its existence must not leak) and a public one
/// FORBIDDEN.
pub fn may_manage_product(
    caller: &Caller,
    seller_id: Uuid,
    product_status: ProductStatus,
    seller_status: SellerStatus,
) -> AppResult<()> {
    signed_in(caller)?;
    if manages_seller(caller, seller_id) {
        return Ok(());
    }
    let public = product_status == ProductStatus::Active && seller_status == SellerStatus::Verified;
    Err(if public {
        AppError::Forbidden
    } else {
        AppError::not_found("product")
    })
}

/// Setting stock of a product at an outlet: the product's seller's members and the outlet's
/// staff, both only where the seller has a place at that outlet, and administrators.
/// `product_seller_id` is `None` for a product that does not exist: FORBIDDEN to all but
/// administrators, so that existence does not leak.
pub fn may_set_stock(
    caller: &Caller,
    product_seller_id: Option<Uuid>,
    outlet_id: Uuid,
    seller_has_place: bool,
) -> AppResult<&UserCaller> {
    let user = signed_in(caller)?;
    if user.is_admin {
        return Ok(user);
    }
    let Some(seller_id) = product_seller_id else {
        return Err(AppError::Forbidden);
    };
    let as_seller = user.seller_ids.contains(&seller_id);
    let as_staff = user.outlet_ids.contains(&outlet_id);
    if (as_seller || as_staff) && seller_has_place {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Adding, changing and removing a product's photos: as changing the product
/// ([`may_manage_product`]): its seller's members and administrators.
pub fn may_manage_product_photos(
    caller: &Caller,
    seller_id: Uuid,
    product_status: ProductStatus,
    seller_status: SellerStatus,
) -> AppResult<()> {
    may_manage_product(caller, seller_id, product_status, seller_status)
}

/// A seller's logo: its members and administrators.
pub fn may_manage_seller_photo(caller: &Caller, seller_id: Uuid) -> AppResult<&UserCaller> {
    let user = signed_in(caller)?;
    if user.is_admin || user.seller_ids.contains(&seller_id) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// An outlet's photo: its staff and administrators.
pub fn may_manage_outlet_photo(caller: &Caller, outlet_id: Uuid) -> AppResult<&UserCaller> {
    let user = signed_in(caller)?;
    if user.is_admin || user.outlet_ids.contains(&outlet_id) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Creating and changing outlets, placing sellers and staff, featuring products.
pub fn may_administer_outlets(caller: &Caller) -> AppResult<&UserCaller> {
    admin(caller)
}

/// Registering, listing and revoking kiosk devices.
pub fn may_manage_kiosks(caller: &Caller) -> AppResult<&UserCaller> {
    admin(caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(admin: bool, sellers: &[Uuid], outlets: &[Uuid]) -> Caller {
        Caller::User(UserCaller {
            user_id: Uuid::now_v7(),
            is_admin: admin,
            seller_ids: sellers.to_vec(),
            outlet_ids: outlets.to_vec(),
        })
    }

    #[test]
    fn kiosks_are_not_people() {
        let kiosk = Caller::Kiosk {
            kiosk_id: Uuid::nil(),
            outlet_id: Uuid::nil(),
        };
        assert!(matches!(signed_in(&kiosk), Err(AppError::Unauthenticated)));
        assert!(matches!(may_use_accounts(&kiosk), Err(AppError::Forbidden)));
        assert!(!manages_seller(&kiosk, Uuid::nil()));
    }

    #[test]
    fn unpublished_products_of_others_do_not_leak() {
        let (mine, theirs) = (Uuid::now_v7(), Uuid::now_v7());
        let seller = user(false, &[mine], &[]);
        let draft = may_manage_product(
            &seller,
            theirs,
            ProductStatus::Draft,
            SellerStatus::Verified,
        );
        assert!(matches!(draft, Err(AppError::NotFound(_))));
        let public = may_manage_product(
            &seller,
            theirs,
            ProductStatus::Active,
            SellerStatus::Verified,
        );
        assert!(matches!(public, Err(AppError::Forbidden)));
        assert!(
            may_manage_product(&seller, mine, ProductStatus::Draft, SellerStatus::Pending).is_ok()
        );
    }

    #[test]
    fn stock_needs_a_place_at_the_stall() {
        let (seller_id, outlet) = (Uuid::now_v7(), Uuid::now_v7());
        let seller = user(false, &[seller_id], &[]);
        assert!(may_set_stock(&seller, Some(seller_id), outlet, true).is_ok());
        assert!(may_set_stock(&seller, Some(seller_id), outlet, false).is_err());
        let staff = user(false, &[], &[outlet]);
        assert!(may_set_stock(&staff, Some(seller_id), outlet, true).is_ok());
        assert!(may_set_stock(&staff, Some(seller_id), outlet, false).is_err());
        assert!(may_set_stock(&staff, None, outlet, false).is_err());
        let admin = user(true, &[], &[]);
        assert!(may_set_stock(&admin, Some(seller_id), outlet, false).is_ok());
        assert!(may_set_stock(&admin, None, outlet, false).is_ok());
    }

    #[test]
    fn photos_follow_their_owner() {
        let (seller_id, outlet) = (Uuid::now_v7(), Uuid::now_v7());
        let member = user(false, &[seller_id], &[]);
        let staff = user(false, &[], &[outlet]);
        let admin = user(true, &[], &[]);
        assert!(may_manage_seller_photo(&member, seller_id).is_ok());
        assert!(matches!(
            may_manage_seller_photo(&staff, seller_id),
            Err(AppError::Forbidden)
        ));
        assert!(may_manage_outlet_photo(&staff, outlet).is_ok());
        assert!(matches!(
            may_manage_outlet_photo(&member, outlet),
            Err(AppError::Forbidden)
        ));
        assert!(may_manage_outlet_photo(&admin, outlet).is_ok());
        assert!(matches!(
            may_manage_outlet_photo(&Caller::Anonymous, outlet),
            Err(AppError::Unauthenticated)
        ));
    }

    #[test]
    fn roles_follow_memberships() {
        let u = UserCaller {
            user_id: Uuid::nil(),
            is_admin: true,
            seller_ids: vec![Uuid::nil()],
            outlet_ids: vec![],
        };
        assert_eq!(roles(&u), vec![Role::Buyer, Role::Seller, Role::Admin]);
    }
}
