//! Job handlers and the registry that maps a job kind to its handler.

use std::{collections::BTreeMap, future::Future, pin::Pin, sync::Arc};

use serde_json::Value;

/// What a handler returns: a boxed future, so the trait stays object-safe without a macro.
pub type JobFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'static>>;

/// Runs one kind of job. An `Err` (or a panic) counts as a failed attempt and is retried
/// with backoff; handlers must therefore be idempotent, since a job whose runner dies after
/// the work but before recording success runs again once its lease expires.
pub trait JobHandler: Send + Sync + 'static {
    fn run(&self, payload: Value) -> JobFuture;
}

/// Adapts a closure `|payload| async move { ... }` to [`JobHandler`].
struct FnHandler<F>(F);

impl<F, Fut> JobHandler for FnHandler<F>
where
    F: Fn(Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    fn run(&self, payload: Value) -> JobFuture {
        Box::pin((self.0)(payload))
    }
}

/// Job kinds this process can run. A runner claims only the kinds registered here, so
/// servers of a rolling deploy never take a job they cannot handle.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, Arc<dyn JobHandler>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` for `kind`, replacing any earlier one.
    pub fn register(&mut self, kind: impl Into<String>, handler: impl JobHandler) -> &mut Self {
        self.handlers.insert(kind.into(), Arc::new(handler));
        self
    }

    /// Registers an async closure for `kind`.
    pub fn register_fn<F, Fut>(&mut self, kind: impl Into<String>, f: F) -> &mut Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.register(kind, FnHandler(f))
    }

    pub fn get(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.handlers.get(kind).cloned()
    }

    /// The registered kinds, in a stable order.
    pub fn kinds(&self) -> Vec<String> {
        self.handlers.keys().cloned().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.handlers.keys().collect::<Vec<_>>())
            .finish()
    }
}
