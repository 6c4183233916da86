//! Who is calling: access tokens (JWT), kiosk credentials, and the caller's roles.

pub mod caller;
pub mod crypto;
pub mod jwt;
pub mod keys;
pub mod policy;
pub mod secrets;
