#!/usr/bin/env python3
"""Send raw RAP requests over SMB1 with impacket (a real, independent SMB client).

usage: rap_batch.py HOST PORT [--share SHARE] < requests.jsonl > replies.jsonl

One SMB1 connection (NEGOTIATE NT LM 0.12, anonymous SESSION_SETUP, TREE_CONNECT
to IPC$ or SHARE), then one SMB_COM_TRANSACTION on \\PIPE\\LANMAN per input line:

  {"params": "<hex RAP parameter block>", "max_param": 6, "max_data": 4096}

and one output line per request:

  {"smb_status": <int>, "params": "<hex>", "data": "<hex>"}

Multi-part responses are reassembled by displacement. Used by the msrap test suite.
"""
import json
import struct
import sys

from impacket.smb import SMB, NewSMBPacket, SMBCommand

PIPE = "\\PIPE\\LANMAN\x00"


def transact(smb, tid, params, max_param, max_data):
    unicode = bool(smb.get_flags()[1] & SMB.FLAGS2_UNICODE)
    base = 32 + 1 + 14 * 2 + 2  # header, WordCount, 14 words, ByteCount
    name = (b"\x00" + PIPE.encode("utf-16le")) if unicode else PIPE.encode("ascii")
    poff = base + len(name)
    pad = (-poff) % 4
    poff += pad
    words = struct.pack(
        "<HHHHBBHIHHHHHBB",
        len(params), 0,            # TotalParameterCount, TotalDataCount
        max_param, max_data,       # MaxParameterCount, MaxDataCount
        0, 0, 0, 0, 0,             # MaxSetupCount, Reserved1, Flags, Timeout, Reserved2
        len(params), poff,         # ParameterCount, ParameterOffset
        0, 0,                      # DataCount, DataOffset
        0, 0,                      # SetupCount, Reserved3
    )
    cmd = SMBCommand(SMB.SMB_COM_TRANSACTION)
    cmd["Parameters"] = words
    cmd["Data"] = name + b"\x00" * pad + params
    pkt = NewSMBPacket()
    pkt["Tid"] = tid
    pkt.addCommand(cmd)
    smb.sendSMB(pkt)
    rparams, rdata = {}, {}
    while True:
        raw = smb.get_session().recv_packet(30).get_trailer()
        status = struct.unpack_from("<I", raw, 5)[0]
        if raw[32] < 10:  # error reply: no transaction words
            return dict(smb_status=status, params="", data="")
        tpc, tdc, _, pc, po, pd, dc, do, dd = struct.unpack_from("<9H", raw, 33)
        rparams[pd] = raw[po:po + pc]
        rdata[dd] = raw[do:do + dc]
        p = b"".join(v for _, v in sorted(rparams.items()))
        d = b"".join(v for _, v in sorted(rdata.items()))
        if len(p) >= tpc and len(d) >= tdc:
            return dict(smb_status=status, params=p.hex(), data=d.hex())


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    share = "IPC$"
    if "--share" in sys.argv:
        share = sys.argv[sys.argv.index("--share") + 1]
    # Passing the IP as the remote name avoids impacket's NetBIOS name query.
    smb = SMB(host, host, sess_port=port, timeout=30)
    smb.login("", "")
    tid = smb.tree_connect_andx("\\\\%s\\%s" % (host, share))
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        reply = transact(smb, tid, bytes.fromhex(req["params"]), req.get("max_param", 6), req.get("max_data", 4096))
        print(json.dumps(reply), flush=True)
    try:
        smb.logoff()
    except Exception:
        pass
    smb.close_session()


if __name__ == "__main__":
    main()
