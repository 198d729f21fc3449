//! The sweep's axes, declared once. [`AXES`] gives each axis its `runs.csv` column, its
//! command-line flag (the same for `run` and `sweep`), what a value is, which primitive kinds
//! take it and the flag's help. Everything that walks the axes goes through it: a point's
//! coordinates ([`Setting`]: exact equality and hashing, one axis blanked for a slice, the
//! label of tables and charts, `compare`'s point label), the sweep spec's value lists
//! ([`SweepSpec::values`]), the plan's loop over the axes a kind takes, and the flags of `run`
//! and `sweep`.
//!
//! A new axis is a variant of [`Axis`] and its row in [`AXES`], a field in [`Setting`],
//! [`SweepSpec`] and `RunRecord` with their arms in the accessors of this module and
//! `RunRecord::setting`, and the code that acts on it (the workload that reads it).

use super::{Placement, SweepSpec};
use crate::primitives::about::Kind;

/// An axis of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Axis {
    /// Worker threads.
    Threads,
    /// Critical-section length.
    Cs,
    /// Think time.
    Think,
    /// Share of read operations (reader-writer primitives).
    ReadRatio,
    /// Stripes, accounts or permits.
    Stripes,
    /// Key skew.
    Skew,
    /// Thread placement.
    Placement,
}

/// What one value of an axis is (how it is parsed, written and compared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A thread count ≥ 1 (`cores`, `2xcores` in lists).
    Threads,
    /// A count ≥ 1.
    Count,
    /// A duration, ns (`250ns`, `1.5us`).
    Ns,
    /// A fraction in [0, 1].
    Ratio,
    /// A Zipf exponent ≥ 0.
    Skew,
    /// A placement name.
    Placement,
}

/// One row of the axes table.
#[derive(Debug)]
pub struct AxisDef {
    /// The axis.
    pub axis: Axis,
    /// Its `runs.csv` column (and [`Setting`] field).
    pub column: &'static str,
    /// The long flag of `run` (one value) and `sweep` (a list).
    pub flag: &'static str,
    /// What a value is.
    pub value: ValueKind,
    /// `None`: every point has this axis. Otherwise the kinds that take it; the others run
    /// once, with the axis empty.
    pub kinds: Option<&'static [Kind]>,
    /// The kinds that take it, in words (for the error when another kind is given it).
    pub takers: &'static str,
    /// What a value means (the flags' help).
    pub help: &'static str,
    /// The value a point takes when nothing says otherwise (`run`'s default; a spec's single
    /// value when it does not vary the axis). Kinds may override it for the axes only they
    /// take (`run`: a semaphore's permits follow its threads).
    pub neutral: Value,
}

/// Every axis, in the order of the CSV columns and the plan's loops.
pub const AXES: [AxisDef; Axis::ALL.len()] = [
    AxisDef {
        axis: Axis::Threads,
        column: "threads",
        flag: "--threads",
        value: ValueKind::Threads,
        kinds: None,
        takers: "every primitive",
        help: "Worker threads; more than the CPU count is allowed (oversubscription)",
        neutral: Value::Count(2),
    },
    AxisDef {
        axis: Axis::Cs,
        column: "cs_ns",
        flag: "--cs",
        value: ValueKind::Ns,
        kinds: None,
        takers: "every primitive",
        help: "Critical-section length (calibrated busy work inside the lock), e.g. 200ns, 1.5us",
        neutral: Value::Ns(0),
    },
    AxisDef {
        axis: Axis::Think,
        column: "think_ns",
        flag: "--think",
        value: ValueKind::Ns,
        kinds: None,
        takers: "every primitive",
        help: "Think time between operations (outside the lock)",
        neutral: Value::Ns(0),
    },
    AxisDef {
        axis: Axis::ReadRatio,
        column: "read_ratio",
        flag: "--read-ratio",
        value: ValueKind::Ratio,
        kinds: Some(&[Kind::RwLock]),
        takers: "reader-writer primitives",
        help: "Fraction of operations that are reads, 0 to 1 (reader-writer primitives)",
        neutral: Value::Number(0.9),
    },
    AxisDef {
        axis: Axis::Stripes,
        column: "stripes",
        flag: "--stripes",
        value: ValueKind::Count,
        kinds: Some(&[Kind::Striped, Kind::Bank, Kind::Semaphore]),
        takers: "striped tables, bank transfers (accounts) and semaphores (permits)",
        help: "Stripes (striped tables), accounts (bank transfers) or permits (semaphores); `run` defaults to 16 stripes, 64 accounts, permits for half the threads",
        neutral: Value::Count(16),
    },
    AxisDef {
        axis: Axis::Skew,
        column: "key_skew",
        flag: "--skew",
        value: ValueKind::Skew,
        kinds: Some(&[Kind::Striped, Kind::Keyed, Kind::Bank]),
        takers: "keyed workloads (striped tables, coarse lock, dashmap, bank transfers)",
        help: "Key skew of keyed workloads: 0 uniform, s > 0 Zipf-like with exponent s",
        neutral: Value::Number(0.0),
    },
    AxisDef {
        axis: Axis::Placement,
        column: "placement",
        flag: "--pin",
        value: ValueKind::Placement,
        kinds: None,
        takers: "every primitive",
        help: "Thread placement: compact, spread or none (unpinned)",
        neutral: Value::Place(Placement::Compact),
    },
];

impl Axis {
    /// Every axis, in [`AXES`] order.
    pub const ALL: [Axis; 7] = [
        Axis::Threads,
        Axis::Cs,
        Axis::Think,
        Axis::ReadRatio,
        Axis::Stripes,
        Axis::Skew,
        Axis::Placement,
    ];

    /// Its row of [`AXES`].
    pub fn def(self) -> &'static AxisDef {
        AXES.iter()
            .find(|d| d.axis == self)
            .expect("every axis has a row")
    }

    /// Whether primitives of `kind` take this axis.
    pub fn takes(self, kind: Kind) -> bool {
        self.def().kinds.is_none_or(|kinds| kinds.contains(&kind))
    }

    /// Whether only some kinds take it.
    pub fn per_kind(self) -> bool {
        self.def().kinds.is_some()
    }

    /// Its value in the row `r` as a number (`None` where it does not apply, and for the
    /// placement), as charts and slices read it.
    pub fn value(self, r: &super::RunRecord) -> Option<f64> {
        r.setting().get(self).and_then(Value::number)
    }

    /// A value in words for tables and chart titles ("4 threads", "cs 250 ns", "90% reads");
    /// `None` for a value that goes without saying (no think time, uniform keys, compact).
    pub fn describe(self, v: Value) -> Option<String> {
        let fmt_ns = crate::units::fmt_ns;
        match (self, v) {
            (Axis::Threads, Value::Count(1)) => Some("1 thread".into()),
            (Axis::Threads, Value::Count(n)) => Some(format!("{n} threads")),
            (Axis::Cs, Value::Ns(ns)) => Some(format!("cs {}", fmt_ns(ns as f64))),
            (Axis::Think, Value::Ns(ns)) if ns > 0 => Some(format!("think {}", fmt_ns(ns as f64))),
            (Axis::ReadRatio, Value::Number(r)) => Some(format!("{:.0}% reads", r * 100.0)),
            (Axis::Stripes, Value::Count(n)) => Some(format!("{n} stripes")),
            (Axis::Skew, Value::Number(k)) if k > 0.0 => Some(format!("skew {k}")),
            (Axis::Placement, Value::Place(p)) if p != Placement::Compact => {
                Some(p.as_str().to_string())
            }
            _ => None,
        }
    }

    /// A value as a compact tag for one-line point labels (`×4`, `cs=250 ns`, `reads=0.9`);
    /// `None` where [`Axis::describe`] says nothing, except that the length is always shown.
    pub fn tag(self, v: Value) -> Option<String> {
        let fmt_ns = crate::units::fmt_ns;
        match (self, v) {
            (Axis::Threads, Value::Count(n)) => Some(format!("×{n}")),
            (Axis::Cs, Value::Ns(ns)) => Some(format!("cs={}", fmt_ns(ns as f64))),
            (Axis::Think, Value::Ns(ns)) if ns > 0 => Some(format!("think={}", fmt_ns(ns as f64))),
            (Axis::ReadRatio, Value::Number(r)) => Some(format!("reads={r}")),
            (Axis::Stripes, Value::Count(n)) => Some(format!("stripes={n}")),
            (Axis::Skew, Value::Number(k)) if k > 0.0 => Some(format!("skew={k}")),
            (Axis::Placement, Value::Place(p)) if p != Placement::Compact => {
                Some(p.as_str().to_string())
            }
            _ => None,
        }
    }
}

/// One value on an axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// Threads, stripes.
    Count(usize),
    /// A length, ns.
    Ns(u64),
    /// A ratio or a skew.
    Number(f64),
    /// A placement.
    Place(Placement),
}

impl Value {
    /// As a number (`None` for a placement).
    pub fn number(self) -> Option<f64> {
        match self {
            Value::Count(n) => Some(n as f64),
            Value::Ns(ns) => Some(ns as f64),
            Value::Number(x) => Some(x),
            Value::Place(_) => None,
        }
    }

    /// A count, if it is one.
    pub fn count(self) -> Option<usize> {
        match self {
            Value::Count(n) => Some(n),
            _ => None,
        }
    }

    /// A length in ns, if it is one.
    pub fn ns(self) -> Option<u64> {
        match self {
            Value::Ns(ns) => Some(ns),
            _ => None,
        }
    }

    /// A ratio or skew, if it is one.
    pub fn float(self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(x),
            _ => None,
        }
    }

    /// A placement, if it is one.
    pub fn place(self) -> Option<Placement> {
        match self {
            Value::Place(p) => Some(p),
            _ => None,
        }
    }

    /// Exactly comparable: a tag and the bits (floats by their bits).
    fn bits(self) -> (u8, u64) {
        match self {
            Value::Count(n) => (0, n as u64),
            Value::Ns(ns) => (1, ns),
            Value::Number(x) => (2, x.to_bits()),
            Value::Place(p) => (3, p as u64),
        }
    }
}

/// A point's coordinates on the sweep's axes: everything that places it in the grid but the
/// primitive, its data layout and the trial. The one definition of them that keys, charts,
/// tables, comparisons and the run's input (`harness::Point::setting`) share. `RunRecord`
/// repeats them as flat CSV columns, because the csv crate cannot write a nested struct, and
/// gives them back through `RunRecord::setting`. Ratios and skews compare and hash by their
/// exact bits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Setting {
    /// Threads.
    pub threads: usize,
    /// Critical section, ns.
    pub cs_ns: u64,
    /// Think time, ns.
    pub think_ns: u64,
    /// Read ratio (reader-writer primitives).
    pub read_ratio: Option<f64>,
    /// Stripes / accounts / permits.
    pub stripes: Option<usize>,
    /// Key skew.
    pub key_skew: Option<f64>,
    /// Placement.
    pub placement: Placement,
}

impl Setting {
    /// Every axis all points have at its neutral value ([`AxisDef::neutral`]), the axes of
    /// some kinds empty: the harness's default point (`Point::new`).
    pub fn neutral() -> Setting {
        let mut s = Setting::default();
        for def in AXES.iter().filter(|d| d.kinds.is_none()) {
            s.set(def.axis, Some(def.neutral));
        }
        s
    }

    /// Its value on `axis` (`None` where the axis does not apply).
    pub fn get(&self, axis: Axis) -> Option<Value> {
        match axis {
            Axis::Threads => Some(Value::Count(self.threads)),
            Axis::Cs => Some(Value::Ns(self.cs_ns)),
            Axis::Think => Some(Value::Ns(self.think_ns)),
            Axis::ReadRatio => self.read_ratio.map(Value::Number),
            Axis::Stripes => self.stripes.map(Value::Count),
            Axis::Skew => self.key_skew.map(Value::Number),
            Axis::Placement => Some(Value::Place(self.placement)),
        }
    }

    /// Sets `axis` to `v`; `None` blanks it (0 or compact for an axis every point has).
    /// A value of another axis's kind is a caller's bug.
    pub fn set(&mut self, axis: Axis, v: Option<Value>) {
        debug_assert!(
            v.is_none_or(|v| std::mem::discriminant(&v) == std::mem::discriminant(&blank(axis))),
            "{v:?} is no value of {axis:?}"
        );
        match axis {
            Axis::Threads => self.threads = v.and_then(Value::count).unwrap_or(0),
            Axis::Cs => self.cs_ns = v.and_then(Value::ns).unwrap_or(0),
            Axis::Think => self.think_ns = v.and_then(Value::ns).unwrap_or(0),
            Axis::ReadRatio => self.read_ratio = v.and_then(Value::float),
            Axis::Stripes => self.stripes = v.and_then(Value::count),
            Axis::Skew => self.key_skew = v.and_then(Value::float),
            Axis::Placement => {
                self.placement = v.and_then(Value::place).unwrap_or(Placement::Compact)
            }
        }
    }

    /// This setting with `axis` blanked, so points that differ only in it compare equal.
    pub fn without(&self, axis: Axis) -> Setting {
        let mut s = *self;
        s.set(axis, None);
        s
    }

    /// A short human description of the axes in `show` (e.g. "cs 250 ns, 16 stripes").
    pub fn describe(&self, show: &[Axis]) -> String {
        show.iter()
            .filter_map(|&a| self.get(a).and_then(|v| a.describe(v)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every axis's compact tag but those in `except`, space-separated
    /// (`×4 cs=250 ns reads=0.9`).
    pub fn tags(&self, except: &[Axis]) -> String {
        Axis::ALL
            .iter()
            .filter(|a| !except.contains(a))
            .filter_map(|&a| self.get(a).and_then(|v| a.tag(v)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The values as an exactly comparable array (floats by their bits).
    fn bits(&self) -> [Option<(u8, u64)>; Axis::ALL.len()] {
        Axis::ALL.map(|a| self.get(a).map(Value::bits))
    }
}

/// The value `None` blanks an axis to, which also gives the axis's value kind.
fn blank(axis: Axis) -> Value {
    match axis.def().value {
        ValueKind::Threads | ValueKind::Count => Value::Count(0),
        ValueKind::Ns => Value::Ns(0),
        ValueKind::Ratio | ValueKind::Skew => Value::Number(0.0),
        ValueKind::Placement => Value::Place(Placement::Compact),
    }
}

impl PartialEq for Setting {
    fn eq(&self, other: &Self) -> bool {
        self.bits() == other.bits()
    }
}

impl Eq for Setting {}

impl std::hash::Hash for Setting {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.bits().hash(h);
    }
}

impl SweepSpec {
    /// One point per primitive of `locks`, every axis at its neutral value
    /// ([`AxisDef::neutral`]), `trials` trials (no replacements) of `duration_ns` after
    /// `warmup_ns`, latency sampled one op in [`super::DEFAULT_SAMPLE_EVERY`], a 10 s watchdog,
    /// the sentinel on with its default threshold and 2 retries: the base a spec overrides.
    pub fn new(locks: Vec<String>, duration_ns: u64, warmup_ns: u64, trials: u32) -> SweepSpec {
        let mut spec = SweepSpec {
            locks,
            threads: Vec::new(),
            cs_ns: Vec::new(),
            think_ns: Vec::new(),
            read_ratios: Vec::new(),
            stripes: Vec::new(),
            key_skews: Vec::new(),
            placements: Vec::new(),
            layout: super::Layout::Separate,
            duration_ns,
            warmup_ns,
            trials,
            sample_every: super::DEFAULT_SAMPLE_EVERY,
            timeout_ns: 10_000_000_000,
            max_trials: trials,
            sentinel: true,
            sentinel_threshold: super::DEFAULT_SENTINEL_THRESHOLD,
            sentinel_retries: 2,
        };
        for def in &AXES {
            spec.set_values(def.axis, &[def.neutral]);
        }
        spec
    }

    /// The values the sweep runs on `axis`.
    pub fn values(&self, axis: Axis) -> Vec<Value> {
        match axis {
            Axis::Threads => self.threads.iter().map(|&n| Value::Count(n)).collect(),
            Axis::Cs => self.cs_ns.iter().map(|&n| Value::Ns(n)).collect(),
            Axis::Think => self.think_ns.iter().map(|&n| Value::Ns(n)).collect(),
            Axis::ReadRatio => self.read_ratios.iter().map(|&x| Value::Number(x)).collect(),
            Axis::Stripes => self.stripes.iter().map(|&n| Value::Count(n)).collect(),
            Axis::Skew => self.key_skews.iter().map(|&x| Value::Number(x)).collect(),
            Axis::Placement => self.placements.iter().map(|&p| Value::Place(p)).collect(),
        }
    }

    /// Sets the values the sweep runs on `axis` (values of another axis's kind are dropped).
    pub fn set_values(&mut self, axis: Axis, values: &[Value]) {
        fn all<T>(values: &[Value], of: fn(Value) -> Option<T>) -> Vec<T> {
            values.iter().filter_map(|&v| of(v)).collect()
        }
        match axis {
            Axis::Threads => self.threads = all(values, Value::count),
            Axis::Cs => self.cs_ns = all(values, Value::ns),
            Axis::Think => self.think_ns = all(values, Value::ns),
            Axis::ReadRatio => self.read_ratios = all(values, Value::float),
            Axis::Stripes => self.stripes = all(values, Value::count),
            Axis::Skew => self.key_skews = all(values, Value::float),
            Axis::Placement => self.placements = all(values, Value::place),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table and the accessors agree: every axis has one row, its column is a
    /// `runs.csv` column, and what `set` writes `get` reads back, on a setting and a spec.
    #[test]
    fn every_axis_round_trips_through_the_table() {
        let columns = super::super::RunRecord::columns();
        for (i, def) in AXES.iter().enumerate() {
            assert_eq!(def.axis, Axis::ALL[i]);
            assert_eq!(def.axis.def().column, def.column);
            assert!(columns.iter().any(|c| c == def.column), "{}", def.column);
            let v = match def.value {
                ValueKind::Threads | ValueKind::Count => Value::Count(3),
                ValueKind::Ns => Value::Ns(250),
                ValueKind::Ratio | ValueKind::Skew => Value::Number(0.5),
                ValueKind::Placement => Value::Place(Placement::Spread),
            };
            let mut s = Setting::default();
            s.set(def.axis, Some(v));
            assert_eq!(s.get(def.axis), Some(v), "{:?}", def.axis);
            assert_ne!(s.without(def.axis), s, "{:?}", def.axis);
            let mut spec = SweepSpec::new(vec!["std-mutex".into()], 1_000_000, 0, 1);
            assert_eq!(spec.values(def.axis), vec![def.neutral], "{:?}", def.axis);
            spec.set_values(def.axis, &[v]);
            assert_eq!(spec.values(def.axis), vec![v], "{:?}", def.axis);
        }
        let flags: std::collections::BTreeSet<_> = AXES.iter().map(|d| d.flag).collect();
        assert_eq!(flags.len(), AXES.len(), "two axes share a flag");
    }

    #[test]
    fn a_setting_reads_as_before() {
        let mut s = Setting::neutral();
        s.threads = 4;
        s.cs_ns = 250;
        s.read_ratio = Some(0.9);
        s.key_skew = Some(0.0);
        s.placement = Placement::Spread;
        assert_eq!(s.tags(&[]), "×4 cs=250 ns reads=0.9 spread");
        assert_eq!(
            s.describe(&Axis::ALL),
            "4 threads, cs 250 ns, 90% reads, spread"
        );
        assert!(Axis::ReadRatio.takes(Kind::RwLock) && !Axis::ReadRatio.takes(Kind::Exclusive));
        assert!(Axis::Threads.takes(Kind::Queue));
    }
}
