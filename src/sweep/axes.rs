//! Parsing of sweep axes: lists (`1,2,4`), integer ranges (`1..8`), log ranges of durations
//! (`20ns..100us:12`), the words `cores` and `2xcores`, and primitive names or families.

use crate::record::{Axis, Placement, Value, ValueKind};
use crate::registry::{self, Family, PRIMITIVES};
use crate::units::parse_duration;

/// A bad axis value, with the axis it came from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{axis}: {message}")]
pub struct AxisError {
    /// The option, e.g. `--threads`.
    pub axis: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn err(axis: &'static str, message: impl Into<String>) -> AxisError {
    AxisError {
        axis,
        message: message.into(),
    }
}

/// Parses a thread-count axis: `1,2,4`, `1..8` (inclusive), `cores`, `2xcores`, mixed with
/// commas. `cores` is the number of CPUs this process may use. Sorted, deduplicated.
pub fn parse_threads(text: &str, cores: usize) -> Result<Vec<usize>, AxisError> {
    parse_counts(text, cores, "--threads")
}

/// Parses the command line's text for `axis` (its flag and value kind in `record::AXES`)
/// into its values: a list, sorted and deduplicated (placements keep their order). `cores` is
/// what the word `cores` means in a thread count.
pub fn parse_values(axis: Axis, text: &str, cores: usize) -> Result<Vec<Value>, AxisError> {
    let flag = axis.def().flag;
    let numbers = |parse: fn(&str) -> Result<f64, String>| -> Result<Vec<Value>, AxisError> {
        let mut out: Vec<f64> = text
            .split(',')
            .map(|p| parse(p).map_err(|m| err(flag, m)))
            .collect::<Result<_, _>>()?;
        out.sort_by(f64::total_cmp);
        out.dedup();
        Ok(out.into_iter().map(Value::Number).collect())
    };
    Ok(match axis.def().value {
        ValueKind::Threads => parse_counts(text, cores, flag)?
            .into_iter()
            .map(Value::Count)
            .collect(),
        // Stripes, accounts and permits do not scale with the machine: `cores` reads as 1.
        ValueKind::Count => parse_counts(text, 1, flag)?
            .into_iter()
            .map(Value::Count)
            .collect(),
        ValueKind::Ns => parse_durations(text, flag)?
            .into_iter()
            .map(Value::Ns)
            .collect(),
        ValueKind::Ratio => numbers(crate::units::parse_ratio)?,
        ValueKind::Skew => numbers(crate::units::parse_skew)?,
        ValueKind::Placement => {
            let mut out = Vec::new();
            for part in text.split(',').map(str::trim) {
                let p = Placement::ALL
                    .into_iter()
                    .find(|p| p.as_str() == part)
                    .ok_or_else(|| {
                        err(
                            flag,
                            format!("{part:?} is not a placement: compact, spread or none"),
                        )
                    })?;
                if !out.contains(&Value::Place(p)) {
                    out.push(Value::Place(p));
                }
            }
            out
        }
    })
}

/// A whole-number axis (`--threads`, `--stripes`).
fn parse_counts(text: &str, cores: usize, axis: &'static str) -> Result<Vec<usize>, AxisError> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(err(axis, format!("empty item in {text:?}")));
        }
        if let Some(n) = parse_cores_word(part, cores) {
            out.push(n);
        } else if let Some((a, b)) = part.split_once("..") {
            let a = parse_count(a, axis)?;
            let b = parse_count(b, axis)?;
            if a > b {
                return Err(err(axis, format!("range {part:?} runs backwards")));
            }
            if b - a > 4096 {
                return Err(err(axis, format!("range {part:?} is too large")));
            }
            out.extend(a..=b);
        } else {
            out.push(parse_count(part, axis)?);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `cores` → cores, `NxCORES` (`2xcores`) → N × cores.
fn parse_cores_word(part: &str, cores: usize) -> Option<usize> {
    if part == "cores" {
        return Some(cores);
    }
    let n = part.strip_suffix("xcores")?;
    n.parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .and_then(|n| n.checked_mul(cores))
}

fn parse_count(text: &str, axis: &'static str) -> Result<usize, AxisError> {
    let n: usize = text.trim().parse().map_err(|_| {
        err(
            axis,
            format!("{text:?} is not a whole number, `cores` or `2xcores`"),
        )
    })?;
    if n == 0 {
        return Err(err(axis, "counts start at 1"));
    }
    Ok(n)
}

/// Parses a duration axis in nanoseconds: a list (`0,100ns,1us`) or a log range
/// (`20ns..100us:12`: 12 points from 20 ns to 100 µs, evenly spaced in log space, rounded to
/// whole ns). Sorted, deduplicated.
pub fn parse_durations(text: &str, axis: &'static str) -> Result<Vec<u64>, AxisError> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim) {
        if let Some((range, points)) = part.split_once(':') {
            let (lo, hi) = range
                .split_once("..")
                .ok_or_else(|| err(axis, format!("{part:?}: a range is MIN..MAX:POINTS")))?;
            let lo = parse_duration(lo).map_err(|m| err(axis, m))?.as_nanos() as u64;
            let hi = parse_duration(hi).map_err(|m| err(axis, m))?.as_nanos() as u64;
            let n: usize = points
                .parse()
                .map_err(|_| err(axis, format!("{points:?} is not a number of points")))?;
            out.extend(log_range(lo, hi, n).map_err(|m| err(axis, format!("{part:?}: {m}")))?);
        } else if part.contains("..") {
            return Err(err(
                axis,
                format!("{part:?}: give the number of points, e.g. 20ns..100us:12"),
            ));
        } else {
            out.push(parse_duration(part).map_err(|m| err(axis, m))?.as_nanos() as u64);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `n` points from `lo` to `hi` inclusive, evenly spaced in log space.
pub fn log_range(lo: u64, hi: u64, n: usize) -> Result<Vec<u64>, String> {
    if lo == 0 {
        return Err("a log range cannot start at 0".into());
    }
    if lo >= hi {
        return Err("the minimum must be below the maximum".into());
    }
    if !(2..=1000).contains(&n) {
        return Err("a range needs 2 to 1000 points".into());
    }
    let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
    Ok((0..n)
        .map(|i| (a + (b - a) * i as f64 / (n - 1) as f64).exp().round() as u64)
        .collect())
}

/// Parses a primitive list: names, family names (`spin,mutex`) or `all`; keeps registry
/// order, no duplicates.
pub fn parse_locks(text: &str) -> Result<Vec<&'static str>, AxisError> {
    const AXIS: &str = "--locks";
    let mut wanted: Vec<&'static str> = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part == "all" {
            wanted.extend(PRIMITIVES.iter().map(|p| p.about.name));
        } else if let Some(f) = Family::parse(part) {
            wanted.extend(
                PRIMITIVES
                    .iter()
                    .filter(|p| p.about.family == f)
                    .map(|p| p.about.name),
            );
        } else if let Some(p) = registry::find(part) {
            wanted.push(p.about.name);
        } else {
            let near = registry::closest(part);
            let families: Vec<&str> = Family::ALL.iter().map(|f| f.as_str()).collect();
            return Err(err(
                AXIS,
                format!(
                    "unknown primitive or family {part:?}{}; families: {}, or `all`",
                    if near.is_empty() {
                        String::new()
                    } else {
                        format!(" (did you mean {}?)", near.join(", "))
                    },
                    families.join(", ")
                ),
            ));
        }
    }
    Ok(PRIMITIVES
        .iter()
        .map(|p| p.about.name)
        .filter(|n| wanted.contains(n))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads() {
        assert_eq!(parse_threads("1,2,4", 2), Ok(vec![1, 2, 4]));
        assert_eq!(parse_threads("1..4", 2), Ok(vec![1, 2, 3, 4]));
        assert_eq!(parse_threads("cores,2xcores,1", 2), Ok(vec![1, 2, 4]));
        assert_eq!(parse_threads("4,4,2", 8), Ok(vec![2, 4]));
        assert_eq!(parse_threads("3xcores", 16), Ok(vec![48]));
        for bad in ["0", "x", "4..2", "1,,2", "", "0xcores", "1..100000"] {
            let e = parse_threads(bad, 2).unwrap_err();
            assert_eq!(e.axis, "--threads", "{bad:?}");
        }
    }

    #[test]
    fn durations_lists_and_log_ranges() {
        assert_eq!(
            parse_durations("0,100ns,1us", "--cs"),
            Ok(vec![0, 100, 1000])
        );
        assert_eq!(
            parse_durations("10ns..10us:4", "--cs"),
            Ok(vec![10, 100, 1000, 10_000])
        );
        let r = parse_durations("20ns..500us:20", "--cs").unwrap();
        assert_eq!((r.len(), r[0], r[19]), (20, 20, 500_000));
        assert!(r.windows(2).all(|w| w[0] < w[1]));
        for bad in [
            "100",
            "1us..10ns:3",
            "0ns..1us:3",
            "1ns..1us:1",
            "1ns..1us",
            "1ns..1us:x",
            "-1ns",
        ] {
            assert!(parse_durations(bad, "--cs").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ratios() {
        let ratios = |t| parse_values(Axis::ReadRatio, t, 2);
        let n = Value::Number;
        assert_eq!(ratios("0.9,0,0.5"), Ok(vec![n(0.0), n(0.5), n(0.9)]));
        assert!(ratios("0.5,2").is_err());
        let pins = parse_values(Axis::Placement, "spread,compact,spread", 2);
        assert_eq!(
            pins,
            Ok(vec![
                Value::Place(Placement::Spread),
                Value::Place(Placement::Compact)
            ])
        );
        assert!(parse_values(Axis::Placement, "diagonal", 2).is_err_and(|e| e.axis == "--pin"));
    }

    #[test]
    fn locks_by_name_family_and_all() {
        assert_eq!(
            parse_locks("spin-mcs,spin-tas"),
            Ok(vec!["spin-tas", "spin-mcs"])
        );
        let spin = parse_locks("spin").unwrap();
        assert!(spin.contains(&"spin-ticket") && !spin.contains(&"futex-mutex"));
        assert_eq!(parse_locks("all").unwrap().len(), PRIMITIVES.len());
        assert_eq!(parse_locks("spin,spin-tas").unwrap(), spin);
        let e = parse_locks("spin-tass").unwrap_err();
        assert!(e.message.contains("did you mean spin-tas"), "{e}");
    }
}
