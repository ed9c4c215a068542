#!/usr/bin/env python3
"""LAN Manager sessions with impacket (a real, independent SMB1 client).

usage: lanman_session.py HOST PORT win9x
       lanman_session.py HOST PORT ntcreate [NAME]

win9x: what Windows 95/98/ME do after TREE_CONNECT to IPC$, on one
connection: NEGOTIATE, an anonymous SESSION_SETUP and TREE_CONNECT IPC$
with FLAGS2 neither UNICODE nor NT_STATUS (DOS error codes, OEM strings),
then three SMB_COM_TRANSACTIONs on \\PIPE\\LANMAN, back to back:
NetShareEnum level 1 (WrLeh/B13BWz), NetWkstaGetInfo level 10
(WrLh/zzzBBzz), NetServerGetInfo level 1 (WrLh/B16BBDz). One JSON line per
call: {"call": NAME, "smb_status": int, "flags2": int, "params": hex,
"data": hex}.

ntcreate: NT_CREATE_ANDX of NAME (default \\srvsvc, what smbclient -L opens
before it falls back to RAP) on IPC$, with FLAGS2_NT_STATUS set, then the
same with it clear. One JSON line each: {"nt_status": bool, "error_code":
int, "error_class": int, "message": str} from impacket's SessionError.
"""
import json
import struct
import sys

from impacket.smb import SMB, NewSMBPacket, SMBCommand, SessionError

PIPE = "\\PIPE\\LANMAN\x00"


def transact(smb, tid, params, max_param, max_data):
    unicode = bool(smb.get_flags()[1] & SMB.FLAGS2_UNICODE)
    base = 32 + 1 + 14 * 2 + 2
    name = (b"\x00" + PIPE.encode("utf-16le")) if unicode else PIPE.encode("ascii")
    poff = base + len(name)
    pad = (-poff) % 4
    poff += pad
    words = struct.pack(
        "<HHHHBBHIHHHHHBB",
        len(params), 0, max_param, max_data,
        0, 0, 0, 0, 0,
        len(params), poff, 0, 0, 0, 0,
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
        flags2 = struct.unpack_from("<H", raw, 10)[0]
        if raw[32] < 10:
            return dict(smb_status=status, flags2=flags2, params="", data="")
        tpc, tdc, _, pc, po, pd, dc, do, dd = struct.unpack_from("<9H", raw, 33)
        rparams[pd] = raw[po:po + pc]
        rdata[dd] = raw[do:do + dc]
        p = b"".join(v for _, v in sorted(rparams.items()))
        d = b"".join(v for _, v in sorted(rdata.items()))
        if len(p) >= tpc and len(d) >= tdc:
            return dict(smb_status=status, flags2=flags2, params=p.hex(), data=d.hex())


def rap(opcode, param_desc, data_desc, rest):
    return struct.pack("<H", opcode) + param_desc + b"\x00" + data_desc + b"\x00" + rest


def win9x(host, port):
    smb = SMB(host, host, sess_port=port, timeout=30)
    # OEM strings and DOS error codes, as Windows 9x sends them.
    f1, f2 = smb.get_flags()
    smb.set_flags(flags2=f2 & ~(SMB.FLAGS2_UNICODE | SMB.FLAGS2_NT_STATUS))
    smb.login("", "")
    tid = smb.tree_connect_andx("\\\\%s\\IPC$" % host.upper())
    calls = [
        ("NetShareEnum", rap(0, b"WrLeh", b"B13BWz", struct.pack("<HH", 1, 0x1000)), 8, 0x1000),
        ("NetWkstaGetInfo", rap(63, b"WrLh", b"zzzBBzz", struct.pack("<HH", 10, 0x200)), 6, 0x200),
        ("NetServerGetInfo", rap(13, b"WrLh", b"B16BBDz", struct.pack("<HH", 1, 0x200)), 6, 0x200),
    ]
    for name, params, mpc, mdc in calls:
        r = transact(smb, tid, params, mpc, mdc)
        r["call"] = name
        print(json.dumps(r), flush=True)
    smb.logoff()
    smb.close_session()


def ntcreate(host, port, name):
    for nt in (True, False):
        smb = SMB(host, host, sess_port=port, timeout=30)
        f1, f2 = smb.get_flags()
        f2 = (f2 | SMB.FLAGS2_NT_STATUS) if nt else (f2 & ~SMB.FLAGS2_NT_STATUS)
        smb.set_flags(flags2=f2)
        smb.login("", "")
        tid = smb.tree_connect_andx("\\\\%s\\IPC$" % host.upper())
        try:
            smb.nt_create_andx(tid, name)
            out = dict(nt_status=nt, error_code=0, error_class=0, message="opened")
        except SessionError as e:
            out = dict(nt_status=nt, error_code=e.get_error_code(),
                       error_class=e.get_error_class(), message=str(e))
        print(json.dumps(out), flush=True)
        smb.close_session()


def main():
    host, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if what == "win9x":
        win9x(host, port)
    elif what == "ntcreate":
        ntcreate(host, port, sys.argv[4] if len(sys.argv) > 4 else "\\srvsvc")
    else:
        sys.exit("unknown mode " + what)


if __name__ == "__main__":
    main()
