//! The LAN Manager structures old clients ask for besides printing:
//! share_info_0/1/2 (MS-RAP 2.5.6.x), server_info_0/1 (2.5.5.x) and
//! wksta_info_10 (2.5.9.x).

/// STYPE_DISKTREE: a disk share (MS-RAP 2.5.6.2).
pub const STYPE_DISKTREE: u16 = 0;
/// STYPE_PRINTQ: a print queue.
pub const STYPE_PRINTQ: u16 = 1;
/// STYPE_DEVICE: a communication device.
pub const STYPE_DEVICE: u16 = 2;
/// STYPE_IPC: interprocess communication (IPC$).
pub const STYPE_IPC: u16 = 3;

crate::rap_struct! {
    /// NetShareInfo0 (MS-RAP 2.5.6.1), `B13`.
    pub struct ShareInfo0<'a> {
        /// NetworkName: at most 12 OEM bytes.
        net_name: B 13,
    }
}

crate::rap_struct! {
    /// NetShareInfo1 (MS-RAP 2.5.6.2), `B13BWz`.
    pub struct ShareInfo1<'a> {
        /// NetworkName: at most 12 OEM bytes.
        net_name: B 13,
        _: B,
        /// Type (STYPE_*).
        share_type ("type"): W,
        /// Remark.
        remark: z,
    }
}

crate::rap_struct! {
    /// NetShareInfo2 (MS-RAP 2.5.6.3), `B13BWzWWWzB9B`.
    pub struct ShareInfo2<'a> {
        /// NetworkName: at most 12 OEM bytes.
        net_name: B 13,
        _: B,
        /// Type (STYPE_*).
        share_type ("type"): W,
        /// Remark.
        remark: z,
        /// Permissions (share-level security).
        permissions: W,
        /// MaxUses: 0xFFFF for no limit.
        max_uses: W,
        /// CurrentUses.
        current_uses: W,
        /// Path.
        path: z,
        /// Password: at most 8 OEM bytes.
        password: B 9,
        _: B,
    }
}

crate::rap_levels! {
    /// One share_info structure of any level.
    pub enum ShareInfo<'a> {
        0 => Level0(ShareInfo0<'a>),
        1 => Level1(ShareInfo1<'a>),
        2 => Level2(ShareInfo2<'a>),
    }
}

crate::rap_struct! {
    /// NetServerInfo0 (MS-RAP 2.5.5.2.1), `B16`.
    pub struct ServerInfo0<'a> {
        /// ServerName: at most 15 OEM bytes.
        server_name: B 16,
    }
}

crate::rap_struct! {
    /// NetServerInfo1 (MS-RAP 2.5.5.2.2), `B16BBDz`.
    pub struct ServerInfo1<'a> {
        /// ServerName: at most 15 OEM bytes.
        server_name: B 16,
        /// MajorVersion of the operating system.
        major_version: B,
        /// MinorVersion.
        minor_version: B,
        /// ServerType (SV_TYPE_* bits).
        server_type: D,
        /// ServerComment.
        server_comment: z,
    }
}

crate::rap_levels! {
    /// One server_info structure of any level.
    pub enum ServerInfo<'a> {
        0 => Level0(ServerInfo0<'a>),
        1 => Level1(ServerInfo1<'a>),
    }
}

crate::rap_struct! {
    /// NetWkstaInfo10 (MS-RAP 2.5.9.1.1), `zzzBBzz`.
    pub struct WkstaInfo10<'a> {
        /// ComputerName.
        computer_name: z,
        /// UserName: the user logged on at the workstation.
        user_name: z,
        /// LanGroup: the workgroup.
        lan_group: z,
        /// VerMajor.
        ver_major: B,
        /// VerMinor.
        ver_minor: B,
        /// LogonDomain.
        logon_domain: z,
        /// OtherDomains.
        other_domains: z,
    }
}
