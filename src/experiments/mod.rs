//! Experiments: each a plan (the sweeps to run on this machine), a judgement (pure, over the
//! rows read back) and what it writes. `sweep` measures, `analysis` judges, `report` and
//! `plot` render; only this layer ties them together.
//!
//! - [`claims`]: the textbook chapter's claims, one file each, every one implementing
//!   [`claims::TextbookClaim`] (`plan`, `judge`) and listed once in [`claims::CLAIMS`].
//! - [`breakeven`]: the spin/sleep break-even run's plan and outputs.
//! - [`advise`]: a program's lock profile replayed with the candidates of each lock's kind,
//!   and which lock to use.

pub mod advise;
pub mod breakeven;
pub mod claims;
