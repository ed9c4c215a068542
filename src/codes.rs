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
                match self.name() {
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
}

impl RapStatus {
    /// The conventional spelling of a known status (`NERR_BufTooSmall`,
    /// `ERROR_MORE_DATA`), as documentation and tools show it.
    pub const fn display_name(self) -> Option<&'static str> {
        Some(match self {
            Self::NERR_BUF_TOO_SMALL => "NERR_BufTooSmall",
            Self::NERR_Q_NOT_FOUND => "NERR_QNotFound",
            Self::NERR_JOB_NOT_FOUND => "NERR_JobNotFound",
            Self::NERR_DEST_NOT_FOUND => "NERR_DestNotFound",
            Self::NERR_BROWSER_NOT_STARTED => "NERR_BrowserNotStarted",
            Self::NERR_USER_NOT_FOUND => "NERR_UserNotFound",
            Self::NERR_NET_NAME_NOT_FOUND => "NERR_NetNameNotFound",
            Self::NERR_CLIENT_NAME_NOT_FOUND => "NERR_ClientNameNotFound",
            _ => return self.name(),
        })
    }

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
        ERROR_SUCCESS = 0,
        ERROR_ACCESS_DENIED = 5,
        ERROR_NOT_SUPPORTED = 50,
        ERROR_INVALID_PARAMETER = 87,
        ERROR_INSUFFICIENT_BUFFER = 122,
        ERROR_INVALID_LEVEL = 124,
        ERROR_INVALID_PRINTER_NAME = 1801,
        ERROR_GEN_FAILURE = 31,
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
        NET_SHARE_ENUM = 0,
        NET_SHARE_GET_INFO = 1,
        NET_SESSION_ENUM = 6,
        NET_SESSION_GET_INFO = 7,
        NET_SERVER_GET_INFO = 13,
        NET_GROUP_ENUM = 47,
        NET_GROUP_GET_USERS = 52,
        NET_USER_ENUM = 53,
        NET_USER_GET_INFO = 56,
        NET_USER_GET_GROUPS = 59,
        NET_WKSTA_GET_INFO = 63,
        NET_PRINT_Q_ENUM = 69,
        NET_PRINT_Q_GET_INFO = 70,
        NET_PRINT_Q_SET_INFO = 71,
        NET_PRINT_Q_ADD = 72,
        NET_PRINT_Q_DEL = 73,
        NET_PRINT_Q_PAUSE = 74,
        NET_PRINT_Q_CONTINUE = 75,
        NET_PRINT_JOB_ENUM = 76,
        NET_PRINT_JOB_GET_INFO = 77,
        NET_PRINT_JOB_SET_INFO_OLD = 78,
        NET_PRINT_JOB_DEL = 81,
        NET_PRINT_JOB_PAUSE = 82,
        NET_PRINT_JOB_CONTINUE = 83,
        NET_PRINT_DEST_ENUM = 84,
        NET_PRINT_DEST_GET_INFO = 85,
        NET_PRINT_DEST_CONTROL = 86,
        NET_REMOTE_TOD = 91,
        NET_PRINT_Q_PURGE = 103,
        NET_SERVER_ENUM2 = 104,
        NET_ACCESS_GET_USER_PERMS = 105,
        NET_USER_PASSWORD_SET2 = 115,
        NET_SERVER_ENUM3 = 119,
        NET_USER_ENUM2 = 125,
        NET_WKSTA_USER_LOGON = 132,
        NET_WKSTA_USER_LOGOFF = 133,
        NET_PRINT_JOB_SET_INFO = 147,
        NET_PRINT_DRIVER_ENUM = 205,
        NET_PRINT_Q_PROC_ENUM = 206,
        NET_PRINT_PORT_ENUM = 207,
        NET_WRITE_USER_PASSWORD_SET2 = 208,
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
        STATUS_SUCCESS = 0x0000_0000,
        STATUS_BUFFER_OVERFLOW = 0x8000_0005,
        STATUS_NOT_IMPLEMENTED = 0xC000_0002,
        STATUS_INVALID_HANDLE = 0xC000_0008,
        STATUS_INVALID_PARAMETER = 0xC000_000D,
        STATUS_ACCESS_DENIED = 0xC000_0022,
        STATUS_OBJECT_NAME_NOT_FOUND = 0xC000_0034,
        STATUS_INSUFFICIENT_RESOURCES = 0xC000_009A,
        STATUS_NOT_SUPPORTED = 0xC000_00BB,
        STATUS_BAD_NETWORK_NAME = 0xC000_00CC,
        STATUS_INVALID_SMB = 0x0001_0002,
        STATUS_SMB_BAD_TID = 0x0005_0002,
        STATUS_SMB_BAD_COMMAND = 0x0016_0002,
        STATUS_SMB_BAD_UID = 0x005B_0002,
        STATUS_NETWORK_NAME_DELETED = 0xC000_00C9,
        STATUS_USER_SESSION_DELETED = 0xC000_0203,
        STATUS_LOGON_FAILURE = 0xC000_006D,
        /// A session limit was hit (SESSION_SETUP_ANDX); DOS form ERRSRV/ERRtoomanyuids.
        STATUS_TOO_MANY_SESSIONS = 0xC000_00CE,
        /// TREE_CONNECT_ANDX Service does not match the share type; DOS form ERRSRV/ERRinvdevice.
        STATUS_BAD_DEVICE_TYPE = 0xC000_00CB,
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
