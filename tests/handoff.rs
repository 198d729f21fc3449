//! The promises of the hand-off and holder-preemption columns, on locks whose behaviour is
//! known by construction:
//! - a lock that forces every acquisition onto the other thread and makes each hand-off last
//!   at least `DELAY` records one hand-off per timed section, none shorter than `DELAY`;
//! - a lock that always comes back to its only thread records no hand-off at all;
//! - a spinlock time-sliced with more threads than CPUs has holders preempted, and counts them.
//!
//! The tests take turns (one lock below): they time scheduling, and two at once would share
//! the CPUs.

use lockbench::harness::{Env, Point, run_exclusive};
use lockbench::primitives::Exclusive;
use lockbench::record::{Family, Setting};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(Env::detect)
}

/// How long every hand-off of [`Baton`] takes at least.
const DELAY: Duration = Duration::from_micros(20);

/// A two-thread lock that alternates strictly: a thread may take it only on its turn, so
/// every acquisition is a hand-off from the other thread, and the new owner waits [`DELAY`]
/// after its turn comes before it enters. Mutual exclusion holds because only the thread whose
/// turn it is enters, and it passes the turn on only when it leaves.
struct Baton {
    /// Acquisitions so far: thread `id` may enter when `turn % 2 == id`.
    turn: AtomicUsize,
    /// Ids handed out to the threads on their first acquisition.
    ids: AtomicUsize,
}

/// A thread's id for [`Baton`], given on first use.
#[derive(Default)]
struct BatonNode(Option<usize>);

impl Baton {
    fn enter(&self, node: &mut BatonNode) {
        // Relaxed: only distinct ids matter.
        let id = *node
            .0
            .get_or_insert_with(|| self.ids.fetch_add(1, Ordering::Relaxed));
        assert!(id < 2, "Baton is a two-thread lock");
        // Acquire: pairs with the Release increment of the thread that left.
        while self.turn.load(Ordering::Acquire) % 2 != id {
            std::hint::spin_loop();
        }
        let start = Instant::now();
        while start.elapsed() < DELAY {
            std::hint::spin_loop();
        }
    }

    fn leave(&self) {
        // Release: pairs with the next owner's Acquire load.
        self.turn.fetch_add(1, Ordering::Release);
    }
}

impl Exclusive for Baton {
    type Node = BatonNode;
    fn create() -> Self {
        Baton {
            turn: AtomicUsize::new(0),
            ids: AtomicUsize::new(0),
        }
    }
    fn with<T>(&self, node: &mut BatonNode, f: impl FnOnce() -> T) -> T {
        self.enter(node);
        let out = f();
        self.leave();
        out
    }
    fn try_with<T>(&self, node: &mut BatonNode, f: impl FnOnce() -> T) -> Option<T> {
        Some(self.with(node, f))
    }
}

fn point(name: &str, threads: usize, cs_ns: u64, window: Duration, sample_every: u32) -> Point {
    let base = Point::new(name);
    Point {
        setting: Setting {
            threads,
            cs_ns,
            ..base.setting
        },
        duration: window,
        warmup: Duration::from_millis(10),
        timeout: Duration::from_secs(30),
        sample_every,
        ..base
    }
}

fn run<L: Exclusive>(env: &Env, p: &Point) -> lockbench::harness::TrialOutput {
    run_exclusive::<L>(env, p, Family::Spin, 0, true).expect("the lock keeps its invariant")
}

/// [`Baton`] needs two CPUs: on one, every turn waits for a time slice.
fn two_cpus() -> bool {
    let ok = env().host.usable_cpus() >= 2;
    if !ok {
        eprintln!("skipped: needs 2 usable CPUs");
    }
    ok
}

#[test]
fn a_forced_hand_off_is_recorded_once_per_timed_section_and_lasts_its_delay() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !two_cpus() {
        return;
    }
    let out = run::<Baton>(env(), &point("baton", 2, 0, Duration::from_millis(100), 4));
    let r = &out.record;
    let handoffs = r.handoffs.expect("exclusive locks record hand-offs");
    // Every timed section stamps its release and the other thread takes the stamp; only the
    // last stamp of the window may be left untaken.
    assert!(
        handoffs + 1 >= r.sampled_ops && handoffs <= r.sampled_ops,
        "{handoffs} hand-offs recorded for {} timed sections",
        r.sampled_ops
    );
    let delay = DELAY.as_nanos() as f64;
    // The histogram keeps 3 significant digits: its lowest value may read 0.1% low.
    assert!(
        out.handoff.min() as f64 >= 0.999 * delay,
        "a hand-off of {} ns, shorter than the {delay} ns every hand-off takes",
        out.handoff.min()
    );
    let p50 = r.handoff_p50_ns.expect("hand-offs were recorded");
    assert!(
        p50 < 2.0 * delay,
        "hand-off p50 {p50} ns: the measurement adds as much as the hand-off itself"
    );
}

/// A mid-trial pause parks the workers with a stamp left on the data; the first owner after
/// it must not record the pause as a hand-off.
#[test]
fn a_mid_trial_pause_is_not_a_hand_off() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !two_cpus() {
        return;
    }
    // Long sentinel legs make the pause far longer than any scheduling hiccup of a busy or
    // virtual machine (a hand-off of a tick or two), so the two cannot be confused.
    let leg = Duration::from_millis(50);
    let mut paused = env().clone();
    paused.mid_trial_sentinel = Some(leg);
    let window = lockbench::harness::MID_TRIAL_SENTINEL_FROM + Duration::from_millis(50);
    let out = run::<Baton>(&paused, &point("baton", 2, 0, window, 1));
    // The pause lasts at least the sentinel's two legs (alone, then together), or the 200 ms
    // the controller waits for the workers to park.
    let pause_ns = 2 * leg.as_nanos() as u64;
    assert!(out.record.handoffs.unwrap_or(0) > 1_000);
    assert!(
        out.handoff.max() < pause_ns / 2,
        "a {} ns hand-off: the pause (≥ {pause_ns} ns) was taken for one",
        out.handoff.max()
    );
}

#[test]
fn a_lock_that_stays_with_its_only_thread_records_no_hand_off() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let p = point("spin-tas", 1, 100, Duration::from_millis(30), 4);
    let r = lockbench::registry::find("spin-tas")
        .unwrap()
        .run(env(), &p, 0)
        .unwrap()
        .record;
    assert!(r.sampled_ops > 100);
    assert_eq!(r.handoffs, Some(0));
    assert_eq!(r.handoff_p50_ns, None);
}

#[test]
fn time_sliced_spinning_holders_are_counted_as_preempted() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cpus = env().host.usable_cpus();
    // Two spinning threads per CPU: at every scheduler tick one of them is switched out, and
    // the lock is held nearly all the time, so holders are among those switched out.
    let p = point("spin-tas", 2 * cpus, 20_000, Duration::from_millis(400), 1);
    let r = lockbench::registry::find("spin-tas")
        .unwrap()
        .run(env(), &p, 0)
        .unwrap()
        .record;
    let preempted = r
        .holder_preempted
        .expect("exclusive locks count preemptions");
    assert!(
        preempted >= 1,
        "no preempted holder among {} timed sections of {} threads on {cpus} CPUs \
         (threshold {:?} ns, hold max {} ns, involuntary switches per op {})",
        r.sampled_ops,
        r.threads,
        r.preempted_hold_ns,
        r.hold_max_ns,
        r.ivcsw_per_op
    );
    // Sections are 20 µs and a time slice is milliseconds: few sections span a switch. A
    // threshold that ignored the tick would count nearly every section.
    assert!(
        r.holder_preempted_share
            .is_some_and(|s| s > 0.0 && s < 0.25),
        "preempted share {:?}",
        r.holder_preempted_share
    );
}
