//! Authentication-Information-Request/Answer (TS 29.272 5.2.3.1, 7.2.5, 7.2.6).

use plughss_plugin_api::dictionary::{AvpDef, s6a};
use plughss_plugin_api::guest::host;
use plughss_plugin_api::guest::prelude::*;
use plughss_plugin_api::guest::{EutranVector, GeranVector, ResyncInfo, UtranVector};

use crate::common::{self, child_u32};

/// The AVPs an AIR defines (TS 29.272 7.2.5).
const KNOWN: &[&AvpDef] = &[
    &s6a::VISITED_PLMN_ID,
    &s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO,
    &s6a::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO,
    &s6a::AIR_FLAGS,
];

/// What one Requested-*-Authentication-Info asks for (TS 29.272 7.3.11, 7.3.12).
struct Wanted {
    count: u32,
    resync: Option<ResyncInfo>,
}

fn wanted(req: &Message<'_>, def: &AvpDef) -> Result<Option<Wanted>, Vec<u8>> {
    let Some(info) = req.find(def) else { return Ok(None) };
    let count = child_u32(&info, &s6a::NUMBER_OF_REQUESTED_VECTORS).unwrap_or(1);
    let resync = match info.child(s6a::RE_SYNCHRONIZATION_INFO.code, VENDOR_3GPP) {
        // TS 29.272 7.3.15: RAND (16 octets) concatenated with AUTS (14 octets).
        Some(r) if r.payload().len() == 30 => {
            Some(ResyncInfo { rand: r.payload()[..16].to_vec(), auts: r.payload()[16..].to_vec() })
        }
        Some(r) => return Err(common::result(req, DIAMETER_INVALID_AVP_LENGTH, Some(r.raw()))),
        None => None,
    };
    Ok(Some(Wanted { count: count.clamp(1, common::settings().max_vectors), resync }))
}

pub fn handle(req: &Message<'_>) -> Result<Vec<u8>, HandleError> {
    Ok(answer_air(req).unwrap_or_else(|early| early))
}

fn answer_air(req: &Message<'_>) -> Result<Vec<u8>, Vec<u8>> {
    common::check_mandatory(req, KNOWN)?;
    let imsi = common::imsi(req)?;
    let Some(plmn) = req.find(&s6a::VISITED_PLMN_ID) else {
        return Err(common::missing(req, &s6a::VISITED_PLMN_ID));
    };
    if plmn.payload().len() != 3 {
        return Err(common::result(req, DIAMETER_INVALID_AVP_LENGTH, Some(plmn.raw())));
    }
    let eutran = wanted(req, &s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO)?;
    let utran_geran = wanted(req, &s6a::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO)?;
    if eutran.is_none() && utran_geran.is_none() {
        // TS 29.272 5.2.3.1.3: at least one kind of vector must be requested.
        return Err(common::missing(req, &s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO));
    }

    let mut e_vectors: Vec<EutranVector> = Vec::new();
    let mut u_vectors: Vec<UtranVector> = Vec::new();
    let mut g_vectors: Vec<GeranVector> = Vec::new();
    if let Some(w) = eutran {
        e_vectors = host::eutran_vectors(imsi, w.count, plmn.payload(), w.resync.as_ref())
            .map_err(|e| common::host_failure(req, &e))?;
    }
    if let Some(w) = utran_geran {
        // The RAT the SGSN serves is not in the request; UTRAN quintets serve UMTS and
        // the triplets derived from other vectors serve GERAN (TS 33.102 6.8.1.2).
        u_vectors = host::utran_vectors(imsi, w.count, w.resync.as_ref())
            .map_err(|e| common::host_failure(req, &e))?;
        g_vectors = host::geran_vectors(imsi, w.count).map_err(|e| common::host_failure(req, &e))?;
    }

    let mut buf = Vec::with_capacity(256 + 120 * (e_vectors.len() + u_vectors.len()));
    let mut a = common::s6a_answer(&mut buf, req);
    a.result_code(DIAMETER_SUCCESS);
    a.grouped(&s6a::AUTHENTICATION_INFO, |g| {
        for (i, v) in e_vectors.iter().enumerate() {
            // TS 29.272 7.3.18
            g.grouped(&s6a::E_UTRAN_VECTOR, |v2| {
                v2.u32(&s6a::ITEM_NUMBER, i as u32 + 1)
                    .bytes(&s6a::RAND, &v.rand)
                    .bytes(&s6a::XRES, &v.xres)
                    .bytes(&s6a::AUTN, &v.autn)
                    .bytes(&s6a::KASME, &v.kasme);
            });
        }
        for (i, v) in u_vectors.iter().enumerate() {
            // TS 29.272 7.3.19
            g.grouped(&s6a::UTRAN_VECTOR, |v2| {
                v2.u32(&s6a::ITEM_NUMBER, i as u32 + 1)
                    .bytes(&s6a::RAND, &v.rand)
                    .bytes(&s6a::XRES, &v.xres)
                    .bytes(&s6a::AUTN, &v.autn)
                    .bytes(&s6a::CONFIDENTIALITY_KEY, &v.ck)
                    .bytes(&s6a::INTEGRITY_KEY, &v.ik);
            });
        }
        for (i, v) in g_vectors.iter().enumerate() {
            // TS 29.272 7.3.20
            g.grouped(&s6a::GERAN_VECTOR, |v2| {
                v2.u32(&s6a::ITEM_NUMBER, i as u32 + 1)
                    .bytes(&s6a::RAND, &v.rand)
                    .bytes(&s6a::SRES, &v.sres)
                    .bytes(&s6a::KC, &v.kc);
            });
        }
    });
    a.finish();
    host::counter_add("air_vectors", e_vectors.len() as u64);
    Ok(buf)
}
