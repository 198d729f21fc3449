//! What a sweep does between trials, done once where once is enough: the sentinel reading
//! taken after a trial is the reading before the next one on the same CPUs, and the busy
//! work is calibrated once per configuration (again when the CPUs' speed drifts), not before
//! every trial. Both are timed for the sweep's account of its wall clock
//! ([`crate::rundir::meta::TimeUse`]).

use crate::harness::sentinel::{Policy, Reading, Sentinel, sentinel_signals};
use crate::harness::{Env, Point};
use crate::workload::BusyWork;
use std::time::{Duration, Instant};

/// How old the reading after one trial may be to serve as the reading before the next: the
/// gap between them holds the row's writing (a few ms); after a calibration (about 200 ms), a
/// retry's pause or anything longer the next trial reads afresh.
pub(crate) const REUSE_WITHIN: Duration = Duration::from_millis(100);

/// How far the trial CPUs' single-CPU speed (the sentinel's alone legs) may move from its
/// value at the configuration's calibration before the busy work is calibrated again: 5%,
/// half the 10% at which a slow CPU flags a trial.
pub(crate) const CALIBRATION_DRIFT: f64 = 0.05;

/// The sentinel as a sweep reads it: timed, and sharing one clean reading between two trials.
pub(crate) struct Shared<'a> {
    inner: &'a mut dyn Sentinel,
    /// Only a reading this policy finds clean is shared: a disturbed one is read again.
    policy: Policy,
    /// The latest reading: on which CPUs, for how many threads, when, and what it read.
    last: Option<(Vec<usize>, usize, Instant, Reading)>,
    /// The next `read_for` may return `last` (set before each trial's first attempt).
    offer: bool,
    /// Time spent reading.
    pub(crate) spent: Duration,
    /// Readings handed over instead of taken.
    pub(crate) reused: u64,
}

impl<'a> Shared<'a> {
    pub(crate) fn new(inner: &'a mut dyn Sentinel, policy: Policy) -> Self {
        Shared {
            inner,
            policy,
            last: None,
            offer: false,
            spent: Duration::ZERO,
            reused: 0,
        }
    }

    /// The next reading (a trial's "before") may be the last one, if it was taken on the same
    /// CPUs for as many threads within [`REUSE_WITHIN`] and raised no signal.
    pub(crate) fn offer_last(&mut self) {
        self.offer = true;
    }

    /// The single-CPU speed of the last reading, if it was on `cpus` for `threads` threads.
    fn last_speed(&self, cpus: &[usize], threads: usize) -> Option<f64> {
        self.last
            .as_ref()
            .filter(|(c, t, _, _)| c == cpus && *t == threads)
            .map(|(_, _, _, r)| r.single_units_per_ns)
    }
}

impl Sentinel for Shared<'_> {
    fn refresh(&mut self) {
        self.inner.refresh();
    }

    fn read(&mut self, cpus: &[usize]) -> Reading {
        let started = Instant::now();
        let reading = self.inner.read(cpus);
        self.spent += started.elapsed();
        reading
    }

    fn read_for(&mut self, cpus: &[usize], threads: usize) -> Reading {
        if std::mem::take(&mut self.offer)
            && let Some((c, t, at, reading)) = &self.last
            && c == cpus
            && *t == threads
            && at.elapsed() <= REUSE_WITHIN
            && sentinel_signals(reading, &self.policy).is_empty()
        {
            self.reused += 1;
            return *reading;
        }
        let started = Instant::now();
        let reading = self.inner.read_for(cpus, threads);
        let now = Instant::now();
        self.spent += now - started;
        self.last = Some((cpus.to_vec(), threads, now, reading));
        reading
    }
}

/// The busy-work calibration a sweep keeps: made for the first trial of a configuration that
/// runs busy work, kept for its other trials while the CPUs' speed holds.
#[derive(Default)]
pub(crate) struct Calibration {
    /// The configuration it was made for, the calibration, and the sentinel's single-CPU
    /// speed on the trial CPUs once known.
    current: Option<(super::Config, BusyWork, Option<f64>)>,
    /// Time spent calibrating.
    pub(crate) spent: Duration,
    /// Calibrations made.
    pub(crate) made: u64,
}

/// Whether `point` runs busy work (a critical section or think time measured in ns).
fn uses_busy_work(point: &Point) -> bool {
    point.steps.is_none() && (point.setting.cs_ns > 0 || point.setting.think_ns > 0)
}

impl Calibration {
    /// The environment for a trial of `point`: `env` with the kept calibration when the point
    /// runs busy work and `env` asks for per-sweep calibration ([`Env::calibrate_per_trial`]),
    /// made afresh for a new configuration or when the sentinel's last reading on the
    /// trial's CPUs is [`CALIBRATION_DRIFT`] away from the one the calibration was made with.
    pub(crate) fn env_for(&mut self, env: &Env, point: &Point, sentinel: &Shared<'_>) -> Env {
        let mut out = env.clone();
        if !env.calibrate_per_trial || !uses_busy_work(point) {
            return out;
        }
        let key = super::config(point);
        let cpus = crate::harness::point_cpus(env, point);
        let speed = sentinel.last_speed(&cpus, point.setting.threads);
        let fresh = match &mut self.current {
            Some((k, _, kept)) if *k == key => match (*kept, speed) {
                (Some(then), Some(now)) => (now / then - 1.0).abs() > CALIBRATION_DRIFT,
                (None, now) => {
                    *kept = now;
                    false
                }
                (Some(_), None) => false,
            },
            _ => true,
        };
        if fresh {
            let started = Instant::now();
            // As long as the start-up calibration: its trials all share it, so it must not
            // catch a slow stretch (FINDINGS, "busy work", has the spread by run count).
            let calibrated = env.recalibrated(crate::harness::STARTUP_CALIBRATION_RUNS);
            self.spent += started.elapsed();
            self.made += 1;
            self.current = Some((key, calibrated.busy, speed));
        }
        if let Some((_, busy, _)) = &self.current {
            out.busy = *busy;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts readings; each reads a single-CPU speed of `speed`.
    struct Counting {
        reads: u32,
        speed: f64,
    }
    impl Sentinel for Counting {
        fn read(&mut self, cpus: &[usize]) -> Reading {
            self.reads += 1;
            Reading {
                parallel: 1.0,
                single_units_per_ns: self.speed,
                slowest_units_per_ns: self.speed,
                fastest_units_per_ns: self.speed,
                cpus: cpus.len(),
                core_to_core_ns: None,
            }
        }
    }

    /// The reading after a trial serves as the next trial's first reading only when offered,
    /// on the same CPUs for as many threads, and young; every other reading is taken.
    #[test]
    fn a_reading_is_shared_only_between_neighbours_on_the_same_cpus() {
        let mut inner = Counting {
            reads: 0,
            speed: 1.0,
        };
        let mut s = Shared::new(&mut inner, Policy::default());
        s.read_for(&[0, 1], 2);
        s.offer_last();
        s.read_for(&[0, 1], 2);
        assert_eq!(s.reused, 1, "the after reading serves as the next before");
        s.read_for(&[0, 1], 2);
        assert_eq!(s.reused, 1, "not offered: read");
        s.offer_last();
        s.read_for(&[0], 1);
        assert_eq!(s.reused, 1, "other CPUs: read");
        s.offer_last();
        s.read_for(&[0, 1], 2);
        assert_eq!(s.reused, 1, "the last reading was on other CPUs");
        std::thread::sleep(REUSE_WITHIN + Duration::from_millis(20));
        s.offer_last();
        s.read_for(&[0, 1], 2);
        assert_eq!(s.reused, 1, "too old: read");
        assert_eq!(inner.reads, 5);

        // A reading that raised a signal is never handed on: the next trial reads afresh.
        let mut slow = Counting {
            reads: 0,
            speed: 1.0,
        };
        let mut s = Shared::new(&mut slow, Policy::default());
        s.read_for(&[0, 1], 2);
        s.last.as_mut().unwrap().3.parallel = 0.5;
        s.offer_last();
        s.read_for(&[0, 1], 2);
        assert_eq!(
            (s.reused, slow.reads),
            (0, 2),
            "a disturbed reading is read again"
        );
    }

    /// A configuration with busy work is calibrated once, again when the CPUs' speed moved
    /// more than the drift allowed, and afresh for the next configuration; points without busy
    /// work never are.
    #[test]
    fn calibration_is_once_per_configuration_and_on_drift() {
        let env = Env {
            calibrate_per_trial: true,
            ..Env::uncalibrated()
        };
        let cpus = crate::harness::point_cpus(&env, &Point::new("x"));
        let mut inner = Counting {
            reads: 0,
            speed: 1.0,
        };
        // The sentinel's last reading on the trial's CPUs at single-CPU speed `s`.
        let mut speed = |s: f64| {
            inner.speed = s;
            let mut shared = Shared::new(&mut inner, Policy::default());
            shared.read_for(&cpus, 2);
            shared.last
        };
        let mut cal = Calibration::default();
        let with_cs = |cs_ns| {
            let mut p = Point::new("x");
            p.setting.cs_ns = cs_ns;
            p
        };
        // A trial of `p` after a reading on its CPUs (`last`, from `speed`).
        let run = |cal: &mut Calibration, p: &Point, last| {
            let mut inner = Counting {
                reads: 0,
                speed: 0.0,
            };
            let mut s = Shared::new(&mut inner, Policy::default());
            s.last = last;
            cal.env_for(&env, p, &s);
        };
        run(&mut cal, &with_cs(0), speed(1.0));
        assert_eq!(cal.made, 0, "no busy work, no calibration");
        run(&mut cal, &with_cs(100), speed(1.0));
        run(&mut cal, &with_cs(100), speed(1.0));
        run(&mut cal, &with_cs(100), speed(1.02));
        assert_eq!(cal.made, 1, "once per configuration while the speed holds");
        run(&mut cal, &with_cs(100), speed(1.2));
        assert_eq!(cal.made, 2, "again after a drift");
        run(&mut cal, &with_cs(200), speed(1.2));
        assert_eq!(cal.made, 3, "afresh for another configuration");
    }
}
