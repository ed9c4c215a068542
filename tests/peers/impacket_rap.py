#!/usr/bin/env python3
"""Interop probe: a real SMB1 client (impacket) against the msrap server.

Usage: impacket_rap.py PORT [--netbios]

Negotiates NT LM 0.12 (impacket falls back to non-extended security when
the server does not offer it), logs in anonymously, tree-connects IPC$ and
sends raw SMB_COM_TRANSACTION requests on \\PIPE\\LANMAN. Prints one JSON
object per transaction: {"status": int, "params": hex, "data": hex}.
Exit code 2 when impacket is not installed.
"""
import json
import struct
import sys

try:
    from impacket import nmb
    from impacket.smb import SMB, NewSMBPacket, SMBCommand
except ImportError:
    print("impacket not installed", file=sys.stderr)
    sys.exit(2)


def transaction(conn, tid, params, data=b"", max_param=64, max_data=4096):
    """Send one TRANSACTION on \\PIPE\\LANMAN; collect every response part."""
    unicode = bool(conn.get_flags()[1] & SMB.FLAGS2_UNICODE)
    name = "\\PIPE\\LANMAN\x00"
    name = b"\x00" + name.encode("utf-16le") if unicode else name.encode("ascii")
    # header 32 + WordCount 1 + 14 words + ByteCount 2 = 63: Name starts there
    p_off = 63 + len(name)
    p_off += (-p_off) % 4
    d_off = p_off + len(params)
    d_off = d_off + (-d_off) % 4 if data else 0
    words = struct.pack("<HHHHBBHIHHHHHBB", len(params), len(data), max_param, max_data,
                        0, 0, 0, 0, 0, len(params), p_off, len(data), d_off, 0, 0)
    body = name + b"\x00" * (p_off - 63 - len(name)) + params
    if data:
        body += b"\x00" * (d_off - p_off - len(params)) + data
    cmd = SMBCommand(SMB.SMB_COM_TRANSACTION)
    cmd["Parameters"] = words
    cmd["Data"] = body
    pkt = NewSMBPacket()
    pkt["Tid"] = tid
    pkt.addCommand(cmd)
    conn.sendSMB(pkt)
    got_p, got_d = {}, {}
    while True:
        raw = conn.get_session().recv_packet(10).get_trailer()
        status = struct.unpack_from("<I", raw, 5)[0]
        if raw[32] == 0:
            return {"status": status, "params": "", "data": ""}
        tpc, tdc, _, pc, po, pd, dc, do, dd = struct.unpack_from("<9H", raw, 33)
        got_p[pd] = raw[po:po + pc]
        got_d[dd] = raw[do:do + dc]
        rp = b"".join(v for _, v in sorted(got_p.items()))
        rd = b"".join(v for _, v in sorted(got_d.items()))
        if len(rp) >= tpc and len(rd) >= tdc:
            return {"status": status, "params": rp.hex(), "data": rd.hex()}


def main():
    port = int(sys.argv[1])
    if "--netbios" in sys.argv:
        # impacket sends a NetBIOS session request only to port 139; point that at us.
        nmb.NETBIOS_SESSION_PORT = port
    conn = SMB("127.0.0.1", "127.0.0.1", sess_port=port, timeout=10)
    conn.login("", "")
    tid = conn.tree_connect_andx("\\\\127.0.0.1\\IPC$")
    print(json.dumps(transaction(conn, tid, b"hello", b"world")))
    print(json.dumps(transaction(conn, tid, b"\xda\xda\x00\x10", max_param=4, max_data=0x1000)))
    print(json.dumps(transaction(conn, tid, b"\xee\xee")))
    conn.logoff()
    conn.close_session()


if __name__ == "__main__":
    main()
