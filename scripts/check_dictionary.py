#!/usr/bin/env python3
"""Independent cross-check of the AVP dictionary in plugin-api/src/dictionary/.

Run: python3 scripts/check_dictionary.py [--dictionary DIR] [--wireshark DIR]

Parses every `pub const NAME: AvpDef = AvpDef::new("Name", code, vendor, Type, m);`
of base.rs, s6a.rs, cx.rs, sh.rs and rx.rs with regexes, follows the
`pub use super::table::NAME;` re-exports, and compares the (vendor, code) and the
data type of every entry of each `TABLE` with Wireshark's Diameter dictionary
(/usr/share/wireshark/diameter/*.xml, Debian package libwireshark-data): the AVP
Wireshark has at that (vendor, code) must carry the same name (so a wrong code is
caught) and type, and Wireshark must not have the name at another code.

Also checks what the Rust unit test checks (each TABLE sorted by (vendor, code),
no (vendor, code) in two tables) and that every const is listed in its TABLE.

Wireshark is not always right; ALLOW below lists its known type errors and gaps,
each with the reason, and WS_NAMES the names it spells differently from the specs.
The M bit is not checked: Wireshark's `mandatory` attribute does not follow the
spec tables.

Exit status 1 on any mismatch of code or type (or a table-structure error), else 0.
"""
import argparse
import glob
import os
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

V3, VE = 10415, 13019
TABLES = ["base", "s6a", "cx", "sh", "rx"]

# Known Wireshark (4.0.x) errors and gaps: (vendor, code) -> (Wireshark type or None if
# absent, type in our dictionary, reason).
ALLOW = {
    # Wireshark declares these RFC 6733 Unsigned32 AVPs Enumerated so that it can print value names.
    (0, 268): ("Enumerated", "Unsigned32", "RFC 6733 7.1: Result-Code is Unsigned32"),
    (0, 270): ("Enumerated", "Unsigned32", "RFC 6733 8.17: Session-Binding is Unsigned32"),
    (0, 298): ("Enumerated", "Unsigned32", "RFC 6733 7.7: Experimental-Result-Code is Unsigned32"),
    (0, 299): ("Enumerated", "Unsigned32", "RFC 6733 6.10: Inband-Security-Id is Unsigned32"),
    # Wrong types in Wireshark.
    (0, 8): ("Address", "OctetString", "RFC 7155 4.4.10.5.1: Framed-IP-Address is OctetString (no Address family prefix)"),
    (V3, 524): ("UTF8String", "OctetString", "TS 29.214 5.3.7: Codec-Data is OctetString"),
    (V3, 719): ("Enumerated", "Unsigned32", "TS 29.329 6.3.28: UDR-Flags is an Unsigned32 bit mask"),
    (V3, 1665): ("Enumerated", "Unsigned32", "TS 29.272 7.3.176: SIPTO-Local-Network-Permission is Unsigned32"),
    (V3, 1682): ("Enumerated", "Unsigned32", "TS 29.272 7.3.205: Non-IP-Data-Delivery-Mechanism is Unsigned32"),
    (V3, 1690): ("Enumerated", "Unsigned32", "TS 29.272 7.3.214: PDN-Connection-Continuity is Unsigned32"),
    (V3, 1702): ("Enumerated", "Unsigned32", "TS 29.272 7.3.227: Operation-Mode is Unsigned32"),
    (V3, 2824): ("Enumerated", "Unsigned32", "TS 29.212 5.3.111: NetLoc-Access-Support is Unsigned32"),
    (V3, 2852): ("Float32", "Unsigned32", "TS 29.212 5.3.138: Max-PLR-DL is Unsigned32 (AVP table, current clause)"),
    (V3, 2853): ("Float32", "Unsigned32", "TS 29.212 5.3.139: Max-PLR-UL is Unsigned32 (AVP table, current clause)"),
    # Missing from Wireshark 4.0.x.
    (V3, 549): (None, "Unsigned32", "Media-Component-Status, TS 29.214 5.3.48"),
    (V3, 565): (None, "Grouped", "Callee-Information, TS 29.214 Rel-16"),
    (V3, 566): (None, "OctetString", "FLUS-Identifier, TS 29.214 Rel-16"),
    (V3, 567): (None, "Float32", "Desired-Max-Latency, TS 29.214 Rel-16"),
    (V3, 568): (None, "Float32", "Desired-Max-Loss, TS 29.214 Rel-16"),
    (V3, 569): (None, "OctetString", "NID, TS 29.214 Rel-16"),
    (V3, 570): (None, "Grouped", "MA-Information, TS 29.214 Rel-16"),
    (V3, 571): (None, "Unsigned32", "MA-Information-Action, TS 29.214 Rel-16"),
    (V3, 572): (None, "Grouped", "5GS-RAN-NAS-Release-Cause, TS 29.214 Rel-16"),
    (V3, 573): (None, "Unsigned32", "5GMM-Cause, TS 29.214 Rel-16"),
    (V3, 574): (None, "Unsigned32", "5GSM-Cause, TS 29.214 Rel-16"),
    (V3, 575): (None, "Grouped", "NGAP-Cause, TS 29.214 Rel-16"),
    (V3, 576): (None, "Unsigned32", "NGAP-Group, TS 29.214 Rel-16"),
    (V3, 577): (None, "Unsigned32", "NGAP-Value, TS 29.214 Rel-16"),
    (V3, 578): (None, "Grouped", "Wireline-User-Location-Info, TS 29.214 Rel-16"),
    (V3, 579): (None, "OctetString", "HFC-Node-Identifier, TS 29.214 Rel-16"),
    (V3, 580): (None, "OctetString", "GLI-Identifier, TS 29.214 Rel-16"),
    (V3, 581): (None, "Unsigned32", "Line-Type, TS 29.214 5.3.78, Rel-16"),
    (V3, 582): (None, "Enumerated", "MPS-Action, TS 29.214 Rel-17"),
    (V3, 659): (None, "Unsigned32", "RTR-Flags, TS 29.229 6.3.69"),
    (V3, 660): (None, "Grouped", "P-CSCF-Subscription-Info, TS 29.229 Rel-16"),
    (V3, 661): (None, "Time", "Registration-Time-Out, TS 29.229 Rel-16"),
    (V3, 662): (None, "UTF8String", "Alternate-Digest-Algorithm, TS 29.229 Rel-17"),
    (V3, 663): (None, "UTF8String", "Alternate-Digest-HA1, TS 29.229 Rel-17"),
    (V3, 664): (None, "Grouped", "Failed-PCSCF, TS 29.229 Rel-17"),
    (V3, 665): (None, "DiameterIdentity", "PCSCF-FQDN, TS 29.229 Rel-17"),
    (V3, 666): (None, "Address", "PCSCF-IP-Address, TS 29.229 Rel-17"),
    (V3, 720): (None, "Grouped", "Call-Reference-Info, TS 29.329 6.3.29"),
    (V3, 721): (None, "OctetString", "Call-Reference-Number, TS 29.329 6.3.30"),
    (V3, 722): (None, "OctetString", "AS-Number, TS 29.329 6.3.31"),
    (V3, 1719): (None, "Unsigned32", "Third-Context-Identifier, TS 29.272 Rel-16"),
    (V3, 2843): (None, "Unsigned32", "TCP-Source-Port, TS 29.212 5.3.129"),
}

# Names Wireshark spells differently from the specification: (vendor, code) -> Wireshark's name.
WS_NAMES = {
    (0, 50): "Accounting-Multi-Session-Id",  # RFC 6733 spells Acct-Multi-Session-Id
    (0, 110): "Digest-Qop",  # RFC 4740 spells Digest-QoP
    (V3, 606): "Cx-User-Data",  # TS 29.229 6.3.7 User-Data (Wireshark disambiguates from Sh's)
    (V3, 607): "3GPP-SIP-Number-Auth-Items",
    (V3, 608): "3GPP-SIP-Authentication-Scheme",
    (V3, 609): "3GPP-SIP-Authenticate",
    (V3, 610): "3GPP-SIP-Authorization",
    (V3, 612): "3GPP-SIP-Auth-Data-Item",
    (V3, 613): "3GPP-SIP-Item-Number",
    (V3, 634): "Wildcarded-PSI",  # the old name of Wildcarded-Public-Identity
    (V3, 702): "Sh-User-Data",  # TS 29.329 6.3.3 User-Data
    (V3, 1483): "3GPP-Service-Type",  # TS 29.272 7.3.94 Service-Type
    (V3, 1488): "Call-Barring-Infor-List",  # renamed Call-Barring-Info in TS 29.272 Rel-12
}

# Wireshark's derived type names -> RFC 6733 types (typedefn type-parent in dictionary.xml,
# except IPAddress, which Wireshark uses for RFC 6733 Address AVPs).
WS_TYPES = {
    "AppId": "Unsigned32",
    "VendorId": "Unsigned32",
    "DiamIdent": "DiameterIdentity",
    "DiamURI": "DiameterURI",
    "IPAddress": "Address",
    "OctetStringOrUTF8": "OctetString",
    "MIPRegistrationRequest": "OctetString",
}
VENDOR_EXPR = {"0": 0, "VENDOR_3GPP": V3, "VENDOR_ETSI": VE}

CONST_RE = re.compile(
    r'pub\s+const\s+(\w+)\s*:\s*AvpDef\s*=\s*AvpDef::new\(\s*"([^"]+)"\s*,\s*(\d+)\s*,\s*(\w+)\s*,'
    r"\s*(\w+)\s*,\s*(true|false)\s*,?\s*\)\s*;"
)
USE_RE = re.compile(r"pub\s+use\s+super::(\w+)::(\w+)\s*;")
TABLE_RE = re.compile(r"pub\s+static\s+TABLE\s*:\s*&\[AvpDef\]\s*=\s*&\[(.*?)\]\s*;", re.S)


def strip_comments(src):
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    return re.sub(r"//[^\n]*", "", src)


def load_rust(dict_dir):
    consts, uses, tables = {}, {}, {}
    for t in TABLES:
        src = strip_comments((dict_dir / f"{t}.rs").read_text())
        consts[t] = {}
        for m in CONST_RE.finditer(src):
            ident, name, code, vendor, ty, mand = m.groups()
            if vendor not in VENDOR_EXPR:
                sys.exit(f"{t}.rs: {ident}: unknown vendor expression {vendor}")
            consts[t][ident] = (name, int(code), VENDOR_EXPR[vendor], ty, mand == "true")
        uses[t] = {ident: src_t for src_t, ident in USE_RE.findall(src)}
        m = TABLE_RE.search(src)
        if not m:
            sys.exit(f"{t}.rs: no `pub static TABLE: &[AvpDef]`")
        tables[t] = [x.strip() for x in m.group(1).split(",") if x.strip()]
        n_decl = len(re.findall(r"AvpDef::new\(", src))
        if n_decl != len(consts[t]):
            sys.exit(f"{t}.rs: {n_decl} AvpDef::new calls but the regex parsed {len(consts[t])}")
    return consts, uses, tables


def load_wireshark(ws_dir):
    trees, vendors = [], {"None": 0}
    for f in sorted(glob.glob(os.path.join(ws_dir, "*.xml"))):
        txt = pathlib.Path(f).read_text(encoding="utf-8")
        txt = re.sub(r"<\?.*?\?>", "", txt, flags=re.S)
        txt = re.sub(r"<!DOCTYPE.*?\]>", "", txt, flags=re.S)
        txt = re.sub(r"&\w+;", "", txt)  # the external-entity references that include the files
        root = ET.fromstring("<root>" + txt + "</root>")
        trees.append((os.path.basename(f), root))
        for v in root.iter("vendor"):
            vendors[v.get("vendor-id")] = int(v.get("code"))
    avps = {}
    for fname, root in trees:
        for a in root.iter("avp"):
            vendor = vendors.get(a.get("vendor-id", "None"))
            if vendor is None:
                continue
            if a.find("grouped") is not None:
                ty = "Grouped"
            else:
                t = a.find("type")
                ty = t.get("type-name") if t is not None else None
            ty = WS_TYPES.get(ty, ty)
            avps.setdefault((vendor, int(a.get("code"))), []).append((a.get("name"), ty, fname))
    return avps


def main():
    here = pathlib.Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dictionary", type=pathlib.Path, default=here.parent / "plugin-api/src/dictionary")
    ap.add_argument("--wireshark", default="/usr/share/wireshark/diameter")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the allow-lists")
    args = ap.parse_args()

    if not os.path.isdir(args.wireshark):
        sys.exit(f"{args.wireshark}: not found (install libwireshark-data)")
    consts, uses, tables = load_rust(args.dictionary)
    ws = load_wireshark(args.wireshark)

    errors, notes, allowed_used = [], [], set()
    names_aliased = 0
    by_name = {}
    for (v, c), hits in ws.items():
        for h in hits:
            by_name.setdefault((v, h[0]), []).append(c)
    seen = {}
    total = 0
    for t in TABLES:
        prev = None
        listed = set(tables[t])
        for ident in consts[t]:
            if ident not in listed:
                errors.append(f"{t}.rs: {ident} is not in TABLE")
        for ident in uses[t]:
            src = uses[t][ident]
            if src not in consts or ident not in consts[src]:
                errors.append(f"{t}.rs: re-export super::{src}::{ident} does not exist")
            if ident in listed:
                errors.append(f"{t}.rs: re-exported {ident} must not be in this TABLE")
        for ident in tables[t]:
            if ident not in consts[t]:
                errors.append(f"{t}.rs: TABLE entry {ident} is not a const of this file")
                continue
            name, code, vendor, ty, _ = consts[t][ident]
            total += 1
            key = (vendor, code)
            if prev is not None and key <= prev:
                errors.append(f"{t}.rs: {name} ({vendor}, {code}) out of order or duplicated")
            prev = key
            if key in seen:
                errors.append(f"{t}.rs: {name} ({vendor}, {code}) already defined in {seen[key]}.rs")
            seen[key] = t
            expect = ident.replace("TGPP2_", "3GPP2_").replace("TGPP_", "3GPP_").replace("FIVE_", "5")
            if re.sub(r"[-.]", "_", name.upper()) not in (ident, expect):
                errors.append(f"{t}.rs: const {ident} does not match name {name}")

            hits = ws.get(key, [])
            if not hits:
                if key in ALLOW and ALLOW[key][0] is None:
                    allowed_used.add(key)
                    if ALLOW[key][1] != ty:
                        errors.append(f"{t}.rs: {name} ({vendor}, {code}) is {ty}, allow-list says {ALLOW[key][1]}")
                    continue
                errors.append(f"{t}.rs: {name} ({vendor}, {code}) not in Wireshark's dictionary")
                continue
            ws_types = {h[1] for h in hits}
            if ty in ws_types:
                if key in ALLOW:
                    notes.append(f"stale allow-list entry ({vendor}, {code}): Wireshark now agrees")
            elif key in ALLOW and ALLOW[key][0] in ws_types and ALLOW[key][1] == ty:
                allowed_used.add(key)
            else:
                errors.append(
                    f"{t}.rs: {name} ({vendor}, {code}) is {ty}, Wireshark says "
                    + ", ".join(f"{h[1]} ({h[0]}, {h[2]})" for h in hits)
                )
            ws_names = {h[0] for h in hits}
            if name in ws_names:
                if key in WS_NAMES:
                    notes.append(f"stale name alias {key}: Wireshark now spells it {name}")
            elif WS_NAMES.get(key) in ws_names:
                names_aliased += 1
            else:
                errors.append(f"{t}.rs: {name} ({vendor}, {code}): Wireshark has {', '.join(sorted(ws_names))} there")
            # The code check by name: the same name under the same vendor must have the same code.
            for other in by_name.get((vendor, WS_NAMES.get(key, name)), []):
                if other != code:
                    errors.append(f"{t}.rs: {name} is code {code}, Wireshark has {name} at ({vendor}, {other})")

    for key in sorted(set(ALLOW) - allowed_used):
        notes.append(f"allow-list entry {key} not used by any table")

    for e in errors:
        print("MISMATCH:", e)
    for n in notes:
        print("note:", n)
    if args.verbose:
        for key, ws_name in sorted(WS_NAMES.items()):
            print(f"alias: ({key[0]}, {key[1]}) is {ws_name} in Wireshark")
        for key, (w, o, why) in sorted(ALLOW.items()):
            print(f"allowed: ({key[0]}, {key[1]}) Wireshark {w or 'absent'}, ours {o}: {why}")
    counts = ", ".join(f"{t} {len(tables[t])}" for t in TABLES)
    print(
        f"checked {total} AVPs ({counts}) against {args.wireshark}: "
        f"{len(errors)} mismatches; allowed: {len(allowed_used)} known Wireshark type errors/gaps, "
        f"{names_aliased} names Wireshark spells differently" + ("" if args.verbose else " (-v lists them)")
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
