//! The text of `lockbench points`: [`crate::analysis::points`]'s rows as CSV or JSON.

use crate::analysis::points::PointRow;

/// CSV: a header (the field names, units in them) and one line per point.
pub fn csv(rows: &[PointRow]) -> Result<Vec<u8>, ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    w.into_inner()
        .map_err(|e| ::csv::Error::from(e.into_error()))
}

/// JSON: an array of objects, one per point.
pub fn json(rows: &[PointRow]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::points::point_rows;
    use crate::record::RunRecord;

    #[test]
    fn csv_and_json_carry_every_point() {
        let rows: Vec<RunRecord> = ["a", "a", "b"]
            .iter()
            .enumerate()
            .map(|(i, p)| RunRecord {
                primitive: p.to_string(),
                trial: i as u32,
                throughput_ops_s: 1e6,
                ..RunRecord::default()
            })
            .collect();
        let points = point_rows(&rows);
        let text = String::from_utf8(csv(&points).unwrap()).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.starts_with("run_id,primitive,family,threads,cs_ns"),
            "{text}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&json(&points).unwrap()).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), 2);
        assert_eq!(parsed[0]["clean_trials"], 2);
    }
}
