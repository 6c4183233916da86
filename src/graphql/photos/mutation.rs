//! Photo mutations: upload straight to storage (`createPhotoUpload`, then
//! `completePhotoUpload`), upload in the request (`uploadPhoto`, GraphQL multipart), and
//! `updatePhoto`, `reorderPhotos`, `deletePhoto`.

use std::time::Duration;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use uuid::Uuid;

use crate::{
    auth::policy,
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult, FieldCode},
    graphql::{
        context::ContextExt,
        payload::{UserError, split},
        photos::{Photo, PhotoUpload},
    },
    media_pipeline::ProcessError,
    services::{
        outlets,
        photo_uploads::{self, UploadRequest},
        photos::{self, PhotoOwner},
        products, sellers,
    },
};

#[derive(InputObject)]
pub struct CreatePhotoUploadInput {
    /// A product of your seller (up to 10 photos). Name exactly one of productId, sellerId,
    /// outletId.
    pub product_id: Option<ID>,
    /// Your seller: the photo becomes its logo.
    pub seller_id: Option<ID>,
    /// An outlet you staff: the photo becomes its photo.
    pub outlet_id: Option<ID>,
    /// "image/jpeg", "image/png" or "image/webp": signed into the URL, so the PUT must send it.
    /// The bytes decide the format in the end.
    pub content_type: String,
    /// The exact length of the file in bytes (at most `PHOTO_MAX_BYTES`, 10 MiB by default):
    /// signed into the URL, so the PUT must send exactly this many.
    pub byte_size: i32,
    /// The SHA-256 of the file (64 hex characters); when given, completion checks it.
    pub sha256: Option<String>,
}

#[derive(InputObject)]
pub struct CompletePhotoUploadInput {
    /// The `PhotoUpload.id` whose bytes were PUT.
    pub upload_id: ID,
    /// Text describing the photo, for screen readers (up to 250 characters).
    pub alt_text: Option<String>,
}

#[derive(InputObject)]
pub struct UploadPhotoInput {
    /// A product of your seller (up to 10 photos). Name exactly one of productId, sellerId,
    /// outletId.
    pub product_id: Option<ID>,
    /// Your seller: the photo becomes its logo.
    pub seller_id: Option<ID>,
    /// An outlet you staff: the photo becomes its photo.
    pub outlet_id: Option<ID>,
    /// Text describing the photo, for screen readers (up to 250 characters).
    pub alt_text: Option<String>,
}

#[derive(InputObject)]
pub struct UpdatePhotoInput {
    /// The photo (`Photo.id`).
    pub photo_id: ID,
    /// Text describing the photo, for screen readers (up to 250 characters; empty for none).
    pub alt_text: String,
}

#[derive(InputObject)]
pub struct DeletePhotoInput {
    /// The photo (`Photo.id`).
    pub photo_id: ID,
}

#[derive(InputObject)]
pub struct ReorderPhotosInput {
    /// The product whose photos are reordered.
    pub product_id: ID,
    /// Every photo of the product, each once, in the new order (the first is the cover).
    pub photo_ids: Vec<ID>,
}

#[derive(SimpleObject)]
pub struct CreatePhotoUploadPayload {
    /// Where to PUT the bytes, and the ID to complete the upload with.
    pub upload: Option<PhotoUpload>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct PhotoPayload {
    /// The photo, with all its sizes stored.
    pub photo: Option<Photo>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct DeletePhotoPayload {
    /// The ID of the removed photo.
    pub deleted_photo_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct ReorderPhotosPayload {
    /// The product's photos in their new order.
    pub photos: Option<Vec<Photo>>,
    pub user_errors: Vec<UserError>,
}

/// The one owner the input names, and the input field that names it.
fn owner_of(
    product_id: Option<&ID>,
    seller_id: Option<&ID>,
    outlet_id: Option<&ID>,
) -> AppResult<(PhotoOwner, &'static str)> {
    match (product_id, seller_id, outlet_id) {
        (Some(id), None, None) => Ok((
            PhotoOwner::Product(GlobalId::parse_kind(
                id,
                NodeKind::Product,
                "input.productId",
            )?),
            "productId",
        )),
        (None, Some(id), None) => Ok((
            PhotoOwner::Seller(GlobalId::parse_kind(
                id,
                NodeKind::Seller,
                "input.sellerId",
            )?),
            "sellerId",
        )),
        (None, None, Some(id)) => Ok((
            PhotoOwner::Outlet(GlobalId::parse_kind(
                id,
                NodeKind::Outlet,
                "input.outletId",
            )?),
            "outletId",
        )),
        _ => Err(AppError::rule(
            FieldCode::Invalid,
            "name exactly one of productId, sellerId and outletId",
        )),
    }
}

/// Whether the caller may add, change or remove photos of `owner` (which must exist).
async fn authorize(ctx: &Context<'_>, owner: PhotoOwner) -> AppResult<Uuid> {
    let caller = ctx.caller()?;
    let user = policy::signed_in(caller)?;
    let db = &ctx.state()?.db;
    match owner {
        PhotoOwner::Product(id) => {
            let product = products::find(db, id)
                .await?
                .ok_or_else(|| AppError::not_found("product"))?;
            let seller = sellers::seller_by_id(db, product.seller_id)
                .await?
                .ok_or_else(|| AppError::not_found("product"))?;
            policy::may_manage_product_photos(caller, seller.id, product.status, seller.status)?;
        }
        PhotoOwner::Seller(id) => {
            policy::may_manage_seller_photo(caller, id)?;
            sellers::seller_by_id(db, id)
                .await?
                .ok_or_else(|| AppError::not_found("seller"))?;
        }
        PhotoOwner::Outlet(id) => {
            policy::may_manage_outlet_photo(caller, id)?;
            outlets::outlet_by_id(db, id)
                .await?
                .ok_or_else(|| AppError::not_found("outlet"))?;
        }
    }
    Ok(user.user_id)
}

/// A photo the caller may change: NOT_FOUND when it does not exist.
async fn managed_photo(
    ctx: &Context<'_>,
    id: &ID,
) -> AppResult<(entity::photo::Model, PhotoOwner)> {
    let id = GlobalId::parse_kind(id, NodeKind::Photo, "input.photoId")?;
    let row = photos::find(&ctx.state()?.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("photo"))?;
    let owner = PhotoOwner::of(&row).ok_or_else(|| AppError::not_found("photo"))?;
    authorize(ctx, owner).await?;
    Ok((row, owner))
}

fn photo_payload(result: AppResult<entity::photo::Model>) -> AppResult<PhotoPayload> {
    let (photo, user_errors) = split(result)?;
    Ok(PhotoPayload {
        photo: photo.and_then(Photo::servable),
        user_errors,
    })
}

#[derive(Default)]
pub struct PhotosMutation;

#[Object]
impl PhotosMutation {
    /// Step 1 of an upload from a phone: returns a presigned URL that accepts one `PUT` of the
    /// declared type and length for up to 15 minutes. The bytes go straight to storage, not
    /// through the API. Then call `completePhotoUpload`.
    async fn create_photo_upload(
        &self,
        ctx: &Context<'_>,
        input: CreatePhotoUploadInput,
    ) -> AppResult<CreatePhotoUploadPayload> {
        let (owner, owner_field) = match owner_of(
            input.product_id.as_ref(),
            input.seller_id.as_ref(),
            input.outlet_id.as_ref(),
        ) {
            Ok(found) => found,
            Err(e) => {
                let (_, user_errors) = split::<()>(Err(e))?;
                return Ok(CreatePhotoUploadPayload {
                    upload: None,
                    user_errors,
                });
            }
        };
        let user_id = authorize(ctx, owner).await?;
        let state = ctx.state()?;
        let mut tx = ctx.begin().await?;
        let result = photo_uploads::create(
            &mut tx,
            &state.media,
            state.settings.photos.max_bytes,
            Duration::from_secs(state.settings.photos.upload_ttl_secs),
            user_id,
            UploadRequest {
                owner,
                owner_field,
                content_type: input.content_type,
                byte_size: i64::from(input.byte_size),
                sha256: input.sha256,
            },
        )
        .await;
        let (grant, user_errors) = split(tx.finish(result).await)?;
        Ok(CreatePhotoUploadPayload {
            upload: grant.map(|g| PhotoUpload {
                id: g.upload.id,
                request: g.request,
            }),
            user_errors,
        })
    }

    /// Step 2: after the `PUT`, the server fetches the bytes, checks them (JPEG, PNG or WebP by
    /// their content; at most 10 MB, 8,000 px a side and 40 megapixels), turns them upright,
    /// strips all metadata (GPS included), stores WebP sizes and adds the photo. A refusal is a
    /// user error on `input.uploadId` and leaves nothing stored; ask for a new upload then.
    async fn complete_photo_upload(
        &self,
        ctx: &Context<'_>,
        input: CompletePhotoUploadInput,
    ) -> AppResult<PhotoPayload> {
        let caller = ctx.caller()?;
        let user = policy::signed_in(caller)?;
        let id = GlobalId::parse_kind(&input.upload_id, NodeKind::PhotoUpload, "input.uploadId")?;
        let state = ctx.state()?;
        let upload = photo_uploads::find_for(&state.db, id, user.user_id).await?;
        // Authorised again: a membership may have ended since the upload was granted.
        authorize(ctx, photo_uploads::owner_of(&upload)).await?;
        let now = ctx.request()?.now.0;
        let result = photo_uploads::complete(
            &state.db,
            &state.events,
            &state.media,
            &state.photos,
            upload,
            input.alt_text,
            now,
            "uploadId",
        )
        .await;
        photo_payload(result)
    }

    /// Uploads a photo inside the request (the GraphQL multipart request spec, as Apollo and urql
    /// clients send it), for tools and the back office. Accepted only as `multipart/form-data`
    /// with an `Apollo-Require-Preflight` (or `X-Apollo-Operation-Name`) header, for this
    /// operation alone. The same checks and processing as `completePhotoUpload`; refusals are
    /// user errors on `file`.
    async fn upload_photo(
        &self,
        ctx: &Context<'_>,
        input: UploadPhotoInput,
        file: Upload,
    ) -> AppResult<PhotoPayload> {
        let (owner, owner_field) = match owner_of(
            input.product_id.as_ref(),
            input.seller_id.as_ref(),
            input.outlet_id.as_ref(),
        ) {
            Ok(found) => found,
            Err(e) => return photo_payload(Err(e)),
        };
        authorize(ctx, owner).await?;
        let state = ctx.state()?;
        if let Err(e) = photos::check_room(&state.db, owner, owner_field).await {
            return photo_payload(Err(e));
        }
        let max_bytes = state.photos.limits().max_bytes;
        let Some(bytes) = read_upload(ctx, &file, max_bytes)? else {
            return Ok(file_refused(format!(
                "the file is larger than {max_bytes} bytes; photos may be at most {max_bytes} bytes"
            )));
        };
        let processed = match state.photos.process(bytes).await {
            Ok(p) => p,
            Err(ProcessError::Refused(refusal)) => return Ok(file_refused(refusal.to_string())),
            Err(ProcessError::Failed(e)) => return Err(AppError::internal(anyhow::anyhow!(e))),
        };
        let result = photo_uploads::add_processed(
            &state.db,
            &state.events,
            &state.media,
            owner,
            &processed,
            input.alt_text,
            None,
            owner_field,
        )
        .await;
        photo_payload(result)
    }

    /// Changes a photo's alt text.
    async fn update_photo(
        &self,
        ctx: &Context<'_>,
        input: UpdatePhotoInput,
    ) -> AppResult<PhotoPayload> {
        let (row, _) = managed_photo(ctx, &input.photo_id).await?;
        let mut tx = ctx.begin().await?;
        let result = photos::set_alt_text(&mut tx, row, &input.alt_text).await;
        photo_payload(tx.finish(result).await)
    }

    /// Puts a product's photos in a new order; the first becomes the cover.
    async fn reorder_photos(
        &self,
        ctx: &Context<'_>,
        input: ReorderPhotosInput,
    ) -> AppResult<ReorderPhotosPayload> {
        let product_id =
            GlobalId::parse_kind(&input.product_id, NodeKind::Product, "input.productId")?;
        let owner = PhotoOwner::Product(product_id);
        authorize(ctx, owner).await?;
        let mut ids = Vec::with_capacity(input.photo_ids.len());
        for (i, id) in input.photo_ids.iter().enumerate() {
            ids.push(GlobalId::parse_kind(
                id,
                NodeKind::Photo,
                &format!("input.photoIds[{i}]"),
            )?);
        }
        let mut tx = ctx.begin().await?;
        let result = photos::reorder(&mut tx, owner, &ids, "photoIds").await;
        let (rows, user_errors) = split(tx.finish(result).await)?;
        Ok(ReorderPhotosPayload {
            photos: rows.map(|rows| rows.into_iter().filter_map(Photo::servable).collect()),
            user_errors,
        })
    }

    /// Removes a photo and its stored images (unless another photo uses the same images).
    async fn delete_photo(
        &self,
        ctx: &Context<'_>,
        input: DeletePhotoInput,
    ) -> AppResult<DeletePhotoPayload> {
        let (row, _) = managed_photo(ctx, &input.photo_id).await?;
        let state = ctx.state()?;
        let mut tx = ctx.begin().await?;
        let result = photos::delete(&mut tx, &row).await;
        let (done, user_errors) = split(tx.finish(result).await)?;
        if done.is_some() {
            photos::remove_unreferenced(
                &state.db,
                &state.media,
                photos::object_keys(std::slice::from_ref(&row)),
            )
            .await;
        }
        Ok(DeletePhotoPayload {
            deleted_photo_id: done.map(|()| ID(GlobalId::new(NodeKind::Photo, row.id).encode())),
            user_errors,
        })
    }
}

/// A refusal of the multipart `file` argument (it sits beside `input`, not in it).
fn file_refused(english: String) -> PhotoPayload {
    PhotoPayload {
        photo: None,
        user_errors: vec![UserError {
            field: Some("file".into()),
            code: FieldCode::Invalid,
            english,
        }],
    }
}

/// The uploaded file's bytes; `None` when there are more than `max_bytes` (one more is read to
/// tell). The transport caps the whole body too.
fn read_upload(ctx: &Context<'_>, file: &Upload, max_bytes: u64) -> AppResult<Option<Vec<u8>>> {
    use std::io::Read;
    let value = file
        .value(ctx)
        .map_err(|_| AppError::invalid("file", "no file was sent under this name"))?;
    let mut bytes = Vec::new();
    value
        .into_read()
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(AppError::internal)?;
    Ok((bytes.len() as u64 <= max_bytes).then_some(bytes))
}
