//! Timestamps from the CPU's time-stamp counter (via `quanta`), and per-thread CPU time and
//! context switches from the kernel (read twice per thread per trial, never per operation).

use std::time::Duration;

/// The harness clock: `quanta` reads the TSC directly (no syscall) and converts raw ticks to
/// nanoseconds with a calibrated ratio; it falls back to the OS monotonic clock where the TSC
/// is unusable.
#[derive(Debug, Clone)]
pub struct Clock {
    inner: quanta::Clock,
    source: ClockSource,
}

/// Where the harness's timestamps come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// The CPU's invariant time-stamp counter, read directly (~10–20 ns per fenced read).
    Tsc,
    /// The OS monotonic clock: `quanta`'s fallback when the TSC is not invariant. Slower
    /// and coarser; every latency figure then carries more clock cost.
    OsMonotonic,
}

impl ClockSource {
    /// The name used in CSV and meta.json.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockSource::Tsc => "tsc",
            ClockSource::OsMonotonic => "os-monotonic",
        }
    }

    /// What `quanta` uses on this CPU: the TSC only if CPUID says it is invariant (constant
    /// rate in every P-, C- and T-state), the rule `quanta` itself applies.
    pub fn detect() -> ClockSource {
        #[cfg(target_arch = "x86_64")]
        #[allow(unused_unsafe)]
        {
            // (`__cpuid` is an unsafe fn before Rust 1.94, safe after.)
            // SAFETY: CPUID is available on every x86_64 CPU; leaf 0x8000_0000 reports the
            // highest extended leaf, and 0x8000_0007 is read only if it exists.
            let max_ext = unsafe { std::arch::x86_64::__cpuid(0x8000_0000) }.eax;
            if max_ext >= 0x8000_0007 {
                // SAFETY: as above; the leaf exists.
                let edx = unsafe { std::arch::x86_64::__cpuid(0x8000_0007) }.edx;
                if edx & (1 << 8) != 0 {
                    return ClockSource::Tsc;
                }
            }
        }
        ClockSource::OsMonotonic
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// The kernel's scheduler tick in nanoseconds: the resolution of `CLOCK_MONOTONIC_COARSE`,
/// which advances once per jiffy (1 / CONFIG_HZ: 4 ms at HZ = 250, 1 ms at HZ = 1000). 4 ms,
/// the most common distribution setting, if the kernel does not say.
pub fn sched_tick_ns() -> u64 {
    const FALLBACK_NS: u64 = 4_000_000;
    let mut res = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `res` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC_COARSE, &mut res) };
    let ns = (res.tv_sec as u64) * 1_000_000_000 + res.tv_nsec as u64;
    if rc == 0 && ns > 1_000 {
        ns
    } else {
        FALLBACK_NS
    }
}

impl Clock {
    /// A calibrated clock.
    ///
    /// Falling back to the OS clock is said loudly on stderr: every latency figure is then
    /// coarser, and `clock_source` on every row says so.
    pub fn new() -> Clock {
        let source = ClockSource::detect();
        if source == ClockSource::OsMonotonic {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "warning: this CPU has no invariant TSC; timestamps come from the OS \
                     monotonic clock (slower, coarser): latency figures carry more clock cost"
                );
            });
        }
        Clock {
            inner: quanta::Clock::new(),
            source,
        }
    }

    /// Where timestamps come from.
    pub fn source(&self) -> ClockSource {
        self.source
    }

    /// Raw counter ticks per nanosecond (the TSC's frequency in GHz), measured over `span`
    /// against the OS monotonic clock.
    pub fn ticks_per_ns(&self, span: Duration) -> f64 {
        let (t0, r0) = (std::time::Instant::now(), self.raw());
        std::thread::sleep(span);
        let (r1, ns) = (self.raw(), t0.elapsed().as_nanos().max(1) as f64);
        r1.wrapping_sub(r0) as f64 / ns
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
    pub(crate) fn read_overhead_ns(&self, samples: usize) -> f64 {
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
pub(crate) struct ThreadUsage {
    /// User + system CPU time.
    pub cpu: Duration,
    /// Voluntary context switches (the thread blocked).
    pub voluntary_switches: u64,
    /// Involuntary context switches (the thread was preempted).
    pub involuntary_switches: u64,
    /// Time spent runnable but waiting for a CPU (the run-queue delay of
    /// `/proc/…/schedstat`): the CPU was taken by someone else while the thread wanted it.
    /// `None` where the kernel does not report it.
    pub run_delay: Option<Duration>,
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
            run_delay: std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| parse_run_delay(&s)),
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
            run_delay: self
                .run_delay
                .zip(earlier.run_delay)
                .map(|(now, then)| now.saturating_sub(then)),
        }
    }
}

/// A handle through which *another* thread (the trial's controller) reads a worker's CPU time
/// and context switches at the exact instants the measured window opens and closes, so the
/// figures cover the same window as the operation count. A worker that is starved across the
/// window's start (or stuck past its end) would otherwise start (or stop) its own clock late.
#[derive(Debug)]
pub(crate) struct ThreadProbe {
    /// The worker's CPU-time clock (`pthread_getcpuclockid`).
    cpu_clock: libc::clockid_t,
    /// The worker's `/proc/thread-self/status`, opened by the worker (switch counts).
    status: Option<std::fs::File>,
    /// The worker's `/proc/thread-self/schedstat` (run-queue delay).
    schedstat: Option<std::fs::File>,
}

impl ThreadProbe {
    /// A probe of the calling thread, to be read by other threads while this one lives.
    pub(crate) fn of_current() -> Option<ThreadProbe> {
        let mut cpu_clock: libc::clockid_t = 0;
        // SAFETY: `pthread_self()` is the calling, live thread; `cpu_clock` is writable.
        let rc = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut cpu_clock) };
        if rc != 0 {
            return None;
        }
        Some(ThreadProbe {
            cpu_clock,
            status: std::fs::File::open("/proc/thread-self/status").ok(),
            schedstat: std::fs::File::open("/proc/thread-self/schedstat").ok(),
        })
    }

    /// The probed thread's usage so far, `None` if its CPU clock cannot be read (the thread
    /// is gone). Must be called while that thread is alive.
    pub fn read(&self) -> Option<ThreadUsage> {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; the clock id names a live thread's CPU
        // clock (the caller's contract), and an invalid one only makes the call fail.
        if unsafe { libc::clock_gettime(self.cpu_clock, &mut ts) } != 0 {
            return None;
        }
        let cpu = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        let (voluntary_switches, involuntary_switches) = self
            .status
            .as_ref()
            .map_or((0, 0), |f| parse_switches(&read_proc(f)));
        Some(ThreadUsage {
            cpu,
            voluntary_switches,
            involuntary_switches,
            run_delay: self
                .schedstat
                .as_ref()
                .and_then(|f| parse_run_delay(&read_proc(f))),
        })
    }
}

/// The run-queue delay (second field, ns) of a `schedstat` text.
pub(crate) fn parse_run_delay(schedstat: &str) -> Option<Duration> {
    schedstat
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .map(Duration::from_nanos)
}

/// The text of an open procfs file, read from offset 0 (procfs regenerates it on every read).
fn read_proc(file: &std::fs::File) -> String {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 4096];
    let mut len = 0;
    while len < buf.len() {
        match file.read_at(&mut buf[len..], len as u64) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

/// The `voluntary_ctxt_switches` and `nonvoluntary_ctxt_switches` of a status text (0 when
/// absent).
pub(crate) fn parse_switches(status: &str) -> (u64, u64) {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (
        field("voluntary_ctxt_switches:"),
        field("nonvoluntary_ctxt_switches:"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_counts_parse() {
        let s = "Name:\tx\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n";
        assert_eq!(parse_switches(s), (12, 3));
        assert_eq!(parse_switches("Name:\tx\n"), (0, 0));
        assert_eq!(
            parse_run_delay("1209266785 16393843 82\n"),
            Some(Duration::from_nanos(16_393_843))
        );
        assert_eq!(parse_run_delay(""), None);
    }

    /// The controller's view of a worker agrees with the worker's own: the CPU time it
    /// burned shows up, and its sleeps are counted as voluntary switches.
    #[test]
    fn a_probe_reads_another_thread() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            tx.send(Some(ThreadProbe::of_current().expect("probe")))
                .unwrap();
            go_rx.recv().unwrap();
            let own = ThreadUsage::now();
            while ThreadUsage::now().since(&own).cpu < Duration::from_millis(20) {
                std::hint::spin_loop();
            }
            for _ in 0..5 {
                std::thread::sleep(Duration::from_millis(1));
            }
            tx.send(None).unwrap();
            go_rx.recv().unwrap();
        });
        let probe = rx.recv().unwrap().unwrap();
        let before = probe.read().expect("a live thread's clock");
        go_tx.send(()).unwrap();
        assert!(rx.recv().unwrap().is_none());
        let used = probe.read().expect("a live thread's clock").since(&before);
        go_tx.send(()).unwrap();
        worker.join().unwrap();
        assert!(used.cpu >= Duration::from_millis(20), "{used:?}");
        assert!(used.voluntary_switches >= 5, "{used:?}");
    }
}
