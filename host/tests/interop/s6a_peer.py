#!/usr/bin/env python3
"""An independent S6a client (python-diameter's own Node) run by tests/interop_python.rs.

It dials the node under test, lets python-diameter do CER/CEA and answer the node's
DWRs, sends one DWR of its own, then an AIR and a ULR, and reports what its own decoder
made of the answers. Protocol on stdout, one JSON object a line:

  {"event": "ready", ...}   CEA, watchdog and S6a results; then it waits for a line on stdin
  {"event": "done", ...}    after DPR/DPA (or a failure to get the DPA)

With --imsi (used by tests/interop_s6a.rs against the real S6a plugin) the AIA and ULA
also carry what python-diameter decoded of the E-UTRAN-Vectors (RAND/XRES/AUTN/KASME
as hex) and of Subscription-Data (MSISDN, AMBR, APN names and Context-Identifiers).

Exit status: 0 when everything was exchanged (the test judges the values), 2 on a
protocol failure it detected itself, 3 when the overall deadline expired.
"""
import argparse
import json
import logging
import os
import select
import sys
import threading
import time

from diameter.message import constants
from diameter.message.avp.grouped import (
    RequestedEutranAuthenticationInfo,
    VendorSpecificApplicationId,
)
from diameter.message.commands import (
    AuthenticationInformationRequest,
    UpdateLocationRequest,
)
from diameter.node import Node
from diameter.node.application import SimpleThreadingApplication

S6A = constants.APP_3GPP_S6A_S6D  # 16777251
TGPP = constants.VENDOR_TGPP  # 10415
# MCC 001, MNC 01 in TBCD (TS 24.008).
PLMN = bytes([0x00, 0xF1, 0x10])


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def die(code, why):
    emit({"event": "error", "error": why})
    sys.stderr.flush()
    os._exit(code)


class RecordingNode(Node):
    """python-diameter's Node, with the base-protocol exchanges recorded."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.cea = None
        self.cea_event = threading.Event()
        self.dwr_from_peer = []  # (origin_host, hop_by_hop) of DWRs we answered
        self.dwa_event = threading.Event()
        self.dwa = None
        self.dpa_event = threading.Event()
        self.dpa = None

    def receive_cea(self, conn, message):
        vsai = [
            {"vendor_id": v.vendor_id, "auth_application_id": v.auth_application_id}
            for v in (message.vendor_specific_application_id or [])
        ]
        self.cea = {
            "result_code": message.result_code,
            "origin_host": message.origin_host.decode(),
            "origin_realm": message.origin_realm.decode(),
            "command_code": message.header.command_code,
            "is_request": message.header.is_request,
            "auth_application_ids": list(message.auth_application_id or []),
            "vendor_specific_application_ids": vsai,
            "supported_vendor_ids": list(message.supported_vendor_id or []),
            "host_ip_addresses": [a[1] for a in (message.host_ip_address or [])],
            "product_name": message.product_name,
        }
        super().receive_cea(conn, message)
        self.cea["negotiated_auth_application_ids"] = list(conn.auth_application_ids)
        self.cea_event.set()

    def receive_dwr(self, conn, message):
        super().receive_dwr(conn, message)
        self.dwr_from_peer.append(
            {"origin_host": message.origin_host.decode(), "hop_by_hop": message.header.hop_by_hop_identifier}
        )

    def receive_dwa(self, conn, message):
        self.dwa = {
            "result_code": message.result_code,
            "origin_host": message.origin_host.decode(),
            "command_code": message.header.command_code,
        }
        super().receive_dwa(conn, message)
        self.dwa_event.set()

    def receive_dpa(self, conn, message):
        self.dpa = {
            "result_code": message.result_code,
            "origin_host": message.origin_host.decode(),
            "command_code": message.header.command_code,
            "is_request": message.header.is_request,
        }
        super().receive_dpa(conn, message)
        self.dpa_event.set()


def describe_answer(req, ans):
    return {
        "command_code": ans.header.command_code,
        "is_request": ans.header.is_request,
        "is_error": ans.header.is_error,
        "application_id": ans.header.application_id,
        "hop_by_hop_matches": ans.header.hop_by_hop_identifier == req.header.hop_by_hop_identifier,
        "end_to_end_matches": ans.header.end_to_end_identifier == req.header.end_to_end_identifier,
        "result_code": ans.result_code,
        "session_id": ans.session_id,
        "sent_session_id": req.session_id,
        "origin_host": ans.origin_host.decode() if ans.origin_host else None,
        "origin_realm": ans.origin_realm.decode() if ans.origin_realm else None,
        "auth_session_state": ans.auth_session_state,
    }


def hexof(b):
    return b.hex() if isinstance(b, (bytes, bytearray)) else None


def describe_aia(req, ans):
    """The answer, plus the E-UTRAN vectors as python-diameter decoded them."""
    d = describe_answer(req, ans)
    info = getattr(ans, "authentication_info", None)
    d["vectors"] = [
        {"item_number": v.item_number, "rand": hexof(v.rand), "xres": hexof(v.xres),
         "autn": hexof(v.autn), "kasme": hexof(v.kasme)}
        for v in ((info.e_utran_vector or []) if info else [])
    ]
    return d


def describe_ula(req, ans):
    """The answer, plus the essentials of Subscription-Data as python-diameter decoded them."""
    d = describe_answer(req, ans)
    d["ula_flags"] = getattr(ans, "ula_flags", None)
    sd = getattr(ans, "subscription_data", None)
    if sd is None:
        d["subscription_data"] = None
        return d
    prof = sd.apn_configuration_profile
    ambr = sd.ambr
    d["subscription_data"] = {
        "msisdn": hexof(sd.msisdn),
        "ambr": {"ul": ambr.max_requested_bandwidth_ul, "dl": ambr.max_requested_bandwidth_dl} if ambr else None,
        "default_context_identifier": prof.context_identifier if prof else None,
        "apns": [
            {"service_selection": a.service_selection, "context_identifier": a.context_identifier,
             "pdn_type": a.pdn_type}
            for a in ((prof.apn_configuration or []) if prof else [])
        ],
    }
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--peer-host", default="hss.test.local")
    ap.add_argument("--peer-realm", default="test.local")
    ap.add_argument("--origin-host", default="mme.python.local")
    ap.add_argument("--origin-realm", default="python.local")
    ap.add_argument("--hold", type=float, default=1.6, help="seconds to stay idle after CEA")
    ap.add_argument("--deadline", type=float, default=25.0, help="overall time limit")
    ap.add_argument("--imsi", help="IMSI for AIR/ULR; with it, also report the decoded vectors "
                    "and Subscription-Data")
    ap.add_argument("--vectors", type=int, default=1, help="Number-Of-Requested-Vectors in the AIR")
    args = ap.parse_args()

    level = logging.DEBUG if os.environ.get("S6A_PEER_DEBUG") else logging.WARNING
    logging.basicConfig(stream=sys.stderr, level=level, format="python-diameter %(name)s %(levelname)s %(message)s")

    # Never outlive the test, whatever python-diameter does.
    killer = threading.Timer(args.deadline, lambda: die(3, f"deadline of {args.deadline}s expired"))
    killer.daemon = True
    killer.start()

    node = RecordingNode(args.origin_host, args.origin_realm)
    node.wakeup_interval = 1  # timer checks every second (its smallest unit)
    node.cea_timeout = 3
    node.dwa_timeout = 3
    peer = node.add_peer(
        f"aaa://{args.peer_host}:{args.port};transport=tcp",
        args.peer_realm,
        ip_addresses=["127.0.0.1"],
        is_persistent=True,
    )
    peer.reconnect_wait = 3600  # one connection only: a reconnect would hide a drop
    app = SimpleThreadingApplication(S6A, is_auth_application=True)
    node.add_application(app, [peer])
    node.start()

    if not node.cea_event.wait(5):
        die(2, "no CEA within 5 s")
    try:
        app.wait_for_ready(5)
    except Exception as e:  # noqa: BLE001
        die(2, f"S6a not ready after CEA: {e!r}; CEA was {node.cea}")
    conn = peer.connection
    started = time.monotonic()

    # Stay idle: the node under test (short Tw) sends DWRs that python-diameter answers.
    time.sleep(args.hold)
    held = time.monotonic() - started
    same_connection = peer.connection is conn and conn is not None
    # And one watchdog exchange the other way round, python-diameter's own DWR.
    node.send_dwr(conn)
    if not node.dwa_event.wait(5):
        die(2, "no DWA within 5 s")

    air = AuthenticationInformationRequest()
    air.session_id = node.session_generator.next_id()
    air.origin_host = args.origin_host.encode()
    air.origin_realm = args.origin_realm.encode()
    air.destination_realm = args.peer_realm.encode()
    air.auth_session_state = constants.E_AUTH_SESSION_STATE_NO_STATE_MAINTAINED
    air.vendor_specific_application_id = VendorSpecificApplicationId(vendor_id=TGPP, auth_application_id=S6A)
    air.user_name = args.imsi or "001010000000001"
    air.visited_plmn_id = PLMN
    air.requested_eutran_authentication_info = RequestedEutranAuthenticationInfo(number_of_requested_vectors=args.vectors)
    aia = app.send_request(air, timeout=5)

    ulr = UpdateLocationRequest()
    ulr.session_id = node.session_generator.next_id()
    ulr.origin_host = args.origin_host.encode()
    ulr.origin_realm = args.origin_realm.encode()
    ulr.destination_realm = args.peer_realm.encode()
    ulr.auth_session_state = constants.E_AUTH_SESSION_STATE_NO_STATE_MAINTAINED
    ulr.vendor_specific_application_id = VendorSpecificApplicationId(vendor_id=TGPP, auth_application_id=S6A)
    ulr.user_name = args.imsi or "001010000000001"
    ulr.rat_type = constants.E_RAT_TYPE_EUTRAN
    ulr.ulr_flags = 0x22  # S6a/S6d-Indicator, Initial-Attach-Indicator
    ulr.visited_plmn_id = PLMN
    ula = app.send_request(ulr, timeout=5)

    emit({
        "event": "ready",
        "cea": node.cea,
        "held_seconds": round(held, 3),
        "same_connection_after_hold": same_connection,
        "connection_ready": conn.state in (0x12, 0x13),
        "dwr_answered": node.dwr_from_peer,
        "own_dwa": node.dwa,
        "aia": describe_aia(air, aia) if args.imsi else describe_answer(air, aia),
        "ula": describe_ula(ulr, ula) if args.imsi else describe_answer(ulr, ula),
    })

    # The test checks the node's peer table now, then tells us to go.
    r, _, _ = select.select([sys.stdin], [], [], 10)
    if not r:
        die(2, "no go-ahead on stdin within 10 s")
    sys.stdin.readline()

    node.send_dpr(conn)
    got_dpa = node.dpa_event.wait(5)
    # Wait (bounded) for the socket to be gone, then stop without another DPR.
    for _ in range(50):
        if not node.connections:
            break
        time.sleep(0.1)
    closed = not node.connections
    emit({"event": "done", "dpa": node.dpa if got_dpa else None, "closed": closed,
          "dwr_answered_total": len(node.dwr_from_peer)})
    sys.stderr.flush()
    # The connection is gone, so there is nothing left to say. Node.stop() would only
    # join idle worker threads that poll their queues every 2-5 s; do not wait for them.
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        die(2, f"exception: {e!r}")
