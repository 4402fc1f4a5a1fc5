//! Batches concurrent `update_serving` calls for a store that makes a batch durable at
//! once ([`StoreTraits::batches_serving`](plughss_plugin_api::store::StoreTraits)).
//!
//! In a ULR storm every request records its serving MME, and each record must be on
//! disk before the ULA leaves. Made one at a time, every ULR holds a blocking thread
//! while it waits for a flush. Queued instead, whatever arrives while one batch is
//! being written goes into the next: one blocking task drains the queue, each batch
//! costs one store call and one flush, and waiting requests are tasks, not threads.

use std::sync::{Arc, Mutex, MutexGuard};

use plughss_plugin_api::store::{ServingNode, Store, StoreError};
use tokio::sync::oneshot;

type Reply = oneshot::Sender<Result<ServingNode, StoreError>>;

/// At most this many updates per store call, so one call stays short.
const MAX_BATCH: usize = 512;

#[derive(Default)]
struct Queue {
    waiting: Vec<(String, ServingNode, Reply)>,
    /// A drain task is running; it takes whatever is queued before it stops.
    draining: bool,
}

#[derive(Default)]
pub struct ServingQueue {
    queue: Mutex<Queue>,
}

impl ServingQueue {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues one update and waits for its result. Must be called within a tokio runtime.
    pub async fn update(
        self: &Arc<Self>,
        store: &Arc<dyn Store>,
        imsi: String,
        node: ServingNode,
    ) -> Result<ServingNode, StoreError> {
        let (reply, result) = oneshot::channel();
        let start = {
            let mut q = self.lock();
            q.waiting.push((imsi, node, reply));
            !std::mem::replace(&mut q.draining, true)
        };
        if start {
            let (queue, store) = (Arc::clone(self), Arc::clone(store));
            tokio::task::spawn_blocking(move || queue.drain(store.as_ref()));
        }
        result.await.unwrap_or_else(|_| Err(StoreError::Unavailable("the store task ended".into())))
    }

    /// Runs batches until the queue is empty.
    fn drain(&self, store: &dyn Store) {
        // Should the store call panic, the waiters of the batch in hand see their reply
        // dropped, and the guard fails the queued ones and lets the next call start a
        // new drain.
        let _guard = DrainGuard(self);
        loop {
            let batch: Vec<_> = {
                let mut q = self.lock();
                if q.waiting.is_empty() {
                    q.draining = false;
                    return;
                }
                let n = q.waiting.len().min(MAX_BATCH);
                q.waiting.drain(..n).collect()
            };
            let (updates, replies): (Vec<_>, Vec<_>) =
                batch.into_iter().map(|(imsi, node, reply)| ((imsi, node), reply)).unzip();
            let results = store.update_serving_many(&updates);
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
    }
}

struct DrainGuard<'a>(&'a ServingQueue);

impl Drop for DrainGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut q = self.0.lock();
            q.waiting.clear();
            q.draining = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use plughss_plugin_api::store::{ImsState, PutMode, StoreTraits};
    use plughss_plugin_api::subscriber::{AuthData, Subscriber};

    use super::*;

    /// Records the serving node per IMSI in memory and counts store calls.
    #[derive(Default)]
    struct Counting {
        nodes: Mutex<std::collections::HashMap<String, ServingNode>>,
        calls: AtomicUsize,
    }

    impl Store for Counting {
        fn put(&self, _: &Subscriber, _: Option<&AuthData>, _: PutMode) -> Result<(), StoreError> {
            Err(StoreError::Unsupported)
        }
        fn put_many(&self, _: &[(Subscriber, AuthData)]) -> Result<(), StoreError> {
            Err(StoreError::Unsupported)
        }
        fn get(&self, _: &str) -> Result<Option<Subscriber>, StoreError> {
            Err(StoreError::Unsupported)
        }
        fn delete(&self, _: &str) -> Result<bool, StoreError> {
            Err(StoreError::Unsupported)
        }
        fn list(&self, _: Option<&str>, _: usize) -> Result<Vec<Subscriber>, StoreError> {
            Err(StoreError::Unsupported)
        }
        fn count(&self) -> Result<u64, StoreError> {
            Err(StoreError::Unsupported)
        }
        fn get_auth(&self, _: &str) -> Result<Option<AuthData>, StoreError> {
            Err(StoreError::Unsupported)
        }
        fn reserve_sqn(&self, _: &str, _: u32, _: u64) -> Result<u64, StoreError> {
            Err(StoreError::Unsupported)
        }
        fn advance_sqn(&self, _: &str, _: u64) -> Result<u64, StoreError> {
            Err(StoreError::Unsupported)
        }
        fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError> {
            if imsi == "unknown" {
                return Err(StoreError::NotFound);
            }
            let mut nodes = self.nodes.lock().unwrap();
            Ok(nodes.insert(imsi.to_owned(), node.clone()).unwrap_or_default())
        }
        fn update_serving_many(
            &self,
            updates: &[(String, ServingNode)],
        ) -> Vec<Result<ServingNode, StoreError>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            // Slow enough that callers pile up behind a batch.
            std::thread::sleep(std::time::Duration::from_millis(2));
            updates.iter().map(|(imsi, node)| self.update_serving(imsi, node)).collect()
        }
        fn set_ims_state(&self, _: &str, _: &ImsState) -> Result<(), StoreError> {
            Err(StoreError::Unsupported)
        }
        fn traits(&self) -> StoreTraits {
            StoreTraits { exclusive: true, batches_serving: true }
        }
    }

    fn node(host: &str) -> ServingNode {
        ServingNode { mme_host: Some(host.into()), ..ServingNode::default() }
    }

    /// 400 concurrent updates over 20 IMSIs: each caller gets its own result (NotFound
    /// for the unknown IMSI), the updates of one IMSI chain without a loss, and far
    /// fewer store calls than updates are made.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_updates_share_store_calls_and_each_gets_its_result() {
        let counting = Arc::new(Counting::default());
        let store: Arc<dyn Store> = counting.clone();
        let queue = Arc::new(ServingQueue::default());
        let mut tasks = Vec::new();
        for i in 0..400 {
            let (queue, store) = (queue.clone(), store.clone());
            tasks.push(tokio::spawn(async move {
                let imsi = format!("{}", i % 20);
                let r = queue.update(&store, imsi, node(&format!("mme{i}"))).await;
                (i, r)
            }));
        }
        let unknown = queue.update(&store, "unknown".into(), node("x")).await;
        assert_eq!(unknown, Err(StoreError::NotFound));
        let mut previous_of = std::collections::HashMap::new();
        for t in tasks {
            let (i, r) = t.await.unwrap();
            previous_of.insert(format!("mme{i}"), r.unwrap().mme_host);
        }
        // Per IMSI the previous hosts form one chain from None through every update:
        // each written node was seen as `previous` by exactly one later update, except
        // the last.
        for imsi in 0..20 {
            let written: Vec<String> =
                (0..400).filter(|i| i % 20 == imsi).map(|i| format!("mme{i}")).collect();
            let seen: Vec<Option<String>> = written.iter().map(|w| previous_of[w].clone()).collect();
            assert_eq!(seen.iter().filter(|p| p.is_none()).count(), 1, "one update came first");
            let last = counting.nodes.lock().unwrap()[&imsi.to_string()].mme_host.clone().unwrap();
            let mut chained: Vec<String> = seen.into_iter().flatten().collect();
            chained.push(last);
            chained.sort();
            let mut all = written.clone();
            all.sort();
            assert_eq!(chained, all, "IMSI {imsi}: every update seen exactly once");
        }
        let calls = counting.calls.load(Ordering::SeqCst);
        assert!(calls < 100, "{calls} store calls for 401 updates");
    }
}
