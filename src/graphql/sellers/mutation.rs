//! Seller onboarding (members) and verification (administrators).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;

use crate::{
    auth::policy,
    domain::global_id::{GlobalId, NodeKind},
    error::AppResult,
    graphql::{
        context::ContextExt,
        enums::BusinessCategory,
        payload::{UserError, split, split_under},
        sellers::Seller,
    },
    services::onboarding::{self, Decision, SellerFields},
};

/// Business scale of an UMKM.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::enums::BusinessScale")]
pub enum BusinessScale {
    /// Usaha mikro.
    Mikro,
    /// Usaha kecil.
    Kecil,
    /// Usaha menengah.
    Menengah,
}

/// A business applying to sell. On `updateSellerApplication` every field is optional and an
/// empty string clears an optional one.
#[derive(InputObject, Default)]
pub struct SellerApplicationInput {
    /// Business name (nama usaha), 3 to 160 characters.
    pub business_name: Option<String>,
    /// Owner's full name, 3 to 160 characters.
    pub owner_name: Option<String>,
    /// About the business, up to 2000 characters.
    pub description: Option<String>,
    /// Business mobile number (0812…, +62 812…).
    pub phone: Option<String>,
    /// Business e-mail address.
    pub email: Option<String>,
    /// Street address (jalan, RT/RW), 5 to 500 characters.
    pub address: Option<String>,
    /// Kemendagri code of the kelurahan/desa, e.g. "35.13.23.2008"; the kecamatan follows from it.
    pub village_code: Option<String>,
    /// Business category.
    pub category: Option<BusinessCategory>,
    /// Business scale.
    pub scale: Option<BusinessScale>,
    /// NIB (Nomor Induk Berusaha), 13 digits.
    pub nib: Option<String>,
    /// Halal certificate number (BPJPH).
    pub halal_certificate_number: Option<String>,
    /// Last day the halal certificate is valid; required with a certificate number.
    pub halal_expires_on: Option<NaiveDate>,
    /// P-IRT / SPP-IRT home-industry food permit number (15 digits).
    pub pirt_number: Option<String>,
    /// Trademark (HAKI / merek) number, e.g. IDM000912345.
    pub trademark_number: Option<String>,
}

impl From<SellerApplicationInput> for SellerFields {
    fn from(i: SellerApplicationInput) -> Self {
        SellerFields {
            business_name: i.business_name,
            owner_name: i.owner_name,
            description: i.description,
            phone: i.phone,
            email: i.email,
            address: i.address,
            village_code: i.village_code,
            category: i.category.map(Into::into),
            scale: i.scale.map(Into::into),
            nib: i.nib,
            halal_certificate_number: i.halal_certificate_number,
            halal_expires_on: i.halal_expires_on,
            pirt_number: i.pirt_number,
            trademark_number: i.trademark_number,
        }
    }
}

#[derive(InputObject)]
pub struct UpdateSellerApplicationInput {
    /// The seller to edit (you must be its member).
    pub seller_id: ID,
    /// The fields to change.
    pub application: SellerApplicationInput,
}

#[derive(InputObject)]
pub struct SellerDecisionInput {
    /// The seller decided on.
    pub seller_id: ID,
    /// Why; required when rejecting or suspending, shown to the seller.
    pub reason: Option<String>,
    /// The seller's `version` as you reviewed it. When the seller changed since, the decision is
    /// refused with the user error STALE (read the seller again). Optional for now; review
    /// clients should always send it with `verifySeller` and `rejectSeller`.
    pub reviewed_version: Option<String>,
}

#[derive(SimpleObject)]
pub struct SellerPayload {
    /// The seller after the change; null when `userErrors` is not empty.
    pub seller: Option<Seller>,
    pub user_errors: Vec<UserError>,
}

fn seller_id(id: &ID) -> AppResult<uuid::Uuid> {
    GlobalId::parse_kind(id, NodeKind::Seller, "input.sellerId")
}

#[derive(Default)]
pub struct SellersMutation;

impl SellersMutation {
    async fn decide(
        ctx: &Context<'_>,
        input: SellerDecisionInput,
        decision: impl FnOnce(Option<String>) -> Decision,
    ) -> AppResult<SellerPayload> {
        let admin = policy::may_review_sellers(ctx.caller()?)?;
        let id = seller_id(&input.seller_id)?;
        let today = ctx.request()?.today;
        let mut tx = ctx.begin().await?;
        let result = onboarding::decide(
            &mut tx,
            admin.user_id,
            id,
            decision(input.reason),
            input.reviewed_version.as_deref(),
            today,
        )
        .await;
        let (seller, user_errors) = split(tx.finish(result).await)?;
        Ok(SellerPayload {
            seller: seller.map(Seller),
            user_errors,
        })
    }
}

#[Object]
impl SellersMutation {
    /// Submits a business for verification. It starts PENDING and you become its member
    /// (role SELLER). Every invalid field is reported in `userErrors`.
    async fn apply_as_seller(
        &self,
        ctx: &Context<'_>,
        input: SellerApplicationInput,
    ) -> AppResult<SellerPayload> {
        let user = policy::may_apply_as_seller(ctx.caller()?)?;
        let today = ctx.request()?.today;
        let mut tx = ctx.begin().await?;
        let result = onboarding::apply(&mut tx, user.user_id, input.into(), today).await;
        let (seller, user_errors) = split(tx.finish(result).await)?;
        if let (Some(s), Ok(mut granted)) = (&seller, ctx.request()?.granted_sellers.lock()) {
            granted.push(s.id);
        }
        Ok(SellerPayload {
            seller: seller.map(Seller),
            user_errors,
        })
    }

    /// Edits your seller. A REJECTED seller is resubmitted (back to PENDING). For a VERIFIED
    /// seller, a change of legal data (NIB, halal, P-IRT, trademark) waits for review while the
    /// verified data and live products stay as they are.
    async fn update_seller_application(
        &self,
        ctx: &Context<'_>,
        input: UpdateSellerApplicationInput,
    ) -> AppResult<SellerPayload> {
        policy::signed_in(ctx.caller()?)?;
        let id = seller_id(&input.seller_id)?;
        // Existence is not revealed to non-members: NOT_FOUND either way.
        let user = policy::may_edit_seller_application(ctx.caller()?, id)?;
        let today = ctx.request()?.today;
        let mut tx = ctx.begin().await?;
        // The service reads the seller (and its status) inside the transaction.
        let result =
            onboarding::update(&mut tx, user.user_id, id, input.application.into(), today).await;
        let (seller, user_errors) = split_under(tx.finish(result).await, "input.application")?;
        Ok(SellerPayload {
            seller: seller.map(Seller),
            user_errors,
        })
    }

    /// Administrators: verifies a PENDING seller, or approves a verified seller's pending legal
    /// change (live products that no longer meet the permit rules go back to DRAFT). Pass
    /// `reviewedVersion`: a seller changed since answers STALE.
    async fn verify_seller(
        &self,
        ctx: &Context<'_>,
        input: SellerDecisionInput,
    ) -> AppResult<SellerPayload> {
        Self::decide(ctx, input, |_| Decision::Verify).await
    }

    /// Administrators: rejects a PENDING seller (reason required), or discards a verified
    /// seller's pending legal change. Pass `reviewedVersion`: a seller changed since answers STALE.
    async fn reject_seller(
        &self,
        ctx: &Context<'_>,
        input: SellerDecisionInput,
    ) -> AppResult<SellerPayload> {
        Self::decide(ctx, input, Decision::Reject).await
    }

    /// Administrators: suspends a seller (reason required); its products disappear at once.
    async fn suspend_seller(
        &self,
        ctx: &Context<'_>,
        input: SellerDecisionInput,
    ) -> AppResult<SellerPayload> {
        Self::decide(ctx, input, Decision::Suspend).await
    }

    /// Administrators: reinstates a SUSPENDED seller in the status it had before the suspension
    /// (VERIFIED, or PENDING when it was suspended under review).
    async fn reinstate_seller(
        &self,
        ctx: &Context<'_>,
        input: SellerDecisionInput,
    ) -> AppResult<SellerPayload> {
        Self::decide(ctx, input, |_| Decision::Reinstate).await
    }
}
