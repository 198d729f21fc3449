//! A contended measurement of your own lock inside criterion: `iter_custom` hands
//! [`Contended`] the iteration count, `threads` threads share the lock and split the
//! operations, and the wall time comes back to criterion.
//!
//! ```sh
//! cargo run --release --example byo_criterion                  # each benchmark once (smoke)
//! cargo run --release --example byo_criterion -- --bench       # measure (criterion's CLI)
//! ```
//!
//! In your own crate the same code goes in `benches/<name>.rs` with `harness = false`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lockbench::custom::Contended;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A test-and-set spinlock, defined outside lockbench.
pub struct Tas(AtomicBool);

// SAFETY: one holder at a time (the Acquire compare-exchange from false to true); `unlock`'s
// Release store pairs with the next holder's Acquire.
unsafe impl lock_api::RawMutex for Tas {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Tas = Tas(AtomicBool::new(false));
    type GuardMarker = lock_api::GuardSend;
    fn lock(&self) {
        while !self.try_lock() {
            std::hint::spin_loop();
        }
    }
    fn try_lock(&self) -> bool {
        // Acquire: pairs with the Release store in `unlock`.
        self.0
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }
    unsafe fn unlock(&self) {
        // Release: pairs with the Acquire in the next `try_lock`.
        self.0.store(false, Ordering::Release);
    }
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("contended/cs=100ns");
    group.measurement_time(Duration::from_secs(2));
    for threads in [1, 2, 4] {
        let harness = Contended::new(threads, Duration::from_nanos(100));
        group.bench_with_input(BenchmarkId::new("my-tas", threads), &harness, |b, h| {
            b.iter_custom(|iters| h.time_raw_mutex::<Tas>(iters))
        });
        group.bench_with_input(
            BenchmarkId::new("parking-lot-mutex", threads),
            &harness,
            |b, h| b.iter_custom(|iters| h.time_raw_mutex::<parking_lot::RawMutex>(iters)),
        );
    }
    group.finish();
}

criterion_group!(benches, contended);
criterion_main!(benches);
