//! What a person reads: the run report (HTML, text), the claims pages and `compare`'s tables.
//! The files they read are [`crate::rundir`]'s.

pub mod claims;
pub mod compare;
pub mod html;
pub mod points;
pub mod text;
