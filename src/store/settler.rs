//! Batching [`Store::settle`] for `deliver`: each attempt hands over how it
//! ended and waits for the store's answer; one task sends everything handed
//! over since its last call in the next one (one Redis script, one SQLite
//! transaction), and answers each attempt with that call's result. There is
//! no timer: an attempt waits at most for the call already under way, so a
//! lone attempt is recorded at once, and a busy `deliver` pays one round trip
//! per batch instead of one per entry.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{Settled, Store};
use crate::error::{Error, Result};

/// Results sent in one call at most (a Redis script's arguments stay small).
const MAX_BATCH: usize = 512;

type Waiting = (Settled, oneshot::Sender<Result<()>>);

/// The handle attempts share; the batching task ends when the last is dropped.
pub struct Settler {
    queue: mpsc::UnboundedSender<Waiting>,
}

impl Settler {
    /// Starts the batching task for `consumer`'s results on the current
    /// tokio runtime.
    pub fn start<S: Store>(store: Arc<S>, consumer: String) -> Settler {
        let (queue, mut waiting) = mpsc::unbounded_channel::<Waiting>();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let (results, answers): (Vec<Settled>, Vec<_>) = batch.drain(..).unzip();
                let recorded = store.settle(&consumer, &results).await;
                for answer in answers {
                    // An attempt that stopped waiting needs no answer.
                    let _ = answer.send(recorded.clone());
                }
            }
        });
        Settler { queue }
    }

    /// Records one result with whatever else is waiting; `Ok` once the store
    /// has it.
    pub async fn settle(&self, result: Settled) -> Result<()> {
        let (answer, answered) = oneshot::channel();
        let stopped = || Error::failed("the store's results task stopped");
        self.queue.send((result, answer)).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;
    use crate::store::sqlite::SqliteStore;
    use crate::store::{NewEntry, SecretUsed};

    #[test]
    fn concurrent_results_all_reach_the_store_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("s.db")).unwrap());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            for i in 0..200 {
                let entry = NewEntry {
                    key: format!("k{i}"),
                    event: Some("message.status".into()),
                    message_id: Some(format!("m{i}")),
                    received_at: "2026-01-15T10:30:00.123Z".into(),
                    headers: "{}".into(),
                    headers_base64: None,
                    body: Bytes::from_static(b"{}"),
                    secret: SecretUsed::Current,
                };
                store
                    .append(vec![entry], Duration::from_secs(60))
                    .await
                    .unwrap();
            }
            let claimed = store
                .claim("c", 200, Duration::from_secs(60))
                .await
                .unwrap();
            let settler = Arc::new(Settler::start(Arc::clone(&store), "c".into()));
            let mut tasks = tokio::task::JoinSet::new();
            for (i, entry) in claimed.into_iter().enumerate() {
                let settler = Arc::clone(&settler);
                tasks.spawn(async move {
                    let result = if i % 4 == 0 {
                        Settled::Dead {
                            id: entry.id,
                            attempts: 1,
                            error: "the app answered 500".into(),
                        }
                    } else {
                        Settled::Delivered { id: entry.id }
                    };
                    settler.settle(result).await
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.unwrap().unwrap();
            }
            let stats = store.stats().await.unwrap();
            assert_eq!((stats.delivered, stats.dead, stats.pending), (150, 50, 0));
        });
    }
}
