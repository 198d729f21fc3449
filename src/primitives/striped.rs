//! Lock striping: many locks, each guarding a shard of the data, instead of one lock over all.
//!
//! Key → stripe rule: keys are dense integers `0..K` and a key belongs to stripe
//! `key & (n - 1)` (n a power of two), so consecutive keys land on consecutive stripes; with
//! uniformly drawn keys every stripe sees the same share of operations, and with skewed
//! (Zipf-like) keys the stripes of the hottest keys take most of the load.

use crossbeam_utils::CachePadded;

/// One stripe: a lock next to the shard it guards, on its own cache lines.
#[derive(Debug, Default)]
pub struct Stripe<L, D> {
    /// The stripe's lock.
    pub lock: L,
    /// The shard it protects.
    pub data: D,
}

/// A table of `n` cache-padded stripes, `n` a power of two.
#[derive(Debug)]
pub struct Striped<L, D> {
    stripes: Box<[CachePadded<Stripe<L, D>>]>,
    mask: u64,
}

impl<L, D> Striped<L, D> {
    /// A table of `n` stripes (rounded up to a power of two, at least 1), each built by `make`.
    pub fn new(n: usize, mut make: impl FnMut() -> Stripe<L, D>) -> Striped<L, D> {
        let n = n.max(1).next_power_of_two();
        Striped {
            stripes: (0..n).map(|_| CachePadded::new(make())).collect(),
            mask: n as u64 - 1,
        }
    }

    /// Number of stripes.
    pub fn len(&self) -> usize {
        self.stripes.len()
    }

    /// Whether the table has no stripes (never: it has at least one).
    pub fn is_empty(&self) -> bool {
        self.stripes.is_empty()
    }

    /// The stripe that owns `key`.
    #[inline(always)]
    pub fn stripe_of(&self, key: u64) -> usize {
        (key & self.mask) as usize
    }

    /// The stripe that owns `key`.
    #[inline(always)]
    pub fn stripe(&self, key: u64) -> &Stripe<L, D> {
        &self.stripes[self.stripe_of(key)]
    }

    /// Every stripe.
    pub fn iter(&self) -> impl Iterator<Item = &Stripe<L, D>> {
        self.stripes.iter().map(|s| &**s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_are_a_power_of_two_and_keys_wrap() {
        let t: Striped<(), u8> = Striped::new(5, || Stripe { lock: (), data: 0 });
        assert_eq!(t.len(), 8);
        assert_eq!(
            (
                t.stripe_of(0),
                t.stripe_of(7),
                t.stripe_of(8),
                t.stripe_of(13)
            ),
            (0, 7, 0, 5)
        );
        let one: Striped<(), u8> = Striped::new(0, || Stripe { lock: (), data: 0 });
        assert_eq!((one.len(), one.stripe_of(12345)), (1, 0));
    }
}
