//! The Redis pub/sub backend of the event bus: every committed event goes out on one channel
//! (`<prefix>events`), and the events other instances publish come back into this instance's
//! listeners, so that in-process caches and subscriptions see every write.
//!
//! Publishing is queued (a mutation never waits for Redis); the subscriber reconnects with a
//! short backoff. An event published while Redis is down is lost for the other instances,
//! which is why nothing correctness-critical depends on it: the shared response cache is
//! invalidated by the writer itself (a version stamp in Redis), before its mutation answers.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use sea_orm::ActiveEnum;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{
    domain::events::DomainEvent,
    infra::{
        events::{EventBackend, EventBus},
        redis::Redis,
    },
};

pub struct RedisEvents {
    queue: mpsc::UnboundedSender<Vec<DomainEvent>>,
}

impl EventBackend for RedisEvents {
    fn publish(&self, events: &[DomainEvent]) {
        // Fails only when the publisher task ended (the runtime is stopping).
        let _ = self.queue.send(events.to_vec());
    }
}

impl RedisEvents {
    /// Starts the publisher and the subscriber; events from other instances go to `bus`.
    /// Waits (briefly) for the first subscription, so that an instance sees the writes made
    /// right after it started.
    pub async fn start(redis: Redis, bus: EventBus) -> Arc<Self> {
        let instance = Uuid::now_v7().to_string();
        let channel = redis.key("events");
        let (queue, mut outgoing) = mpsc::unbounded_channel::<Vec<DomainEvent>>();
        let publisher = redis.clone();
        let from = instance.clone();
        let out_channel = channel.clone();
        tokio::spawn(async move {
            while let Some(events) = outgoing.recv().await {
                for event in events {
                    let message = encode(&from, &event).to_string();
                    let channel = out_channel.clone();
                    let sent: Option<i64> = publisher
                        .run(|mut conn| async move {
                            redis::cmd("PUBLISH")
                                .arg(channel)
                                .arg(message)
                                .query_async(&mut conn)
                                .await
                        })
                        .await;
                    if sent.is_none() {
                        tracing::warn!(
                            event = event.name(),
                            "event not published to other instances"
                        );
                    }
                }
            }
        });
        let (subscribed, ready) = tokio::sync::oneshot::channel();
        tokio::spawn(subscribe(redis, channel, instance, bus, subscribed));
        // Redis down at start: the subscriber keeps trying in the background.
        let _ = tokio::time::timeout(Duration::from_secs(2), ready).await;
        Arc::new(RedisEvents { queue })
    }
}

async fn subscribe(
    redis: Redis,
    channel: String,
    instance: String,
    bus: EventBus,
    subscribed: tokio::sync::oneshot::Sender<()>,
) {
    let mut subscribed = Some(subscribed);
    let mut backoff = Duration::from_millis(100);
    loop {
        match redis.client().get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    backoff = Duration::from_millis(100);
                    if let Some(tx) = subscribed.take() {
                        let _ = tx.send(());
                    }
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(text) = std::str::from_utf8(message.get_payload_bytes()) else {
                            continue;
                        };
                        match decode(text) {
                            Some((from, event)) if from != instance => bus.deliver_remote(event),
                            Some(_) => {}
                            None => tracing::warn!("an event from another instance is unreadable"),
                        }
                    }
                    tracing::warn!("the event subscription ended; resubscribing");
                }
                Err(err) => tracing::warn!(error = %err, "cannot subscribe to events"),
            },
            Err(err) => tracing::debug!(error = %err, "no pub/sub connection to Redis"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// The wire form: the event's stable name and its ids.
fn encode(from: &str, event: &DomainEvent) -> Value {
    let fields = match event {
        DomainEvent::ProductChanged {
            product_id,
            seller_id,
        } => json!({ "product": product_id, "seller": seller_id }),
        DomainEvent::StockChanged {
            outlet_id,
            product_id,
        } => json!({ "outlet": outlet_id, "product": product_id }),
        DomainEvent::SellerChanged { seller_id } => json!({ "seller": seller_id }),
        DomainEvent::SellerStatusChanged {
            seller_id,
            from,
            to,
        } => json!({ "seller": seller_id, "from": from.to_value(), "to": to.to_value() }),
        DomainEvent::OutletChanged { outlet_id } => json!({ "outlet": outlet_id }),
        DomainEvent::CategoryChanged { category_id } => json!({ "category": category_id }),
        DomainEvent::PhotoChanged { photo_id, owner_id } => {
            json!({ "photo": photo_id, "owner": owner_id })
        }
        DomainEvent::KioskChanged {
            kiosk_id,
            outlet_id,
        } => json!({ "kiosk": kiosk_id, "outlet": outlet_id }),
        DomainEvent::UserRegistered { user_id } => json!({ "user": user_id }),
    };
    json!({ "from": from, "event": event.name(), "fields": fields })
}

fn decode(text: &str) -> Option<(String, DomainEvent)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let from = value.get("from")?.as_str()?.to_string();
    let fields = value.get("fields")?;
    let id = |name: &str| -> Option<Uuid> { fields.get(name)?.as_str()?.parse().ok() };
    let status = |name: &str| -> Option<entity::enums::SellerStatus> {
        entity::enums::SellerStatus::try_from_value(&fields.get(name)?.as_str()?.to_string()).ok()
    };
    let event = match value.get("event")?.as_str()? {
        "product_changed" => DomainEvent::ProductChanged {
            product_id: id("product")?,
            seller_id: id("seller")?,
        },
        "stock_changed" => DomainEvent::StockChanged {
            outlet_id: id("outlet")?,
            product_id: id("product")?,
        },
        "seller_changed" => DomainEvent::SellerChanged {
            seller_id: id("seller")?,
        },
        "seller_status_changed" => DomainEvent::SellerStatusChanged {
            seller_id: id("seller")?,
            from: status("from")?,
            to: status("to")?,
        },
        "outlet_changed" => DomainEvent::OutletChanged {
            outlet_id: id("outlet")?,
        },
        "category_changed" => DomainEvent::CategoryChanged {
            category_id: id("category")?,
        },
        "photo_changed" => DomainEvent::PhotoChanged {
            photo_id: id("photo")?,
            owner_id: id("owner")?,
        },
        "kiosk_changed" => DomainEvent::KioskChanged {
            kiosk_id: id("kiosk")?,
            outlet_id: id("outlet")?,
        },
        "user_registered" => DomainEvent::UserRegistered {
            user_id: id("user")?,
        },
        _ => return None,
    };
    Some((from, event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_survives_the_wire() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        use entity::enums::SellerStatus::*;
        for event in [
            DomainEvent::ProductChanged {
                product_id: a,
                seller_id: b,
            },
            DomainEvent::StockChanged {
                outlet_id: a,
                product_id: b,
            },
            DomainEvent::SellerChanged { seller_id: a },
            DomainEvent::SellerStatusChanged {
                seller_id: a,
                from: Pending,
                to: Verified,
            },
            DomainEvent::OutletChanged { outlet_id: a },
            DomainEvent::CategoryChanged { category_id: a },
            DomainEvent::PhotoChanged {
                photo_id: a,
                owner_id: b,
            },
            DomainEvent::KioskChanged {
                kiosk_id: a,
                outlet_id: b,
            },
            DomainEvent::UserRegistered { user_id: a },
        ] {
            let text = encode("me", &event).to_string();
            assert_eq!(decode(&text), Some(("me".to_string(), event)));
        }
    }
}
