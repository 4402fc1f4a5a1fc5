//! Numbers as they come out of MongoDB. One logical value reaches us as any of three
//! BSON types: the Open5GS WebUI (mongoose on the Node BSON serialiser) writes whole
//! numbers that fit 32 bits as Int32 and others as Double, `open5gs-dbctl` writes
//! `NumberInt` (Int32) or plain shell numbers (Double), Open5GS itself writes `sqn` and
//! `mme_timestamp` as Int64, and some servers hand a small Int64 back as Int32. So every
//! reader here accepts Int32, Int64 and a whole Double, and says which field is at fault
//! when the value is anything else.

use mongodb::bson::Bson;
use plughss_plugin_api::store::StoreError;

/// `Invalid` naming `field`.
pub fn invalid(field: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid { field: field.into(), reason: reason.into() }
}

/// The largest integer a Double holds exactly (2^53).
const EXACT_DOUBLE: f64 = 9_007_199_254_740_992.0;

/// A whole number of any numeric BSON type, as i64.
pub fn integer(field: &str, v: &Bson) -> Result<i64, StoreError> {
    match *v {
        Bson::Int32(n) => Ok(i64::from(n)),
        Bson::Int64(n) => Ok(n),
        Bson::Double(d) if d.fract() == 0.0 && d.abs() <= EXACT_DOUBLE => Ok(d as i64),
        Bson::Double(d) => Err(invalid(field, format!("must be a whole number below 2^53, found {d:?}"))),
        ref other => Err(invalid(field, format!("must be a number, found {}", type_name(other)))),
    }
}

/// A whole number in `0..=max`.
pub fn bounded(field: &str, v: &Bson, max: u64) -> Result<u64, StoreError> {
    let n = integer(field, v)?;
    match u64::try_from(n) {
        Ok(u) if u <= max => Ok(u),
        _ => Err(invalid(field, format!("must be between 0 and {max}, found {n}"))),
    }
}

pub fn as_u8(field: &str, v: &Bson) -> Result<u8, StoreError> {
    bounded(field, v, u64::from(u8::MAX)).map(|n| n as u8)
}

pub fn as_u32(field: &str, v: &Bson) -> Result<u32, StoreError> {
    bounded(field, v, u64::from(u32::MAX)).map(|n| n as u32)
}

pub fn as_u64(field: &str, v: &Bson) -> Result<u64, StoreError> {
    bounded(field, v, i64::MAX as u64)
}

/// A value Open5GS reads with `BSON_ITER_HOLDS_INT32` (every profile number but `sqn`
/// and `mme_timestamp`, lib/dbi/subscription.c): written as Int32, so a value that does
/// not fit is refused here rather than silently ignored by Open5GS later.
pub fn int32(field: &str, n: u64) -> Result<Bson, StoreError> {
    i32::try_from(n).map(Bson::Int32).map_err(|_| {
        invalid(field, format!("{n} does not fit the 32-bit integer Open5GS reads; use a larger unit"))
    })
}

/// A short name of a BSON value's type, for error messages (never the value: it may be
/// a key).
pub fn type_name(v: &Bson) -> &'static str {
    match v {
        Bson::Double(_) => "a double",
        Bson::String(_) => "a string",
        Bson::Array(_) => "an array",
        Bson::Document(_) => "a document",
        Bson::Boolean(_) => "a boolean",
        Bson::Null => "null",
        Bson::Int32(_) => "an int32",
        Bson::Int64(_) => "an int64",
        Bson::ObjectId(_) => "an ObjectId",
        Bson::DateTime(_) => "a date",
        Bson::Decimal128(_) => "a decimal128",
        _ => "a value of another BSON type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeric_type_reads_the_same() {
        for v in [Bson::Int32(9), Bson::Int64(9), Bson::Double(9.0)] {
            assert_eq!(as_u8("qos.index", &v), Ok(9));
            assert_eq!(as_u64("sqn", &v), Ok(9));
        }
        assert_eq!(as_u64("sqn", &Bson::Int64(1 << 47)), Ok(1 << 47));
        assert_eq!(as_u64("sqn", &Bson::Double((1u64 << 47) as f64)), Ok(1 << 47));
    }

    #[test]
    fn bad_numbers_name_the_field() {
        let field_of = |r: Result<u64, StoreError>| match r {
            Err(StoreError::Invalid { field, reason }) => format!("{field}: {reason}"),
            other => panic!("expected Invalid, got {other:?}"),
        };
        assert_eq!(
            field_of(as_u8("qos.index", &Bson::Int32(300)).map(u64::from)),
            "qos.index: must be between 0 and 255, found 300"
        );
        assert_eq!(
            field_of(as_u64("sqn", &Bson::Int64(-1))),
            "sqn: must be between 0 and 9223372036854775807, found -1"
        );
        assert_eq!(
            field_of(as_u64("sqn", &Bson::Double(1.5))),
            "sqn: must be a whole number below 2^53, found 1.5"
        );
        assert_eq!(
            field_of(as_u64("sqn", &Bson::Double(f64::NAN))),
            "sqn: must be a whole number below 2^53, found NaN"
        );
        assert_eq!(
            field_of(as_u64("sqn", &Bson::Double(1e300))),
            "sqn: must be a whole number below 2^53, found 1e300"
        );
        assert_eq!(
            field_of(as_u64("sqn", &Bson::String("12".into()))),
            "sqn: must be a number, found a string"
        );
    }

    #[test]
    fn int32_refuses_what_open5gs_would_ignore() {
        assert_eq!(int32("ambr.downlink.value", 1_000_000_000), Ok(Bson::Int32(1_000_000_000)));
        assert!(matches!(
            int32("ambr.downlink.value", 3_000_000_000),
            Err(StoreError::Invalid { field, .. }) if field == "ambr.downlink.value"
        ));
    }
}
