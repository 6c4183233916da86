//! Administration of outlets by the regency office: creating and editing stalls with their
//! opening hours, placing sellers and staff at them, and curating featured products (produk
//! unggulan).
//!
//! Validation failures come back together as `AppError::Validation`, each naming its input
//! field ("code", "openingHours[1].closes", …); unknown objects as `NOT_FOUND`.
//! Every write runs in the caller's unit of work (`Tx`) and records an `OutletChanged` (or
//! `ProductChanged`) event, published once it commits.

use entity::{
    enums::OutletStatus, outlet, outlet_hour, outlet_seller, outlet_staff, product, seller, user,
    village,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    domain::{events::DomainEvent, outlet_code::OutletCode, phone::Phone},
    error::{AppError, AppResult, FieldCode, FieldError, parsed},
    services::tx::Tx,
};

/// Longest name and rest-area name, in characters (the column width).
const MAX_TEXT: usize = 160;

/// Opening hours on one weekday, as given by the administrator.
#[derive(Debug, Clone)]
pub struct HoursInput {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: i16,
    /// "HH:MM"
    pub opens: String,
    /// "HH:MM"
    pub closes: String,
}

/// A new outlet.
#[derive(Debug, Clone)]
pub struct NewOutlet {
    pub code: String,
    pub name: String,
    pub rest_area: String,
    pub village_code: String,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: Option<String>,
    pub opening_hours: Vec<HoursInput>,
}

/// Changes to an outlet; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct OutletChanges {
    pub name: Option<String>,
    pub rest_area: Option<String>,
    /// `Some(None)` (or a blank number) removes the phone number.
    pub phone: Option<Option<String>>,
    pub status: Option<OutletStatus>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Replaces every opening-hours row when given; an empty list means closed every day.
    pub opening_hours: Option<Vec<HoursInput>>,
}

/// Creates an outlet, OPEN, with its opening hours. The kecamatan is the village's.
pub async fn create_outlet(tx: &mut Tx, input: NewOutlet) -> AppResult<outlet::Model> {
    let db = tx.db();
    let mut errors = Vec::new();
    let code = check_code(&input.code, &mut errors);
    let name = check_text(&input.name, "name", &mut errors);
    let rest_area = check_text(&input.rest_area, "restArea", &mut errors);
    check_coordinate(input.latitude, 90.0, "latitude", &mut errors);
    check_coordinate(input.longitude, 180.0, "longitude", &mut errors);
    let phone = check_phone(input.phone.as_deref(), &mut errors);
    let hours = check_hours(&input.opening_hours, &mut errors);

    let village_code = input.village_code.trim();
    let village = if village_code.is_empty() {
        errors.push(FieldError::new(
            "villageCode",
            FieldCode::Required,
            "give the code of the kelurahan or desa, e.g. 35.13.23.2001",
        ));
        None
    } else {
        let found = village::Entity::find_by_id(village_code).one(db).await?;
        if found.is_none() {
            errors.push(FieldError::new(
                "villageCode",
                FieldCode::Invalid,
                format!("there is no kelurahan or desa with code {village_code:?}"),
            ));
        }
        found
    };
    if let Some(code) = &code
        && code_taken(db, code).await?
    {
        errors.push(taken(code));
    }

    let (Some(code), Some(name), Some(rest_area), Some(village), true) =
        (code, name, rest_area, village, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };

    let now = tx.now();
    let id = Uuid::now_v7();
    let created = outlet::ActiveModel {
        id: Set(id),
        code: Set(code.clone()),
        name: Set(name),
        rest_area: Set(rest_area),
        village_code: Set(Some(village.code)),
        district_code: Set(village.district_code),
        latitude: Set(input.latitude),
        longitude: Set(input.longitude),
        phone: Set(phone),
        status: Set(OutletStatus::Open),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        // A concurrent creation with the same code lost the race at the unique index.
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            AppError::Validation(vec![taken(&code)])
        } else {
            e.into()
        }
    })?;
    insert_hours(db, id, hours).await?;
    tx.emit(DomainEvent::OutletChanged { outlet_id: id });
    Ok(created)
}

/// Changes an outlet; given opening hours replace all of its rows.
pub async fn update_outlet(
    tx: &mut Tx,
    outlet_id: Uuid,
    changes: OutletChanges,
) -> AppResult<outlet::Model> {
    let db = tx.db();
    let existing = find_outlet(db, outlet_id).await?;

    let mut errors = Vec::new();
    let name = changes
        .name
        .as_deref()
        .map(|n| check_text(n, "name", &mut errors));
    let rest_area = changes
        .rest_area
        .as_deref()
        .map(|r| check_text(r, "restArea", &mut errors));
    let phone = changes
        .phone
        .as_ref()
        .map(|p| check_phone(p.as_deref(), &mut errors));
    if let Some(lat) = changes.latitude {
        check_coordinate(lat, 90.0, "latitude", &mut errors);
    }
    if let Some(lon) = changes.longitude {
        check_coordinate(lon, 180.0, "longitude", &mut errors);
    }
    let hours = changes
        .opening_hours
        .as_deref()
        .map(|h| check_hours(h, &mut errors));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }

    let mut active: outlet::ActiveModel = existing.into();
    if let Some(Some(name)) = name {
        active.name = Set(name);
    }
    if let Some(Some(rest_area)) = rest_area {
        active.rest_area = Set(rest_area);
    }
    if let Some(phone) = phone {
        active.phone = Set(phone);
    }
    if let Some(status) = changes.status {
        active.status = Set(status);
    }
    if let Some(lat) = changes.latitude {
        active.latitude = Set(lat);
    }
    if let Some(lon) = changes.longitude {
        active.longitude = Set(lon);
    }
    active.updated_at = Set(tx.now());

    let updated = active.update(db).await?;
    if let Some(hours) = hours {
        outlet_hour::Entity::delete_many()
            .filter(outlet_hour::Column::OutletId.eq(outlet_id))
            .exec(db)
            .await?;
        insert_hours(db, outlet_id, hours).await?;
    }
    tx.emit(DomainEvent::OutletChanged { outlet_id });
    Ok(updated)
}

/// Gives a seller (of any verification status) a place at an outlet. Idempotent.
pub async fn assign_seller(
    tx: &mut Tx,
    outlet_id: Uuid,
    seller_id: Uuid,
) -> AppResult<outlet::Model> {
    let db = tx.db();
    let outlet = find_outlet(db, outlet_id).await?;
    find_seller(db, seller_id).await?;
    outlet_seller::Entity::insert(outlet_seller::ActiveModel {
        outlet_id: Set(outlet_id),
        seller_id: Set(seller_id),
        created_at: Set(tx.now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    tx.emit(DomainEvent::OutletChanged { outlet_id });
    Ok(outlet)
}

/// Takes a seller's place at an outlet away. Idempotent.
pub async fn remove_seller(
    tx: &mut Tx,
    outlet_id: Uuid,
    seller_id: Uuid,
) -> AppResult<outlet::Model> {
    let db = tx.db();
    let outlet = find_outlet(db, outlet_id).await?;
    find_seller(db, seller_id).await?;
    outlet_seller::Entity::delete_many()
        .filter(outlet_seller::Column::OutletId.eq(outlet_id))
        .filter(outlet_seller::Column::SellerId.eq(seller_id))
        .exec(db)
        .await?;
    tx.emit(DomainEvent::OutletChanged { outlet_id });
    Ok(outlet)
}

/// Makes a user staff of an outlet (role OUTLET_STAFF). Idempotent.
pub async fn assign_staff(tx: &mut Tx, outlet_id: Uuid, user_id: Uuid) -> AppResult<outlet::Model> {
    let db = tx.db();
    let outlet = find_outlet(db, outlet_id).await?;
    find_user(db, user_id).await?;
    outlet_staff::Entity::insert(outlet_staff::ActiveModel {
        outlet_id: Set(outlet_id),
        user_id: Set(user_id),
        created_at: Set(tx.now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    tx.emit(DomainEvent::OutletChanged { outlet_id });
    Ok(outlet)
}

/// Removes a user from an outlet's staff. Idempotent.
pub async fn remove_staff(tx: &mut Tx, outlet_id: Uuid, user_id: Uuid) -> AppResult<outlet::Model> {
    let db = tx.db();
    let outlet = find_outlet(db, outlet_id).await?;
    find_user(db, user_id).await?;
    outlet_staff::Entity::delete_many()
        .filter(outlet_staff::Column::OutletId.eq(outlet_id))
        .filter(outlet_staff::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    tx.emit(DomainEvent::OutletChanged { outlet_id });
    Ok(outlet)
}

/// Marks a product as featured (produk unggulan) or not.
pub async fn set_product_featured(
    tx: &mut Tx,
    product_id: Uuid,
    featured: bool,
) -> AppResult<product::Model> {
    let found = product::Entity::find_by_id(product_id)
        .one(tx.db())
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    let mut active: product::ActiveModel = found.into();
    active.featured = Set(featured);
    active.updated_at = Set(tx.now());
    let updated = active.update(tx.db()).await?;
    tx.emit(DomainEvent::ProductChanged {
        product_id: updated.id,
        seller_id: updated.seller_id,
    });
    Ok(updated)
}

async fn find_outlet(db: &impl ConnectionTrait, id: Uuid) -> AppResult<outlet::Model> {
    outlet::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("outlet"))
}

async fn find_seller(db: &impl ConnectionTrait, id: Uuid) -> AppResult<seller::Model> {
    seller::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("seller"))
}

async fn find_user(db: &impl ConnectionTrait, id: Uuid) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

async fn code_taken(db: &impl ConnectionTrait, code: &str) -> AppResult<bool> {
    Ok(outlet::Entity::find()
        .filter(outlet::Column::Code.eq(code))
        .one(db)
        .await?
        .is_some())
}

fn taken(code: &str) -> FieldError {
    FieldError::new(
        "code",
        FieldCode::Taken,
        format!("an outlet with code {code} exists"),
    )
}

async fn insert_hours(
    db: &impl ConnectionTrait,
    outlet_id: Uuid,
    hours: Vec<HoursInput>,
) -> AppResult<()> {
    if hours.is_empty() {
        return Ok(());
    }
    outlet_hour::Entity::insert_many(hours.into_iter().map(|h| outlet_hour::ActiveModel {
        outlet_id: Set(outlet_id),
        weekday: Set(h.weekday),
        opens: Set(h.opens),
        closes: Set(h.closes),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The canonical code (`domain::outlet_code`), or why not under `code`.
fn check_code(raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    if raw.trim().is_empty() {
        errors.push(FieldError::new(
            "code",
            FieldCode::Required,
            "give the outlet's code, e.g. TGS-K13",
        ));
        return None;
    }
    parsed(errors, "code", OutletCode::parse(raw)).map(OutletCode::into_string)
}

/// 1 to 160 characters after trimming.
fn check_text(raw: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            field,
            FieldCode::required_if(text.is_empty()),
            format!("must be 1 to {MAX_TEXT} characters"),
        ));
        None
    } else {
        Some(text.to_string())
    }
}

fn check_coordinate(value: f64, limit: f64, field: &str, errors: &mut Vec<FieldError>) {
    if !(-limit..=limit).contains(&value) {
        errors.push(FieldError::new(
            field,
            FieldCode::Invalid,
            format!("must be between -{limit} and {limit}"),
        ));
    }
}

/// A blank or missing number is no number; otherwise it must be an Indonesian mobile number.
fn check_phone(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let raw = raw.filter(|p| !p.trim().is_empty())?;
    parsed(errors, "phone", Phone::parse(raw)).map(Phone::into_string)
}

/// Each weekday at most once, times "HH:MM" from 00:00 to 23:59, opening before closing.
/// Returns the rows to store (meaningful only when no error was added).
fn check_hours(hours: &[HoursInput], errors: &mut Vec<FieldError>) -> Vec<HoursInput> {
    let mut seen = [false; 8];
    let mut rows = Vec::with_capacity(hours.len());
    for (i, h) in hours.iter().enumerate() {
        let at = |name: &str| format!("openingHours[{i}].{name}");
        match usize::try_from(h.weekday)
            .ok()
            .filter(|d| (1..=7).contains(d))
        {
            None => errors.push(FieldError::new(
                at("weekday"),
                FieldCode::Invalid,
                "must be a day of the week",
            )),
            Some(day) if seen[day] => errors.push(FieldError::new(
                at("weekday"),
                FieldCode::Invalid,
                "this weekday is given more than once",
            )),
            Some(day) => seen[day] = true,
        }
        let opens = parse_time(&h.opens);
        let closes = parse_time(&h.closes);
        if opens.is_none() {
            errors.push(FieldError::new(
                at("opens"),
                FieldCode::Invalid,
                "must be a time HH:MM from 00:00 to 23:59",
            ));
        }
        if closes.is_none() {
            errors.push(FieldError::new(
                at("closes"),
                FieldCode::Invalid,
                "must be a time HH:MM from 00:00 to 23:59",
            ));
        }
        if let (Some(o), Some(c)) = (opens, closes)
            && o >= c
        {
            errors.push(FieldError::new(
                at("closes"),
                FieldCode::Invalid,
                "must be later than the opening time",
            ));
        }
        rows.push(HoursInput {
            weekday: h.weekday,
            opens: h.opens.trim().to_string(),
            closes: h.closes.trim().to_string(),
        });
    }
    rows
}

/// Minutes after midnight of a strict "HH:MM" time.
fn parse_time(raw: &str) -> Option<u16> {
    let b = raw.trim().as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u16::from(c - b'0'))
    };
    let hours = digit(0)? * 10 + digit(1)?;
    let minutes = digit(3)? * 10 + digit(4)?;
    (hours <= 23 && minutes <= 59).then_some(hours * 60 + minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_strict_hh_mm() {
        assert_eq!(parse_time("00:00"), Some(0));
        assert_eq!(parse_time("23:59"), Some(23 * 60 + 59));
        assert_eq!(parse_time("07:30"), Some(450));
        for bad in [
            "24:00", "7:30", "07:60", "07-30", "0730", "07:3a", "", "07:300",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_follow_the_pattern() {
        for good in ["TGS-K07", "K1", "A-0-Z", "tgs-k07"] {
            assert!(check_code(good, &mut Vec::new()).is_some(), "{good}");
        }
        for bad in ["K", "TGS K07", "TGS_K07", &"A".repeat(33)] {
            assert!(check_code(bad, &mut Vec::new()).is_none(), "{bad}");
        }
    }

    #[test]
    fn hours_report_each_fault_by_index() {
        let h = |weekday, opens: &str, closes: &str| HoursInput {
            weekday,
            opens: opens.into(),
            closes: closes.into(),
        };
        let mut errors = Vec::new();
        check_hours(
            &[
                h(1, "08:00", "17:00"),
                h(1, "08:00", "17:00"),
                h(2, "18:00", "09:00"),
                h(8, "25:00", "09:00"),
            ],
            &mut errors,
        );
        let fields: Vec<_> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(
            fields,
            vec![
                "openingHours[1].weekday",
                "openingHours[2].closes",
                "openingHours[3].weekday",
                "openingHours[3].opens",
            ]
        );
    }
}
