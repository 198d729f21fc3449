//! Claim 7: Striping reduces contention. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "striped-mutex with 16 stripes ÷ with 1 stripe (throughput, the interval \
    the two intervals allow), cs 250 ns, at C threads and oversubscribed (2C), with uniform \
    and with skewed keys; coarse-mutex shown as a reference. Reducing contention means ×1.2 or \
    more (GAIN). Holds when the uniform-key ratio lies at or above ×1.2 at C and at 2C and so \
    do the skewed ones; holds with a caveat when the uniform ones do and a skewed one lies \
    wholly below (hot keys crowd one stripe: the caveat says where); does not hold when a \
    uniform-key ratio lies wholly below ×1.2; otherwise inconclusive.";

/// 16 stripes ÷ 1 stripe at which striping reduces contention.
pub(crate) const GAIN: f64 = 1.2;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "07-striping";

/// The skewed key distribution of claim 7 (a Zipf-like exponent, as `--skew` takes).
pub(crate) const SKEW: f64 = 0.99;

fn striping(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "7",
        claim: "Lock striping reduces contention",
        chapter_says: "\"High contention on a single lock means threads spend most time waiting … Consider lock striping (multiple locks for different portions of data).\"",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let mut shows = Vec::new();
    // (uniform keys?, where, side against GAIN)
    let mut sides = Vec::new();
    for threads in [c, 2 * c] {
        for skew in [0.0, SKEW] {
            let at = |name: &str, stripes: Option<usize>| {
                ctx.point(name, threads, |r| {
                    r.key_skew == Some(skew) && (stripes.is_none() || r.stripes == stripes)
                })
                .and_then(|p| ctx.ci(p, thr))
            };
            let keys = if skew == 0.0 {
                "uniform keys".to_string()
            } else {
                format!("skewed keys (skew {skew})")
            };
            let (Some(one), Some(many)) =
                (at("striped-mutex", Some(1)), at("striped-mutex", Some(16)))
            else {
                sides.push((skew == 0.0, format!("×{threads} {keys}"), Side::Unknown));
                continue;
            };
            let (r, _) = ctx.ratio(&many, &one);
            let coarse = ctx.report("coarse-mutex", threads, |r| r.key_skew == Some(skew), thr);
            shows.push(format!(
                "×{threads}, {keys}: 16 stripes {}, 1 stripe {}: {}{}",
                show(&many, rate),
                show(&one, rate),
                show_ratio(&r),
                coarse.map_or(String::new(), |k| format!(
                    "; coarse-mutex {}",
                    show(&k, rate)
                ))
            ));
            sides.push((skew == 0.0, format!("×{threads} {keys}"), side(&r, GAIN)));
        }
    }
    let pick = |uniform: bool, want: Side| -> Vec<String> {
        sides
            .iter()
            .filter(|(u, _, s)| *u == uniform && *s == want)
            .map(|(_, w, _)| w.clone())
            .collect()
    };
    let uniform_all_above = sides
        .iter()
        .filter(|(u, _, _)| *u)
        .all(|(_, _, s)| *s == Side::Above);
    let skewed_all_above = sides
        .iter()
        .filter(|(u, _, _)| !*u)
        .all(|(_, _, s)| *s == Side::Above);
    let skewed_open = sides
        .iter()
        .any(|(u, _, s)| !*u && matches!(s, Side::Across | Side::Unknown));
    let (verdict, reason) = if !pick(true, Side::Below).is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "with uniform keys 16 stripes gain less than ×{GAIN} over 1 at {}.",
                pick(true, Side::Below).join(", ")
            ),
        )
    } else if uniform_all_above && skewed_all_above {
        (
            Verdict::Holds,
            format!(
                "16 stripes gain ×{GAIN} or more over 1, with uniform and with skewed keys, at ×{c} and ×{}.",
                2 * c
            ),
        )
    } else if uniform_all_above && !skewed_open {
        (
            Verdict::HoldsWithCaveat,
            format!(
                "16 stripes gain ×{GAIN} or more with uniform keys, but less at {}: hot keys crowd one stripe.",
                pick(false, Side::Below).join(", ")
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "a ratio reaches across ×{GAIN} (or a point is missing); more trials would settle it."
            ),
        )
    };
    ctx.claim(
        head,
        format!("cs 250 ns: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

/// Claim 7.
pub struct Striping;

impl TextbookClaim for Striping {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((
            ID,
            "striped-mutex 1 vs 16 stripes, uniform and skewed keys, C and 2C threads",
        ))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(SweepSpec {
            stripes: vec![1, 16],
            key_skews: vec![0.0, SKEW],
            ..spec(
                preset,
                &["striped-mutex", "coarse-mutex"],
                vec![c, 2 * c],
                vec![250],
            )
        })
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        striping(own)
    }
}
