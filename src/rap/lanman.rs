//! The LAN Manager structures old clients ask for besides printing:
//! NetShareInfo0/1/2 (MS-RAP 2.5.6.3), NetServerInfo0/1 (2.5.5.4),
//! NetWkstaInfo10 (2.5.10.4.1), TimeOfDayInfo (2.5.9.2.1), and the
//! session, group and user structures MS-RAP does not define (LAN Manager's
//! `session_info_*`, `group_info_*`, `user_info_*`, with the descriptors
//! Samba's `rap.h` and the LAN Manager `remdef.h` give).

/// STYPE_DISKTREE: a disk share (MS-RAP 2.5.6.3.2).
pub const STYPE_DISKTREE: u16 = 0;
/// STYPE_PRINTQ: a print queue.
pub const STYPE_PRINTQ: u16 = 1;
/// STYPE_DEVICE: a communication device.
pub const STYPE_DEVICE: u16 = 2;
/// STYPE_IPC: interprocess communication (IPC$).
pub const STYPE_IPC: u16 = 3;

/// SV_TYPE_WORKSTATION: a workstation (MS-RAP 2.5.5.2.1 ServerType).
pub const SV_TYPE_WORKSTATION: u32 = 0x0000_0001;
/// SV_TYPE_SERVER: a server.
pub const SV_TYPE_SERVER: u32 = 0x0000_0002;
/// SV_TYPE_SQLSERVER: a server running SQL Server.
pub const SV_TYPE_SQLSERVER: u32 = 0x0000_0004;
/// SV_TYPE_DOMAIN_CTRL: a primary domain controller.
pub const SV_TYPE_DOMAIN_CTRL: u32 = 0x0000_0008;
/// SV_TYPE_DOMAIN_BAKCTRL: a backup domain controller.
pub const SV_TYPE_DOMAIN_BAKCTRL: u32 = 0x0000_0010;
/// SV_TYPE_TIME_SOURCE: a time source.
pub const SV_TYPE_TIME_SOURCE: u32 = 0x0000_0020;
/// SV_TYPE_PRINTQ_SERVER: a server sharing print queues.
pub const SV_TYPE_PRINTQ_SERVER: u32 = 0x0000_0200;
/// SV_TYPE_SERVER_UNIX: a Unix or Xenix server.
pub const SV_TYPE_SERVER_UNIX: u32 = 0x0000_0800;
/// SV_TYPE_NT: Windows NT or later.
pub const SV_TYPE_NT: u32 = 0x0000_1000;
/// SV_TYPE_SERVER_NT: a server that is not a domain controller.
pub const SV_TYPE_SERVER_NT: u32 = 0x0000_8000;
/// SV_TYPE_POTENTIAL_BROWSER: can run the browser service.
pub const SV_TYPE_POTENTIAL_BROWSER: u32 = 0x0001_0000;
/// SV_TYPE_MASTER_BROWSER: runs the master browser service.
pub const SV_TYPE_MASTER_BROWSER: u32 = 0x0004_0000;
/// SV_TYPE_WINDOWS: Windows 95, 98 or Me.
pub const SV_TYPE_WINDOWS: u32 = 0x0040_0000;
/// SV_TYPE_DFS: the root of a DFS tree.
pub const SV_TYPE_DFS: u32 = 0x0080_0000;
/// SV_TYPE_ALTERNATE_XPORT: return the list for the alternate transport.
pub const SV_TYPE_ALTERNATE_XPORT: u32 = 0x2000_0000;
/// SV_TYPE_LOCAL_LIST_ONLY: servers maintained by the browser (3.2.5.12).
pub const SV_TYPE_LOCAL_LIST_ONLY: u32 = 0x4000_0000;
/// SV_TYPE_DOMAIN_ENUM: list domains, not servers (3.2.5.12).
pub const SV_TYPE_DOMAIN_ENUM: u32 = 0x8000_0000;
/// SV_TYPE_ALL: every server type.
pub const SV_TYPE_ALL: u32 = 0xFFFF_FFFF;

crate::rap_struct! {
    /// NetShareInfo0 (MS-RAP 2.5.6.3.1), `B13`.
    pub struct ShareInfo0<'a> {
        /// NetworkName: at most 12 OEM bytes.
        net_name: B 13,
    }
}

crate::rap_struct! {
    /// NetShareInfo1 (MS-RAP 2.5.6.3.2), `B13BWz`.
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
    /// NetShareInfo2 (MS-RAP 2.5.6.3.3), `B13BWzWWWzB9B`.
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
    /// NetServerInfo0 (MS-RAP 2.5.5.4.1), `B16`.
    pub struct ServerInfo0<'a> {
        /// ServerName: at most 15 OEM bytes.
        server_name: B 16,
    }
}

crate::rap_struct! {
    /// NetServerInfo1 (MS-RAP 2.5.5.4.2), `B16BBDz`.
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
    /// NetWkstaInfo10 (MS-RAP 2.5.10.4.1), `zzzBBzz`.
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

crate::rap_struct! {
    /// TimeOfDayInfo (MS-RAP 2.5.9.2.1), `DDBBBBWWBBWB`: NetRemoteTOD's
    /// reply. The broken-down fields are the server's local time.
    pub struct TimeOfDayInfo {
        /// TimeSinceJan11970: seconds since 1970-01-01 00:00:00 UTC.
        time_since_jan_1_1970: D [Time],
        /// TimeSinceBoot: milliseconds since system reset.
        time_since_boot: D,
        /// Hours (0–23).
        hours: B,
        /// Minutes (0–59).
        minutes: B,
        /// Seconds (0–59).
        seconds: B,
        /// Hundreds: hundredths of a second (0–99).
        hundreds: B,
        /// TimeZone: minutes from UTC, west positive (a signed 16-bit value).
        time_zone: W,
        /// ClockFrequency: the clock's resolution in 0.0001 s.
        clock_frequency: W,
        /// Day of the month (1–31).
        day: B,
        /// Month (1–12).
        month: B,
        /// Year.
        year: W,
        /// Weekday: 0 is Sunday.
        weekday: B,
    }
}

crate::rap_struct! {
    /// session_info_0 (LAN Manager; not in MS-RAP), `z`.
    pub struct SessionInfo0<'a> {
        /// The client computer's name.
        computer_name: z,
    }
}

crate::rap_struct! {
    /// session_info_1 (LAN Manager), `zzWWWDDD`.
    pub struct SessionInfo1<'a> {
        /// The client computer's name.
        computer_name: z,
        /// The user who opened the session.
        user_name: z,
        /// Connections made during the session.
        num_conns: W,
        /// Files, devices and pipes open.
        num_opens: W,
        /// Users on the session.
        num_users: W,
        /// Seconds the session has been active.
        sess_time: D,
        /// Seconds since the session was last used.
        idle_time: D,
        /// How the user logged on (SESS_GUEST 1, SESS_NOENCRYPTION 2).
        user_flags: D,
    }
}

crate::rap_struct! {
    /// session_info_2 (LAN Manager), `zzWWWDDDz`.
    pub struct SessionInfo2<'a> {
        /// The client computer's name.
        computer_name: z,
        /// The user who opened the session.
        user_name: z,
        /// Connections made during the session.
        num_conns: W,
        /// Files, devices and pipes open.
        num_opens: W,
        /// Users on the session.
        num_users: W,
        /// Seconds the session has been active.
        sess_time: D,
        /// Seconds since the session was last used.
        idle_time: D,
        /// How the user logged on.
        user_flags: D,
        /// The client's type (`DOS LM 2.0`...).
        cltype_name: z,
    }
}

crate::rap_struct! {
    /// session_info_10 (LAN Manager), `zzDD`.
    pub struct SessionInfo10<'a> {
        /// The client computer's name.
        computer_name: z,
        /// The user who opened the session.
        user_name: z,
        /// Seconds the session has been active.
        sess_time: D,
        /// Seconds since the session was last used.
        idle_time: D,
    }
}

crate::rap_levels! {
    /// One session_info structure of any level.
    pub enum SessionInfo<'a> {
        0 => Level0(SessionInfo0<'a>),
        1 => Level1(SessionInfo1<'a>),
        2 => Level2(SessionInfo2<'a>),
        10 => Level10(SessionInfo10<'a>),
    }
}

crate::rap_struct! {
    /// group_info_0 (LAN Manager; not in MS-RAP), `B21`.
    pub struct GroupInfo0<'a> {
        /// The group's name: at most 20 OEM bytes.
        group_name: B 21,
    }
}

crate::rap_struct! {
    /// group_info_1 (LAN Manager), `B21Bz`.
    pub struct GroupInfo1<'a> {
        /// The group's name: at most 20 OEM bytes.
        group_name: B 21,
        _: B,
        /// Comment.
        comment: z,
    }
}

crate::rap_struct! {
    /// user_info_0 (LAN Manager; NetUserInfo0, MS-RAP 2.5.8.3.1), `B21`.
    pub struct UserInfo0<'a> {
        /// The account name: at most 20 OEM bytes.
        name: B 21,
    }
}

crate::rap_struct! {
    /// user_info_1 (LAN Manager; NetUserInfo1, MS-RAP 2.5.8.3.2), `B21BB16DWzzWz`.
    pub struct UserInfo1<'a> {
        /// The account name: at most 20 OEM bytes.
        name: B 21,
        _: B,
        /// Password: never sent (zeros).
        password: B 16,
        /// PasswordAge: seconds since the password changed.
        password_age: D,
        /// Priv (USER_PRIV_GUEST 0, USER 1, ADMIN 2).
        priv_level ("priv"): W,
        /// HomeDir.
        home_dir: z,
        /// Comment.
        comment: z,
        /// Flags (UF_*).
        flags: W,
        /// ScriptPath.
        script_path: z,
    }
}

crate::rap_struct! {
    /// user_info_10 (LAN Manager; NetUserInfo10, MS-RAP 2.5.8.3.4), `B21Bzzz`.
    pub struct UserInfo10<'a> {
        /// The account name: at most 20 OEM bytes.
        name: B 21,
        _: B,
        /// Comment.
        comment: z,
        /// UsrComment.
        usr_comment: z,
        /// FullName.
        full_name: z,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rap::descriptor::Descriptor;

    #[test]
    fn descriptors_and_fixed_sizes() {
        for (m, desc, size) in [
            (&ShareInfo0::STRUCT_META, &b"B13"[..], 13),
            (&ShareInfo1::STRUCT_META, b"B13BWz", 20),
            (&ShareInfo2::STRUCT_META, b"B13BWzWWWzB9B", 40),
            (&ServerInfo0::STRUCT_META, b"B16", 16),
            (&ServerInfo1::STRUCT_META, b"B16BBDz", 26),
            (&WkstaInfo10::STRUCT_META, b"zzzBBzz", 22),
            (&TimeOfDayInfo::STRUCT_META, b"DDBBBBWWBBWB", 21),
            (&SessionInfo0::STRUCT_META, b"z", 4),
            (&SessionInfo1::STRUCT_META, b"zzWWWDDD", 26),
            (&SessionInfo2::STRUCT_META, b"zzWWWDDDz", 30),
            (&SessionInfo10::STRUCT_META, b"zzDD", 16),
            (&GroupInfo0::STRUCT_META, b"B21", 21),
            (&GroupInfo1::STRUCT_META, b"B21Bz", 26),
            (&UserInfo0::STRUCT_META, b"B21", 21),
            (&UserInfo1::STRUCT_META, b"B21BB16DWzzWz", 58),
            (&UserInfo10::STRUCT_META, b"B21Bzzz", 34),
        ] {
            assert_eq!(m.descriptor, desc, "{}", m.name);
            assert_eq!(m.fixed_size, size, "{}", m.name);
            assert_eq!(Descriptor(m.descriptor).validate_data(), Ok(size));
        }
    }
}
