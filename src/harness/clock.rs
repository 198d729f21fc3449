//! Timestamps from the CPU's time-stamp counter (via `quanta`), and per-thread CPU time and
//! context switches from the kernel (read twice per thread per trial, never per operation).

use std::time::Duration;

/// The harness clock: `quanta` reads the TSC directly (no syscall) and converts raw ticks to
/// nanoseconds with a calibrated ratio; it falls back to the OS monotonic clock where the TSC
/// is unusable.
#[derive(Debug, Clone)]
pub struct Clock {
    inner: quanta::Clock,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

impl Clock {
    /// A calibrated clock.
    pub fn new() -> Clock {
        Clock {
            inner: quanta::Clock::new(),
        }
    }

    /// A raw timestamp (ticks); only differences between two of them mean anything.
    ///
    /// Ordered: the read waits for every earlier instruction to complete (LFENCE then RDTSC).
    /// A bare RDTSC may execute before the busy work in front of it finishes, which made the
    /// measured hold time of a 100 ns critical section read 62–91 ns.
    #[inline(always)]
    pub fn raw(&self) -> u64 {
        crate::workload::serialize();
        self.inner.raw()
    }

    /// Nanoseconds between two raw timestamps (0 if `end` precedes `start`).
    #[inline(always)]
    pub fn delta_ns(&self, start: u64, end: u64) -> u64 {
        self.inner.delta_as_nanos(start, end)
    }

    /// Median cost of one timestamp read, in nanoseconds, measured over `samples` pairs of
    /// back-to-back reads (batched, so the figure is not below the clock's resolution).
    pub fn read_overhead_ns(&self, samples: usize) -> f64 {
        const BATCH: u32 = 64;
        let mut per_read: Vec<f64> = (0..samples.max(1))
            .map(|_| {
                let start = self.raw();
                for _ in 0..BATCH {
                    std::hint::black_box(self.raw());
                }
                self.delta_ns(start, self.raw()) as f64 / f64::from(BATCH + 1)
            })
            .collect();
        per_read.sort_by(f64::total_cmp);
        per_read[per_read.len() / 2]
    }
}

/// CPU time and context switches of the calling thread.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ThreadUsage {
    /// User + system CPU time.
    pub cpu: Duration,
    /// Voluntary context switches (the thread blocked).
    pub voluntary_switches: u64,
    /// Involuntary context switches (the thread was preempted).
    pub involuntary_switches: u64,
}

impl ThreadUsage {
    /// Reads the calling thread's usage: CPU time from `CLOCK_THREAD_CPUTIME_ID` (ns
    /// resolution), switches from `getrusage(RUSAGE_THREAD)`.
    pub fn now() -> ThreadUsage {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux knows.
        let cpu = if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
        } else {
            Duration::ZERO
        };
        // SAFETY: an all-zero rusage is a valid value of this plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid, writable rusage; RUSAGE_THREAD is supported since 2.6.26.
        let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } == 0;
        ThreadUsage {
            cpu,
            voluntary_switches: if ok { usage.ru_nvcsw as u64 } else { 0 },
            involuntary_switches: if ok { usage.ru_nivcsw as u64 } else { 0 },
        }
    }

    /// Usage accumulated between `earlier` and `self`.
    pub fn since(&self, earlier: &ThreadUsage) -> ThreadUsage {
        ThreadUsage {
            cpu: self.cpu.saturating_sub(earlier.cpu),
            voluntary_switches: self
                .voluntary_switches
                .saturating_sub(earlier.voluntary_switches),
            involuntary_switches: self
                .involuntary_switches
                .saturating_sub(earlier.involuntary_switches),
        }
    }
}
