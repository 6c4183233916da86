//! Parse-don't-validate value types: no I/O, unit-tested inline.

pub mod client_address;
pub mod cursor;
pub mod email;
pub mod events;
pub mod global_id;
pub mod legal;
pub mod opening_hours;
pub mod outlet_code;
pub mod password;
pub mod phone;
pub mod search_text;
pub mod slug;
