//! Open newtype enums for protocol codes.
//!
//! Every code type wraps its wire integer, has named constants for the values
//! the specs define, and keeps unknown values intact so that they survive a
//! decode → encode round trip (hickory-proto / rustls style).

use core::fmt;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident($int:ty) {
            $( $(#[$cmeta:meta])* $const:ident = $val:expr ),* $(,)?
        }
        $( display { $( $dconst:ident => $dname:literal ),* $(,)? } )?
    ) => {
        $(#[$meta])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        pub struct $name(pub $int);

        impl $name {
            $( $(#[$cmeta])* pub const $const: $name = $name($val); )*

            /// The specification's name for this value, if it is one we know.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $val => Some(stringify!($const)), )*
                    _ => None,
                }
            }

            /// Every named value, in declaration order.
            pub const ALL: &'static [$name] = &[$( $name($val) ),*];

            /// The conventional spelling of a known value, as documentation
            /// and tools show it (`NERR_BufTooSmall`); the constant's name
            /// when there is no other.
            pub const fn display_name(self) -> Option<&'static str> {
                $( $( if self.0 == $name::$dconst.0 { return Some($dname); } )* )?
                self.name()
            }
        }

        impl From<$int> for $name {
            fn from(v: $int) -> Self { $name(v) }
        }

        impl From<$name> for $int {
            fn from(v: $name) -> Self { v.0 }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => write!(f, "{}({:#x})", n, self.0),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.display_name() {
                    Some(n) => write!(f, "{} ({})", n, self.0),
                    None => write!(f, "{}", self.0),
                }
            }
        }
    };
}

open_enum! {
    /// RAP `Win32ErrorCode` (MS-RAP 2.5.2): a 16-bit status in every RAP
    /// response. Values come from [MS-ERREF] 2.2 and the LAN Manager NERR_* range.
    RapStatus(u16) {
        /// No error (MS-RAP 2.5.2).
        ERROR_SUCCESS = 0x0000,
        /// Access denied.
        ERROR_ACCESS_DENIED = 0x0005,
        /// Not supported; what Samba answers for requests it refuses (NERR_notsupported).
        ERROR_NOT_SUPPORTED = 0x0032,
        /// Client data invalid (MS-RAP 2.5.2).
        ERROR_INVALID_PARAMETER = 0x0057,
        /// Information level not supported (MS-RAP 2.5.2).
        ERROR_INVALID_LEVEL = 0x007C,
        /// More data is available than was returned (MS-RAP 2.5.2).
        ERROR_MORE_DATA = 0x00EA,
        /// The printer name is invalid ([MS-ERREF]).
        ERROR_INVALID_PRINTER_NAME = 0x0709,
        /// The API return buffer is too small (MS-RAP 2.5.2).
        NERR_BUF_TOO_SMALL = 0x084B,
        /// Printer queue does not exist (LAN Manager).
        NERR_Q_NOT_FOUND = 0x0866,
        /// Print job does not exist (LAN Manager).
        NERR_JOB_NOT_FOUND = 0x0867,
        /// Invalid function (MS-ERREF).
        ERROR_INVALID_FUNCTION = 0x0001,
        /// The network path was not found.
        ERROR_BAD_NETPATH = 0x0035,
        /// No more connections can be made (NetServerEnum2 over-limit answers).
        ERROR_REQ_NOT_ACCEP = 0x0047,
        /// The specified network name is no longer available.
        ERROR_NETNAME_DELETED = 0x0040,
        /// The device is not ready.
        ERROR_NOT_READY = 0x0015,
        /// Not enough memory.
        ERROR_NOT_ENOUGH_MEMORY = 0x0008,
        /// The browser service is not started (NetServerEnum2).
        NERR_BROWSER_NOT_STARTED = 0x0A2E,
        /// The user name could not be found.
        NERR_USER_NOT_FOUND = 0x08AD,
        /// The share name does not exist.
        NERR_NET_NAME_NOT_FOUND = 0x0906,
        /// Printer destination cannot be found (LAN Manager).
        NERR_DEST_NOT_FOUND = 0x0868,
        /// A session does not exist with that computer name (LAN Manager).
        NERR_CLIENT_NAME_NOT_FOUND = 0x0908,
        /// The list of servers for this workgroup is not available
        /// (MS-RAP 3.2.5.12: NetServerEnum2 with an empty server list).
        ERROR_NO_BROWSER_SERVERS_FOUND = 0x17E6,
    }
    display {
        NERR_BUF_TOO_SMALL => "NERR_BufTooSmall",
        NERR_Q_NOT_FOUND => "NERR_QNotFound",
        NERR_JOB_NOT_FOUND => "NERR_JobNotFound",
        NERR_DEST_NOT_FOUND => "NERR_DestNotFound",
        NERR_BROWSER_NOT_STARTED => "NERR_BrowserNotStarted",
        NERR_USER_NOT_FOUND => "NERR_UserNotFound",
        NERR_NET_NAME_NOT_FOUND => "NERR_NetNameNotFound",
        NERR_CLIENT_NAME_NOT_FOUND => "NERR_ClientNameNotFound",
    }
}

impl RapStatus {
    /// Status values for which the response carries RAPOutData (MS-RAP 2.5.2).
    pub const fn carries_data(self) -> bool {
        self.0 == Self::ERROR_SUCCESS.0 || self.0 == Self::ERROR_MORE_DATA.0
    }
}

open_enum! {
    /// A 32-bit Win32 error code as a spooler returns it ([MS-ERREF] 2.2,
    /// [MS-RPRN] 3.1.4). Converted to the 16-bit [`RapStatus`] by
    /// [`Win32Error::to_rap_status`].
    Win32Error(u32) {
        /// The operation completed successfully.
        ERROR_SUCCESS = 0,
        /// Access is denied.
        ERROR_ACCESS_DENIED = 5,
        /// The printer queue is full (a spooler that cannot create one more job).
        ERROR_PRINTQ_FULL = 61,
        /// There is not enough space on the disk (a spool file over its limits).
        ERROR_DISK_FULL = 112,
        /// The request is not supported.
        ERROR_NOT_SUPPORTED = 50,
        /// The parameter is incorrect.
        ERROR_INVALID_PARAMETER = 87,
        /// The data area passed to a system call is too small.
        ERROR_INSUFFICIENT_BUFFER = 122,
        /// The system call level is not correct.
        ERROR_INVALID_LEVEL = 124,
        /// The printer name is invalid.
        ERROR_INVALID_PRINTER_NAME = 1801,
        /// A device attached to the system is not functioning.
        ERROR_GEN_FAILURE = 31,
        /// The device is not ready (a remote spooler that does not answer).
        ERROR_NOT_READY = 21,
        /// The remote spooler's answer was not understood.
        ERROR_BAD_NET_RESP = 58,
        /// The state of the printer is invalid (the spooler cannot do that now).
        ERROR_INVALID_PRINTER_STATE = 1906,
    }
}

impl Win32Error {
    /// The RAP status for a spooler error (MS-RAP 3.2.5.7 step 6: "the
    /// corresponding Win32 error"). RAP carries 16 bits; every Win32 code
    /// defined in [MS-ERREF] 2.2 is below 0x10000. A value that is not
    /// (an HRESULT or an NTSTATUS leaking through a backend) becomes
    /// ERROR_GEN_FAILURE rather than a silently truncated, unrelated code.
    pub const fn to_rap_status(self) -> RapStatus {
        if self.0 <= 0xFFFF {
            RapStatus(self.0 as u16)
        } else {
            RapStatus(Win32Error::ERROR_GEN_FAILURE.0 as u16)
        }
    }
}

open_enum! {
    /// RAP opcodes (MS-RAP 2.5.4; NetPrintJobEnum from Samba `rap.h`).
    RapOpcode(u16) {
        /// NetShareEnum (MS-RAP 2.5.6.1).
        NET_SHARE_ENUM = 0,
        /// NetShareGetInfo (MS-RAP 2.5.6.2).
        NET_SHARE_GET_INFO = 1,
        /// NetSessionEnum (LAN Manager; MS-RAP lists it in 2.5.4 only).
        NET_SESSION_ENUM = 6,
        /// NetSessionGetInfo (LAN Manager).
        NET_SESSION_GET_INFO = 7,
        /// NetServerGetInfo (MS-RAP 2.5.5.1).
        NET_SERVER_GET_INFO = 13,
        /// NetGroupEnum (LAN Manager).
        NET_GROUP_ENUM = 47,
        /// NetGroupGetUsers (LAN Manager; not in MS-RAP).
        NET_GROUP_GET_USERS = 52,
        /// NetUserEnum (LAN Manager).
        NET_USER_ENUM = 53,
        /// NetUserGetInfo (MS-RAP 2.5.8.2).
        NET_USER_GET_INFO = 56,
        /// NetUserGetGroups (LAN Manager; not in MS-RAP).
        NET_USER_GET_GROUPS = 59,
        /// NetWkstaGetInfo (MS-RAP 2.5.10.1).
        NET_WKSTA_GET_INFO = 63,
        /// NetPrintQEnum (MS-RAP 2.5.7.1).
        NET_PRINT_Q_ENUM = 69,
        /// NetPrintQGetInfo (MS-RAP 2.5.7.2).
        NET_PRINT_Q_GET_INFO = 70,
        /// NetPrintQSetInfo (LAN Manager; not in MS-RAP).
        NET_PRINT_Q_SET_INFO = 71,
        /// NetPrintQAdd (LAN Manager; not in MS-RAP).
        NET_PRINT_Q_ADD = 72,
        /// NetPrintQDel (LAN Manager; not in MS-RAP).
        NET_PRINT_Q_DEL = 73,
        /// NetPrintQPause (LAN Manager; not in MS-RAP).
        NET_PRINT_Q_PAUSE = 74,
        /// NetPrintQContinue (LAN Manager; not in MS-RAP).
        NET_PRINT_Q_CONTINUE = 75,
        /// NetPrintJobEnum (LAN Manager; Samba `RAP_WPrintJobEnum`; not in MS-RAP).
        NET_PRINT_JOB_ENUM = 76,
        /// NetPrintJobGetInfo (MS-RAP 2.5.7.4).
        NET_PRINT_JOB_GET_INFO = 77,
        /// The older NetPrintJobSetInfo (LAN Manager; not in MS-RAP).
        NET_PRINT_JOB_SET_INFO_OLD = 78,
        /// NetPrintJobDelete (MS-RAP 2.5.7.7).
        NET_PRINT_JOB_DEL = 81,
        /// NetPrintJobPause (MS-RAP 2.5.7.5).
        NET_PRINT_JOB_PAUSE = 82,
        /// NetPrintJobContinue (MS-RAP 2.5.7.6).
        NET_PRINT_JOB_CONTINUE = 83,
        /// NetPrintDestEnum (LAN Manager; not in MS-RAP).
        NET_PRINT_DEST_ENUM = 84,
        /// NetPrintDestGetInfo (LAN Manager; not in MS-RAP).
        NET_PRINT_DEST_GET_INFO = 85,
        /// NetPrintDestControl (LAN Manager; not in MS-RAP).
        NET_PRINT_DEST_CONTROL = 86,
        /// NetRemoteTOD (MS-RAP 2.5.9.1).
        NET_REMOTE_TOD = 91,
        /// NetPrintQPurge (LAN Manager; not in MS-RAP).
        NET_PRINT_Q_PURGE = 103,
        /// NetServerEnum2 (MS-RAP 2.5.5.2).
        NET_SERVER_ENUM2 = 104,
        /// NetAccessGetUserPerms (LAN Manager; not in MS-RAP).
        NET_ACCESS_GET_USER_PERMS = 105,
        /// NetUserPasswordSet2 (MS-RAP 2.5.8.1).
        NET_USER_PASSWORD_SET2 = 115,
        /// NetUserEnum2 (LAN Manager; not in MS-RAP; 125 is NetFileClose2).
        NET_USER_ENUM2 = 131,
        /// NetWkstaUserLogon (MS-RAP 2.5.10.2).
        NET_WKSTA_USER_LOGON = 132,
        /// NetWkstaUserLogoff (MS-RAP 2.5.10.3).
        NET_WKSTA_USER_LOGOFF = 133,
        /// NetPrintJobSetInfo (MS-RAP 2.5.7.3).
        NET_PRINT_JOB_SET_INFO = 147,
        /// NetPrintDriverEnum (LAN Manager; not in MS-RAP).
        NET_PRINT_DRIVER_ENUM = 205,
        /// NetPrintQProcessorEnum (LAN Manager; not in MS-RAP).
        NET_PRINT_Q_PROC_ENUM = 206,
        /// NetPrintPortEnum (LAN Manager; not in MS-RAP).
        NET_PRINT_PORT_ENUM = 207,
        /// NetWriteUpdateLog (LAN Manager; not in MS-RAP).
        NET_WRITE_UPDATE_LOG = 208,
        /// NetServerEnum3 (MS-RAP 2.5.5.3; 0x00D7 in MS-RAP 2.5.4).
        NET_SERVER_ENUM3 = 215,
    }
}

impl RapOpcode {
    /// The command's name from the command table (`NetPrintJobGetInfo`).
    pub fn command_name(self) -> Option<&'static str> {
        crate::rap::commands::command(self).map(|c| c.name)
    }
}

open_enum! {
    /// NTSTATUS values the SMB1 layer sends ([MS-ERREF] 2.3).
    NtStatus(u32) {
        /// The operation completed successfully.
        STATUS_SUCCESS = 0x0000_0000,
        /// The data was too large to fit into the specified buffer (a warning: the response still carries data).
        STATUS_BUFFER_OVERFLOW = 0x8000_0005,
        /// The requested operation is not implemented.
        STATUS_NOT_IMPLEMENTED = 0xC000_0002,
        /// An invalid handle was specified.
        STATUS_INVALID_HANDLE = 0xC000_0008,
        /// An invalid parameter was passed to a service or function.
        STATUS_INVALID_PARAMETER = 0xC000_000D,
        /// Access to the object was requested but not granted.
        STATUS_ACCESS_DENIED = 0xC000_0022,
        /// The object name is not found.
        STATUS_OBJECT_NAME_NOT_FOUND = 0xC000_0034,
        /// Insufficient system resources exist to complete the request.
        STATUS_INSUFFICIENT_RESOURCES = 0xC000_009A,
        /// The request is not supported.
        STATUS_NOT_SUPPORTED = 0xC000_00BB,
        /// The specified share name cannot be found on the remote server.
        STATUS_BAD_NETWORK_NAME = 0xC000_00CC,
        /// ERRSRV/ERRerror as an NTSTATUS (MS-CIFS 2.2.2.4): an invalid SMB.
        STATUS_INVALID_SMB = 0x0001_0002,
        /// ERRSRV/ERRinvtid (MS-CIFS 2.2.2.4): the TID is not valid.
        STATUS_SMB_BAD_TID = 0x0005_0002,
        /// ERRSRV/ERRbadcmd (MS-CIFS 2.2.2.4): an unknown SMB command code.
        STATUS_SMB_BAD_COMMAND = 0x0016_0002,
        /// ERRSRV/ERRbaduid (MS-CIFS 2.2.2.4): the UID is not known on this session.
        STATUS_SMB_BAD_UID = 0x005B_0002,
        /// The network name was deleted.
        STATUS_NETWORK_NAME_DELETED = 0xC000_00C9,
        /// The remote user session has been deleted.
        STATUS_USER_SESSION_DELETED = 0xC000_0203,
        /// The attempted logon is invalid (bad user name or authentication information).
        STATUS_LOGON_FAILURE = 0xC000_006D,
        /// The session limit was exceeded; sent for SESSION_SETUP_ANDX, DOS form ERRSRV/ERRtoomanyuids.
        STATUS_TOO_MANY_SESSIONS = 0xC000_00CE,
        /// The device type conflicts with the remote resource's: TREE_CONNECT_ANDX
        /// Service does not match the share type; DOS form ERRSRV/ERRinvdevice.
        STATUS_BAD_DEVICE_TYPE = 0xC000_00CB,
        /// The request is not valid for this device: a command on a share of
        /// the wrong type (MS-CIFS 3.3.5.54); DOS form ERRDOS/ERRbadfunc.
        STATUS_INVALID_DEVICE_REQUEST = 0xC000_0010,
        /// The disk is full: a print file over its spool limits; DOS form
        /// ERRHRD/ERRdiskfull.
        STATUS_DISK_FULL = 0xC000_007F,
        /// Too many files are open: no more FIDs on this connection; DOS form
        /// ERRDOS/ERRnofids.
        STATUS_TOO_MANY_OPENED_FILES = 0xC000_011F,
        /// The print queue is full: no job can be created; DOS form ERRSRV/ERRqfull.
        STATUS_PRINT_QUEUE_FULL = 0xC000_00C6,
        /// No space for the print job (MS-CIFS 2.2.2.4); DOS form ERRSRV/ERRqtoobig.
        STATUS_NO_SPOOL_SPACE = 0xC000_00C7,
        /// The server is out of resources (MS-CIFS 2.2.2.4); DOS form ERRDOS/ERRnomem.
        STATUS_INSUFF_SERVER_RESOURCES = 0xC000_0205,
        /// The device is not ready (a spooler that does not answer); DOS form
        /// ERRHRD/ERRnotready.
        STATUS_DEVICE_NOT_READY = 0xC000_00A3,
        /// The operation failed (a spooler's failure with no closer status);
        /// DOS form ERRHRD/ERRgeneral.
        STATUS_UNSUCCESSFUL = 0xC000_0001,
        /// The print file's job was cancelled (deleted while it was being
        /// spooled); DOS form ERRSRV/ERRinvpfid.
        STATUS_PRINT_CANCELLED = 0xC000_00C8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_survive_and_print() {
        let s = RapStatus(4242);
        assert_eq!(s.name(), None);
        assert_eq!(u16::from(s), 4242);
        assert_eq!(format!("{s:?}"), "RapStatus(0x1092)");
        assert_eq!(
            format!("{:?}", RapStatus::ERROR_MORE_DATA),
            "ERROR_MORE_DATA(0xea)"
        );
    }

    #[test]
    fn win32_to_rap() {
        assert_eq!(
            Win32Error(87).to_rap_status(),
            RapStatus::ERROR_INVALID_PARAMETER
        );
        assert_eq!(Win32Error(0x8007_0057).to_rap_status(), RapStatus(31));
    }
}
