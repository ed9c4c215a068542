//! NTSTATUS vs DOS error class/code (MS-CIFS 2.2.1.5, 2.2.2.4).
//!
//! A client that sets `FLAGS2_NT_STATUS` gets the 32-bit NTSTATUS in the
//! header; any other client gets `ErrorClass` (1 byte), `Reserved` (1 byte),
//! `ErrorCode` (2 bytes). Read as one little-endian u32 that pair is
//! `class | code << 16`, which is also how the `STATUS_SMB_*` NTSTATUS values
//! (e.g. STATUS_SMB_BAD_TID = 0x00050002 = ERRSRV/ERRinvtid) are built.

use core::fmt;

use crate::codes::NtStatus;

/// A DOS-style error: `ErrorClass` and `ErrorCode` (MS-CIFS 2.2.2.4).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
pub struct DosError {
    /// `ErrorClass`: SUCCESS, ERRDOS, ERRSRV, ERRHRD (or ERRCMD).
    pub class: u8,
    /// `ErrorCode` within the class.
    pub code: u16,
}

impl DosError {
    /// `SUCCESS` class.
    pub const CLASS_SUCCESS: u8 = 0x00;
    /// `ERRDOS`: errors from the server OS.
    pub const ERRDOS: u8 = 0x01;
    /// `ERRSRV`: errors from the server network file manager.
    pub const ERRSRV: u8 = 0x02;
    /// `ERRHRD`: hardware errors.
    pub const ERRHRD: u8 = 0x03;

    /// SUCCESS/0: no error.
    pub const SUCCESS: DosError = DosError::new(0, 0);

    /// The pair `class`/`code`.
    pub const fn new(class: u8, code: u16) -> DosError {
        DosError { class, code }
    }

    /// The 4 header bytes as a little-endian u32.
    pub const fn to_wire(self) -> u32 {
        self.class as u32 | (self.code as u32) << 16
    }

    /// Splits a raw `Status` read as a little-endian u32.
    pub const fn from_wire(raw: u32) -> DosError {
        DosError {
            class: (raw & 0xFF) as u8,
            code: (raw >> 16) as u16,
        }
    }
}

impl fmt::Debug for DosError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = match self.class {
            0 => "SUCCESS",
            1 => "ERRDOS",
            2 => "ERRSRV",
            3 => "ERRHRD",
            _ => "class?",
        };
        write!(f, "{class}({:#04x})/{}", self.class, self.code)
    }
}

/// The DOS error for an NTSTATUS (MS-CIFS 2.2.2.4 tables; Samba's
/// `errormap.c` for the pairs MS-CIFS leaves implicit).
///
/// | NTSTATUS | DOS |
/// | --- | --- |
/// | STATUS_SUCCESS | SUCCESS/0 |
/// | STATUS_INVALID_PARAMETER | ERRDOS/ERRinvalidparam (87) |
/// | STATUS_NOT_IMPLEMENTED | ERRDOS/ERRbadfunc (1) |
/// | STATUS_INVALID_HANDLE | ERRDOS/ERRbadfid (6) |
/// | STATUS_ACCESS_DENIED | ERRDOS/ERRnoaccess (5) |
/// | STATUS_OBJECT_NAME_NOT_FOUND | ERRDOS/ERRbadfile (2) |
/// | STATUS_BUFFER_OVERFLOW | ERRDOS/ERRmoredata (234) |
/// | STATUS_INSUFFICIENT_RESOURCES | ERRSRV/ERRnoresource (89) |
/// | STATUS_NOT_SUPPORTED | ERRSRV/ERRnosupport (0xFFFF) |
/// | STATUS_BAD_NETWORK_NAME | ERRSRV/ERRinvnetname (6) |
/// | STATUS_BAD_DEVICE_TYPE | ERRSRV/ERRinvdevice (7) |
/// | STATUS_NETWORK_NAME_DELETED | ERRSRV/ERRinvtid (5) |
/// | STATUS_USER_SESSION_DELETED | ERRSRV/ERRbaduid (91) |
/// | STATUS_LOGON_FAILURE | ERRSRV/ERRbadpw (2) |
/// | STATUS_TOO_MANY_SESSIONS | ERRSRV/ERRtoomanyuids (90) |
/// | STATUS_SMB_* (0x00cc00kk) | class kk / code cc, as encoded |
/// | anything else | ERRHRD/ERRgeneral (31) |
pub fn dos_error(status: NtStatus) -> DosError {
    const ERRDOS: u8 = DosError::ERRDOS;
    const ERRSRV: u8 = DosError::ERRSRV;
    match status {
        NtStatus::STATUS_SUCCESS => DosError::SUCCESS,
        NtStatus::STATUS_INVALID_PARAMETER => DosError::new(ERRDOS, 87),
        NtStatus::STATUS_NOT_IMPLEMENTED => DosError::new(ERRDOS, 1),
        NtStatus::STATUS_INVALID_HANDLE => DosError::new(ERRDOS, 6),
        NtStatus::STATUS_ACCESS_DENIED => DosError::new(ERRDOS, 5),
        NtStatus::STATUS_OBJECT_NAME_NOT_FOUND => DosError::new(ERRDOS, 2),
        NtStatus::STATUS_BUFFER_OVERFLOW => DosError::new(ERRDOS, 234),
        NtStatus::STATUS_INSUFFICIENT_RESOURCES => DosError::new(ERRSRV, 89),
        NtStatus::STATUS_NOT_SUPPORTED => DosError::new(ERRSRV, 0xFFFF),
        NtStatus::STATUS_BAD_NETWORK_NAME => DosError::new(ERRSRV, 6),
        NtStatus::STATUS_BAD_DEVICE_TYPE => DosError::new(ERRSRV, 7),
        NtStatus::STATUS_NETWORK_NAME_DELETED => DosError::new(ERRSRV, 5),
        NtStatus::STATUS_USER_SESSION_DELETED => DosError::new(ERRSRV, 91),
        NtStatus::STATUS_LOGON_FAILURE => DosError::new(ERRSRV, 2),
        NtStatus::STATUS_TOO_MANY_SESSIONS => DosError::new(ERRSRV, 90),
        // STATUS_INVALID_SMB, STATUS_SMB_BAD_TID, STATUS_SMB_BAD_UID,
        // STATUS_SMB_BAD_COMMAND and any other DOS pair carried in an
        // NTSTATUS: severity/customer/facility bits clear, class 1..=3.
        NtStatus(raw) if raw & 0xC000_FF00 == 0 && matches!(raw & 0xFF, 1..=3) => {
            DosError::from_wire(raw)
        }
        _ => DosError::new(DosError::ERRHRD, 31),
    }
}

/// The 32 `Status` bits to send: the NTSTATUS itself when the client asked
/// for NT status codes, else its DOS pair.
pub fn wire_status(status: NtStatus, nt_status: bool) -> u32 {
    if nt_status {
        status.0
    } else {
        dos_error(status).to_wire()
    }
}

/// A `Status` field as received.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum WireStatus {
    /// An NTSTATUS (`Flags2` has SMB_FLAGS2_NT_STATUS).
    Nt(NtStatus),
    /// A DOS `ErrorClass`/`ErrorCode` pair (MS-CIFS 2.2.1.5 SMB_ERROR).
    Dos(DosError),
}

impl WireStatus {
    /// Reads the raw 32 `Status` bits as an NTSTATUS when `nt_status`
    /// (`Flags2` has SMB_FLAGS2_NT_STATUS), else as a DOS pair.
    pub fn from_raw(raw: u32, nt_status: bool) -> WireStatus {
        if nt_status {
            WireStatus::Nt(NtStatus(raw))
        } else {
            WireStatus::Dos(DosError::from_wire(raw))
        }
    }

    /// STATUS_SUCCESS, or DOS class SUCCESS.
    pub fn is_success(self) -> bool {
        match self {
            WireStatus::Nt(s) => s == NtStatus::STATUS_SUCCESS,
            WireStatus::Dos(d) => d.class == 0,
        }
    }

    /// As an NTSTATUS: a DOS class/code becomes the NTSTATUS this crate
    /// maps to it when there is one, else the raw pair (class in the low
    /// byte, code in the high word, as on the wire).
    pub fn to_nt_status(self) -> NtStatus {
        match self {
            WireStatus::Nt(s) => s,
            WireStatus::Dos(d) if d.class == 0 => NtStatus::STATUS_SUCCESS,
            WireStatus::Dos(d) => NtStatus::ALL
                .iter()
                .copied()
                .find(|&s| dos_error(s) == d)
                .unwrap_or(NtStatus(u32::from(d.class) | u32::from(d.code) << 16)),
        }
    }

    /// Whether this is `status` in either form.
    pub fn is(self, status: NtStatus) -> bool {
        match self {
            WireStatus::Nt(s) => s == status,
            WireStatus::Dos(d) => d == dos_error(status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smb_statuses_are_their_own_dos_pairs() {
        assert_eq!(dos_error(NtStatus::STATUS_SMB_BAD_TID), DosError::new(2, 5));
        assert_eq!(
            dos_error(NtStatus::STATUS_SMB_BAD_UID),
            DosError::new(2, 91)
        );
        assert_eq!(
            dos_error(NtStatus::STATUS_SMB_BAD_COMMAND),
            DosError::new(2, 22)
        );
        assert_eq!(dos_error(NtStatus::STATUS_INVALID_SMB), DosError::new(2, 1));
        assert_eq!(dos_error(NtStatus(0xC000_0001)), DosError::new(3, 31));
    }

    #[test]
    fn wire_forms() {
        assert_eq!(
            wire_status(NtStatus::STATUS_INVALID_PARAMETER, true),
            0xC000_000D
        );
        assert_eq!(
            wire_status(NtStatus::STATUS_INVALID_PARAMETER, false).to_le_bytes(),
            [1, 0, 87, 0]
        );
        assert_eq!(
            wire_status(NtStatus::STATUS_BAD_NETWORK_NAME, false).to_le_bytes(),
            [2, 0, 6, 0]
        );
    }
}
