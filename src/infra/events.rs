//! The event bus: committed domain events fan out to whoever listens in this process (cache
//! invalidation, subscriptions) and, through a backend, to the other instances.
//!
//! Publishing never waits on I/O: a mutation's answer must not depend on a broker being up.
//! A remote backend (Redis pub/sub) queues what it is given and forwards the events it
//! receives from other instances into the same local channel, so listeners see one stream.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::domain::events::DomainEvent;

/// How events leave this process. The in-process bus needs none; a Redis backend implements
/// this and is given to [`EventBus::with_backend`].
pub trait EventBackend: Send + Sync {
    /// Hands committed events to the backend; must not block.
    fn publish(&self, events: &[DomainEvent]);
}

/// Cloned into every part of the app that publishes or listens.
#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<DomainEvent>>,
    backend: Option<Arc<dyn EventBackend>>,
}

/// Events a slow listener may fall behind by before it misses some (and is told so by
/// `RecvError::Lagged`, upon which a cache must drop everything it holds).
const CAPACITY: usize = 4096;

impl EventBus {
    /// The in-process bus (one instance, or tests).
    pub fn in_process() -> Self {
        let (local, _) = broadcast::channel(CAPACITY);
        EventBus {
            local,
            backend: None,
        }
    }

    /// The in-process bus that also hands every event to `backend`.
    pub fn with_backend(backend: Arc<dyn EventBackend>) -> Self {
        EventBus {
            backend: Some(backend),
            ..Self::in_process()
        }
    }

    /// Delivers committed events. Call only after the transaction that made them committed
    /// (`services::tx::Tx::commit` does).
    pub fn publish(&self, events: Vec<DomainEvent>) {
        if events.is_empty() {
            return;
        }
        if let Some(backend) = &self.backend {
            backend.publish(&events);
        }
        for event in events {
            tracing::debug!(event = event.name(), ?event, "domain event");
            // No receiver is not an error: nobody listens yet.
            let _ = self.local.send(Arc::new(event));
        }
    }

    /// A stream of events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<DomainEvent>> {
        self.local.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listeners_receive_published_events_in_order() {
        let bus = EventBus::in_process();
        let mut rx = bus.subscribe();
        let a = DomainEvent::OutletChanged {
            outlet_id: uuid::Uuid::nil(),
        };
        let b = DomainEvent::CategoryChanged {
            category_id: uuid::Uuid::nil(),
        };
        bus.publish(vec![a.clone(), b.clone()]);
        assert_eq!(*rx.recv().await.unwrap_or_else(|e| panic!("{e}")), a);
        assert_eq!(*rx.recv().await.unwrap_or_else(|e| panic!("{e}")), b);
    }
}
