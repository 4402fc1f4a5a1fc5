//! placeholder
use super::AvpDef;
pub static TABLE: &[AvpDef] = &[];
