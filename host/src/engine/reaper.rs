//! Instances are torn down off the run's path.
//!
//! Dropping a Store unmaps its linear memories and its fiber stack: about a
//! twentieth of a short run's CPU, spent where a group (or `describe()`)
//! ends and the next step waits. A [`Retiring`] value is handed, when it is
//! dropped, to one process-wide thread that drops it there instead.
//!
//! Guarantees:
//! - Everything retired is dropped, in the order it was retired, while the
//!   process lives: a long-lived `plume monitor` keeps no dead instance. A
//!   process that exits does not wait for the queue: the kernel takes the
//!   mappings back with the rest of the address space.
//! - Values retired together stay ordered: a group retires its Store before
//!   its instance slot, so the slot is free again only once the instance's
//!   memory is gone, and a plugin's instance limit still bounds the memory of
//!   its instances, the dying ones included.
//! - When the thread cannot be started, or has gone, a value is dropped
//!   where it is, as it would have been without this module.

use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Sender};

type Parcel = Box<dyn Send>;

/// The queue to the reaper thread; `None` if it could not be started.
static QUEUE: OnceLock<Option<Sender<Parcel>>> = OnceLock::new();

fn queue() -> Option<&'static Sender<Parcel>> {
    QUEUE
        .get_or_init(|| {
            let (send, receive) = mpsc::channel::<Parcel>();
            std::thread::Builder::new()
                .name("plume-reaper".into())
                .spawn(move || {
                    for parcel in receive {
                        drop(parcel);
                    }
                })
                .ok()
                .map(|_| send)
        })
        .as_ref()
}

/// Drops `value` on the reaper thread (or here, when there is none).
pub fn retire<T: Send + 'static>(value: T) {
    let parcel: Parcel = Box::new(value);
    let Some(queue) = queue() else {
        return;
    };
    // A closed queue hands the parcel back: it is dropped here.
    drop(queue.send(parcel));
}

/// A value that is [`retire`]d when it goes out of scope, on every path:
/// returned, unwound, or its task aborted by the ceiling.
pub struct Retiring<T: Send + 'static>(Option<T>);

impl<T: Send + 'static> Retiring<T> {
    pub fn new(value: T) -> Self {
        Retiring(Some(value))
    }
}

impl<T: Send + 'static> Deref for Retiring<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0
            .as_ref()
            .expect("a Retiring value is taken only on drop")
    }
}

impl<T: Send + 'static> DerefMut for Retiring<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0
            .as_mut()
            .expect("a Retiring value is taken only on drop")
    }
}

impl<T: Send + 'static> Drop for Retiring<T> {
    fn drop(&mut self) {
        if let Some(value) = self.0.take() {
            retire(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::*;

    /// Records, when dropped, its number and the thread that dropped it.
    struct Noted {
        n: usize,
        log: Arc<Mutex<Vec<(usize, String)>>>,
    }

    impl Drop for Noted {
        fn drop(&mut self) {
            let thread = std::thread::current().name().unwrap_or("").to_owned();
            self.log.lock().unwrap().push((self.n, thread));
        }
    }

    #[test]
    fn retired_values_are_dropped_in_order_on_the_reaper_thread() {
        let log = Arc::new(Mutex::new(Vec::new()));
        for n in 0..50 {
            let held = Retiring::new(Noted {
                n,
                log: log.clone(),
            });
            assert_eq!(held.n, n);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while log.lock().unwrap().len() < 50 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let log = log.lock().unwrap();
        let order: Vec<usize> = log.iter().map(|(n, _)| *n).collect();
        assert_eq!(order, (0..50).collect::<Vec<_>>());
        assert!(log.iter().all(|(_, thread)| thread == "plume-reaper"));
    }

    #[test]
    fn a_value_dropped_by_unwinding_is_retired_too() {
        let dropped = Arc::new(AtomicUsize::new(0));
        struct Counted(Arc<AtomicUsize>);
        impl Drop for Counted {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let held = dropped.clone();
        let unwound = std::panic::catch_unwind(move || {
            let _value = Retiring::new(Counted(held));
            panic!("a group's task unwinding");
        });
        assert!(unwound.is_err());
        let deadline = Instant::now() + Duration::from_secs(10);
        while dropped.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
    }
}
