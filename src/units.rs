//! Units in and out: parsing durations, ratios and skews typed by a user, and formatting
//! nanoseconds, rates and SI numbers for every table, chart and report. A leaf module: it
//! imports nothing from lockbench, so every layer may use it.

use std::time::Duration;

/// Parses a duration with a unit: `ns`, `us`/`µs`, `ms`, `s` (e.g. `200ns`, `1.5us`). A bare
/// `0` is accepted; any other number needs a unit.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .ok_or_else(|| format!("{text:?} has no unit: write e.g. 200ns, 1.5us, 10ms or 2s"))?;
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("{text:?}: {num:?} is not a number"))?;
    if value < 0.0 || !value.is_finite() {
        return Err(format!("{text:?}: a duration cannot be negative"));
    }
    let ns_per_unit = match unit.trim() {
        "ns" => 1.0,
        "us" | "µs" | "μs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        other => {
            return Err(format!(
                "{text:?}: unknown unit {other:?} (use ns, us, µs, ms or s)"
            ));
        }
    };
    let ns = value * ns_per_unit;
    if ns > 1e15 {
        return Err(format!("{text:?} is too long"));
    }
    Ok(Duration::from_nanos(ns.round() as u64))
}

/// Parses a key skew: a finite number ≥ 0.
pub fn parse_skew(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if v.is_finite() && (0.0..=10.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{text:?}: a skew is between 0 (uniform) and 10"))
    }
}

/// Parses a read ratio in [0, 1].
pub fn parse_ratio(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number between 0 and 1"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{text:?} is outside [0, 1]"))
    }
}

/// Formats nanoseconds with the unit that keeps at most 3 significant digits: `12 ns`,
/// `1.5 µs`, `250 ms`, `2 s`. The one duration formatter of tables, charts and reports.
pub(crate) fn fmt_ns(v: f64) -> String {
    let a = v.abs();
    let (div, unit) = if a >= 1e9 {
        (1e9, "s")
    } else if a >= 1e6 {
        (1e6, "ms")
    } else if a >= 1e3 {
        (1e3, "µs")
    } else {
        (1.0, "ns")
    };
    format!("{} {unit}", si(v / div))
}

/// Formats a rate in ops/s with an SI prefix.
pub(crate) fn fmt_rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2} Mops/s", per_s / 1e6)
    } else if per_s >= 1e3 {
        format!("{:.1} kops/s", per_s / 1e3)
    } else {
        format!("{per_s:.0} ops/s")
    }
}

/// A number with an SI suffix and at most 3 significant digits.
pub(crate) fn si(v: f64) -> String {
    let a = v.abs();
    let (div, suffix) = if a >= 1e9 {
        (1e9, "G")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let x = v / div;
    let s = if x.abs() >= 100.0 || x == x.round() {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("200ns"), Ok(Duration::from_nanos(200)));
        assert_eq!(parse_duration("1.5us"), Ok(Duration::from_nanos(1500)));
        assert_eq!(parse_duration("2µs"), Ok(Duration::from_micros(2)));
        assert_eq!(parse_duration("10ms"), Ok(Duration::from_millis(10)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("200").unwrap_err().contains("no unit"));
        assert!(parse_duration("-5ms").unwrap_err().contains("negative"));
        assert!(
            parse_duration("5 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_duration("ms").is_err());
    }

    #[test]
    fn ratios_and_skews() {
        assert_eq!(parse_ratio("0.99"), Ok(0.99));
        assert!(parse_ratio("1.5").is_err());
        assert!(parse_ratio("-0.1").is_err());
        assert!(parse_ratio("x").is_err());
        assert_eq!(parse_skew("0.8"), Ok(0.8));
        assert!(parse_skew("-1").is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_ns(12.0), "12 ns");
        assert_eq!(fmt_ns(1500.0), "1.5 µs");
        assert_eq!(fmt_ns(2.5e8), "250 ms");
        assert_eq!(fmt_rate(2.5e6), "2.50 Mops/s");
        assert_eq!(si(1234.0), "1.23k");
    }
}
