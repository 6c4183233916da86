//! Opaque Relay global IDs: base64url of `Type:uuid`. Clients must treat them as opaque.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Product,
    Seller,
    Outlet,
    Category,
    Photo,
    PhotoUpload,
}

impl NodeKind {
    fn as_str(self) -> &'static str {
        match self {
            NodeKind::Product => "Product",
            NodeKind::Seller => "Seller",
            NodeKind::Outlet => "Outlet",
            NodeKind::Category => "Category",
            NodeKind::Photo => "Photo",
            NodeKind::PhotoUpload => "PhotoUpload",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Product" => NodeKind::Product,
            "Seller" => NodeKind::Seller,
            "Outlet" => NodeKind::Outlet,
            "Category" => NodeKind::Category,
            "Photo" => NodeKind::Photo,
            "PhotoUpload" => NodeKind::PhotoUpload,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalId {
    pub kind: NodeKind,
    pub id: Uuid,
}

impl GlobalId {
    pub fn new(kind: NodeKind, id: Uuid) -> Self {
        GlobalId { kind, id }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.kind.as_str(), self.id))
    }

    /// Parses any global ID; `field` names the argument in the error.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let invalid = || AppError::invalid(field, format!("{raw:?} is not a valid ID"));
        let bytes = URL_SAFE_NO_PAD
            .decode(raw.trim_end_matches('='))
            .map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (kind, id) = text.split_once(':').ok_or_else(invalid)?;
        let kind = NodeKind::parse(kind).ok_or_else(invalid)?;
        let id = Uuid::parse_str(id).map_err(|_| invalid())?;
        Ok(GlobalId { kind, id })
    }

    /// Parses a global ID that must be of one kind.
    pub fn parse_kind(raw: &str, kind: NodeKind, field: &str) -> AppResult<Uuid> {
        let gid = Self::parse(raw, field)?;
        if gid.kind != kind {
            return Err(AppError::invalid(
                field,
                format!("expected the ID of a {}", kind.as_str()),
            ));
        }
        Ok(gid.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let gid = GlobalId::new(NodeKind::Seller, Uuid::now_v7());
        assert_eq!(GlobalId::parse(&gid.encode(), "id").unwrap(), gid);
    }

    #[test]
    fn rejects_garbage_and_wrong_kinds() {
        assert!(GlobalId::parse("not-base64!", "id").is_err());
        assert!(GlobalId::parse(&URL_SAFE_NO_PAD.encode("Order:1"), "id").is_err());
        let product = GlobalId::new(NodeKind::Product, Uuid::now_v7()).encode();
        let err = GlobalId::parse_kind(&product, NodeKind::Seller, "sellerId").unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
