//! `plughss vectors`: an E-UTRAN authentication vector, or the SQN_MS inside an AUTS,
//! computed locally with the host's AuC (no server, no store) for lab debugging.
//!
//! ```text
//! plughss vectors --k K --opc OPC [--amf 8000] [--sqn SQN] [--rand RAND] [--mcc 001 --mnc 01]
//! plughss vectors --resync --auts AUTS --rand RAND --k K --opc OPC [--ind-bits 5]
//! ```
//!
//! Hex accepts either case and spaces. `--op` may replace `--opc`. Exit status 0 on
//! success, 1 when MAC-S of an AUTS does not verify, 2 on bad arguments.

use std::process::ExitCode;

use clap::{ArgGroup, Args};
use plughss_plugin_api::subscriber::{FieldError, parse_hex, to_hex};

use crate::auc::sqn::{SQN_BITS, SqnPolicy, sqn_from_bytes, sqn_to_bytes};
use crate::auc::{Milenage, ResyncError, eutran_vector, has_separation_bit, plmn_id, resync, utran_vector};

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("opc_or_op").required(true).args(["opc", "op"])))]
pub struct VectorsArgs {
    /// Subscriber key K (32 hex digits).
    #[arg(long, value_name = "HEX")]
    pub k: String,
    /// OPc (32 hex digits).
    #[arg(long, value_name = "HEX")]
    pub opc: Option<String>,
    /// OP (32 hex digits), from which OPc is derived with K (TS 35.206 4.1).
    #[arg(long, value_name = "HEX")]
    pub op: Option<String>,
    /// AMF (4 hex digits). E-UTRAN needs the separation bit (8000) set.
    #[arg(long, value_name = "HEX", default_value = "8000")]
    pub amf: String,
    /// SQN: 12 hex digits as in AUTN and TS 35.208, or a decimal number of other length.
    #[arg(long, value_name = "SQN", default_value = "000000000000")]
    pub sqn: String,
    /// RAND (32 hex digits); random when omitted. Required with --resync.
    #[arg(long, value_name = "HEX")]
    pub rand: Option<String>,
    /// Serving network MCC, for K_ASME.
    #[arg(long, default_value = "001")]
    pub mcc: String,
    /// Serving network MNC, for K_ASME.
    #[arg(long, default_value = "01")]
    pub mnc: String,
    /// Recover SQN_MS from --auts instead of computing a vector (TS 33.102 6.3.5).
    #[arg(long, requires = "auts")]
    pub resync: bool,
    /// AUTS from a synchronisation failure (28 hex digits).
    #[arg(long, value_name = "HEX", requires = "resync")]
    pub auts: Option<String>,
    /// IND width for splitting SQN into SEQ || IND (TS 33.102 Annex C).
    #[arg(long, value_name = "BITS", default_value_t = 5)]
    pub ind_bits: u8,
}

/// A bad argument, named as on the command line.
#[derive(Debug, thiserror::Error)]
#[error("--{0}")]
struct ArgError(FieldError);

fn hex<const N: usize>(name: &str, s: &str) -> Result<[u8; N], ArgError> {
    parse_hex::<N>(name, s).map_err(ArgError)
}

/// SQN: 12 hex digits, else a decimal number below 2^48.
fn parse_sqn(s: &str) -> Result<u64, ArgError> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == 12 {
        return hex::<6>("sqn", &compact).map(|b| sqn_from_bytes(&b));
    }
    compact.parse::<u64>().ok().filter(|n| *n < 1u64 << SQN_BITS).ok_or_else(|| {
        ArgError(FieldError::new("sqn", "must be 12 hex digits or a decimal number below 2^48"))
    })
}

pub fn run(args: VectorsArgs) -> ExitCode {
    match compute(&args) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(Failure::Args(e)) => {
            eprintln!("plughss vectors: {e}");
            ExitCode::from(2)
        }
        Err(Failure::MacS) => {
            eprintln!(
                "plughss vectors: MAC-S does not verify: this AUTS was not made with this K/OPc for this RAND \
                 (TS 33.102 6.3.5)"
            );
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Args(String),
    MacS,
}

impl From<ArgError> for Failure {
    fn from(e: ArgError) -> Self {
        Failure::Args(e.to_string())
    }
}

/// The text printed on success: one `NAME value` line per item.
fn compute(a: &VectorsArgs) -> Result<String, Failure> {
    let k = hex::<16>("k", &a.k)?;
    let m = match (&a.opc, &a.op) {
        (Some(opc), _) => Milenage::new(&k, &hex::<16>("opc", opc)?),
        (None, Some(op)) => Milenage::from_op(&k, &hex::<16>("op", op)?),
        (None, None) => return Err(Failure::Args("--opc or --op is required".into())),
    };
    let policy = SqnPolicy::new(a.ind_bits).map_err(|e| Failure::Args(format!("--ind-bits: {e}")))?;
    if a.resync {
        let rand =
            hex::<16>("rand", a.rand.as_deref().ok_or(Failure::Args("--resync needs --rand".into()))?)?;
        let auts = hex::<14>("auts", a.auts.as_deref().unwrap_or_default())?;
        let sqn_ms = match resync(&m, &rand, &auts) {
            Ok(s) => s,
            Err(ResyncError::MacFailure) => return Err(Failure::MacS),
        };
        let (seq, ind) = policy.split(sqn_ms);
        let next = policy.join(policy.sqn_from_resync(sqn_ms), ind);
        return Ok(format!(
            "SQN_MS   {} ({sqn_ms})\nSEQ      {seq}\nIND      {ind} (of {} bits)\nNEXT_SQN {} ({next}) \
             with this IND\n",
            to_hex(&sqn_to_bytes(sqn_ms)),
            a.ind_bits,
            to_hex(&sqn_to_bytes(next)),
        ));
    }
    let amf = hex::<2>("amf", &a.amf)?;
    let sqn = parse_sqn(&a.sqn)?;
    let rand = match &a.rand {
        Some(r) => hex::<16>("rand", r)?,
        None => rand::random(),
    };
    let plmn = plmn_id(&a.mcc, &a.mnc).map_err(|e| Failure::Args(format!("--mcc/--mnc: {e}")))?;
    if !has_separation_bit(&amf) {
        eprintln!(
            "note: the AMF separation bit is not set; an MME refuses this vector for E-UTRAN (TS 33.401 6.1.2)"
        );
    }
    let sqn_bytes = sqn_to_bytes(sqn);
    let e = eutran_vector(&m, &rand, &sqn_bytes, &amf, &plmn);
    let u = utran_vector(&m, &rand, &sqn_bytes, &amf);
    let mut ak = [0u8; 6];
    for (o, (x, s)) in ak.iter_mut().zip(e.autn[..6].iter().zip(&sqn_bytes)) {
        *o = x ^ s;
    }
    let (seq, ind) = policy.split(sqn);
    Ok(format!(
        "RAND     {}\nXRES     {}\nAUTN     {}\nKASME    {}\nCK       {}\nIK       {}\nAK       {}\n\
         MAC-A    {}\nSQN      {} ({sqn}; SEQ {seq}, IND {ind})\nAMF      {}\nPLMN     {}\n",
        to_hex(&e.rand),
        to_hex(&e.xres),
        to_hex(&e.autn),
        to_hex(&e.kasme),
        to_hex(&u.ck),
        to_hex(&u.ik),
        to_hex(&ak),
        to_hex(&e.autn[8..]),
        to_hex(&sqn_bytes),
        to_hex(&amf),
        to_hex(&plmn),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqn_is_hex_when_12_digits_else_decimal() {
        assert_eq!(parse_sqn("ff9bb4d0b607").ok(), Some(0xff9bb4d0b607));
        assert_eq!(parse_sqn("FF9B B4D0 B607").ok(), Some(0xff9bb4d0b607));
        assert_eq!(parse_sqn("32").ok(), Some(32));
        assert!(parse_sqn("281474976710656").is_err());
        assert!(parse_sqn("xyz").is_err());
    }
}
