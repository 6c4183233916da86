//! The event bus: committed domain events fan out to whoever listens in this process (cache
//! invalidation, subscriptions) and, through a backend, to the other instances.
//!
//! Publishing never waits on I/O: a mutation's answer must not depend on a broker being up.
//! A remote backend (Redis pub/sub) queues what it is given and forwards the events it
//! receives from other instances into the same local channel, so listeners see one stream.

use std::{future::Future, pin::Pin, sync::Arc};

use tokio::sync::broadcast;

use crate::domain::events::DomainEvent;

/// Work that must be done before a committed write answers (invalidating the response cache),
/// awaited by [`EventBus::publish_committed`]. Unlike listeners, it cannot lag.
pub trait CommitHook: Send + Sync {
    fn committed<'a>(
        &'a self,
        events: &'a [DomainEvent],
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
}

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
    hooks: Vec<Arc<dyn CommitHook>>,
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
            hooks: Vec::new(),
        }
    }

    /// The same bus with a hook awaited on every commit, before the write answers.
    pub fn with_hook(mut self, hook: Arc<dyn CommitHook>) -> Self {
        self.hooks.push(hook);
        self
    }

    /// The same bus, also handing every event to `backend` (which may deliver events from other
    /// instances into [`EventBus::deliver_remote`]).
    pub fn and_backend(mut self, backend: Arc<dyn EventBackend>) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Events another instance committed, for the listeners of this one. Not handed to the
    /// backend again, and the commit hooks already ran on the writing instance.
    pub fn deliver_remote(&self, event: DomainEvent) {
        tracing::debug!(event = event.name(), "domain event from another instance");
        let _ = self.local.send(Arc::new(event));
    }

    /// Runs the commit hooks (the response cache's invalidation), then publishes. What a
    /// unit of work calls after its commit, so that the mutation answers only once no cache
    /// can show the old state.
    pub async fn publish_committed(&self, events: Vec<DomainEvent>) {
        if events.is_empty() {
            return;
        }
        for hook in &self.hooks {
            hook.committed(&events).await;
        }
        self.publish(events);
    }

    /// The in-process bus that also hands every event to `backend`.
    pub fn with_backend(backend: Arc<dyn EventBackend>) -> Self {
        Self::in_process().and_backend(backend)
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
