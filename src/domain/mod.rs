//! Parse-don't-validate value types: no I/O, unit-tested inline.

pub mod cursor;
pub mod global_id;
pub mod slug;
