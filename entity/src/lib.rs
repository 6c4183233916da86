//! SeaORM models of Pasar Oleh, one file a table. These are written for the database; the
//! GraphQL types in the main crate are written for clients, and services translate between them.

pub mod category;
pub mod district;
pub mod enums;
pub mod job;
pub mod kiosk;
pub mod outlet;
pub mod outlet_hour;
pub mod outlet_seller;
pub mod outlet_staff;
pub mod photo;
pub mod photo_upload;
pub mod product;
pub mod refresh_family;
pub mod refresh_token;
pub mod regency;
pub mod seller;
pub mod seller_member;
pub mod seller_status_change;
pub mod stock;
pub mod user;
pub mod village;
