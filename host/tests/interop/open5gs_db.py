#!/usr/bin/env python3
"""Open5GS subscriber documents through pymongo, an independent MongoDB client, for
host/tests/store_mongodb.rs.

    open5gs_db.py fixtures URI DB          insert the reference documents below
    open5gs_db.py get URI DB IMSI          {"doc": <canonical Extended JSON>, "types": {path: bson type}}
    open5gs_db.py insert URI DB EJSON      insert one document (Extended JSON keeps types)
    open5gs_db.py set URI DB IMSI EJSON    $set fields of one subscriber
    open5gs_db.py delete URI DB IMSI       delete one subscriber

Every command prints one JSON value. The reference documents are shaped as each Open5GS
tool writes them (see misc/db/open5gs-dbctl, webui/server/models/subscriber.js and
misc/db/python/Open5GS.py in Open5GS, and the NextEPC Python library for pdn[]).
"""

import json
import sys

import bson
from bson import json_util
from bson.int64 import Int64
from bson.objectid import ObjectId
from pymongo import MongoClient

K = "465B5CE8 B199B49F AA5F0A2E E238A6BC"
OPC = "CD63CB71 954A9F4E 48A5994E 37A02BAF"
OP = "cdc202d5123e20f62b6d676ac72cb318"


def dbctl_add(imsi):
    """`open5gs-dbctl add IMSI K OPC`: NumberInt where the script says so, plain shell
    numbers (Doubles) elsewhere, no sqn, op null, and its `mm_realm` typo."""
    return {
        "_id": ObjectId(),
        "schema_version": 1,
        "imsi": imsi,
        "msisdn": [],
        "imeisv": [],
        "mme_host": [],
        "mm_realm": [],
        "purge_flag": [],
        "slice": [{
            "sst": 1,
            "default_indicator": True,
            "session": [{
                "name": "internet",
                "type": 3,
                "qos": {"index": 9, "arp": {"priority_level": 8, "pre_emption_capability": 1,
                                            "pre_emption_vulnerability": 2}},
                "ambr": {"downlink": {"value": 1000000000, "unit": 0},
                         "uplink": {"value": 1000000000, "unit": 0}},
                "pcc_rule": [],
                "_id": ObjectId(),
            }],
            "_id": ObjectId(),
        }],
        "security": {"k": K.replace(" ", ""), "op": None, "opc": OPC.replace(" ", ""), "amf": "8000"},
        "ambr": {"downlink": {"value": 1000000000, "unit": 0}, "uplink": {"value": 1000000000, "unit": 0}},
        "access_restriction_data": 32.0,
        "network_access_mode": 0.0,
        "subscriber_status": 0.0,
        "operator_determined_barring": 0.0,
        "subscribed_rau_tau_timer": 12.0,
        "__v": 0.0,
    }


def webui(imsi):
    """What the WebUI saves through mongoose: Int32 numbers, sqn as a Long, keys as typed
    (spaces, capitals), op null, _id on slices and sessions, empty arrays for MME fields,
    a second slice with an SD, a static UE address and an SMF."""
    return {
        "schema_version": 1,
        "imsi": imsi,
        "msisdn": ["491721234567", "491721234568"],
        "imeisv": [],
        "mme_host": [],
        "mme_realm": [],
        "purge_flag": [],
        "security": {"k": K, "op": None, "opc": OPC, "amf": "8000", "sqn": Int64(0x0123_4567_89A0)},
        "ambr": {"downlink": {"value": 2, "unit": 3}, "uplink": {"value": 500, "unit": 2}},
        "slice": [
            {"sst": 1, "default_indicator": True, "_id": ObjectId(), "session": [
                {"name": "internet", "type": 3, "_id": ObjectId(), "pcc_rule": [],
                 "qos": {"index": 9, "arp": {"priority_level": 8, "pre_emption_capability": 1,
                                             "pre_emption_vulnerability": 1}},
                 "ambr": {"downlink": {"value": 1, "unit": 3}, "uplink": {"value": 1, "unit": 3}}},
                {"name": "ims", "type": 1, "_id": ObjectId(), "pcc_rule": [],
                 "qos": {"index": 5, "arp": {"priority_level": 1, "pre_emption_capability": 2,
                                             "pre_emption_vulnerability": 1}},
                 "ambr": {"downlink": {"value": 3850, "unit": 1}, "uplink": {"value": 1530, "unit": 1}},
                 "ue": {"ipv4": "10.45.0.7"}, "smf": {"ipv4": "127.0.0.4"}},
            ]},
            {"sst": 2, "sd": "000080", "default_indicator": False, "_id": ObjectId(), "session": [
                {"name": "iot", "type": 2, "_id": ObjectId(), "pcc_rule": [],
                 "qos": {"index": 7, "arp": {"priority_level": 3, "pre_emption_capability": 2,
                                             "pre_emption_vulnerability": 2}},
                 "ambr": {"downlink": {"value": 64, "unit": 1}, "uplink": {"value": 32, "unit": 1}},
                 "ue": {"ipv4": "10.46.0.9", "ipv6": "2001:db8::9"}},
            ]},
        ],
        "access_restriction_data": 32,
        "subscriber_status": 0,
        "operator_determined_barring": 0,
        "network_access_mode": 0,
        "subscribed_rau_tau_timer": 12,
        "__v": 0,
    }


def all_doubles(imsi):
    """The WebUI document with every number a Double (and sqn too)."""
    def conv(v):
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return float(v)
        return v
    d = conv(webui(imsi))
    d["imsi"] = imsi
    return d


def all_int64(imsi):
    """The WebUI document with every number an explicit Int64, and OP instead of OPc."""
    def conv(v):
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return Int64(v)
        return v
    d = conv(webui(imsi))
    d["security"]["op"] = OP
    d["security"]["opc"] = None
    return d


def python_library(imsi):
    """The Open5GS Python library's README example (Open5GS.py AddSubscriber)."""
    return {
        "imsi": imsi,
        "subscribed_rau_tau_timer": 12,
        "network_access_mode": 0,
        "subscriber_status": 0,
        "operator_determined_barring": 0,
        "access_restriction_data": 32,
        "slice": [{"sst": 1, "default_indicator": True, "session": [{
            "name": "internet", "type": 3, "pcc_rule": [],
            "ambr": {"uplink": {"value": 1, "unit": 3}, "downlink": {"value": 1, "unit": 3}},
            "qos": {"index": 9, "arp": {"priority_level": 8, "pre_emption_capability": 1,
                                        "pre_emption_vulnerability": 1}},
        }]}],
        "ambr": {"uplink": {"value": 1, "unit": 3}, "downlink": {"value": 1, "unit": 3}},
        "security": {"k": K, "amf": "8000", "op": None, "opc": OPC},
        "schema_version": 1,
        "__v": 0,
    }


def nextepc(imsi):
    """The NextEPC library's example (pdn[], AMBR in kbps, S6a encodings), with a second
    PDN carrying a static address, PDN type 0 (IPv4) and ARP flags 0 (enabled)."""
    pdn = [
        {"apn": "internet", "pcc_rule": [], "ambr": {"downlink": 1234, "uplink": 1234},
         "qos": {"qci": 9, "arp": {"priority_level": 8, "pre_emption_vulnerability": 1,
                                   "pre_emption_capability": 1}}, "type": 2},
        {"apn": "ims", "pcc_rule": [], "ambr": {"downlink": Int64(2048), "uplink": 1024.0},
         "qos": {"qci": 5, "arp": {"priority_level": 1, "pre_emption_vulnerability": 0,
                                   "pre_emption_capability": 0}}, "type": 0,
         "ue": {"addr": "10.45.0.8"}, "pgw": {"addr": "127.0.0.3"}},
    ]
    return {
        "imsi": imsi,
        "pdn": pdn,
        "ambr": {"downlink": 1024000, "uplink": 1024001},
        "subscribed_rau_tau_timer": 12,
        "network_access_mode": 2,
        "subscriber_status": 0,
        "access_restriction_data": 32,
        "security": {"k": K, "amf": "8000", "op": None, "opc": OPC, "sqn": Int64(0x0100_0000_0040)},
        "__v": 0,
    }


FIXTURES = {
    "001010000000101": dbctl_add,
    "001010000000102": webui,
    "001010000000103": all_doubles,
    "001010000000104": all_int64,
    "001010000000105": python_library,
    "001010000000106": nextepc,
}


def type_name(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, Int64):
        return "int64"
    if isinstance(v, int):
        return "int32"
    if isinstance(v, float):
        return "double"
    if isinstance(v, str):
        return "string"
    if isinstance(v, ObjectId):
        return "objectId"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "document"
    return type(v).__name__


def types(doc, prefix=""):
    """Every path of the document (arrays as name[i]) with its BSON type."""
    out = {}
    items = doc.items() if isinstance(doc, dict) else ((f"[{i}]", v) for i, v in enumerate(doc))
    for k, v in items:
        path = (prefix + k) if k.startswith("[") else (f"{prefix}.{k}" if prefix else k)
        out[path] = type_name(v)
        if isinstance(v, (dict, list)):
            out.update(types(v, path))
    return out


def main():
    command, uri, db = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    client = MongoClient(uri, serverSelectionTimeoutMS=5000)
    subs = client[db]["subscribers"]
    if command == "fixtures":
        for imsi, make in FIXTURES.items():
            subs.insert_one(make(imsi))
        print(json.dumps({"inserted": list(FIXTURES)}))
    elif command == "get":
        doc = subs.find_one({"imsi": args[0]})
        if doc is None:
            print("null")
        else:
            canonical = json.loads(json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS))
            print(json.dumps({"doc": canonical, "types": types(doc)}))
    elif command == "insert":
        subs.insert_one(json_util.loads(args[0]))
        print(json.dumps({"ok": True}))
    elif command == "set":
        r = subs.update_one({"imsi": args[0]}, {"$set": json_util.loads(args[1])})
        print(json.dumps({"matched": r.matched_count}))
    elif command == "delete":
        r = subs.delete_one({"imsi": args[0]})
        print(json.dumps({"deleted": r.deleted_count}))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
