//! Command-line values of library enums. The library's types carry no clap derives (the
//! command line is the only layer that knows clap); their `ALL` lists and `as_str` names are
//! turned into clap values here, with a one-line help each.

use crate::error::UsageError;
use crate::experiments::claims::Preset as ClaimsPreset;
use crate::plot::Format;
use crate::record::{AXES, Axis, Layout, Placement, Value, ValueKind};
use crate::report::compare::Metric;
use crate::sweep::Preset;
use clap::builder::PossibleValue;
use std::time::Duration;

/// How many trials and how long, overriding a preset: the options every command that runs a
/// preset of experiments shares (`breakeven`, `claims`).
#[derive(Debug, clap::Args)]
pub(crate) struct TrialArgs {
    /// Trials per point, overriding the preset: exactly that many, no replacements (a call
    /// beyond noise needs ≥ 3 clean trials a side; calls corrected across many lengths, 5).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub trials: Option<u32>,
    /// Measured window per trial, overriding the preset.
    #[arg(long, value_parser = crate::units::parse_duration)]
    pub duration: Option<Duration>,
    /// Skip the parallelism sentinel (faster; no trial is then checked for disturbance).
    #[arg(long)]
    pub no_sentinel: bool,
}

impl TrialArgs {
    /// Refuses a zero-length window.
    pub fn check(&self) -> Result<(), UsageError> {
        if self.duration.is_some_and(|d| d.is_zero()) {
            return Err(UsageError("--duration must be longer than 0".into()));
        }
        Ok(())
    }
}

macro_rules! value_enum {
    ($ty:ty { $($variant:path => $help:literal,)* }) => {
        impl clap::ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &<$ty>::ALL
            }
            fn to_possible_value(&self) -> Option<PossibleValue> {
                let help = match self {
                    $($variant => $help,)*
                };
                Some(PossibleValue::new(self.as_str()).help(help))
            }
        }
    };
}

value_enum!(Placement {
    Placement::Compact => "fill SMT siblings, then cores of a package, then packages",
    Placement::Spread => "one thread per physical core first, SMT siblings last",
    Placement::None => "not pinned: the scheduler decides",
});

value_enum!(Layout {
    Layout::Separate => "protected data on its own cache line",
    Layout::Inline => "protected data on the lock's cache line (Mutex<T> style)",
});

value_enum!(Preset {
    Preset::Quick => "every primitive, 1/cores/2×cores threads, cs 0 and 250 ns, 3 clean trials a point (up to 8 to replace trials left out): ~2½ min on 2 CPUs",
    Preset::Standard => "two critical sections, workload axes, 3–8 trials: ~6 min on 2 CPUs",
    Preset::Full => "every thread count, five critical sections, 5–10 trials: hours",
});

value_enum!(ClaimsPreset {
    ClaimsPreset::Quick => "3 trials of 100 ms (5 for spin/sleep, whose calls are corrected across 9 lengths): ~465 trials, a few minutes on 2 CPUs",
    ClaimsPreset::Standard => "5–8 trials of 200 ms, an 11-length critical-section grid: for a quiet machine",
});

value_enum!(Metric {
    Metric::Throughput => "operations per second (higher is better)",
    Metric::Efficiency => "operations per CPU-second (higher is better)",
    Metric::WaitP50 => "median wait, ns (lower is better)",
    Metric::WaitP99 => "99th-percentile wait, ns (lower is better)",
});

value_enum!(Format {
    Format::Png => "raster image",
    Format::Svg => "vector image",
});

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    /// Every variant parses back from its own name: the library's `as_str` and `ALL` agree
    /// with what the command line accepts.
    #[test]
    fn names_round_trip() {
        fn check<T: ValueEnum + PartialEq + std::fmt::Debug>() {
            for v in T::value_variants() {
                let name = v.to_possible_value().unwrap().get_name().to_string();
                assert_eq!(&T::from_str(&name, false).unwrap(), v);
            }
        }
        check::<Placement>();
        check::<Layout>();
        check::<Preset>();
        check::<ClaimsPreset>();
        check::<Format>();
        check::<Metric>();
    }
}

/// The axis flags of `run` (`LIST = false`: one value each) or `sweep` (`LIST = true`: lists,
/// and each refuses `--resume`): one flag per row of [`crate::record::AXES`], named and
/// described there. The text is kept as given; `sweep::axes::parse_values` reads it.
#[derive(Debug, Clone, Default)]
pub(crate) struct AxisFlags<const LIST: bool> {
    /// The axes given, with their text, in table order.
    pub given: Vec<(Axis, String)>,
}

/// `run`'s axis flags.
pub(crate) type RunAxes = AxisFlags<false>;
/// `sweep`'s axis flags.
pub(crate) type SweepAxes = AxisFlags<true>;

impl<const LIST: bool> clap::FromArgMatches for AxisFlags<LIST> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = AxisFlags::default();
        flags.update_from_arg_matches(m)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        for def in &AXES {
            // A list flag given more than once (`--pin compact --pin spread`) is one list.
            if let Some(texts) = m.get_many::<String>(def.column) {
                let text = texts.map(String::as_str).collect::<Vec<_>>().join(",");
                self.given.retain(|(a, _)| *a != def.axis);
                self.given.push((def.axis, text));
            }
        }
        Ok(())
    }
}

impl<const LIST: bool> clap::Args for AxisFlags<LIST> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        AXES.iter().fold(cmd, |cmd, def| {
            let syntax = match (def.value, LIST) {
                (ValueKind::Threads, true) => "`1,2,4`, `1..8`, `cores`, `2xcores`",
                (ValueKind::Count, true) => "`1,4,64` or `1..8`",
                (ValueKind::Ns, true) => "`0,100ns,1us` or a log range `20ns..100us:12`",
                (ValueKind::Ratio | ValueKind::Skew, true) => "`0,0.5,0.9`",
                (ValueKind::Placement, true) => "`compact,spread,none`",
                (_, false) => "",
            };
            // `run`'s default: the axis's neutral value (the kinds that decide their own
            // resource count say so in the help).
            let default =
                Some(def.neutral)
                    .filter(|_| def.axis != Axis::Stripes)
                    .map(|v| match v {
                        Value::Count(n) => n.to_string(),
                        Value::Ns(ns) => format!("{ns}ns"),
                        Value::Number(x) => x.to_string(),
                        Value::Place(p) => p.as_str().to_string(),
                    });
            let help = match (LIST, default) {
                (true, _) => format!("{}: a list, {syntax}", def.help),
                (false, Some(d)) => format!("{} [default: {d}]", def.help),
                (false, None) => def.help.to_string(),
            };
            let arg = clap::Arg::new(def.column)
                .long(def.flag.trim_start_matches('-'))
                .value_name(if LIST { "LIST" } else { "VALUE" })
                .help(help);
            cmd.arg(if LIST {
                arg.action(clap::ArgAction::Append).conflicts_with("resume")
            } else {
                arg
            })
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}
